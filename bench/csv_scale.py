"""CSV at scale: a 1,000,000 × 20 numeric table, read by glassnet and by pandas, then trained.

1. Writes the table (19 standard-normal features written with ``%.6g`` and a 0/1 target
   ``y``) into a temporary folder.
2. Times ``glassnet.data.read_csv`` against ``pandas.read_csv`` on the same file in this
   process, alternating which goes first, and reports the medians and their ratio (the
   goal: glassnet at most 2× pandas). Both read a warm page cache.
3. Runs ``glassnet train FILE --target y --epochs 1`` (the command's defaults otherwise:
   100 relu, Adam, batch 200) in a child process and reports its peak resident memory from
   ``resource.getrusage(RUSAGE_CHILDREN)`` (the goal: under 1 GiB) and its wall time.

Run: ``python -m bench.csv_scale`` (``--rows``, ``--repeats``, ``--keep DIR`` to change).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_table(path: Path, rows: int, columns: int, seed: int = 0) -> None:
    """``columns - 1`` normal features and a 0/1 target, in blocks so memory stays small."""
    rng = np.random.default_rng(seed)
    teacher = rng.normal(size=columns - 1)
    names = [f"x{i}" for i in range(columns - 1)] + ["y"]
    with path.open("w") as out:
        out.write(",".join(names) + "\n")
        for start in range(0, rows, 100_000):
            X = rng.normal(size=(min(100_000, rows - start), columns - 1))
            y = (X @ teacher > 0).astype(np.float64)
            np.savetxt(out, np.column_stack([X, y]), delimiter=",",
                       fmt=["%.6g"] * (columns - 1) + ["%d"])  # fmt: skip


def time_loaders(path: Path, repeats: int) -> dict[str, object]:
    """Median seconds of each loader, alternating the order, and a check they agree."""
    import pandas as pd

    from glassnet.cli.common import keep_freed_memory
    from glassnet.data import read_csv

    keep_freed_memory()  # as the command line does before reading a CSV

    times: dict[str, list[float]] = {"glassnet": [], "pandas": []}
    shapes = {}

    def glassnet() -> None:
        start = time.perf_counter()
        table = read_csv(path, "y")
        times["glassnet"].append(time.perf_counter() - start)
        shapes["glassnet"] = (table.X.shape, float(table.X[:, 0].sum()), float(table.y.sum()))

    def pandas() -> None:
        start = time.perf_counter()
        frame = pd.read_csv(path)
        times["pandas"].append(time.perf_counter() - start)
        values = frame.to_numpy()
        shapes["pandas"] = ((values.shape[0], values.shape[1] - 1), float(values[:, 0].sum()),
                            float(values[:, -1].sum()))  # fmt: skip

    for i in range(repeats):
        for loader in (glassnet, pandas) if i % 2 == 0 else (pandas, glassnet):
            loader()
    if shapes["glassnet"] != shapes["pandas"]:
        raise SystemExit(f"the loaders disagree: {shapes}")
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "glassnet_s": medians["glassnet"],
        "pandas_s": medians["pandas"],
        "ratio": medians["glassnet"] / medians["pandas"],
        "all_s": times,
    }


def train_one_epoch(path: Path) -> dict[str, float]:
    """Peak RSS (MiB) and wall seconds of ``glassnet train --epochs 1`` in a child process."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "glassnet", "train", str(path), "--target", "y", "--epochs", "1",
         "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"glassnet train failed: {result.stderr}")
    report = json.loads(result.stdout)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0  # Linux: KiB
    return {"peak_rss_mib": peak, "seconds": seconds, "train_accuracy": report["train_accuracy"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--columns", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the CSV here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = (args.keep or Path(folder)) / "scale.csv"
        if not path.exists():
            write_table(path, args.rows, args.columns)
        size_mib = path.stat().st_size / 2**20
        # the child runs first, so RUSAGE_CHILDREN holds nothing but its own peak
        training = train_one_epoch(path)
        loading = time_loaders(path, args.repeats)
    cpus = len(os.sched_getaffinity(0))
    print(f"table       : {args.rows} rows × {args.columns} columns, {size_mib:.0f} MiB, "
          f"{cpus} usable CPUs")  # fmt: skip
    print(f"read_csv    : glassnet {loading['glassnet_s']:.2f} s, pandas "
          f"{loading['pandas_s']:.2f} s (median of {args.repeats}), ratio {loading['ratio']:.2f} "
          "(goal ≤ 2)")  # fmt: skip
    print(
        f"train 1 epoch: peak RSS {training['peak_rss_mib']:.0f} MiB (goal < 1024), "
        f"{training['seconds']:.1f} s wall, train accuracy {training['train_accuracy']:.3f}"
    )
    print("BENCH-RESULT " + json.dumps({"loading": loading, "training": training}))


if __name__ == "__main__":
    main()
