"""Gradient descent and its refinements: how weights move once their gradients are known.

Each optimizer's ``update(params, grads)`` moves every array in ``params`` against the
gradient of the same shape in ``grads``, in place.  A ``Network`` keeps all its weights and
biases in one flat vector (each layer's ``weights`` and ``bias`` are views into it), so it
passes one array each and a step costs a handful of NumPy calls whatever the depth.  Its
``learning_rate`` may be changed between updates (the schedules in
``glassnet.schedules`` do so); state such as momentum is kept per parameter, so calling
``fit`` again continues where the last call stopped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from glassnet._types import Array


def _check_rate(value: float, name: str = "learning_rate") -> float:
    value = float(value)
    if not (value > 0.0 and np.isfinite(value)):
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return value


class Optimizer:
    """Base class: subclasses implement ``update``."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = _check_rate(learning_rate)
        self.iterations = 0

    def update(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        """Move every array in ``params`` one step against its gradient in ``grads``."""
        raise NotImplementedError

    def _state(self, params: Sequence[Array], slots: int) -> list[list[Array]]:
        """Per-parameter state arrays (``slots`` of them), zero at first, kept across calls."""
        state: list[list[Array]] | None = getattr(self, "_buffers", None)
        if state is None or [s[0].shape for s in state] != [p.shape for p in params]:
            state = [[np.zeros_like(p) for _ in range(slots)] for p in params]
            self._buffers = state
            self.iterations = 0
        return state

    def reset(self) -> None:
        """Forget all state (momentum, moment estimates, step count)."""
        self.__dict__.pop("_buffers", None)
        self.iterations = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class GradientDescent(Optimizer):
    """Plain gradient descent, the article's: ``w -= learning_rate * dC/dw``."""

    def __init__(self, learning_rate: float = 0.1) -> None:
        super().__init__(learning_rate)

    def update(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        lr = self.learning_rate
        for param, grad in zip(params, grads, strict=True):
            param -= lr * grad
        self.iterations += 1


class SGD(Optimizer):
    """Gradient descent with momentum (optionally Nesterov's), as PyTorch's ``optim.SGD``.

    ``v = momentum·v + g`` then ``w -= learning_rate·v``; with ``nesterov`` the step is
    ``learning_rate·(g + momentum·v)``.
    """

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1); got {momentum!r}")
        if nesterov and momentum == 0.0:
            raise ValueError("nesterov=True needs a momentum > 0")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def update(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        lr, mu = self.learning_rate, self.momentum
        if mu == 0.0:
            for param, grad in zip(params, grads, strict=True):
                param -= lr * grad
            self.iterations += 1
            return
        state = self._state(params, 1)
        for param, grad, (velocity,) in zip(params, grads, state, strict=True):
            velocity *= mu
            velocity += grad
            if self.nesterov:
                param -= lr * (grad + mu * velocity)
            else:
                param -= lr * velocity
        self.iterations += 1

    def scale_velocity(self, factor: float) -> None:
        """Multiply every parameter's velocity by ``factor`` (nothing before the first step).

        When the learning rate changes from ``old`` to ``new``, ``scale_velocity(old / new)``
        keeps the next steps those of scikit-learn's momentum, which stores velocities as
        steps (rate × gradient) where this one, like PyTorch's, stores gradients.
        """
        for (velocity,) in vars(self).get("_buffers", ()):
            velocity *= factor

    def __repr__(self) -> str:
        return (
            f"SGD(learning_rate={self.learning_rate}, momentum={self.momentum}, "
            f"nesterov={self.nesterov})"
        )


class Adam(Optimizer):
    """Adam (Kingma & Ba), in the paper's efficient form that scikit-learn also uses.

    ``m = β₁m + (1−β₁)g``, ``v = β₂v + (1−β₂)g²``, then
    ``w -= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε)``.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name} must be in [0, 1); got {beta!r}")
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = _check_rate(epsilon, "epsilon")

    def update(self, params: Sequence[Array], grads: Sequence[Array]) -> None:
        state = self._state(params, 3)
        self.iterations += 1
        t = self.iterations
        b1, b2 = self.beta_1, self.beta_2
        # a Python float: a NumPy float64 scalar would turn float32 updates into slow casts
        step = self.learning_rate * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        for param, grad, (m, v, scratch) in zip(params, grads, state, strict=True):
            # all in place: the hot loop allocates nothing
            m *= b1
            np.multiply(grad, 1.0 - b1, out=scratch)
            m += scratch
            v *= b2
            np.multiply(grad, grad, out=scratch)
            scratch *= 1.0 - b2
            v += scratch
            np.sqrt(v, out=scratch)
            scratch += self.epsilon
            np.divide(m, scratch, out=scratch)
            scratch *= step
            param -= scratch

    def __repr__(self) -> str:
        return (
            f"Adam(learning_rate={self.learning_rate}, beta_1={self.beta_1}, "
            f"beta_2={self.beta_2}, epsilon={self.epsilon})"
        )


OPTIMIZERS: dict[str, type[Optimizer]] = {"gd": GradientDescent, "sgd": SGD, "adam": Adam}
"""The optimizers by short name, as the command line and the estimators name them."""


def get_optimizer(optimizer: str | Optimizer | None) -> Optimizer:
    """Return an optimizer for a short name ("gd", "sgd", "adam") or pass one through."""
    if optimizer is None:
        return Adam()
    if isinstance(optimizer, Optimizer):
        return optimizer
    try:
        chosen: Optimizer = OPTIMIZERS[optimizer]()  # type: ignore[call-arg]
        return chosen
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)} "
            "or pass an optimizer object"
        ) from None
