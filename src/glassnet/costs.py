"""Cost functions: how far the network's output ``a`` is from the truth ``y``.

Each cost is an object with ``__call__(a, y) -> float`` and ``gradient(a, y) -> dC/da``.
The reductions are PyTorch's defaults, so numbers compare one to one:

- ``sse``: ½·Σ(a − y)² over all elements (the article's update uses its gradient a − y);
- ``mse``: mean over all elements of (a − y)²;
- ``binary_crossentropy``: mean over all elements of −[y·log a + (1 − y)·log(1 − a)];
- ``categorical_crossentropy``: mean over samples of −Σₖ yₖ·log aₖ;
- ``poisson``: mean over samples of Σₖ [yₖ·log(yₖ/aₖ) − yₖ + aₖ], half the Poisson deviance
  as scikit-learn's ``MLPRegressor(loss="poisson")``.

An optional ``sample_weight`` (n_samples,) scales each sample's term; the divisor stays the
sample count, as in PyTorch and Keras, so weights of 1 change nothing.

Sigmoid + binary cross-entropy, softmax + categorical cross-entropy and exp + poisson have
the fused output delta ``dC/dz = (a − y) / count``: no division by ``a (1 − a)`` (or by
``a``), so no overflow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from glassnet._types import Array
from glassnet.validation import from_spec

# PyTorch clamps log at -100 in its cross-entropies, so a confident wrong answer costs a
# large finite amount instead of inf.
_LOG_FLOOR = -100.0


def _clamped_log(a: Array) -> Array:
    out: Array = np.maximum(a, np.finfo(a.dtype).tiny)
    np.log(out, out=out)
    np.maximum(out, _LOG_FLOOR, out=out)
    return out


def _weigh(values: Array, sample_weight: Array | None) -> Array:
    """Scale each row of ``values`` (n_samples, ...) by its sample weight, in place."""
    if sample_weight is not None:
        values *= sample_weight.reshape((-1,) + (1,) * (values.ndim - 1))
    return values


class Cost:
    """Base class: subclasses define ``name``, ``__call__`` and ``gradient``."""

    name: str = ""
    reduction: str = "mean"
    """"mean" or "sum": how per-sample terms combine, and so how mini-batch costs add up."""
    fused_activation: str | None = None
    """The output activation whose pairing with this cost gives dC/dz = (a − y) / count."""

    def __call__(self, a: Array, y: Array, sample_weight: Array | None = None) -> float:
        """Return the cost; ``a``, ``y`` : (n_samples, n_outputs)."""
        raise NotImplementedError

    def gradient(self, a: Array, y: Array, sample_weight: Array | None = None) -> Array:
        """Return ``dC/da`` : (n_samples, n_outputs)."""
        raise NotImplementedError

    def _count(self, a: Array) -> int:
        """The divisor of the mean (1 for a sum)."""
        return 1

    def check_targets(self, y: Array) -> None:
        """Raise a ValueError if ``y`` holds values this cost cannot score (none by default)."""

    def get_config(self) -> dict[str, Any]:
        """``{"name": ...}``: JSON-able, and ``get_cost`` rebuilds it."""
        return {"name": self.name}

    def value_and_gradient(
        self, a: Array, y: Array, sample_weight: Array | None = None
    ) -> tuple[float, Array]:
        """The cost and ``dC/da`` together (a subclass may share work between them)."""
        return self(a, y, sample_weight), self.gradient(a, y, sample_weight)

    def value_and_fused_delta(
        self, a: Array, y: Array, sample_weight: Array | None = None
    ) -> tuple[float, Array]:
        """The cost and the fused output ``dC/dz`` together."""
        return self(a, y, sample_weight), self.fused_delta(a, y, sample_weight)

    def fused_delta(self, a: Array, y: Array, sample_weight: Array | None = None) -> Array:
        """Return ``dC/dz`` for the output layer when its activation is ``fused_activation``."""
        delta = _weigh(a - y, sample_weight)
        count = self._count(a)
        if count != 1:
            delta /= count
        return delta

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SSE(Cost):
    """½·Σ(a − y)²: the article's cost; its gradient is the error a − y."""

    name = "sse"
    reduction = "sum"

    def __call__(self, a: Array, y: Array, sample_weight: Array | None = None) -> float:
        squared = _weigh(np.square(a - y), sample_weight)
        return 0.5 * float(squared.sum())

    def gradient(self, a: Array, y: Array, sample_weight: Array | None = None) -> Array:
        return _weigh(a - y, sample_weight)

    def value_and_gradient(
        self, a: Array, y: Array, sample_weight: Array | None = None
    ) -> tuple[float, Array]:
        # the error a − y is both the gradient and, squared, the cost: compute it once
        error = a - y
        if sample_weight is not None:
            return self(a, y, sample_weight), _weigh(error, sample_weight)
        # summed as the article prints it, 0.5 * np.sum(error ** 2), to the last bit (a dot
        # product adds in another order: a third of its 5000 costs differed in the last bit)
        return 0.5 * float(np.square(error).sum()), error


