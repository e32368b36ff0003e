"""Activation functions: ``a = f(z)`` forward, ``dC/dz`` from ``dC/da`` backward.

Each activation is a small object with ``__call__(z) -> a`` and
``backward(z, a, grad_a) -> grad_z``.  ``backward`` receives both ``z`` and ``a`` so each
function uses whichever makes its derivative cheapest (sigmoid reuses ``a``, relu needs
``z``), and so softmax, whose Jacobian mixes a row's outputs, fits the same shape.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet._types import Array
from glassnet.validation import from_spec


class Activation:
    """Base class: subclasses define ``name``, ``__call__`` and ``backward``."""

    name: str = ""

    def __call__(self, z: Array) -> Array:
        """Return ``a = f(z)``; ``z`` : (n_samples, n_units)."""
        raise NotImplementedError

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        """Return ``dC/dz`` given ``dC/da``; all three arrays are (n_samples, n_units)."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., **settings}``: JSON-able, and ``get_activation`` rebuilds it."""
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _exp_safe_floor(dtype: np.dtype) -> float:
    # exp(-z) overflows once -z exceeds log(max float); sigmoid is 0 to working precision
    # there anyway, so clamping z at that point changes no result and silences the warning.
    return -float(np.log(np.finfo(dtype).max)) + 1.0


_SIGMOID_FLOOR = {np.dtype(t): _exp_safe_floor(np.dtype(t)) for t in ("float32", "float64")}


class Sigmoid(Activation):
    """The logistic function ``1 / (1 + exp(-z))``, the article's activation."""

    name = "sigmoid"

    def __call__(self, z: Array) -> Array:
        a = np.maximum(z, _SIGMOID_FLOOR[z.dtype])
        np.negative(a, out=a)
        np.exp(a, out=a)
        a += 1.0
        np.reciprocal(a, out=a)
        return a

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        # sigmoid'(z) = a (1 - a), multiplied in the article's order: a (1 - a) * error.
        grad_z = 1.0 - a
        grad_z *= a
        grad_z *= grad_a
        return grad_z


class Tanh(Activation):
    """The hyperbolic tangent."""

    name = "tanh"

    def __call__(self, z: Array) -> Array:
        return np.tanh(z)

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        grad_z = np.square(a)
        np.subtract(1.0, grad_z, out=grad_z)
        grad_z *= grad_a
        return grad_z


class ReLU(Activation):
    """``max(z, 0)``."""

    name = "relu"

    def __call__(self, z: Array) -> Array:
        return np.maximum(z, 0.0)

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        # the derivative at exactly 0 is taken as 0, as PyTorch and scikit-learn do
        return np.multiply(grad_a, z > 0.0)


class LeakyReLU(Activation):
    """``z`` for positive ``z``, ``negative_slope * z`` otherwise (PyTorch's 0.01)."""

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01) -> None:
        self.negative_slope = float(negative_slope)

    def __call__(self, z: Array) -> Array:
        return np.where(z > 0.0, z, z * self.negative_slope)

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        return np.where(z > 0.0, grad_a, grad_a * self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "negative_slope": self.negative_slope}

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Identity(Activation):
    """``a = z``, the output of a regression network."""

    name = "identity"

    def __call__(self, z: Array) -> Array:
        return z

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        return grad_a


class Exp(Activation):
    """``a = exp(z)``: a positive output, the log link of a Poisson regression (count data)."""

    name = "exp"

    def __call__(self, z: Array) -> Array:
        # z beyond log(max float) would overflow to inf; the clamp keeps a finite (and
        # glassnet's checks then report the huge output instead of a NaN cost)
        a = np.minimum(z, -_SIGMOID_FLOOR[z.dtype])
        np.exp(a, out=a)
        return a

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        # exp'(z) = exp(z) = a
        return np.multiply(grad_a, a)


class Softmax(Activation):
    """``exp(z_k) / sum_j exp(z_j)`` along each row: the outputs of a row sum to 1."""

    name = "softmax"

    def __call__(self, z: Array) -> Array:
        # subtracting the row maximum leaves softmax unchanged and keeps exp from overflowing
        a: Array = z - z.max(axis=1, keepdims=True)
        np.exp(a, out=a)
        a /= a.sum(axis=1, keepdims=True)
        return a

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        # Jacobian-vector product: dC/dz_k = a_k (dC/da_k - sum_j a_j dC/da_j)
        inner = np.einsum("ij,ij->i", grad_a, a)[:, None]
        grad_z: Array = a * (grad_a - inner)
        return grad_z


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Identity, Exp, Softmax)
}
"""Every activation by the name ``Dense(activation=...)`` accepts."""


def get_activation(activation: str | dict[str, Any] | Activation) -> Activation:
    """The activation a name ("relu"), a config dict (``{"name": "leaky_relu",
    "negative_slope": 0.2}``) or an ``Activation`` (passed through) describes."""
    return from_spec(activation, ACTIVATIONS, Activation, "activation")
