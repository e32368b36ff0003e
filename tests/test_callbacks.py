"""Callbacks: the direction of "better" (Keras's mode="auto"), Keras's patience, the one
best-weights keeper and the one progress printer."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from glassnet import Dense, EarlyStopping, Network
from glassnet.callbacks import BestWeights, Callback, ProgressLogger, monitor_mode
from glassnet.optimizers import Optimizer
from glassnet.schedules import ReduceOnPlateau


class Stub:
    """A network whose weights are the number of the epoch they come from."""

    def __init__(self) -> None:
        self.stop_training = False
        self.optimizer: Optimizer | None = None
        self.epoch = 0
        self.restored: int | None = None

    def get_weights(self) -> list[np.ndarray]:
        return [np.array([self.epoch])]

    def set_weights(self, values: Sequence[Any]) -> None:
        self.restored = int(values[0][0])


def drive(callback: Callback, key: str, values: list[float]) -> Stub:
    """Feed ``values`` of ``key`` to ``callback`` epoch by epoch, as fit does, until it stops."""
    stub = Stub()
    callback.network = stub
    callback.on_train_begin({})
    for epoch, value in enumerate(values, start=1):
        stub.epoch = epoch
        callback.on_epoch_end(epoch, {"cost": 1.0, key: value})
        if stub.stop_training:
            break
    callback.on_train_end({})
    return stub


def test_early_stopping_on_accuracy_waits_while_it_rises_and_keeps_the_highest() -> None:
    # round 1 read every number as a cost: it stopped while accuracy rose and restored the
    # worst epoch
    stopper = EarlyStopping(monitor="val_accuracy", patience=2)
    stub = drive(stopper, "val_accuracy", [0.5, 0.6, 0.7, 0.65, 0.66, 0.9])
    assert stopper.mode == "max"
    assert stopper.best_epoch == 3 and stopper.best == 0.7
    assert stopper.stopped_epoch == 5 and stub.restored == 3


def test_early_stopping_mode_can_be_given() -> None:
    stopper = EarlyStopping(monitor="margin", mode="max", patience=1)
    drive(stopper, "margin", [1.0, 2.0, 1.5])
    assert stopper.best_epoch == 2 and stopper.stopped_epoch == 3
    with pytest.raises(ValueError, match=r"cannot tell whether 'margin' improves .* mode='max'"):
        EarlyStopping(monitor="margin")


@pytest.mark.parametrize(
    ("patience", "stopped"),
    [(0, 3), (1, 3), (2, 4), (3, 0)],
)
def test_patience_counts_as_keras_documents(patience: int, stopped: int) -> None:
    # "number of epochs with no improvement after which training will be stopped"
    stopper = EarlyStopping(patience=patience)
    drive(stopper, "cost", [1.0, 0.9, 0.95, 0.96])
    assert stopper.stopped_epoch == stopped and stopper.best_epoch == 2


def test_min_delta_counts_only_a_real_improvement() -> None:
    stopper = EarlyStopping(monitor="val_accuracy", patience=1, min_delta=0.05)
    drive(stopper, "val_accuracy", [0.5, 0.52, 0.6])
    assert stopper.stopped_epoch == 2 and stopper.best_epoch == 1


@pytest.mark.parametrize(
    ("monitor", "mode"),
    [(None, "min"), ("cost", "min"), ("val_cost", "min"), ("val_mae", "min"),
     ("accuracy", "max"), ("val_accuracy", "max"), ("r2", "max")],
)  # fmt: skip
def test_auto_reads_the_direction_from_the_name(monitor: str | None, mode: str) -> None:
    assert monitor_mode(monitor, "auto") == mode


def test_a_quantity_that_is_not_logged_is_named() -> None:
    # round 1: ReduceOnPlateau raised a bare KeyError
    plateau = ReduceOnPlateau(monitor="val_cost")
    with pytest.raises(ValueError, match=r"ReduceOnPlateau monitors 'val_cost'.* logs cost"):
        drive(plateau, "accuracy", [0.5])
    with pytest.raises(ValueError, match=r"EarlyStopping monitors 'val_cost'"):
        drive(EarlyStopping(monitor="val_cost"), "accuracy", [0.5])


def test_reduce_on_plateau_on_accuracy_waits_while_it_rises() -> None:
    from glassnet import GradientDescent

    plateau = ReduceOnPlateau(monitor="val_accuracy", factor=0.5, patience=2, min_delta=0.0)
    stub = Stub()
    stub.optimizer = GradientDescent(1.0)
    plateau.network = stub
    rates = []
    for epoch, value in enumerate([0.5, 0.6, 0.7, 0.8, 0.8, 0.8], start=1):
        logs = {"val_accuracy": value}
        plateau.on_epoch_end(epoch, logs)
        rates.append(logs["learning_rate"])
    assert rates == [1.0, 1.0, 1.0, 1.0, 1.0, 0.5]


def test_best_weights_skips_an_epoch_cut_short() -> None:
    keeper = BestWeights()
    stub = Stub()
    keeper.network = stub
    keeper.on_train_begin({})
    stub.epoch = 1
    keeper.on_epoch_end(1, {"cost": 2.0})
    stub.epoch, stub.stop_training = 2, True  # Ctrl-C: the cost covers part of the data
    keeper.on_epoch_end(2, {"cost": 1.0})
    assert keeper.best_epoch == 1 and keeper.restore() and stub.restored == 1
    stub.epoch = 3  # a validation cost is whole even then
    keeper.on_epoch_end(3, {"cost": 1.0, "val_cost": 0.5})
    assert keeper.best_epoch == 3


def test_best_weights_in_fit_holds_the_best_validation_epoch() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2)), rng.normal(size=(30, 1))
    net = Network([Dense(2, 8, "tanh"), Dense(8, 1, "identity")], seed=0)
    keeper = BestWeights()
    history = net.fit(X, y, epochs=20, validation_data=(X[:10], y[:10]), callbacks=[keeper])
    assert keeper.best == min(history["val_cost"])
    keeper.restore()
    assert net.cost(X[:10], y[:10]) == pytest.approx(keeper.best, rel=1e-12)


def test_progress_lines_every_few_epochs_and_a_heartbeat_first() -> None:
    stream = io.StringIO()
    drive(ProgressLogger(6, every=3, stream=stream), "val_cost", [0.5] * 6)
    lines = stream.getvalue().splitlines()
    assert [line.split()[1] for line in lines] == ["3/6", "6/6"]
    assert "val_cost 0.5" in lines[0] and "s left)" in lines[0]
    stream = io.StringIO()
    drive(ProgressLogger(6, every=3, stream=stream, heartbeat=60.0), "val_cost", [0.5] * 6)
    assert [line.split()[1] for line in stream.getvalue().splitlines()] == ["1/6", "3/6", "6/6"]


def test_progress_bar_draws_with_tqdm() -> None:
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    drive(ProgressLogger(4, stream=stream, bar=True), "val_cost", [0.25] * 4)
    text = stream.getvalue()
    assert "4/4" in text and "val_cost=0.25" in text and "epoch 1/4" not in text