class MSE(Cost):
    """Mean over all elements of (a − y)²."""

    name = "mse"

    def _count(self, a: Array) -> int:
        return a.size

    def __call__(self, a: Array, y: Array, sample_weight: Array | None = None) -> float:
        squared = _weigh(np.square(a - y), sample_weight)
        return float(squared.sum()) / a.size

    def gradient(self, a: Array, y: Array, sample_weight: Array | None = None) -> Array:
        grad = _weigh(a - y, sample_weight)
        grad *= 2.0 / a.size
        return grad

    def value_and_gradient(
        self, a: Array, y: Array, sample_weight: Array | None = None
    ) -> tuple[float, Array]:
        if sample_weight is not None:
            return self(a, y, sample_weight), self.gradient(a, y, sample_weight)
        error = a - y
        flat = error.ravel()
        cost = float(np.dot(flat, flat)) / a.size
        error *= 2.0 / a.size
        return cost, error


class BinaryCrossEntropy(Cost):
    """Mean over all elements of −[y·log a + (1 − y)·log(1 − a)]; pairs with sigmoid."""

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def _count(self, a: Array) -> int:
        return a.size

    def __call__(self, a: Array, y: Array, sample_weight: Array | None = None) -> float:
        terms = y * _clamped_log(a) + (1.0 - y) * _clamped_log(1.0 - a)
        return -float(_weigh(terms, sample_weight).sum()) / a.size

    def gradient(self, a: Array, y: Array, sample_weight: Array | None = None) -> Array:
        # (a − y) / (a (1 − a)), with a kept off 0 and 1 so the division stays finite
        eps = np.finfo(a.dtype).eps
        clipped = np.clip(a, eps, 1.0 - eps)
        grad = _weigh((clipped - y) / (clipped * (1.0 - clipped)), sample_weight)
        grad /= a.size
        return grad


class CategoricalCrossEntropy(Cost):
    """Mean over samples of −Σₖ yₖ·log aₖ, ``y`` one-hot (or class probabilities)."""

    name = "categorical_crossentropy"
    fused_activation = "softmax"

    def _count(self, a: Array) -> int:
        return int(a.shape[0])

    def __call__(self, a: Array, y: Array, sample_weight: Array | None = None) -> float:
        terms = y * _clamped_log(a)
        return -float(_weigh(terms, sample_weight).sum()) / int(a.shape[0])

    def gradient(self, a: Array, y: Array, sample_weight: Array | None = None) -> Array:
        grad = _weigh(-y / np.maximum(a, np.finfo(a.dtype).tiny), sample_weight)
        grad /= a.shape[0]
        return grad


class Poisson(Cost):
    """Mean over samples of Σₖ [yₖ·log(yₖ/aₖ) − yₖ + aₖ]: half the Poisson deviance.

    For counts (``y >= 0``) predicted through an ``exp`` output, as scikit-learn's
    ``MLPRegressor(loss="poisson")``; ``y·log(y/a)`` is 0 where ``y`` is 0. Its gradient is
    ``(1 − y/a) / n_samples`` and, through ``exp``, the fused delta ``(a − y) / n_samples``.
    """

    name = "poisson"
    fused_activation = "exp"

    def _count(self, a: Array) -> int:
        return int(a.shape[0])

    def check_targets(self, y: Array) -> None:
        if np.any(y < 0):
            raise ValueError(
                "the poisson cost needs targets >= 0 (counts); y has negative values — use "
                "'mse' for a target that can be negative"
            )

    def __call__(self, a: Array, y: Array, sample_weight: Array | None = None) -> float:
        # an exp output that underflowed to 0 would make log(y / a) infinite
        a = np.maximum(a, np.finfo(a.dtype).tiny)
        ratio = np.where(y > 0, y, 1.0) / a
        terms = y * np.log(ratio) - y + a
        return float(_weigh(terms, sample_weight).sum()) / int(a.shape[0])

    def gradient(self, a: Array, y: Array, sample_weight: Array | None = None) -> Array:
        grad = _weigh(1.0 - y / np.maximum(a, np.finfo(a.dtype).tiny), sample_weight)
        grad /= a.shape[0]
        return grad


COSTS: dict[str, type[Cost]] = {
    cls.name: cls for cls in (SSE, MSE, BinaryCrossEntropy, CategoricalCrossEntropy, Poisson)
}
"""Every cost by the name ``Network(cost=...)`` accepts."""


def get_cost(cost: str | dict[str, Any] | Cost) -> Cost:
    """The cost a name ("mse"), a config dict (``{"name": "mse"}``) or a ``Cost`` describes."""
    return from_spec(cost, COSTS, Cost, "cost")
