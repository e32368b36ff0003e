"""Tables at scale: a 1,000,000-row mixed CSV read, encoded, trained on and predicted.

The table: 17 numeric columns (``%.6g``, about 1 % missing cells) and 3 text columns (12,
40 and 5 levels, some missing), plus a 0/1 target ``y`` — about 160 MiB, the shape of
issue 10's file. In one run, side by side, medians of ``--repeats`` alternating rounds:

1. **read + encode**: ``glassnet.table.read_table`` then ``Preprocessor.fit`` and
   ``transform`` (the matrix a network sees), against the chosen library's bare
   ``polars.read_csv`` of the same file, and ``pyarrow.csv.read_csv`` for the record.
   Goal: ≤ 1.5× polars. Also timed: the same read, ``fit`` and
   ``transform_in_blocks`` (16,384 rows into one reused buffer: what ``predict`` and
   ``evaluate`` do); the read and ``transform_in_blocks`` with the encoding learnt
   already (``predict``'s and ``evaluate``'s whole work before the network); and the
   floor of any whole matrix: ``np.zeros`` of its shape, written once (on a VM that
   hands out memory lazily, fresh pages are slow to touch). Then ``floor``: the least
   work beyond polars' parse, each part alone on the parsed columns.
2. **train**: ``glassnet train FILE --target y --epochs 1`` in a child process; its peak
   resident memory (goal < 1.5 GB) and wall time.
3. **predict --out**: ``glassnet predict MODEL FILE --out PRED.csv`` in a child process,
   against polars reading and writing the same table (``read_csv`` + ``write_csv``) in one.
   Goal: ≤ 3×.

Run: ``python -m bench.tables`` (``--rows``, ``--repeats``, ``--keep DIR`` to change).
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
from collections.abc import Callable
from pathlib import Path

import numpy as np

NUMERIC = 17
LEVELS = (12, 40, 5)


def write_table(path: Path, rows: int, seed: int = 0) -> None:
    """The mixed table, written in blocks by polars so memory stays small."""
    import polars as pl

    rng = np.random.default_rng(seed)
    teacher = rng.normal(size=NUMERIC)
    with path.open("wb") as out:
        for start in range(0, rows, 200_000):
            n = min(200_000, rows - start)
            X = rng.normal(size=(n, NUMERIC))
            codes = [rng.integers(0, k, n) for k in LEVELS]
            score = X @ teacher + sum((c % 3 - 1) * 0.5 for c in codes)
            columns: dict[str, object] = {}
            for j in range(NUMERIC):
                text = np.char.mod("%.6g", X[:, j]).astype(object)
                text[rng.random(n) < 0.01] = None
                columns[f"x{j}"] = text
            for j, (k, c) in enumerate(zip(LEVELS, codes, strict=True)):
                words = np.array([f"level{i}" for i in range(k)], dtype=object)[c]
                words[rng.random(n) < 0.01] = None
                columns[f"t{j}"] = words
            columns["y"] = (score > 0).astype(np.int64)
            frame = pl.DataFrame({k: list(v) if isinstance(v, np.ndarray) and v.dtype == object
                                  else v for k, v in columns.items()})  # fmt: skip
            frame.write_csv(out, include_header=start == 0)


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def read_and_encode(path: Path, repeats: int) -> dict[str, object]:
    """Median seconds of glassnet's read + encode, polars' and pyarrow's bare read."""
    import polars as pl
    import pyarrow.csv as pacsv

    from glassnet.preprocessing import Preprocessor
    from glassnet.table import read_table

    shape: list[tuple[int, int]] = []

    def glassnet() -> None:
        frame = read_table(path, text_columns=["y"])
        X = Preprocessor().fit_transform(frame, "y")
        shape.append(X.shape)

    def in_blocks() -> None:  # what predict and evaluate do: no whole matrix
        frame = read_table(path, text_columns=["y"])
        pre = Preprocessor().fit(frame, "y")
        for _ in pre.transform_in_blocks(frame, 16384):
            pass

    fitted = Preprocessor().fit(read_table(path, text_columns=["y"]), "y")

    def with_fitted() -> None:  # predict and evaluate: the encoding learnt already
        frame = read_table(path, text_columns=["y"])
        for _ in fitted.transform_in_blocks(frame, 16384):
            pass

    def touch() -> None:  # the floor: a fresh matrix of that size, written once
        np.zeros(shape[0]).fill(0.0)

    contenders = {
        "glassnet read+encode": glassnet,
        "read+encode in blocks": in_blocks,
        "read+encode, fitted": with_fitted,
        "polars.read_csv": lambda: pl.read_csv(path),
        "pyarrow.csv.read_csv": lambda: pacsv.read_csv(path),
        "fresh matrix, written": touch,
    }
    glassnet()  # the matrix's shape, for the floor; not timed
    times: dict[str, list[float]] = {name: [] for name in contenders}
    names = list(contenders)
    for i in range(repeats):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            times[name].append(timed(contenders[name]))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "median_s": medians,
        "ratio_to_polars": medians["glassnet read+encode"] / medians["polars.read_csv"],
        "blocks_ratio_to_polars": medians["read+encode in blocks"] / medians["polars.read_csv"],
        "fitted_ratio_to_polars": medians["read+encode, fitted"] / medians["polars.read_csv"],
        "encoded_shape": shape[0],
        "all_s": times,
    }


