"""The training loop: epochs of mini-batches, feedforward, backpropagation, gradient descent.

``fit`` is what ``Network.fit`` runs.  Around the loop: shuffling from the network's seed,
a validation set, sample and class weights, callbacks told each epoch's numbers (early
stopping and learning-rate schedules are callbacks), a ``History`` of every epoch, and a
guard that stops a diverging run with the weights of its last finite epoch.
"""

from __future__ import annotations

import math
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._types import Array
from glassnet.metrics import get_metric, predicted_classes
from glassnet.optimizers import Optimizer, get_optimizer

if TYPE_CHECKING:
    from glassnet.network import Network

Logs = dict[str, float]


class DivergedError(FloatingPointError):
    """Training produced a NaN or infinite cost or weight; the weights were rolled back."""

    def __init__(self, message: str, epoch: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


class History:
    """What happened in each epoch of a ``fit``.

    ``history["cost"]`` (also ``history.cost``) lists every epoch's training cost;
    ``"val_cost"`` and metric names (``"accuracy"``, ``"val_accuracy"``) appear when asked
    for; ``epoch`` lists the epoch numbers (counting on across calls of ``fit``).
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stopped_early = False
        self.interrupted = False

    def record(self, epoch: int, logs: Logs) -> None:
        """Append one epoch's numbers (a key new this epoch is NaN for the epochs before)."""
        for key, value in logs.items():
            values = self.history.get(key)
            if values is None:
                values = self.history[key] = [math.nan] * len(self.epoch)
            values.append(value)
        self.epoch.append(epoch)

    def extend(self, other: History) -> None:
        """Append all epochs of a later ``fit`` (NaN where one of them lacks a key)."""
        before, added = len(self.epoch), len(other.epoch)
        for key in self.history.keys() | other.history.keys():
            values = self.history.setdefault(key, [math.nan] * before)
            values.extend(other.history.get(key, [math.nan] * added))
        self.epoch.extend(other.epoch)
        self.stopped_early = other.stopped_early
        self.interrupted = other.interrupted

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __contains__(self, key: object) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    @property
    def cost(self) -> list[float]:
        """The training cost of every epoch."""
        return self.history.get("cost", [])

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.6g}" for k, v in self.history.items() if v)
        return f"History({len(self.epoch)} epochs{': ' + last if last else ''})"


