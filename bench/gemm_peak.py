"""What this machine's BLAS can do: the GEMM peak, and the speed of the large workload's GEMMs.

``peak``: ``np.matmul`` of two big square matrices, float32 and float64, best of a few
repeats: the ceiling any MLP on this NumPy can reach. ``batch``: the six products one
batch of the large workload (``bench.large``: batch 256, 100-256-256-1) needs, each timed
alone with the output buffer reused, so their sum is the least time the GEMMs of one epoch
can take at batch 256 — the honest ceiling for that workload, below the square peak.

Run by hand: ``python -m bench.gemm_peak --contender numpy``.
"""

from __future__ import annotations

import argparse
import itertools
import time
from typing import Any

import numpy as np

from bench.common import Result, blas_info, child_main


def _best_seconds(function: Any, repeats: int) -> tuple[float, float]:
    function()  # warm-up: threads started, pages touched
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[0], times[len(times) // 2]


def peak(dtype: Any, n: int, repeats: int) -> dict[str, float]:
    """Best and median GFLOP/s of ``A @ B`` for n × n matrices of ``dtype``."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    out = np.empty((n, n), dtype=dtype)
    best, middle = _best_seconds(lambda: np.matmul(a, b, out=out), repeats)
    flops = 2.0 * n**3
    return {"n": n, "best_gflops": flops / best / 1e9, "median_gflops": flops / middle / 1e9}


def batch_gemms(batch: int = 256, sizes: tuple[int, ...] = (100, 256, 256, 1)) -> list[Result]:
    """GFLOP/s of each product of one training batch, float32 (m × k times k × n)."""
    rng = np.random.default_rng(0)
    rows: list[Result] = []
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        x = rng.standard_normal((batch, n_in), dtype=np.float32)
        w = rng.standard_normal((n_in, n_out), dtype=np.float32)
        d = rng.standard_normal((batch, n_out), dtype=np.float32)
        z = np.empty((batch, n_out), dtype=np.float32)
        gw = np.empty((n_in, n_out), dtype=np.float32)
        gx = np.empty((batch, n_in), dtype=np.float32)
        products = [
            ("feedforward X@W", lambda x=x, w=w, z=z: np.matmul(x, w, out=z)),
            ("grad W = X.T@delta", lambda x=x, d=d, gw=gw: np.matmul(x.T, d, out=gw)),
        ]
        if layer > 0:
            products.append(
                ("grad X = delta@W.T", lambda d=d, w=w, gx=gx: np.matmul(d, w.T, out=gx))
            )
        for name, function in products:
            repeats = 300
            _, middle = _best_seconds(function, repeats)
            flops = 2.0 * batch * n_in * n_out
            rows.append(
                {
                    "layer": layer + 1,
                    "product": name,
                    "shape": f"{batch}x{n_in}x{n_out}",
                    "median_us": middle * 1e6,
                    "median_gflops": flops / middle / 1e9,
                    "flops": flops,
                }
            )
    return rows


def _numpy(args: argparse.Namespace) -> Result:
    n, repeats = (2048, 3) if args.quick else (4096, 3)
    rows = batch_gemms()
    batch_seconds = sum(r["median_us"] for r in rows) / 1e6
    batch_flops = sum(r["flops"] for r in rows)
    return {
        "float32": peak(np.float32, n, repeats),
        "float64": peak(np.float64, n, repeats),
        "batch_gemms": rows,
        # the GEMM time of one epoch of the large workload if each product ran alone
        "batch_gemm_gflops": batch_flops / batch_seconds / 1e9,
        "blas": blas_info(),
    }


CONTENDERS = {"numpy": _numpy}
REQUIRES: dict[str, str] = {}
BASELINE = "numpy"

if __name__ == "__main__":
    raise SystemExit(child_main(CONTENDERS))
