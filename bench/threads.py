"""One BLAS thread or all of them: where ``fit``'s automatic limit should switch.

``fit`` runs BLAS on one thread while every layer's per-batch product (rows × n_in × n_out)
is below ``glassnet.training.SINGLE_BLAS_THREAD_BELOW``. This times each workload in one
process, the two ways taking turns: ``blas`` (the threshold set to 0: the BLAS's own thread
count, glassnet before the limit) and ``one`` (the threshold set above every product: one
thread). Which of the two ``fit`` now picks is shown as ``auto``. Run it idle, then with the
other cores busy (``python -c "while True: pass" &``, killed after), and compare.

Run: ``python -m bench.threads`` (``--only seed digits``, ``--repeats 5``; ``--gemm``: one
batch's products alone, without the training loop around them).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from statistics import median
from typing import Any

import numpy as np

import glassnet.training as training
from glassnet import Adam, Dense, GradientDescent, Network


def _seed() -> tuple[Callable[[], Any], int, int]:
    X = np.array([[2, 9, 0], [1, 5, 1], [3, 6, 2], [1, 8, 1]], dtype=np.float64)
    y = np.array([[1], [0], [1], [0]], dtype=np.float64)

    def run() -> Any:
        net = Network([Dense(3, 1, activation="sigmoid", weights=0.5, bias=0.2)], cost="sse")
        return net.fit(X, y, epochs=5000, optimizer=GradientDescent(learning_rate=0.1))

    return run, 4, 3 * 1


def _digits() -> tuple[Callable[[], Any], int, int]:
    from bench.digits import load

    X, _, labels, _ = load()
    y = np.eye(10)[labels]

    def run() -> Any:
        net = Network(
            [Dense(64, 128, activation="relu"), Dense(128, 10, activation="softmax")],
            cost="categorical_crossentropy",
            seed=0,
        )
        return net.fit(X, y, epochs=200, batch_size=200, optimizer=Adam(learning_rate=1e-3))

    return run, 200, 64 * 128


def _square(width: int, batches: int) -> Callable[[], tuple[Callable[[], Any], int, int]]:
    """width-width-width-1 relu, float32, Adam, batch 256, ``batches`` batches (one epoch)."""

    def make() -> tuple[Callable[[], Any], int, int]:
        rng = np.random.default_rng(0)
        X = rng.standard_normal((256 * batches, width), dtype=np.float32)
        y = (X[:, :1] > 0).astype(np.float32)

        def run() -> Any:
            net = Network(
                [
                    Dense(width, width, activation="relu"),
                    Dense(width, width, activation="relu"),
                    Dense(width, 1, activation="sigmoid"),
                ],
                cost="binary_crossentropy",
                seed=0,
                dtype="float32",
            )
            return net.fit(X, y, epochs=1, batch_size=256, optimizer=Adam())

        return run, 256, width * width

    return make


def _large() -> tuple[Callable[[], Any], int, int]:
    from bench.large import BATCH_SIZE, N_SAMPLES, SIZES, make_data

    X, y = make_data(N_SAMPLES)

    def run() -> Any:
        net = Network(
            [
                Dense(SIZES[0], SIZES[1], activation="relu"),
                Dense(SIZES[1], SIZES[2], activation="relu"),
                Dense(SIZES[2], SIZES[3], activation="sigmoid"),
            ],
            cost="binary_crossentropy",
            seed=0,
            dtype="float32",
        )
        return net.fit(X, y, epochs=1, batch_size=BATCH_SIZE, optimizer=Adam())

    return run, BATCH_SIZE, SIZES[1] * SIZES[2]


WORKLOADS: dict[str, Callable[[], tuple[Callable[[], Any], int, int]]] = {
    "seed": _seed,
    "digits": _digits,
    "square64": _square(64, 400),
    "square90": _square(90, 300),
    "square110": _square(110, 250),
    "square128": _square(128, 200),
    "square150": _square(150, 150),
    "square181": _square(181, 100),
    "square256": _square(256, 60),
    "square362": _square(362, 30),
    "large": _large,
}


def _time(run: Callable[[], Any], threshold: int) -> float:
    training.SINGLE_BLAS_THREAD_BELOW = threshold
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def gemms(widths: tuple[int, ...] = (32, 64, 90, 128, 181, 256, 362), trials: int = 60) -> None:
    """One batch's products alone (X @ W, X.T @ delta, delta @ W.T; 256 × w × w), best of
    ``trials`` with one thread and with two, taking turns."""
    from threadpoolctl import ThreadpoolController

    controller = ThreadpoolController()
    rng = np.random.default_rng(0)
    for dtype in ("float32", "float64"):
        for w in widths:
            X, W, D = (
                rng.standard_normal(shape).astype(dtype) for shape in ((256, w), (w, w), (256, w))
            )
            reps = max(3, 20_000_000 // (256 * w * w))
            best = {1: float("inf"), 2: float("inf")}
            for i in range(trials):
                for n in (1, 2) if i % 2 else (2, 1):
                    with controller.limit(limits=n, user_api="blas"):
                        start = time.perf_counter()
                        for _ in range(reps):
                            X @ W, X.T @ D, D @ W.T
                        best[n] = min(best[n], (time.perf_counter() - start) / reps)
            print(
                f"{dtype} 256 × {w} × {w} ({256 * w * w:,}): one {best[1] * 1e6:.1f} µs, "
                f"two {best[2] * 1e6:.1f} µs, two/one {best[2] / best[1]:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=list(WORKLOADS), default=list(WORKLOADS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--gemm", action="store_true", help="time one batch's products alone")
    args = parser.parse_args()
    if args.gemm:
        gemms()
        return
    default = training.SINGLE_BLAS_THREAD_BELOW
    print(f"load average {os.getloadavg()[0]:.2f}; threshold {default:,}")
    # the median is what a user gets on this machine now; the best run is the nearest to
    # an idle machine (other programs only ever add time)
    print(
        f"{'workload':<10} {'product':>12} {'blas s':>9} {'one s':>9} {'blas/one':>9}"
        f" {'best blas':>10} {'best one':>9} {'blas/one':>9} auto"
    )
    for name in args.only:
        run, rows, area = WORKLOADS[name]()
        product = rows * area
        ways = {"blas": 0, "one": 2**62}
        run()  # warm-up
        seconds: dict[str, list[float]] = {way: [] for way in ways}
        for i in range(args.repeats):
            # the ways take turns, starting with each in turn
            for way in sorted(ways, reverse=bool(i % 2)):
                seconds[way].append(_time(run, ways[way]))
        training.SINGLE_BLAS_THREAD_BELOW = default
        blas, one = median(seconds["blas"]), median(seconds["one"])
        best_blas, best_one = min(seconds["blas"]), min(seconds["one"])
        auto = "one" if product < default else "blas"
        print(
            f"{name:<10} {product:>12,} {blas:>9.4f} {one:>9.4f} {blas / one:>9.2f}"
            f" {best_blas:>10.4f} {best_one:>9.4f} {best_blas / best_one:>9.2f} {auto}"
        )


if __name__ == "__main__":
    main()
