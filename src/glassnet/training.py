"""The training loop: epochs of mini-batches, feedforward, backpropagation, gradient descent.

``TrainingMixin`` gives ``Network`` its ``fit`` and ``train_on_batch``; it works through
the small public interface ``Trainable`` (``forward``, ``backpropagate``, the flat
parameter and gradient vectors, the input checks), so this module never imports the
network and the floors stay one-way. Around the loop: shuffling from the network's seed,
a validation set, sample and class weights, callbacks told each epoch's numbers (early
stopping and learning-rate schedules are callbacks), a ``History`` of every epoch, and a
guard that stops a diverging run with the weights of its last finite epoch.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from glassnet._types import Array
from glassnet.callbacks import Callback, EarlyStopping, ProgressLogger, TrainingTarget
from glassnet.costs import Cost
from glassnet.history import History, Logs, merge
from glassnet.layers import Dense
from glassnet.metrics import get_metric, predicted_classes
from glassnet.optimizers import Optimizer, get_optimizer
from glassnet.validation import (
    check_finite,
    check_fits_dtype,
    non_negative_int,
    positive_int,
    shown,
)

__all__ = [
    "Callback",
    "DivergedError",
    "EarlyStopping",
    "History",
    "Logs",
    "ProgressLogger",
    "Trainable",
    "TrainingMixin",
    "check_finite",
    "class_sample_weights",
    "split_rows",
]

Metric = Callable[[Array, Array], float]
ClassWeight = dict[int, float] | Sequence[dict[int, float]] | str


class DivergedError(FloatingPointError):
    """Training produced a NaN or infinite cost or weight; the weights were rolled back."""

    def __init__(self, message: str, epoch: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


class Trainable(TrainingTarget, Protocol):
    """What the training loop uses of a network (``Network`` is one)."""

    history: History | None
    layers: list[Dense]
    rng: np.random.Generator
    dtype: np.dtype
    parameter_vector: Array
    """Every weight and bias, one flat vector the optimizer updates in one call."""
    gradient_vector: Array
    """dC/d(parameter_vector), filled by ``backpropagate``."""
    cost_function: Cost

    @property
    def is_multilabel(self) -> bool: ...

    def check_inputs(self, X: Any, keep_float_dtype: bool = False) -> Array: ...

    def check_targets(self, y: Any, n_samples: int) -> Array: ...

    def check_sample_weight(self, sample_weight: Any, n_samples: int) -> Array | None: ...

    def forward(self, a: Array, *, training: bool = False) -> Array: ...

    def backpropagate(self, y: Array, sample_weight: Array | None = None) -> float: ...

    def penalty(self) -> float: ...


@contextmanager
def _stop_on_interrupt(network: Trainable) -> Iterator[list[bool]]:
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


def _class_table(labels: Array, n_classes: int, class_weight: Any, where: str) -> Array:
    """A weight per class index: "balanced" (n / (n_classes · count)) or from a dict."""
    if class_weight == "balanced":
        counts = np.bincount(labels, minlength=n_classes).astype(float)
        return np.where(counts > 0, len(labels) / (n_classes * np.maximum(counts, 1)), 0.0)
    if not isinstance(class_weight, dict):
        raise ValueError(
            f"class_weight{where} must be a dict {{class index: weight}} or 'balanced'; "
            f"got {class_weight!r}"
        )
    table = np.ones(n_classes)
    for cls, weight in class_weight.items():
        if not 0 <= int(cls) < n_classes:
            raise ValueError(
                f"class_weight{where} names class {cls!r}, but the classes are 0..{n_classes - 1}"
            )
        table[int(cls)] = float(weight)
    return table


def class_sample_weights(y: Array, class_weight: ClassWeight, multilabel: bool = False) -> Array:
    """One weight per sample from a weight per class, as scikit-learn's
    ``compute_sample_weight``.

    ``y`` : (n_samples, n_outputs), 0/1 in one column or one-hot; with ``multilabel``,
    several 0/1 columns (multi-hot). ``class_weight`` maps a class index to its weight, or
    is "balanced": n_samples / (n_classes · class count). Multi-label: each label column is
    a two-class problem, weighted by "balanced" or by one dict {0: w, 1: w} per column, and
    a sample's weight is the product over the columns.
    """
    if not multilabel:
        labels = predicted_classes(y)
        table = _class_table(labels, max(2, y.shape[1]), class_weight, "")
        weights: Array = table[labels].astype(y.dtype)
        return weights
    per_column = [class_weight] * y.shape[1] if class_weight == "balanced" else list(class_weight)
    if isinstance(class_weight, dict) or len(per_column) != y.shape[1]:
        raise ValueError(
            f"class_weight for {y.shape[1]} multi-label outputs must be 'balanced' or a list "
            f"of {y.shape[1]} dicts {{0: weight, 1: weight}}, one per output"
        )
    product = np.ones(y.shape[0])
    for k, spec in enumerate(per_column):
        labels = (y[:, k] >= 0.5).astype(np.int64)
        product *= _class_table(labels, 2, spec, f" for output {k}")[labels]
    return product.astype(y.dtype)


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


@dataclass
class _Data:
    """The checked training data: all of ``X`` (maybe a memmap) and the rows to train on."""

    X: Array
    y: Array
    sample_weight: Array | None
    rows: Array | None
    """Training row indices (None: every row); indices, so a memmapped X stays on disk."""
    validation: tuple[Array, Array] | None
    whole: tuple[Array, Array, Array | None] | None = None
    """Full batch: the training rows gathered and cast once, not every epoch."""

    @property
    def n(self) -> int:
        return self.X.shape[0] if self.rows is None else len(self.rows)


def _split_validation(
    network: Trainable,
    X: Array,
    y: Array,
    validation_data: tuple[Any, Any] | None,
    validation_split: float,
) -> tuple[Array | None, tuple[Array, Array] | None]:
    """The training rows (None: all of them) and the validation set."""
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


def _prepare(
    network: Trainable,
    X: Any,
    y: Any,
    sample_weight: Any,
    class_weight: ClassWeight | None,
    validation: tuple[tuple[Any, Any] | None, float],
) -> _Data:
    """Check and weigh the data, and set the validation rows aside."""
    X = network.check_inputs(X, keep_float_dtype=True)
    if X.shape[0] == 0:
        raise ValueError("X has no rows; training needs at least one sample")
    y = network.check_targets(y, X.shape[0])
    check_finite(X, "X")
    check_fits_dtype(X, network.dtype, "X")
    check_finite(y, "y")
    network.cost_function.check_targets(y)
    sample_weight = network.check_sample_weight(sample_weight, X.shape[0])
    if class_weight is not None:
        per_class = class_sample_weights(y, class_weight, network.is_multilabel)
        sample_weight = per_class if sample_weight is None else sample_weight * per_class
    rows, held_out = _split_validation(network, X, y, *validation)
    return _Data(X, y, sample_weight, rows, held_out)


def _batches(
    data: _Data, batch_size: int | None, shuffle: bool, rng: np.random.Generator, dtype: np.dtype
) -> Iterator[tuple[Array, Array, Array | None]]:
    """One epoch's mini-batches (X, y, sample_weight), each gathered and cast on its own."""
    n = data.n
    assert batch_size is not None
    order = rng.permutation(n) if shuffle else np.arange(n)
    if data.rows is not None:
        order = data.rows[order]
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        sample_weight = None if data.sample_weight is None else data.sample_weight[idx]
        yield data.X[idx].astype(dtype, copy=False), data.y[idx], sample_weight


