"""Callbacks: code the training loop tells about each epoch, and the ones glassnet ships.

- ``BestWeights`` keeps a copy of the weights of the best epoch (the one keeper:
  ``EarlyStopping``, ``glassnet train``'s Ctrl-C and the estimators all use it);
- ``EarlyStopping`` stops when the monitored number stops improving, as Keras's;
- ``ProgressLogger`` prints progress, as plain lines or a tqdm bar.

"Improving" has a direction: ``mode="auto"`` reads it from the name, as Keras does — down
for costs and errors ("cost", "val_cost", "mae"), up for scores ("accuracy", "r2").
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from typing import Any, Protocol

from glassnet._types import Array
from glassnet.history import Logs
from glassnet.optimizers import Optimizer
from glassnet.validation import choice, non_negative_int, non_negative_number, positive_int

_FALLING = ("cost", "loss", "error", "mae", "mse")
_RISING = ("accuracy", "acc", "auc", "r2", "f1", "precision", "recall", "score")


class TrainingTarget(Protocol):
    """What a callback may use of the network being trained (a ``Network`` is one)."""

    stop_training: bool
    """Set it to True to stop after the current epoch."""
    optimizer: Optimizer | None
    schedule: Callback | None
    """The learning-rate schedule of the last ``fit`` (``glassnet.schedules``), kept so a
    model file saves it beside the optimizer."""

    def get_weights(self) -> list[Array]: ...

    def set_weights(self, values: Sequence[Any]) -> None: ...


class Callback:
    """Told about training as it goes; override the hooks you need.

    ``self.network`` is the network being trained; set ``self.network.stop_training =
    True`` to stop after the current epoch.
    """

    network: TrainingTarget

    def on_train_begin(self, logs: Logs) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        """Before each epoch (numbered from 1, counting on across calls of ``fit``)."""

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        """After each epoch, with its ``cost`` and any ``val_cost`` and metrics."""

    def on_train_end(self, logs: Logs) -> None:
        """After the last epoch (also after early stopping or an interrupt)."""


def monitor_mode(monitor: str | None, mode: str) -> str:
    """The direction in which ``monitor`` improves: "min" or "max".

    ``mode`` "min" or "max" is taken as it is; "auto" reads the name (None is a cost):
    costs, losses and errors fall, accuracy and other scores rise.
    """
    choice(mode, "mode", ("auto", "min", "max"))
    if mode != "auto" or monitor is None:
        return "min" if mode == "auto" else mode
    name = monitor.lower().removeprefix("val_")
    if any(word in name for word in _FALLING):
        return "min"
    if any(word in name for word in _RISING):
        return "max"
    raise ValueError(
        f"cannot tell whether {monitor!r} improves by rising or falling; pass mode='max' or "
        "mode='min'"
    )


def monitored(monitor: str | None, logs: Logs, who: str) -> float:
    """The value ``monitor`` names in ``logs`` (None: "val_cost" if logged, else "cost")."""
    key = monitor or ("val_cost" if "val_cost" in logs else "cost")
    if key not in logs:
        raise ValueError(
            f"{who} monitors {key!r}, which training does not log; it logs {', '.join(logs)}"
        )
    return logs[key]


class BestWeights(Callback):
    """Keep a copy of the weights of the best epoch so far.

    Parameters
    ----------
    monitor : the logged number to watch; None watches "val_cost" when there is a
        validation set, else "cost".
    mode : "auto", "min" or "max" (see ``monitor_mode``).
    min_delta : the smallest change in the better direction that counts as an improvement.

    ``best``, ``best_epoch`` and ``weights`` (None before the first epoch) tell what it
    holds; ``restore()`` puts the weights back. Outside ``fit``, set ``network`` and call
    ``update(value, epoch)`` yourself.
    """

    def __init__(self, monitor: str | None = None, mode: str = "auto", min_delta: float = 0.0):
        self.monitor = monitor
        self.mode = monitor_mode(monitor, mode)
        self.min_delta = non_negative_number(min_delta, "min_delta")
        self.reset()

    def reset(self) -> None:
        """Forget the best epoch."""
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.weights: list[Array] | None = None

    def improves(self, value: float) -> bool:
        """Whether ``value`` beats the best by more than ``min_delta`` (NaN never does)."""
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def update(self, value: float, epoch: int) -> bool:
        """Copy the network's weights if ``value`` improves on the best; say whether it did."""
        if not self.improves(value):
            return False
        self.best, self.best_epoch = value, epoch
        self.weights = self.network.get_weights()
        return True

    def on_train_begin(self, logs: Logs) -> None:
        self.reset()

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        value = monitored(self.monitor, logs, "BestWeights")
        key = self.monitor or ("val_cost" if "val_cost" in logs else "cost")
        # a training number of an epoch cut short (Ctrl-C) covers only part of the data
        if self.network.stop_training and not key.startswith("val_"):
            return
        self.update(value, epoch)

    def restore(self) -> bool:
        """Put back the best epoch's weights; False when there are none yet."""
        if self.weights is None:
            return False
        self.network.set_weights(self.weights)
        return True


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved for ``patience`` epochs, as Keras's.

    Parameters
    ----------
    monitor : the logged number to watch; None watches "val_cost" when there is a
        validation set, else "cost".
    mode : "auto" (down for costs and errors, up for accuracy and other scores), "min"
        or "max".
    patience : epochs without improvement after which training stops (0: the first
        epoch that does not improve).
    min_delta : the smallest change in the better direction that counts as an improvement.
    restore_best_weights : put back the weights of the best epoch at the end.
    """

    def __init__(
        self,
        monitor: str | None = None,
        patience: int = 10,
        min_delta: float = 0.0,
        restore_best_weights: bool = True,
        mode: str = "auto",
    ) -> None:
        self.monitor = monitor
        self.patience = non_negative_int(patience, "patience")
        self.min_delta = non_negative_number(min_delta, "min_delta")
        self.restore_best_weights = restore_best_weights
        self.keeper = BestWeights(monitor, mode, min_delta)
        self.mode = self.keeper.mode
        self.stopped_epoch = 0
        self._wait = 0

    @property
    def best(self) -> float:
        """The best value seen."""
        return self.keeper.best

    @property
    def best_epoch(self) -> int:
        """The epoch that gave it."""
        return self.keeper.best_epoch

    def on_train_begin(self, logs: Logs) -> None:
        self.keeper.network = self.network
        self.keeper.reset()
        self._wait, self.stopped_epoch = 0, 0

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        value = monitored(self.monitor, logs, "EarlyStopping")
        # Keras's count: every epoch adds one, an improvement sets it back to 0
        self._wait += 1
        if self.keeper.update(value, epoch):
            self._wait = 0
        elif self._wait >= self.patience:
            self.stopped_epoch = epoch
            self.network.stop_training = True

    def on_train_end(self, logs: Logs) -> None:
        if self.restore_best_weights:
            self.keeper.restore()


class ProgressLogger(Callback):
    """THE progress printer: plain lines, or a tqdm bar with ``bar=True``.

    Parameters
    ----------
    epochs : the epochs this ``fit`` runs, for "epoch 3/200" and the time left.
    every : print a line every this many epochs (and after the last).
    stream : where to write (default ``sys.stdout``).
    bar : draw a tqdm bar (epoch, logged numbers, time left) instead of lines.
    heartbeat : also print the first epoch, and any epoch this many seconds after the last
        line, so a slow run shows it is alive (None: only ``every``).
    """

    def __init__(
        self,
        epochs: int,
        every: int = 1,
        stream: Any = None,
        bar: bool = False,
        *,
        heartbeat: float | None = None,
    ) -> None:
        self.epochs = non_negative_int(epochs, "epochs")
        self.every = positive_int(every, "every")
        self.stream = stream
        self.bar = bar
        self.heartbeat = heartbeat
        self._tqdm: Any = None
        self._start = self._last = 0.0
        self._done = 0

    def on_train_begin(self, logs: Logs) -> None:
        self._start = self._last = time.perf_counter()
        self._done = 0
        if self.bar:
            from tqdm import tqdm  # here, not at the top: `glassnet --help` stays fast

            self._tqdm = tqdm(
                total=self.epochs, unit="epoch", file=self.stream or sys.stderr, dynamic_ncols=True
            )

    def _due(self, now: float) -> bool:
        done = self._done
        if done % self.every == 0 or done == self.epochs:
            return True
        return self.heartbeat is not None and (done == 1 or now - self._last >= self.heartbeat)

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        self._done += 1
        if self._tqdm is not None:
            self._tqdm.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)
            self._tqdm.update(1)
            return
        now = time.perf_counter()
        if not self._due(now):
            return
        self._last = now
        elapsed = now - self._start
        left = elapsed / self._done * max(0, self.epochs - self._done)
        numbers = "  ".join(f"{k} {v:.6g}" for k, v in logs.items())
        print(
            f"epoch {self._done}/{self.epochs}  {numbers}  ({elapsed:.1f} s, about {left:.0f} s "
            "left)",
            file=self.stream or sys.stdout,
            flush=True,
        )

    def on_train_end(self, logs: Logs) -> None:
        if self._tqdm is not None:
            self._tqdm.close()
            self._tqdm = None
