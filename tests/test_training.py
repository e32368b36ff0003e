"""Training: XOR needs a hidden layer, and each training feature shows its effect."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from glassnet import (
    SGD,
    Adam,
    Callback,
    Dense,
    DivergedError,
    EarlyStopping,
    GradientDescent,
    Network,
)
from glassnet.datasets import moons, xor
from glassnet.schedules import ExponentialDecay, ReduceOnPlateau, StepDecay


def xor_net(seed: int) -> Network:
    return Network(
        [Dense(2, 4, activation="tanh"), Dense(4, 1, activation="sigmoid")],
        cost="binary_crossentropy",
        seed=seed,
    )


def test_xor_needs_a_hidden_layer() -> None:
    X, y = xor()
    solved = 0
    for seed in range(20):
        net = xor_net(seed)
        net.fit(X, y, epochs=1000, optimizer=Adam(learning_rate=0.05))
        solved += np.array_equal(net.predict(X), y[:, 0])
    assert solved >= 19
    # the article's flat network cannot: one line cannot split XOR's corners
    flat = Network([Dense(2, 1, activation="sigmoid")], cost="binary_crossentropy", seed=0)
    flat.fit(X, y, epochs=3000, optimizer=Adam(learning_rate=0.05))
    assert not np.array_equal(flat.predict(X), y[:, 0])
    assert flat.cost(X, y) > 0.6


def test_minibatch_gradient_descent_is_sequential_updates() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.normal(size=(10, 1))
    net = Network([Dense(3, 1, "identity", weights=0.1, bias=0.0)], cost="sse")
    net.fit(X, y, epochs=1, batch_size=4, shuffle=False, optimizer=GradientDescent(0.01))
    w, b = np.full((3, 1), 0.1), np.zeros(1)
    for start in (0, 4, 8):
        xb, yb = X[start : start + 4], y[start : start + 4]
        err = xb @ w + b - yb
        w, b = w - 0.01 * xb.T @ err, b - 0.01 * err.sum(axis=0)
    assert np.allclose(net.layers[0].weights, w) and np.allclose(net.layers[0].bias, b)


def test_shuffling_is_seeded() -> None:
    data = moons(60, seed=1)
    runs = []
    for _ in range(2):
        net = Network([Dense(2, 8, "relu"), Dense(8, 1, "sigmoid")], "binary_crossentropy", seed=3)
        runs.append(net.fit(data.X, data.y, epochs=5, batch_size=8).cost)
    assert runs[0] == runs[1]


def _overfit_setup() -> tuple[Network, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    y = (X[:, :1] + rng.normal(scale=1.5, size=(40, 1)) > 0).astype(float)
    Xv = rng.normal(size=(200, 5))
    yv = (Xv[:, :1] > 0).astype(float)
    net = Network([Dense(5, 64, "relu"), Dense(64, 1, "sigmoid")], "binary_crossentropy", seed=0)
    return net, X, y, Xv, yv


def test_early_stopping_stops_and_restores_the_best_weights() -> None:
    net, X, y, Xv, yv = _overfit_setup()
    stopper = EarlyStopping(patience=5)
    history = net.fit(
        X, y, epochs=2000, optimizer=Adam(0.01), validation_data=(Xv, yv), callbacks=[stopper]
    )
    assert history.stopped_early and len(history) < 2000
    # Keras's patience: the fifth epoch without improvement stops
    assert stopper.best_epoch == len(history) - 5
    best = min(history["val_cost"])
    assert history["val_cost"][stopper.best_epoch - 1] == best
    assert net.cost(Xv, yv) == pytest.approx(best, rel=1e-12)


def test_validation_split_holds_out_that_fraction() -> None:
    data = moons(100, seed=2)
    net = Network([Dense(2, 4, "tanh"), Dense(4, 1, "sigmoid")], "binary_crossentropy", seed=1)
    history = net.fit(data.X, data.y, epochs=3, validation_split=0.2, metrics=["accuracy"])
    assert set(history.history) == {"cost", "val_cost", "accuracy", "val_accuracy"}
    assert all(0 <= v <= 1 for v in history["val_accuracy"])
    with pytest.raises(ValueError, match="validation_split must be in"):
        net.fit(data.X, data.y, validation_split=1.5)


def test_dropout_is_random_in_training_only_and_regularizes() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 10))
    y = rng.integers(0, 2, size=(64, 1)).astype(float)  # random labels: only memorizable

    def train(dropout: float) -> Network:
        net = Network(
            [Dense(10, 128, "relu", dropout=dropout), Dense(128, 1, "sigmoid")],
            "binary_crossentropy",
            seed=1,
        )
        net.fit(X, y, epochs=150, optimizer=Adam(0.01))
        return net

    plain, dropped = train(0.0), train(0.5)
    assert np.array_equal(dropped.feedforward(X), dropped.feedforward(X))
    t1 = dropped.feedforward(X, return_all=True, training=True)[1]
    t2 = dropped.feedforward(X, return_all=True, training=True)[1]
    assert not np.array_equal(t1, t2)
    assert 0.35 < np.mean(t1 == 0.0) < 0.85  # half dropped, plus relu's own zeros
    # inverted dropout keeps each unit's expected output
    clean = dropped.feedforward(X, return_all=True)[1]
    samples = np.mean(
        [dropped.feedforward(X, return_all=True, training=True)[1] for _ in range(200)], axis=0
    )
    assert np.allclose(samples.mean(), clean.mean(), rtol=0.05)
    assert plain.cost(X, y) < 0.5 * dropped.cost(X, y)


def test_l2_shrinks_the_weights() -> None:
    data = moons(100, seed=0)

    def norm(l2: float) -> float:
        net = Network(
            [Dense(2, 16, "tanh", l2=l2), Dense(16, 1, "sigmoid", l2=l2)],
            "binary_crossentropy",
            seed=0,
        )
        net.fit(data.X, data.y, epochs=300, optimizer=Adam(0.02))
        return float(sum(np.sum(layer.weights**2) for layer in net.layers))

    assert norm(0.05) < 0.5 * norm(0.0)


def test_class_weight_raises_the_recall_of_a_rare_class() -> None:
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, size=(180, 2)), rng.normal(1, 1, size=(20, 2))])
    y = np.concatenate([np.zeros(180), np.ones(20)])[:, None]

    def recall(class_weight):  # type: ignore[no-untyped-def]
        net = Network([Dense(2, 1, "sigmoid")], "binary_crossentropy", seed=0)
        net.fit(X, y, epochs=300, optimizer=Adam(0.05), class_weight=class_weight)
        return np.mean(net.predict(X[180:]) == 1)

    assert recall(None) < 0.3
    assert recall("balanced") > 0.6
    assert recall({1: 9.0}) > 0.6


def test_zero_sample_weight_is_the_same_as_leaving_the_sample_out() -> None:
    rng = np.random.default_rng(4)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=(12, 1))
    w = np.ones(12)
    w[[2, 7]] = 0.0

    def train(X, y, w=None):  # type: ignore[no-untyped-def]
        net = Network([Dense(3, 2, "tanh"), Dense(2, 1, "identity")], cost="sse", seed=0)
        net.fit(X, y, epochs=20, optimizer=GradientDescent(0.01), sample_weight=w)
        return net.get_weights()

    keep = w > 0
    for a, b in zip(train(X, y, w), train(X[keep], y[keep]), strict=True):
        assert np.allclose(a, b, rtol=1e-12)


def test_schedules_change_the_learning_rate() -> None:
    data = moons(50, seed=0)
    net = Network([Dense(2, 1, "sigmoid")], "binary_crossentropy", seed=0)
    history = net.fit(data.X, data.y, epochs=6, optimizer=SGD(0.1), callbacks=[StepDecay(2, 0.5)])
    assert history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    net = Network([Dense(2, 1, "sigmoid")], "binary_crossentropy", seed=0)
    history = net.fit(
        data.X, data.y, epochs=3, optimizer=SGD(0.1), callbacks=[ExponentialDecay(0.9)]
    )
    assert history["learning_rate"] == pytest.approx([0.1, 0.09, 0.081])


def test_reduce_on_plateau_waits_for_the_plateau() -> None:
    # zero inputs: only the bias can learn, so the cost flattens after a few epochs
    X, y = np.zeros((8, 2)), np.arange(8.0)[:, None]
    net = Network([Dense(2, 1, "identity")], seed=0)
    plateau = ReduceOnPlateau(factor=0.5, patience=3, min_delta=1e-6)
    history = net.fit(X, y, epochs=60, optimizer=GradientDescent(0.4), callbacks=[plateau])
    rates = history["learning_rate"]
    first_cut = rates.index(0.2)
    assert first_cut > 5  # not before the cost stopped falling
    # Keras's patience: the third epoch without improvement cuts the rate
    assert abs(history.cost[first_cut] - history.cost[first_cut - 3]) < 1e-6
    assert history.cost[first_cut - 4] - history.cost[first_cut - 3] > 1e-6
    assert rates[-1] < 0.2


def test_divergence_stops_with_the_last_finite_weights() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)) * 10, rng.normal(size=(20, 1)) * 10

    def make() -> Network:
        return Network([Dense(3, 8, "relu"), Dense(8, 1, "identity")], seed=0)

    net = make()
    with pytest.raises(
        DivergedError, match=r"diverged at epoch (\d+).*smaller learning rate"
    ) as info:
        net.fit(X, y, epochs=500, optimizer=GradientDescent(learning_rate=1.0))
    epoch = info.value.epoch
    assert all(np.all(np.isfinite(p)) for p in net.get_weights())
    replay = make()
    replay.fit(X, y, epochs=epoch - 1, optimizer=GradientDescent(learning_rate=1.0))
    for a, b in zip(net.get_weights(), replay.get_weights(), strict=True):
        assert np.array_equal(a, b)


class _StopAt(Callback):
    def __init__(self, epoch: int) -> None:
        self.epoch = epoch
        self.seen: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.seen.append(epoch)
        assert "cost" in logs
        if epoch == self.epoch:
            self.network.stop_training = True


def test_a_callback_can_stop_training() -> None:
    data = xor()
    stop = _StopAt(3)
    history = xor_net(0).fit(data.X, data.y, epochs=50, callbacks=[stop])
    assert stop.seen == [1, 2, 3] and len(history) == 3


class _Interrupt(Callback):
    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if epoch == 2:
            os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_stops_after_the_current_batch() -> None:
    data = moons(40, seed=0)
    net = xor_net(0)
    history = net.fit(data.X, data.y, epochs=50, batch_size=8, callbacks=[_Interrupt()])
    assert history.interrupted and not history.stopped_early
    assert len(history) == 2
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_train_on_batch_makes_one_update() -> None:
    data = xor()
    net = xor_net(0)
    before = net.cost(data.X, data.y)
    cost = net.train_on_batch(data.X, data.y, optimizer=GradientDescent(0.5))
    assert cost == pytest.approx(before)
    assert net.cost(data.X, data.y) < before


def test_verbose_prints_progress(capsys: pytest.CaptureFixture[str]) -> None:
    data = xor()
    xor_net(0).fit(data.X, data.y, epochs=40, verbose=1, validation_data=(data.X, data.y))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 20 and lines[-1].startswith("epoch 40/40")
    assert "val_cost" in lines[0]


def test_bad_fit_arguments_are_refused() -> None:
    data = xor()
    net = xor_net(0)
    with pytest.raises(ValueError, match="epochs must be a non-negative integer"):
        net.fit(data.X, data.y, epochs=-1)
    with pytest.raises(ValueError, match="batch_size must be a positive integer or None"):
        net.fit(data.X, data.y, batch_size=0)
    with pytest.raises(ValueError, match="class_weight names class 3"):
        net.fit(data.X, data.y, class_weight={3: 2.0})


def test_the_epoch_cost_counts_the_penalty_once() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3)), rng.normal(size=(12, 1))
    net = Network([Dense(3, 1, "identity", l2=0.5)], cost="sse", seed=0)
    # a learning rate of ~0 keeps the weights still, so the epoch cost is the cost
    history = net.fit(X, y, epochs=1, batch_size=4, optimizer=GradientDescent(1e-300))
    assert history.cost[0] == pytest.approx(net.cost(X, y), rel=1e-12)


def test_dropout_gradients_match_finite_differences_for_a_fixed_mask() -> None:
    from tests.conftest import numerical_gradient, relative_error

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 1))
    net = Network([Dense(4, 5, "tanh", dropout=0.4), Dense(5, 1, "identity")], seed=0)
    net.feedforward(X, training=True)
    mask = net.layers[0]._mask
    assert mask is not None
    net.backpropagate(net.check_targets(y, 6))
    analytic = net.layers[0].grad_weights.copy()

    def cost() -> float:
        hidden = np.tanh(X @ net.layers[0].weights + net.layers[0].bias) * mask
        out = hidden @ net.layers[1].weights + net.layers[1].bias
        return float(np.mean((out - y) ** 2))

    assert relative_error(analytic, numerical_gradient(cost, net.layers[0].weights)) < 1e-6


def test_a_memmap_trains_without_a_copy_of_the_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import tracemalloc

    rng = np.random.default_rng(0)
    data = rng.normal(size=(100_000, 20)).astype(np.float32)
    np.save(tmp_path / "X.npy", data)
    X = np.load(tmp_path / "X.npy", mmap_mode="r")
    y = (data[:, :1] > 0).astype(np.float64)
    # a float64 network on float32 rows: casting the whole X would allocate 16 MB
    net = Network([Dense(20, 8, "relu"), Dense(8, 1, "sigmoid")], "binary_crossentropy", seed=0)
    tracemalloc.start()
    history = net.fit(X, y, epochs=1, batch_size=256, validation_split=0.1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 6_000_000, f"peak {peak / 1e6:.1f} MB: X was copied"
    # the same numbers as training on the array in memory
    twin = Network([Dense(20, 8, "relu"), Dense(8, 1, "sigmoid")], "binary_crossentropy", seed=0)
    again = twin.fit(data.astype(np.float64), y, epochs=1, batch_size=256, validation_split=0.1)
    assert history["val_cost"] == pytest.approx(again["val_cost"], rel=1e-6)


class BlasThreadsSeen(Callback):
    """Records the BLAS thread count at the start of each epoch."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def on_epoch_begin(self, epoch: int, logs: dict[str, float]) -> None:
        from threadpoolctl import threadpool_info

        self.seen += [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def _blas_threads_during_fit(rows: int, n_in: int, n_out: int, batch_size: int | None) -> list[int]:
    X = np.random.default_rng(0).standard_normal((rows, n_in))
    seen = BlasThreadsSeen()
    Network([Dense(n_in, n_out)], cost="mse", seed=0).fit(
        X, np.zeros((rows, n_out)), epochs=2, batch_size=batch_size, callbacks=[seen]
    )
    return seen.seen


@pytest.mark.parametrize("batch_size", [None, 100])
def test_fit_runs_blas_on_one_thread_only_while_the_products_are_small(
    batch_size: int | None,
) -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    from glassnet.training import SINGLE_BLAS_THREAD_BELOW

    # 20 inputs × 200 outputs: the per-batch product reaches the threshold at exactly
    # `rows_at` rows (the whole set when full batch, else the batch size)
    rows_at = SINGLE_BLAS_THREAD_BELOW // (20 * 200)
    assert rows_at * 20 * 200 == SINGLE_BLAS_THREAD_BELOW
    small_rows = rows_at - 1 if batch_size is None else 2 * rows_at
    small_batch = None if batch_size is None else rows_at - 1
    # two threads set here, so the test sees the difference even on a one-core machine
    with threadpool_limits(2, user_api="blas"):
        if not [i for i in threadpool_info() if i["user_api"] == "blas"]:
            pytest.skip("NumPy's BLAS is not one threadpoolctl can see")
        small = _blas_threads_during_fit(small_rows, 20, 200, small_batch)
        large = _blas_threads_during_fit(rows_at, 20, 200, None if batch_size is None else rows_at)
        after = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    assert small and set(small) == {1}
    assert large and set(large) == {2}
    assert set(after) == {2}


def test_the_one_thread_limit_is_lifted_by_the_last_fit_to_end() -> None:
    # fits in several Python threads share the process-wide limit: the first to end must
    # not give the BLAS its threads back while another small fit still runs
    from threadpoolctl import threadpool_info, threadpool_limits

    from glassnet.training import _OneBlasThread

    def blas_threads() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    limit = _OneBlasThread()
    with threadpool_limits(2, user_api="blas"):
        if not blas_threads():
            pytest.skip("NumPy's BLAS is not one threadpoolctl can see")
        limit.__enter__()
        limit.__enter__()
        limit.__exit__(None, None, None)
        assert blas_threads() == {1}
        limit.__exit__(None, None, None)
        assert blas_threads() == {2}


@pytest.mark.parametrize("batch_size", [None, 16])
def test_an_epochs_penalty_is_at_the_weights_its_gradients_were_found_at(
    batch_size: int | None,
) -> None:
    # the data cost was taken before the update, the L2 penalty after it: one epoch, two
    # costs (the playground's bar 0.33565700 beside its trace's 0.3356179)
    from glassnet.build import build_network
    from glassnet.glassbox import trace

    data = moons(40)
    net = build_network(2, 1, task="classification", hidden=(4,), l2=0.05, seed=0)
    fresh = net.get_weights()
    before = net.cost(data.X, data.y)
    replayed = trace(net, data.X, data.y, steps=[1], optimizer=SGD(0.1))
    net.set_weights(fresh)
    history = net.fit(data.X, data.y, epochs=1, optimizer=SGD(0.1), batch_size=batch_size,
                      shuffle=False)  # fmt: skip
    if batch_size is None:  # one step: the cost trace shows, to the last bit
        assert history.cost[0] == before == replayed.steps[0].cost
    else:  # each batch's penalty at its own weights, its share of the rows
        net.set_weights(fresh)
        expected, optimizer = 0.0, SGD(0.1)
        for start in range(0, len(data.X), batch_size):
            rows = slice(start, start + batch_size)
            share = len(data.X[rows]) / len(data.X)
            expected += net.cost(data.X[rows], data.y[rows]) * share
            net.train_on_batch(data.X[rows], data.y[rows], optimizer=optimizer)
        assert history.cost[0] == pytest.approx(expected, rel=1e-12)


def test_a_callback_that_is_not_one_is_a_type_error_naming_it() -> None:
    # callbacks=[5] failed inside the loop: AttributeError: 'int' object has no attribute …
    data = xor()
    net = Network([Dense(2, 1, "sigmoid")], seed=0)
    with pytest.raises(TypeError, match=r"callbacks must be Callback objects.*got 5 \(int\)"):
        net.fit(data.X, data.y, epochs=1, callbacks=[5])  # type: ignore[list-item]