def floor(path: Path, repeats: int) -> dict[str, float]:
    """What the goal leaves room for: polars' parse and the CPU seconds it takes (it runs
    on every core), then, on the parsed columns, the least of the work read + encode must
    do beyond parsing, each part alone and in its plainest form: the training median of
    each numeric column (NumPy's partial sort), the mean and deviation and missing counts
    (one polars pass), the level counts of each text column, and writing the encoded
    numbers (NumPy alone, from parsed arrays, into one reused buffer of 16,384 rows).
    Medians of ``repeats`` rounds, in seconds."""
    import polars as pl

    numeric = [f"x{j}" for j in range(NUMERIC)]
    text = [f"t{j}" for j in range(len(LEVELS))]
    frame = pl.read_csv(path)
    arrays = [frame[name].fill_null(0.0).to_numpy() for name in numeric]
    masks = [frame[name].is_null().to_numpy() for name in numeric]
    # each level's code 0 … k − 1, and k for a missing cell
    codes = [(frame[name].rank("dense") - 1).fill_null(k).to_numpy()
             for name, k in zip(text, LEVELS, strict=True)]  # fmt: skip

    def parse() -> None:
        pl.read_csv(path)

    def medians() -> None:
        for name in numeric:
            values = frame[name].drop_nulls().to_numpy(writable=True)
            values.partition(len(values) // 2)

    def moments() -> None:
        frame.select(pl.col(numeric).mean().name.suffix(" mean"),
                     pl.col(numeric).std().name.suffix(" std"),
                     pl.col(numeric).null_count().name.suffix(" missing"))  # fmt: skip

    def levels() -> None:
        for name in text:
            frame[name].value_counts()

    def encode() -> None:
        rows, block = frame.height, 16384
        width = 2 * NUMERIC + sum(LEVELS) + len(LEVELS)
        buffer = np.empty(width * block)
        for start in range(0, rows, block):
            size = min(block, rows - start)
            X = buffer[: width * size].reshape(width, size)
            for j, (values, missing) in enumerate(zip(arrays, masks, strict=True)):
                np.subtract(values[start : start + size], 0.5, out=X[2 * j])
                np.divide(X[2 * j], 2.0, out=X[2 * j])
                X[2 * j + 1] = missing[start : start + size]
            first = 2 * NUMERIC
            flat = X.reshape(-1)
            for k, column in zip(LEVELS, codes, strict=True):
                X[first : first + k + 1].fill(0.0)
                flat[(first + column[start : start + size]) * size + np.arange(size)] = 1.0
                first += k + 1

    parts = {"parse": parse, "medians": medians, "moments": moments, "levels": levels,
             "encode": encode}  # fmt: skip
    times: dict[str, list[float]] = {name: [] for name in parts}
    cpu: list[float] = []
    for _ in range(repeats):
        for name, part in parts.items():
            used = resource.getrusage(resource.RUSAGE_SELF)
            times[name].append(timed(part))
            if name == "parse":
                after = resource.getrusage(resource.RUSAGE_SELF)
                cpu.append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
    result = {name: statistics.median(values) for name, values in times.items()}
    result["parse_cpu"] = statistics.median(cpu)
    return result


def child(args: list[str]) -> float:
    """Wall seconds of ``python -m glassnet ARGS`` (which must succeed)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "glassnet", *args], capture_output=True,
                            text=True, check=False)  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"glassnet {args[0]} failed: {result.stderr}")
    return time.perf_counter() - start


def polars_read_write(path: Path, out: Path) -> float:
    """Wall seconds of a child process that reads and writes the table with polars."""
    code = f"import polars as pl; pl.read_csv({str(path)!r}).write_csv({str(out)!r})"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the CSV here and keep it")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        where = args.keep or Path(folder)
        path = where / "tables.csv"
        if not path.exists():
            write_table(path, args.rows)
        size_mib = path.stat().st_size / 2**20
        model = Path(folder) / "m.safetensors"
        # the training child runs first, so RUSAGE_CHILDREN holds its own peak alone
        train_s = child(["train", str(path), "--target", "y", "--epochs", "1", "--out",
                         str(model)])  # fmt: skip
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
        predict_s: list[float] = []
        polars_s: list[float] = []
        predict_args = ["predict", str(model), str(path), "--out", str(Path(folder) / "p.csv")]
        for i in range(args.repeats):  # the two take turns going first
            for contender in ("glassnet", "polars") if i % 2 == 0 else ("polars", "glassnet"):
                if contender == "glassnet":
                    predict_s.append(child(predict_args))
                else:
                    polars_s.append(polars_read_write(path, Path(folder) / "q.csv"))
        loading = read_and_encode(path, args.repeats)
        least = floor(path, args.repeats)
    predict = {
        "glassnet_predict_out_s": statistics.median(predict_s),
        "polars_read_write_s": statistics.median(polars_s),
    }
    predict["ratio"] = predict["glassnet_predict_out_s"] / predict["polars_read_write_s"]
    cpus = len(os.sched_getaffinity(0))
    medians = loading["median_s"]
    assert isinstance(medians, dict)
    print(f"table         : {args.rows} rows, {NUMERIC} numeric + {len(LEVELS)} text columns + "
          f"y, {size_mib:.0f} MiB, {cpus} usable CPUs, medians of {args.repeats}")  # fmt: skip
    print(f"load average  : {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end "
          "(a busy machine slows every contender, glassnet's page-hungry steps most)")  # fmt: skip
    for name, seconds in medians.items():
        print(f"  {name:<22}: {seconds:.2f} s")
    print(f"read+encode / polars.read_csv : {loading['ratio_to_polars']:.2f} (goal ≤ 1.5), "
          f"matrix {loading['encoded_shape']}")  # fmt: skip
    print(f"  in blocks / polars.read_csv : {loading['blocks_ratio_to_polars']:.2f}")
    print(f"  fitted / polars.read_csv    : {loading['fitted_ratio_to_polars']:.2f} "
          "(in blocks, the encoding learnt already: predict's and evaluate's)")  # fmt: skip
    beyond = sum(least[name] for name in ("medians", "moments", "levels", "encode"))
    print(f"the least work: polars' parse {least['parse']:.2f} s wall, "
          f"{least['parse_cpu']:.2f} s CPU on {cpus} cores; on its columns, medians "
          f"{least['medians']:.2f} s, moments {least['moments']:.2f} s, levels "
          f"{least['levels']:.2f} s, encoding in blocks {least['encode']:.2f} s: "
          f"{beyond:.2f} s beyond the parse, against the goal's "
          f"{0.5 * least['parse']:.2f} s")  # fmt: skip
    print(f"train 1 epoch : peak RSS {peak_mib:.0f} MiB (goal < 1536), {train_s:.1f} s wall")
    print(
        f"predict --out : {predict['glassnet_predict_out_s']:.2f} s, polars read+write "
        f"{predict['polars_read_write_s']:.2f} s, ratio {predict['ratio']:.2f} (goal ≤ 3)"
    )
    result = {"loading": loading, "least": least,
              "train": {"peak_rss_mib": peak_mib, "seconds": train_s},
              "predict": predict, "load_average": [load_start, os.getloadavg()[0]]}  # fmt: skip
    print("BENCH-RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
