"""Training from a NumPy memmap: one epoch on a 10,000,000-row float32 ``.npy`` file.

Issue 7 asks that ``fit`` accept a ``np.memmap`` and that one epoch on 10M rows keep the
peak RSS under 2 GB: training memory O(batch × width) beyond the data, no copy of ``X``.
The file (``--rows`` × ``--features`` float32, 10M × 32 = 1.2 GiB by default, so a float64
copy alone would pass 2 GB) is written with plain file writes, which leave nothing in this
process's RSS, then opened with ``np.load(mmap_mode="r")``. A sampler thread reads
``/proc/self/status`` every 20 ms, so the report separates anonymous memory (what glassnet
allocates) from file-backed pages of the memmap that the kernel maps in as rows are read
(they count in RSS but are page cache, dropped under memory pressure).

Run by hand: ``python -m bench.memmap --contender glassnet --rows 10000000``.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import Result, child_main

BATCH_SIZE = 1024
HIDDEN = 32
CHUNK_ROWS = 131_072


def _header(file: Any, shape: tuple[int, ...]) -> None:
    np.lib.format.write_array_header_1_0(
        file, {"descr": "<f4", "fortran_order": False, "shape": shape}
    )


def write_npy(x_path: Path, y_path: Path, rows: int, features: int, seed: int = 0) -> None:
    """Write ``X`` (rows, features) float32 standard normals and ``y`` (rows, 1) 0/1 float32
    from a linear teacher, chunk by chunk with plain writes (no memmap, nothing kept)."""
    rng = np.random.default_rng(seed)
    teacher = rng.standard_normal(features).astype(np.float32)
    with open(x_path, "wb") as x_file, open(y_path, "wb") as y_file:
        _header(x_file, (rows, features))
        _header(y_file, (rows, 1))
        for start in range(0, rows, CHUNK_ROWS):
            block = rng.standard_normal((min(CHUNK_ROWS, rows - start), features), dtype=np.float32)
            x_file.write(block.data)  # the buffer itself: no copy
            y_file.write((block @ teacher > 0.0).astype(np.float32).data)


class MemorySampler(threading.Thread):
    """Peak RssAnon and RssFile of this process (MiB), sampled every ``interval`` seconds."""

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak = {"RssAnon": 0.0, "RssFile": 0.0, "VmRSS": 0.0}
        self._done = threading.Event()

    def sample(self) -> None:
        with open("/proc/self/status") as status:
            for line in status:
                key = line.split(":", 1)[0]
                if key in self.peak:
                    self.peak[key] = max(self.peak[key], int(line.split()[1]) / 1024)

    def run(self) -> None:
        while not self._done.is_set():
            self.sample()
            time.sleep(self.interval)

    def stop(self) -> dict[str, float]:
        self._done.set()
        self.join()
        self.sample()
        return {key: round(value, 1) for key, value in self.peak.items()}


def _glassnet(args: argparse.Namespace) -> Result:
    from glassnet import Adam, Dense, Network

    rows = 1_000_000 if args.quick and args.rows is None else (args.rows or 10_000_000)
    with tempfile.TemporaryDirectory(prefix="glassnet-bench-") as folder:
        x_path, y_path = Path(folder) / "X.npy", Path(folder) / "y.npy"
        start = time.perf_counter()
        write_npy(x_path, y_path, rows, args.features)
        write_seconds = time.perf_counter() - start

        X: Any = np.load(x_path, mmap_mode="r")
        y: Any = np.load(y_path, mmap_mode="r")
        net = Network(
            [
                Dense(args.features, HIDDEN, activation="relu"),
                Dense(HIDDEN, 1, activation="sigmoid"),
            ],
            cost="binary_crossentropy",
            seed=0,
            dtype="float32",
        )
        sampler = MemorySampler()
        sampler.start()
        start = time.perf_counter()
        failure = ""
        try:
            net.fit(X, y, epochs=1, batch_size=BATCH_SIZE, optimizer=Adam())
        except (MemoryError, ValueError, TypeError) as exc:
            failure = f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
        peak = sampler.stop()
        del X, y
    return {
        "rows": rows,
        "features": args.features,
        "file_mib": round(rows * args.features * 4 / 2**20, 1),
        "write_seconds": write_seconds,
        "seconds": seconds,
        "peak_anon_mib": peak["RssAnon"],
        "peak_file_mib": peak["RssFile"],
        "peak_sampled_rss_mib": peak["VmRSS"],
        "fit_failure": failure,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--rows`` and ``--features`` of the file."""
    parser.add_argument("--rows", type=int, default=None, help="rows (10,000,000; --quick 1M)")
    parser.add_argument("--features", type=int, default=32, help="float32 columns (32)")


CONTENDERS = {"glassnet": _glassnet}
REQUIRES: dict[str, str] = {}
BASELINE = "glassnet"
RSS_LIMIT_MIB = 2048.0

if __name__ == "__main__":
    raise SystemExit(child_main(CONTENDERS, add_arguments=add_arguments))
