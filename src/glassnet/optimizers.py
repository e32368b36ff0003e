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
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from glassnet._types import Array
from glassnet.validation import fraction, from_spec, non_negative_int, positive_number

OptimizerState = dict[str, "Array | int | float"]
"""Flat keys ("t", "m.0", "v.0", "velocity.0") to the step count and per-parameter arrays."""


class Optimizer:
    """Base class: subclasses define ``name`` and ``update``.

    ``get_config()`` describes the settings and ``get_state()`` what the updates
    accumulated (step count, momentum, moment estimates); ``get_optimizer(config)`` then
    ``set_state(state)`` give an optimizer whose next update is the original's, bit for bit.
    """

    name: str = ""
    _slots: tuple[str, ...] = ()
    """The names of the per-parameter state arrays ``get_state`` reports."""

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = positive_number(learning_rate, "learning_rate")
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

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., "learning_rate": ..., **settings}``, JSON-able."""
        return {"name": self.name, "learning_rate": self.learning_rate}

    def get_state(self) -> OptimizerState:
        """The step count ``"t"`` and copies of the state arrays, e.g. ``"m.0"``, ``"v.0"``."""
        state: OptimizerState = {"t": self.iterations}
        for i, buffers in enumerate(vars(self).get("_buffers", ())):
            for slot, array in zip(self._slots, buffers, strict=False):
                state[f"{slot}.{i}"] = array.copy()
        return state

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Continue from ``state`` as ``get_state`` returned it (arrays are copied in)."""
        expected = f"t{''.join(', ' + slot + '.N' for slot in self._slots)}"
        unknown = sorted(k for k in state if k != "t" and k.partition(".")[0] not in self._slots)
        if unknown:
            raise ValueError(
                f"{type(self).__name__} state has no {', '.join(unknown)}; it holds {expected}"
            )
        iterations = non_negative_int(state.get("t", 0), "optimizer state 't'")
        count = sum(1 for key in state if key.partition(".")[0] in self._slots[:1])
        try:
            buffers = [[np.array(state[f"{s}.{i}"]) for s in self._slots] for i in range(count)]
        except KeyError as missing:
            raise ValueError(
                f"{type(self).__name__} state lacks {missing}; it holds {expected}"
            ) from None
        for arrays in buffers:
            # Adam's third array is scratch space for its update, not state
            arrays.extend(np.zeros_like(arrays[0]) for _ in range(self._n_buffers - len(arrays)))
        self.reset()
        if buffers:
            self._buffers = buffers
        self.iterations = iterations

    _n_buffers = 0
    """How many per-parameter arrays ``update`` keeps (state slots plus scratch)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


class GradientDescent(Optimizer):
    """Plain gradient descent, the article's: ``w -= learning_rate * dC/dw``."""

    name = "gd"

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

    name = "sgd"
    _slots = ("velocity",)
    _n_buffers = 1

    def __init__(
        self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = fraction(momentum, "momentum")
        if nesterov and momentum == 0.0:
            raise ValueError("nesterov=True needs a momentum > 0")
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

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}

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

    name = "adam"
    _slots = ("m", "v")
    _n_buffers = 3

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        self.beta_1 = fraction(beta_1, "beta_1")
        self.beta_2 = fraction(beta_2, "beta_2")
        self.epsilon = positive_number(epsilon, "epsilon")

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

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }

    def __repr__(self) -> str:
        return (
            f"Adam(learning_rate={self.learning_rate}, beta_1={self.beta_1}, "
            f"beta_2={self.beta_2}, epsilon={self.epsilon})"
        )


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (GradientDescent, SGD, Adam)}
"""The optimizers by short name, as the command line and the estimators name them."""


def get_optimizer(optimizer: str | dict[str, Any] | Optimizer | None) -> Optimizer:
    """The optimizer a short name ("gd", "sgd", "adam"), a config dict or an ``Optimizer``
    (passed through) describes; None is ``Adam()``."""
    if optimizer is None:
        return Adam()
    return from_spec(optimizer, OPTIMIZERS, Optimizer, "optimizer")
