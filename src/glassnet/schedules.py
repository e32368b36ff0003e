"""Learning-rate schedules: callbacks that change the optimizer's learning rate as training goes.

Pass them to ``fit(callbacks=[...])``, as PyTorch's ``StepLR``, ``ExponentialLR`` and
``ReduceLROnPlateau``. Each starts from the optimizer's learning rate when it first sees it,
and logs the rate in use each epoch as ``"learning_rate"``.
"""

from __future__ import annotations

import math
from typing import Any

from glassnet.callbacks import Callback, monitor_mode, monitored
from glassnet.history import Logs
from glassnet.validation import (
    from_spec,
    non_negative_int,
    non_negative_number,
    open_fraction,
    positive_int,
)


class _Schedule(Callback):
    """Shared bookkeeping: the starting rate and epoch, and setting the optimizer's rate."""

    name = ""

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., **settings}``, JSON-able; ``get_schedule`` rebuilds it."""
        return {"name": self.name, **{k: getattr(self, k) for k in self._settings}}

    _settings: tuple[str, ...] = ()
    _state: tuple[str, ...] = ("initial_learning_rate", "first_epoch")
    """What the schedule has seen, which ``get_state`` reports."""

    def get_state(self) -> dict[str, Any]:
        """What the schedule has seen so far (its starting rate and epoch; a plateau's best
        value and wait), so a restored schedule continues as the original would."""
        return {key: getattr(self, key) for key in self._state}

    def set_state(self, state: dict[str, Any]) -> None:
        """Continue from ``state`` as ``get_state`` returned it."""
        unknown = sorted(set(state) - set(self._state))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} state has no {', '.join(map(str, unknown))}; it holds "
                f"{', '.join(self._state)}"
            )
        for key, value in state.items():
            setattr(self, key, value)

    def __init__(self) -> None:
        self.initial_learning_rate: float | None = None
        self.first_epoch: int | None = None

    def on_train_begin(self, logs: Logs) -> None:
        # the network keeps its schedule, so a model file saves it beside the optimizer
        self.network.schedule = self

    def _set(self, learning_rate: float) -> None:
        assert self.network.optimizer is not None
        self.network.optimizer.learning_rate = learning_rate

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        assert self.network.optimizer is not None
        if self.initial_learning_rate is None or self.first_epoch is None:
            self.initial_learning_rate = self.network.optimizer.learning_rate
            self.first_epoch = epoch
        self._set(self.rate(epoch - self.first_epoch))

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        assert self.network.optimizer is not None
        logs["learning_rate"] = self.network.optimizer.learning_rate

    def rate(self, epochs_done: int) -> float:
        """The learning rate for the epoch after ``epochs_done`` scheduled epochs."""
        raise NotImplementedError


class StepDecay(_Schedule):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs."""

    name = "step_decay"
    _settings = ("step_size", "gamma")

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        super().__init__()
        self.step_size = positive_int(step_size, "step_size")
        if not gamma > 0.0:
            raise ValueError(f"gamma must be > 0; got {gamma!r}")
        self.gamma = float(gamma)

    def rate(self, epochs_done: int) -> float:
        assert self.initial_learning_rate is not None
        return self.initial_learning_rate * self.gamma ** (epochs_done // self.step_size)


class ExponentialDecay(_Schedule):
    """Multiply the learning rate by ``gamma`` every epoch."""

    name = "exponential_decay"
    _settings = ("gamma",)

    def __init__(self, gamma: float) -> None:
        super().__init__()
        if not 0.0 < gamma <= 1.0:
            raise ValueError(f"gamma must be in (0, 1]; got {gamma!r}")
        self.gamma = float(gamma)

    def rate(self, epochs_done: int) -> float:
        assert self.initial_learning_rate is not None
        return self.initial_learning_rate * self.gamma**epochs_done


class ReduceOnPlateau(_Schedule):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving.

    Parameters
    ----------
    monitor : the logged number to watch; None watches "val_cost" if present, else "cost".
    factor : the multiplier, in (0, 1).
    patience : epochs without an improvement of at least ``min_delta`` before reducing.
    min_delta : the smallest change in the better direction that counts as an improvement.
    min_learning_rate : the rate never goes below this.
    mode : "auto" (down for costs and errors, up for accuracy and other scores), "min"
        or "max", as ``EarlyStopping``.
    """

    name = "reduce_on_plateau"
    _settings = ("monitor", "factor", "patience", "min_delta", "min_learning_rate", "mode")
    _state = ("best", "wait")

    def __init__(
        self,
        monitor: str | None = None,
        factor: float = 0.1,
        patience: int = 10,
        min_delta: float = 1e-4,
        min_learning_rate: float = 0.0,
        mode: str = "auto",
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.factor = open_fraction(factor, "factor")
        self.patience = non_negative_int(patience, "patience")
        self.min_delta = non_negative_number(min_delta, "min_delta")
        self.min_learning_rate = non_negative_number(min_learning_rate, "min_learning_rate")
        self.mode = monitor_mode(monitor, mode)
        self.best = math.inf if self.mode == "min" else -math.inf
        self.wait = 0

    def set_state(self, state: dict[str, Any]) -> None:
        """Continue from ``state``; a best of None (a model file's null: JSON has no
        infinity) is "nothing seen yet"."""
        if "best" in state and state["best"] is None:
            state = {**state, "best": math.inf if self.mode == "min" else -math.inf}
        super().set_state(state)

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        """The rate changes only at a plateau, in ``on_epoch_end``."""

    def _improves(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        value = monitored(self.monitor, logs, "ReduceOnPlateau")
        optimizer = self.network.optimizer
        assert optimizer is not None
        if self._improves(value):
            self.best, self.wait = value, 0
        else:
            self.wait += 1
            # Keras's count: the patience-th epoch without improvement reduces the rate
            if self.wait >= self.patience:
                optimizer.learning_rate = max(
                    self.min_learning_rate, optimizer.learning_rate * self.factor
                )
                self.wait = 0
        logs["learning_rate"] = optimizer.learning_rate


SCHEDULES: dict[str, type[_Schedule]] = {
    cls.name: cls for cls in (StepDecay, ExponentialDecay, ReduceOnPlateau)
}
"""The learning-rate schedules by the name their config carries."""


def get_schedule(schedule: str | dict[str, Any] | _Schedule) -> _Schedule:
    """The schedule a config dict (``{"name": "step_decay", "step_size": 10}``), a name
    or a schedule (passed through) describes."""
    return from_spec(schedule, SCHEDULES, _Schedule, "schedule")