def _gather_whole(data: _Data, dtype: np.dtype) -> None:
    """Full batch: gather and cast the training set once, not every epoch."""
    whole = slice(None) if data.rows is None else data.rows
    sample_weight = None if data.sample_weight is None else data.sample_weight[whole]
    data.whole = (
        data.X[whole].astype(dtype, copy=False),
        data.y[whole],
        sample_weight,
    )


class TrainingMixin:
    """``fit`` and ``train_on_batch``, for any class that is ``Trainable`` (``Network``)."""

    def fit(
        self: Trainable,
        X: Any,
        y: Any,
        epochs: int = 100,
        batch_size: int | None = None,
        optimizer: Optimizer | str | dict[str, Any] | None = None,
        *,
        shuffle: bool = True,
        validation_data: tuple[Any, Any] | None = None,
        validation_split: float = 0.0,
        sample_weight: Any = None,
        class_weight: ClassWeight | None = None,
        callbacks: Sequence[Callback] = (),
        metrics: Sequence[str | Metric] = (),
        verbose: int = 0,
    ) -> History:
        """Train on ``X`` : (n_samples, n_inputs) and ``y`` : (n_samples, n_outputs).

        Parameters
        ----------
        epochs : passes over the training data.
        batch_size : samples per update; None is full batch (the article's way).
        optimizer : an ``Optimizer``, its config dict, or "gd", "sgd", "adam"; None keeps
            the network's current one (Adam at first). State carries over to the next ``fit``.
        shuffle : reshuffle the samples each epoch (from the network's seed).
        validation_data : ``(X_val, y_val)`` scored after each epoch as "val_cost".
        validation_split : instead, hold out this fraction of (X, y), drawn at random.
        sample_weight : (n_samples,) weight of each sample in the cost.
        class_weight : {class index: weight} or "balanced", multiplied into the sample
            weights (multi-label outputs: see ``class_sample_weights``).
        callbacks : ``Callback`` objects, e.g. ``EarlyStopping`` or a learning-rate schedule.
        metrics : names ("accuracy", "mae") or functions ``f(y, a) -> float`` logged per
            epoch; "accuracy" of several sigmoid outputs is the subset accuracy.
        verbose : 0 silent, 1 about twenty progress lines, 2 a line per epoch.

        Returns
        -------
        History of this call's epochs; ``network.history`` accumulates every call.

        Raises
        ------
        DivergedError : the cost or a weight became NaN or infinite; the weights are those
            of the last epoch that ended finite.
        """
        epochs = non_negative_int(epochs, "epochs")
        if batch_size is not None:
            try:
                batch_size = positive_int(batch_size, "batch_size")
            except ValueError:
                raise ValueError(
                    f"batch_size must be a positive integer or None; got {shown(batch_size)}"
                ) from None
        data = _prepare(
            self, X, y, sample_weight, class_weight, (validation_data, validation_split)
        )
        if batch_size is None or batch_size >= data.n:
            _gather_whole(data, self.dtype)
        loop = _Loop(self, data, _use_optimizer(self, optimizer), batch_size, shuffle)
        loop.metrics = {
            (m if isinstance(m, str) else getattr(m, "__name__", "metric")): get_metric(
                m, multilabel=self.is_multilabel
            )
            for m in metrics
        }
        callbacks = list(callbacks)
        for callback in callbacks:
            if not isinstance(callback, Callback):  # 5 failed deep in the loop: AttributeError
                raise TypeError(
                    f"callbacks must be Callback objects (EarlyStopping, a schedule …); got "
                    f"{callback!r} ({type(callback).__name__})"
                )
        if verbose:
            every = 1 if verbose > 1 else max(1, epochs // 20)
            callbacks.append(ProgressLogger(epochs, every=every))
        for callback in callbacks:
            callback.network = self
        batch_rows = data.n if batch_size is None else min(batch_size, data.n)
        with blas_threads_for(self.layers, batch_rows):
            return loop.run(epochs, callbacks)

    def train_on_batch(
        self: Trainable,
        X: Any,
        y: Any,
        optimizer: Optimizer | str | dict[str, Any] | None = None,
        sample_weight: Any = None,
    ) -> float:
        """One feedforward, backpropagation and update on ``X``, ``y``; returns the cost
        before the update."""
        X = self.check_inputs(X)
        y = self.check_targets(y, X.shape[0])
        sample_weight = self.check_sample_weight(sample_weight, X.shape[0])
        opt = _use_optimizer(self, optimizer)
        with np.errstate(over="ignore", invalid="ignore"):
            self.forward(X, training=True)
            cost = self.backpropagate(y, sample_weight) + self.penalty()
        if not math.isfinite(cost):
            raise DivergedError(
                f"the cost is {cost}; no update was made. Try a smaller learning rate "
                f"(now {opt.learning_rate})",
                0,
                History(),
            )
        opt.update([self.parameter_vector], [self.gradient_vector])
        return cost


# Training runs BLAS on one thread while every layer's per-batch product (rows × n_in ×
# n_out) is below this. OpenBLAS's threads spin-wait for each other between the many small
# products of a training loop, so on a busy 2-core machine two threads made small networks
# 3-28 times slower than one (digits 64-128-10, product 1.6 million: 12.1 s against 0.43 s
# on a user's machine), while on an idle one a second thread gained nothing there. From
# about this size on (256-row batches of 128 × 128) a second thread makes an idle epoch
# 5-15 % faster, and the user who wants one thread anyway sets OPENBLAS_NUM_THREADS=1.
# Measured with ``python -m bench.threads``, see bench/README.md.
SINGLE_BLAS_THREAD_BELOW = 4_000_000


class _OneBlasThread:
    """While entered by any thread, BLAS runs single-threaded; the last to leave restores it.

    The BLAS thread count is process-wide, so fits running in several Python threads share
    one limit (counted) instead of each restoring what another one set. The threadpoolctl
    controller is made once: it scans the loaded libraries (about a millisecond), while
    setting the limit is ~10 µs, cheap enough for the playground's 20+ short fits a second.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._controller: Any = None
        self._limiter: Any = None

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                if self._controller is None:
                    # imported here: ``import glassnet`` stays light
                    from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

                    self._controller = ThreadpoolController()
                self._limiter = self._controller.limit(limits=1, user_api="blas")
            self._depth += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                self._limiter.restore_original_limits()
                self._limiter = None


_ONE_BLAS_THREAD = _OneBlasThread()


def blas_threads_for(layers: Sequence[Dense], batch_rows: int) -> AbstractContextManager[None]:
    """One BLAS thread while training ``layers`` on ``batch_rows``-row batches if every
    per-batch product is small (see ``SINGLE_BLAS_THREAD_BELOW``); else the BLAS as it is.
    ``Network.fit`` and the scikit-learn estimators' training loops run inside it."""
    largest = max((batch_rows * layer.n_in * layer.n_out for layer in layers), default=0)
    return _ONE_BLAS_THREAD if largest < SINGLE_BLAS_THREAD_BELOW else nullcontext()


def _use_optimizer(
    network: Trainable, optimizer: Optimizer | str | dict[str, Any] | None
) -> Optimizer:
    """The optimizer this fit uses, kept as ``network.optimizer`` (None: the current one,
    Adam at first), so state carries over to the next ``fit``."""
    if optimizer is not None and optimizer is not network.optimizer:
        network.optimizer = get_optimizer(optimizer)
    elif network.optimizer is None:
        network.optimizer = get_optimizer(None)
    return network.optimizer


class _Loop:
    """One ``fit`` call: the epochs, each a pass of batches, scored and told to callbacks."""

    def __init__(
        self,
        network: Trainable,
        data: _Data,
        optimizer: Optimizer,
        batch_size: int | None,
        shuffle: bool,
    ) -> None:
        self.network, self.data, self.optimizer = network, data, optimizer
        self.batch_size, self.shuffle = batch_size, shuffle
        self.metrics: dict[str, Metric] = {}
        self.n = data.n
        # a full batch's cost, or a sum's, adds up as it is; a mean's batches are weighed
        self.summed = data.whole is not None or network.cost_function.reduction == "sum"
        self.penalized = any(layer.l2 for layer in network.layers)
        self.history = History()
        # the parameters at the end of the last epoch that ended finite, for divergence
        self.last_good = network.parameter_vector.copy()
        self.interrupted = [False]

    def run(self, epochs: int, callbacks: list[Callback]) -> History:
        network, history = self.network, self.history
        first = len(network.history.epoch) + 1 if network.history is not None else 1
        network.stop_training = False
        # a diverging run overflows on its way to inf; the check reports that in words
        with (
            _stop_on_interrupt(network) as self.interrupted,
            np.errstate(over="ignore", invalid="ignore"),
        ):
            for callback in callbacks:
                callback.on_train_begin({})
            for epoch in range(first, first + epochs):
                for callback in callbacks:
                    callback.on_epoch_begin(epoch, {})
                logs = self.epoch(epoch)
                # callbacks first, so the numbers they add (a learning rate) are recorded
                for callback in callbacks:
                    callback.on_epoch_end(epoch, logs)
                history.record(epoch, logs)
                if network.stop_training:
                    history.stopped_early = not self.interrupted[0]
                    break
            history.interrupted = self.interrupted[0]
            final_logs = {k: v[-1] for k, v in history.history.items()}
            for callback in callbacks:
                callback.on_train_end(final_logs)
        network.stop_training = False
        network.history = merge(network.history, history)
        return history

    def epoch(self, epoch: int) -> Logs:
        """Train one epoch; its logs: "cost", the metrics and the validation numbers."""
        network, n, summed = self.network, self.n, self.summed
        cost = 0.0
        metric_sums = dict.fromkeys(self.metrics, 0.0)
        params, grads = [network.parameter_vector], [network.gradient_vector]
        whole = self.data.whole
        batches = (
            (whole,)
            if whole is not None
            else _batches(self.data, self.batch_size, self.shuffle, network.rng, network.dtype)
        )
        for X_batch, y_batch, sample_weight in batches:
            a = network.forward(X_batch, training=True)
            batch_cost = network.backpropagate(y_batch, sample_weight)
            share = len(X_batch) / n
            cost += batch_cost if summed else batch_cost * share
            if self.penalized:
                # the penalty at the weights this batch's gradient was found at (before its
                # update, as trace shows it and scikit-learn counts it), each batch its share:
                # one penalty an epoch, whatever the batches
                cost += network.penalty() * share
            for name, metric in self.metrics.items():
                metric_sums[name] += metric(y_batch, a) * share
            self.optimizer.update(params, grads)
            if self.interrupted[0]:
                break
        self.check_finite(epoch, cost)
        logs: Logs = {"cost": cost, **metric_sums}
        if self.data.validation is not None:
            logs.update(self.validation_logs())
        return logs

    def validation_logs(self, chunk: int = 65536) -> Logs:
        """The validation cost and metrics (outputs computed ``chunk`` rows at a time, so a
        large validation set needs no large temporary arrays)."""
        network = self.network
        assert self.data.validation is not None
        X_val, y_val = self.data.validation
        if X_val.shape[0] <= chunk:
            a_val = network.forward(X_val)
        else:
            a_val = np.concatenate(
                [network.forward(X_val[i : i + chunk]) for i in range(0, X_val.shape[0], chunk)]
            )
        penalty = network.penalty() if self.penalized else 0.0
        logs = {"val_cost": network.cost_function(a_val, y_val) + penalty}
        for name, metric in self.metrics.items():
            logs["val_" + name] = metric(y_val, a_val)
        return logs

    def check_finite(self, epoch: int, cost: float) -> None:
        """Roll back and raise ``DivergedError`` if the cost or a weight is not finite."""
        network = self.network
        # a sum is finite exactly when every term is (short of overflow at ~1e308)
        if math.isfinite(cost) and math.isfinite(float(np.add.reduce(network.parameter_vector))):
            np.copyto(self.last_good, network.parameter_vector)
            return
        np.copyto(network.parameter_vector, self.last_good)
        network.history = merge(network.history, self.history)
        raise DivergedError(
            f"training diverged at epoch {epoch}: the cost became {cost}; the weights are back "
            f"to those after epoch {epoch - 1}. Try a smaller learning rate (it was "
            f"{self.optimizer.learning_rate:g}) or inputs scaled to about ±1",
            epoch,
            self.history,
        )
