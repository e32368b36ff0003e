"""Learning-rate schedules: callbacks that change the optimizer's learning rate as training goes.

Pass them to ``fit(callbacks=[...])``, as PyTorch's ``StepLR``, ``ExponentialLR`` and
``ReduceLROnPlateau``. Each starts from the optimizer's learning rate when it first sees it,
and logs the rate in use each epoch as ``"learning_rate"``.
"""

from __future__ import annotations

import math

from glassnet.training import Callback, Logs


class _Schedule(Callback):
    """Shared bookkeeping: the starting rate and epoch, and setting the optimizer's rate."""

    def __init__(self) -> None:
        self.initial_learning_rate: float | None = None
        self.first_epoch: int | None = None

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

    def __init__(self, step_size: int, gamma: float = 0.1) -> None:
        super().__init__()
        if step_size < 1:
            raise ValueError(f"step_size must be a positive number of epochs; got {step_size!r}")
        if not gamma > 0.0:
            raise ValueError(f"gamma must be > 0; got {gamma!r}")
        self.step_size = int(step_size)
        self.gamma = float(gamma)

    def rate(self, epochs_done: int) -> float:
        assert self.initial_learning_rate is not None
        return self.initial_learning_rate * self.gamma ** (epochs_done // self.step_size)


class ExponentialDecay(_Schedule):
    """Multiply the learning rate by ``gamma`` every epoch."""

    def __init__(self, gamma: float) -> None:
        super().__init__()
        if not 0.0 < gamma <= 1.0:
            raise ValueError(f"gamma must be in (0, 1]; got {gamma!r}")
        self.gamma = float(gamma)

    def rate(self, epochs_done: int) -> float:
        assert self.initial_learning_rate is not None
        return self.initial_learning_rate * self.gamma**epochs_done


class ReduceOnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stops improving.

    Parameters
    ----------
    monitor : the logged number to watch; None watches "val_cost" if present, else "cost".
    factor : the multiplier, in (0, 1).
    patience : epochs without an improvement of at least ``min_delta`` before reducing.
    min_delta : the smallest decrease that counts as an improvement.
    min_learning_rate : the rate never goes below this.
    """

    def __init__(
        self,
        monitor: str | None = None,
        factor: float = 0.1,
        patience: int = 10,
        min_delta: float = 1e-4,
        min_learning_rate: float = 0.0,
    ) -> None:
        if not 0.0 < factor < 1.0:
            raise ValueError(f"factor must be in (0, 1); got {factor!r}")
        self.monitor = monitor
        self.factor = float(factor)
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.min_learning_rate = float(min_learning_rate)
        self.best = math.inf
        self._wait = 0

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        optimizer = self.network.optimizer
        assert optimizer is not None
        key = self.monitor or ("val_cost" if "val_cost" in logs else "cost")
        value = logs[key]
        if value < self.best - self.min_delta:
            self.best, self._wait = value, 0
        else:
            self._wait += 1
            if self._wait > self.patience:
                optimizer.learning_rate = max(
                    self.min_learning_rate, optimizer.learning_rate * self.factor
                )
                self._wait = 0
        logs["learning_rate"] = optimizer.learning_rate