class Callback:
    """Told about training as it goes; override the hooks you need.

    ``self.network`` is the network being trained; set ``self.network.stop_training =
    True`` to stop after the current epoch.
    """

    network: Network

    def on_train_begin(self, logs: Logs) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, epoch: int, logs: Logs) -> None:
        """Before each epoch (numbered from 1, counting on across calls of ``fit``)."""

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        """After each epoch, with its ``cost`` and any ``val_cost`` and metrics."""

    def on_train_end(self, logs: Logs) -> None:
        """After the last epoch (also after early stopping or an interrupt)."""


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    Parameters
    ----------
    monitor : the logged number to watch; None watches "val_cost" when there is a
        validation set, else "cost".
    patience : epochs without improvement to wait.
    min_delta : the smallest decrease that counts as an improvement.
    restore_best_weights : put back the weights of the best epoch at the end.
    """

    def __init__(
        self,
        monitor: str | None = None,
        patience: int = 10,
        min_delta: float = 0.0,
        restore_best_weights: bool = True,
    ) -> None:
        if patience < 0:
            raise ValueError(f"patience must be >= 0; got {patience!r}")
        self.monitor = monitor
        self.patience = int(patience)
        self.min_delta = float(min_delta)
        self.restore_best_weights = restore_best_weights
        self.best = math.inf
        self.best_epoch = 0
        self.stopped_epoch = 0
        self._best_weights: list[Array] | None = None
        self._wait = 0

    def on_train_begin(self, logs: Logs) -> None:
        self.best, self.best_epoch, self._wait, self.stopped_epoch = math.inf, 0, 0, 0
        self._best_weights = None

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        key = self.monitor or ("val_cost" if "val_cost" in logs else "cost")
        if key not in logs:
            raise ValueError(
                f"EarlyStopping monitors {key!r}, which training does not log; "
                f"it logs {', '.join(logs)}"
            )
        value = logs[key]
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self._wait = value, epoch, 0
            if self.restore_best_weights:
                self._best_weights = self.network.get_weights()
        else:
            self._wait += 1
            if self._wait > self.patience:
                self.stopped_epoch = epoch
                self.network.stop_training = True

    def on_train_end(self, logs: Logs) -> None:
        if self.restore_best_weights and self._best_weights is not None:
            self.network.set_weights(self._best_weights)


class ProgressLogger(Callback):
    """Print one line per epoch (``every=1``) or every few epochs: epoch, cost, time."""

    def __init__(self, epochs: int, every: int = 1, stream: Any = None) -> None:
        self.epochs = epochs
        self.every = max(1, every)
        self.stream = stream
        self._start = 0.0
        self._first = 1

    def on_train_begin(self, logs: Logs) -> None:
        self._start = time.perf_counter()
        self._first = 0

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        if not self._first:
            self._first = epoch
        done = epoch - self._first + 1
        if done % self.every and done != self.epochs:
            return
        numbers = "  ".join(f"{k} {v:.6g}" for k, v in logs.items())
        elapsed = time.perf_counter() - self._start
        print(
            f"epoch {done}/{self.epochs}  {numbers}  ({elapsed:.1f} s)",
            file=self.stream or sys.stdout,
            flush=True,
        )


@contextmanager
def _stop_on_interrupt(network: Network) -> Iterator[list[bool]]:
    """While training, a first Ctrl-C asks the loop to stop after the current batch."""
    interrupted = [False]
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return

    def handler(signum: int, frame: Any) -> None:
        interrupted[0] = True
        network.stop_training = True
        # a second Ctrl-C interrupts at once
        signal.signal(signal.SIGINT, previous)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def check_finite(values: Array, what: str, chunk_rows: int = 65536) -> None:
    """Raise a ValueError naming the first NaN or infinite entry (row and column, from 0)."""
    for start in range(0, values.shape[0], chunk_rows):
        block = values[start : start + chunk_rows]
        bad = ~np.isfinite(block)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise ValueError(
                f"{what} has a non-finite value {block[row, col]} at row {start + row}, "
                f"column {col}; remove or impute it"
            )


def class_sample_weights(y: Array, class_weight: dict[int, float] | str) -> Array:
    """One weight per sample from a weight per class.

    ``y`` : (n_samples, n_outputs), 0/1 in one column or one-hot. ``class_weight`` maps a
    class index to its weight, or is "balanced": n_samples / (n_classes · class count).
    """
    labels = predicted_classes(y)
    n_classes = max(2, y.shape[1])
    if class_weight == "balanced":
        counts = np.bincount(labels, minlength=n_classes).astype(float)
        table = np.where(counts > 0, len(labels) / (n_classes * np.maximum(counts, 1)), 0.0)
    elif isinstance(class_weight, dict):
        table = np.ones(n_classes)
        for cls, weight in class_weight.items():
            if not 0 <= int(cls) < n_classes:
                raise ValueError(
                    f"class_weight names class {cls!r}, but the classes are 0..{n_classes - 1}"
                )
            table[int(cls)] = float(weight)
    else:
        raise ValueError(
            f"class_weight must be a dict {{class index: weight}} or 'balanced'; "
            f"got {class_weight!r}"
        )
    weights: Array = table[labels].astype(y.dtype)
    return weights


def split_rows(n: int, fraction: float, rng: np.random.Generator) -> tuple[Array, Array]:
    """Hold out ``round(n · fraction)`` of ``n`` rows for validation, drawn with ``rng``.

    Returns (training rows, validation rows), each sorted. ``glassnet train`` draws this
    permutation first and the first weights after it from the same generator;
    ``glassnet plot --kind training`` replays both through this function.

    Raises
    ------
    ValueError : no training row or no validation row would be left.
    """
    n_val = round(n * fraction)
    if not 1 <= n_val < n:
        raise ValueError(f"holding out {n_val} of {n} rows leaves no training or no validation row")
    order = rng.permutation(n)
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def _split_validation(
    network: Network,
    X: Array,
    y: Array,
    validation_data: tuple[Any, Any] | None,
    validation_split: float,
) -> tuple[Array | None, tuple[Array, Array] | None]:
    """The training rows (None: all of them) and the validation set.

    The training rows are indices, not a copy, so a memmapped ``X`` stays on disk.
    """
    if validation_data is not None:
        if len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        X_val = network.check_inputs(validation_data[0])
        y_val = network.check_targets(validation_data[1], X_val.shape[0])
        return None, (X_val, y_val)
    if not validation_split:
        return None, None
    if not 0.0 < validation_split < 1.0:
        raise ValueError(f"validation_split must be in (0, 1); got {validation_split!r}")
    try:
        train, val = split_rows(X.shape[0], validation_split, network.rng)
    except ValueError:
        raise ValueError(
            f"validation_split={validation_split} of {X.shape[0]} samples leaves an empty "
            "training or validation set; use more data or another fraction"
        ) from None
    return train, (X[val].astype(network.dtype, copy=False), y[val])


def _use_optimizer(network: Network, optimizer: Optimizer | str | None) -> Optimizer:
    if optimizer is None:
        if network.optimizer is None:
            network.optimizer = get_optimizer(None)
    elif optimizer is not network.optimizer:
        network.optimizer = get_optimizer(optimizer)
    return network.optimizer


def train_on_batch(
    network: Network,
    X: Any,
    y: Any,
    optimizer: Optimizer | str | None = None,
    sample_weight: Any = None,
) -> float:
    """One feedforward, backpropagation and update; returns the cost before the update."""
    X = network.check_inputs(X)
    y = network.check_targets(y, X.shape[0])
    w = network.check_sample_weight(sample_weight, X.shape[0])
    opt = _use_optimizer(network, optimizer)
    with np.errstate(over="ignore", invalid="ignore"):
        network._feedforward(X, training=True)
        cost = network.backpropagate(y, w) + network.penalty()
    if not math.isfinite(cost):
        raise DivergedError(
            f"the cost is {cost}; no update was made. Try a smaller learning rate "
            f"(now {opt.learning_rate})",
            0,
            History(),
        )
    opt.update([network.parameter_vector], [network.gradient_vector])
    return cost


def fit(
    network: Network,
    X: Any,
    y: Any,
    *,
    epochs: int = 100,
    batch_size: int | None = None,
    optimizer: Optimizer | str | None = None,
    shuffle: bool = True,
    validation_data: tuple[Any, Any] | None = None,
    validation_split: float = 0.0,
    sample_weight: Any = None,
    class_weight: dict[int, float] | str | None = None,
    callbacks: Sequence[Callback] = (),
    metrics: Sequence[str | Callable[[Array, Array], float]] = (),
    verbose: int = 0,
) -> History:
    """Train ``network`` on ``X`` : (n_samples, n_inputs) and ``y`` : (n_samples, n_outputs).

    Parameters
    ----------
    epochs : passes over the training data.
    batch_size : samples per update; None is full batch (the article's way).
    optimizer : an ``Optimizer`` or "gd", "sgd", "adam"; None keeps the network's current
        one (Adam at first). State carries over to the next ``fit``.
    shuffle : reshuffle the samples each epoch (from the network's seed).
    validation_data : ``(X_val, y_val)`` scored after each epoch as "val_cost".
    validation_split : instead, hold out this fraction of (X, y), drawn at random.
    sample_weight : (n_samples,) weight of each sample in the cost.
    class_weight : {class index: weight} or "balanced", multiplied into the sample weights.
    callbacks : ``Callback`` objects, e.g. ``EarlyStopping`` or a learning-rate schedule.
    metrics : names ("accuracy", "mae") or functions ``f(y, a) -> float`` logged per epoch.
    verbose : 0 silent, 1 about twenty progress lines, 2 a line per epoch.

    Returns
    -------
    History of this call's epochs; ``network.history`` accumulates every call.

    Raises
    ------
    DivergedError : the cost or a weight became NaN or infinite; the weights are those of
        the last epoch that ended finite.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer; got {epochs!r}")
    X = network.check_inputs(X, keep_float_dtype=True)
    if X.shape[0] == 0:
        raise ValueError("X has no rows; training needs at least one sample")
    y = network.check_targets(y, X.shape[0])
    check_finite(X, "X")
    check_finite(y, "y")
    w = network.check_sample_weight(sample_weight, X.shape[0])
    if class_weight is not None:
        cw = class_sample_weights(y, class_weight)
        w = cw if w is None else w * cw
    rows, validation = _split_validation(network, X, y, validation_data, validation_split)
    n = X.shape[0] if rows is None else len(rows)
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive integer or None; got {batch_size!r}")
    full_batch = batch_size is None or batch_size >= n
    opt = _use_optimizer(network, optimizer)
    metric_fns = {
        (m if isinstance(m, str) else getattr(m, "__name__", "metric")): get_metric(m)
        for m in metrics
    }
    callbacks = list(callbacks)
    if verbose:
        callbacks.append(ProgressLogger(epochs, every=1 if verbose > 1 else max(1, epochs // 20)))
    for callback in callbacks:
        callback.network = network

    dtype = network.dtype
    if full_batch:
        # the whole training set is one batch: gather and cast it once, not every epoch
        whole = slice(None) if rows is None else rows
        X_all = X[whole].astype(dtype, copy=False)
        y_all, w_all = y[whole], None if w is None else w[whole]

    history = History()
    first_epoch = len(network.history.epoch) + 1 if network.history is not None else 1
    cost_fn = network.cost_function
    has_penalty = any(layer.l2 for layer in network.layers)
    summed = cost_fn.reduction == "sum"
    rng = network.rng
    params, grads = [network.parameter_vector], [network.gradient_vector]
    # the parameters at the end of the last epoch that ended finite, restored on divergence
    last_good = network.parameter_vector.copy()

    network.stop_training = False
    # a diverging run overflows on its way to inf; the check below reports that in words
    with _stop_on_interrupt(network) as interrupted, np.errstate(over="ignore", invalid="ignore"):
        for callback in callbacks:
            callback.on_train_begin({})
        for epoch in range(first_epoch, first_epoch + epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch, {})
            if full_batch:
                batches: Any = (None,)
            else:
                assert batch_size is not None
                order = rng.permutation(n) if shuffle else np.arange(n)
                if rows is not None:
                    order = rows[order]
                batches = (order[i : i + batch_size] for i in range(0, n, batch_size))
            epoch_cost = 0.0
            metric_sums = dict.fromkeys(metric_fns, 0.0)
            for idx in batches:
                if idx is None:
                    Xb, yb, wb = X_all, y_all, w_all
                else:
                    # a batch is gathered (from a memmap too) and cast on its own
                    Xb = X[idx].astype(dtype, copy=False)
                    yb, wb = y[idx], None if w is None else w[idx]
                a = network._feedforward(Xb, training=True)
                batch_cost = network.backpropagate(yb, wb)
                epoch_cost += batch_cost if full_batch or summed else batch_cost * len(Xb) / n
                for name, metric in metric_fns.items():
                    metric_sums[name] += metric(yb, a) * len(Xb) / n
                opt.update(params, grads)
                if interrupted[0]:
                    break
            if has_penalty:
                # the data costs add up over the batches; the penalty counts once, at the end
                epoch_cost += network.penalty()
            # a sum is finite exactly when every term is (short of overflow at ~1e308)
            if not (
                math.isfinite(epoch_cost)
                and math.isfinite(float(np.add.reduce(network.parameter_vector)))
            ):
                np.copyto(network.parameter_vector, last_good)
                network.history = _merge(network.history, history)
                raise DivergedError(
                    f"training diverged at epoch {epoch}: the cost became {epoch_cost}; the "
                    f"weights are back to those after epoch {epoch - 1}. Try a smaller learning "
                    f"rate (it was {opt.learning_rate:g}) or inputs scaled to about ±1",
                    epoch,
                    history,
                )
            np.copyto(last_good, network.parameter_vector)
            logs: Logs = {"cost": epoch_cost}
            if metric_fns:
                logs.update(metric_sums)
            if validation is not None:
                # in chunks, so a large validation set needs no large temporary arrays
                a_val = network.predict_outputs(validation[0])
                logs["val_cost"] = cost_fn(a_val, validation[1]) + (
                    network.penalty() if has_penalty else 0.0
                )
                for name, metric in metric_fns.items():
                    logs["val_" + name] = metric(validation[1], a_val)
            # callbacks first, so the numbers they add (e.g. the learning rate) are recorded
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            history.record(epoch, logs)
            if network.stop_training:
                history.stopped_early = not interrupted[0]
                break
        history.interrupted = interrupted[0]
        final_logs = {k: v[-1] for k, v in history.history.items()}
        for callback in callbacks:
            callback.on_train_end(final_logs)
    network.stop_training = False
    network.history = _merge(network.history, history)
    return history


def _merge(total: History | None, new: History) -> History:
    if total is None:
        total = History()
    total.extend(new)
    return total
