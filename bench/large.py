"""A large tabular problem: 200,000 × 100 synthetic float32, 100-256-256-1, Adam, batch 256.

The data: standard normal features and a 0/1 target from a fixed random linear teacher with
noise (seeded, the same in every child). The network: relu, relu, sigmoid output with binary
cross-entropy (PyTorch: ``BCEWithLogitsLoss``, the same fused cost). Contenders
``glassnet`` (float32), ``torch`` (float32) and ``sklearn`` (``MLPClassifier``, one epoch
only: it is slow; it keeps float32 input in float32). Each child reports the median seconds
per epoch and the GEMM work per epoch, so the parent turns it into GFLOP/s against the peak
that ``bench.gemm_peak`` measured in the same run.

Run one by hand: ``python -m bench.large --contender glassnet``.
"""

from __future__ import annotations

import argparse
import itertools
import time
import warnings
from typing import Any

import numpy as np

from bench.common import Result, child_main, median, rss_mib, threads

N_SAMPLES = 200_000
N_TEST = 20_000
SIZES = (100, 256, 256, 1)
BATCH_SIZE = 256
LEARNING_RATE = 1e-3
SEED = 0


def make_data(n: int = N_SAMPLES + N_TEST) -> tuple[Any, Any]:
    """``X`` (n, 100) float32 and ``y`` (n,) of 0/1 from a noisy linear teacher."""
    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((n, SIZES[0]), dtype=np.float32)
    teacher = rng.standard_normal(SIZES[0], dtype=np.float32)
    noise = rng.standard_normal(n, dtype=np.float32) * 4.0
    y = (X @ teacher + noise > 0.0).astype(np.float32)
    return X, y


def gemm_flops_per_epoch(n: int = N_SAMPLES, sizes: tuple[int, ...] = SIZES) -> float:
    """Multiply-adds × 2 of one epoch's matrix products.

    Per sample and layer: the feedforward ``inputs @ weights`` and the weight gradient
    ``inputs.T @ delta`` each cost 2·n_in·n_out; the input gradient ``delta @ weights.T``
    costs the same for every layer but the first (nobody needs dC/dX). Element-wise work is
    not counted: this is the work a BLAS does.
    """
    pairs = list(itertools.pairwise(sizes))
    per_sample = sum(6 * a * b for a, b in pairs) - 2 * pairs[0][0] * pairs[0][1]
    return float(n * per_sample)


def _epochs(args: argparse.Namespace) -> int:
    return 2 if args.quick else 3


def _glassnet(args: argparse.Namespace) -> Result:
    from glassnet import Adam, Dense, Network
    from glassnet.training import Callback

    X, y = make_data()
    X_train, y_train, X_test, y_test = X[:N_SAMPLES], y[:N_SAMPLES], X[N_SAMPLES:], y[N_SAMPLES:]
    base = rss_mib()
    net = Network(
        [
            Dense(SIZES[0], SIZES[1], activation="relu"),
            Dense(SIZES[1], SIZES[2], activation="relu"),
            Dense(SIZES[2], SIZES[3], activation="sigmoid"),
        ],
        cost="binary_crossentropy",
        seed=SEED,
        dtype="float32",
    )

    class EpochTimer(Callback):
        def __init__(self) -> None:
            self.seconds: list[float] = []
            self._start = 0.0

        def on_epoch_begin(self, epoch: int, logs: Any) -> None:
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any) -> None:
            self.seconds.append(time.perf_counter() - self._start)

    timer = EpochTimer()
    start = time.perf_counter()
    net.fit(
        X_train,
        y_train,
        epochs=_epochs(args),
        batch_size=BATCH_SIZE,
        optimizer=Adam(learning_rate=LEARNING_RATE),
        callbacks=[timer],
    )
    total = time.perf_counter() - start
    accuracy = float(np.mean(net.predict(X_test) == y_test))
    return _result(timer.seconds, total, accuracy, base)


def _torch(args: argparse.Namespace) -> Result:
    import torch

    torch.set_num_threads(threads())
    torch.manual_seed(SEED)
    X, y = make_data()
    Xt = torch.from_numpy(X[:N_SAMPLES])
    yt = torch.from_numpy(y[:N_SAMPLES]).reshape(-1, 1)
    base = rss_mib()
    model = torch.nn.Sequential(
        torch.nn.Linear(SIZES[0], SIZES[1]),
        torch.nn.ReLU(),
        torch.nn.Linear(SIZES[1], SIZES[2]),
        torch.nn.ReLU(),
        torch.nn.Linear(SIZES[2], SIZES[3]),
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    seconds = []
    start = time.perf_counter()
    for _ in range(_epochs(args)):
        epoch_start = time.perf_counter()
        order = torch.randperm(N_SAMPLES)
        for i in range(0, N_SAMPLES, BATCH_SIZE):
            idx = order[i : i + BATCH_SIZE]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(Xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
        seconds.append(time.perf_counter() - epoch_start)
    total = time.perf_counter() - start
    with torch.no_grad():
        logits = model(torch.from_numpy(X[N_SAMPLES:])).numpy()[:, 0]
    accuracy = float(np.mean((logits > 0.0) == (y[N_SAMPLES:] > 0.5)))
    return _result(seconds, total, accuracy, base)


def _sklearn(args: argparse.Namespace) -> Result:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X, y = make_data()
    base = rss_mib()
    model = MLPClassifier(
        hidden_layer_sizes=SIZES[1:-1],
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=BATCH_SIZE,
        learning_rate_init=LEARNING_RATE,
        max_iter=1,
        random_state=SEED,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:N_SAMPLES], y[:N_SAMPLES])
    total = time.perf_counter() - start
    accuracy = float(np.mean(model.predict(X[N_SAMPLES:]) == y[N_SAMPLES:]))
    result = _result([total], total, accuracy, base)
    result["dtype"] = str(model.coefs_[0].dtype)
    return result


def _result(seconds: list[float], total: float, accuracy: float, base: float) -> Result:
    return {
        "seconds_per_epoch": median(seconds),
        "epoch_seconds": seconds,
        "seconds_total": total,
        "accuracy": accuracy,
        "gemm_flops_per_epoch": gemm_flops_per_epoch(),
        "rss_before_fit_mib": round(base, 1),
    }


CONTENDERS = {"glassnet": _glassnet, "torch": _torch, "sklearn": _sklearn}
REQUIRES = {"torch": "torch", "sklearn": "sklearn"}
BASELINE = "torch"

if __name__ == "__main__":
    raise SystemExit(child_main(CONTENDERS))
