"""Micro-timings of the hot loop's NumPy calls, each beside the alternative the profile suggests.

Not part of ``python -m bench``: a tool for whoever optimizes the core. Each line times one
statement on the shapes of a real workload (best of 7 runs, µs per call), so the gain of a
change can be read before making it. ``--threads`` sets the BLAS threads (default 1).

Run: ``python -m bench.ops`` or ``python -m bench.ops --threads 2``.
"""

from __future__ import annotations

import argparse
import os
import sys
import timeit
from collections.abc import Sequence
from typing import Any

# (group, statement) pairs; a group's first statement is what glassnet does today
CASES: list[tuple[str, str]] = [
    ("Adam step × float64 scalar (float32 params)", "np.multiply(vec32, step_np, out=vec32)"),
    ("Adam step × float64 scalar (float32 params)", "np.multiply(vec32, step_py, out=vec32)"),
    ("batch gather, digits 200×64", "X64[idx]"),
    ("batch gather, digits 200×64", "np.take(X64, idx, axis=0, out=buf64)"),
    ("relu backward 256×256", "np.multiply(g, z > 0.0)"),
    ("relu backward 256×256", "np.multiply(g, z > 0.0, out=out)"),
    ("relu backward 256×256", "np.multiply(g, np.greater(z, 0.0, out=mask32), out=out)"),
    ("relu forward 256×256", "np.maximum(z, 0.0)"),
    ("relu forward 256×256", "np.maximum(z, 0.0, out=out)"),
    ("input gradient 256×256 · (256×256)ᵀ", "d @ W.T"),
    ("input gradient 256×256 · (256×256)ᵀ", "np.matmul(d, W.T, out=gx)"),
    ("input gradient 256×256 · (256×256)ᵀ", "np.matmul(d, WT, out=gx)"),
    ("input gradient 256×256 · (256×256)ᵀ", "np.copyto(WT, W.T); np.matmul(d, WT, out=gx)"),
    ("output layer input gradient 256×1 · (256×1)ᵀ", "d1 @ w1.T"),
    ("output layer input gradient 256×1 · (256×1)ᵀ", "np.multiply(d1, w1.T, out=gx)"),
    ("feedforward 256×256 · 256×256", "z @ W"),
    ("feedforward 256×256 · 256×256", "np.matmul(z, W, out=out)"),
    ("weight gradient (256×256)ᵀ · 256×256", "np.dot(z.T, d, out=gw)"),
    ("bias gradient Σ over 256 rows", "np.add.reduce(d, axis=0, out=gb)"),
    ("bias gradient Σ over 256 rows", "np.dot(ones, d, out=gb)"),
    ("softmax row max 200×10", "z10.max(axis=1, keepdims=True)"),
    ("softmax row max 200×10", "np.maximum.reduce(z10, axis=1, keepdims=True)"),
]


def namespace() -> dict[str, Any]:
    """The arrays the statements use, float32 unless named 64."""
    import numpy as np

    rng = np.random.default_rng(0)
    f32 = np.float32

    def r(*shape: int, dtype: Any = f32) -> Any:
        return rng.standard_normal(shape).astype(dtype)

    step = np.sqrt(np.float64(1.0 - 0.999**10)) / (1.0 - 0.9**10) * 1e-3
    arrays = {
        "np": np,
        "vec32": r(91905),
        "step_np": step,
        "step_py": float(step),
        "X64": r(1347, 64, dtype=np.float64),
        "idx": rng.permutation(1347)[:200],
        "buf64": np.empty((200, 64)),
        "z": r(256, 256),
        "g": r(256, 256),
        "d": r(256, 256),
        "W": r(256, 256),
        "WT": np.empty((256, 256), f32),  # filled below
        "out": np.empty((256, 256), f32),
        "gx": np.empty((256, 256), f32),
        "gw": np.empty((256, 256), f32),
        "gb": np.empty(256, f32),
        "ones": np.ones(256, f32),
        "mask32": np.empty((256, 256), bool),
        "d1": r(256, 1),
        "w1": r(256, 1),
        "z10": r(200, 10),
    }
    np.copyto(arrays["WT"], arrays["W"].T)
    return arrays


def main(argv: Sequence[str] | None = None) -> int:
    """Print µs per call of every case, grouped."""
    parser = argparse.ArgumentParser(description="micro-timings of hot-loop NumPy calls")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (1)")
    parser.add_argument("--number", type=int, default=500, help="calls per timing (500)")
    args = parser.parse_args(argv)
    if "numpy" in sys.modules:
        print("warning: NumPy was imported before the thread count was set", file=sys.stderr)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(args.threads)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        os.environ.pop(name, None)
    names = namespace()
    group = ""
    for title, statement in CASES:
        if title != group:
            print(title)
            group = title
        best = min(timeit.repeat(statement, globals=names, number=args.number, repeat=7))
        print(f"    {best / args.number * 1e6:9.2f} µs  {statement}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
