"""What every benchmark child process shares: its environment, its timers, its one result line.

The parent (``bench/run.py``) starts one process per (workload, contender, repeat); the child
runs one contender, measures, and prints one line ``BENCH-RESULT {json}`` on stdout. Peak
memory is the child's own ``ru_maxrss``, so each contender is charged only for what it used.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

RESULT_PREFIX = "BENCH-RESULT "
REPO = Path(__file__).resolve().parent.parent

# Set on some machines so that old OpenBLAS builds pick a safe kernel; they slow a current
# NumPy, so benchmark children run without them (both together, never in tests or CI).
OPENBLAS_PINS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")

Result = dict[str, Any]
Contender = Callable[[argparse.Namespace], Result]


def child_env(threads: int) -> dict[str, str]:
    """The environment of a benchmark child: no OpenBLAS pins, ``threads`` BLAS threads."""
    env = dict(os.environ)
    for name in OPENBLAS_PINS:
        env.pop(name, None)
    for name in THREAD_VARIABLES:
        env[name] = str(threads)
    env["BENCH_THREADS"] = str(threads)
    # the working tree's glassnet and bench, whatever is installed
    paths = [str(REPO / "src"), str(REPO)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def threads() -> int:
    """The thread count the parent asked for (all cores when run by hand)."""
    return int(os.environ.get("BENCH_THREADS", os.cpu_count() or 1))


def peak_rss_mib() -> float:
    """This process's peak resident memory so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mib() -> float:
    """This process's resident memory now, in MiB."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def blas_info() -> list[dict[str, Any]]:
    """Which BLAS (and which OpenBLAS kernel) NumPy and friends loaded, with their threads."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("internal_api", "architecture", "num_threads", "version", "prefix")
    return [{k: info.get(k) for k in keys} for info in threadpool_info()]


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """Wall seconds of one call, and what it returned."""
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def median(values: Sequence[float]) -> float:
    """The median (NaN when empty)."""
    return statistics.median(values) if values else float("nan")


def emit(result: Result) -> None:
    """Print the child's one result line (peak memory and BLAS added)."""
    result.setdefault("peak_rss_mib", round(peak_rss_mib(), 1))
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def child_main(
    contenders: Mapping[str, Contender],
    argv: Sequence[str] | None = None,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """Parse ``--contender NAME [--quick]``, run that contender, print its result line."""
    parser = argparse.ArgumentParser(description="run one benchmark contender in this process")
    parser.add_argument("--contender", required=True, choices=sorted(contenders))
    parser.add_argument("--quick", action="store_true", help="a shorter measurement")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    result = contenders[args.contender](args)
    result.setdefault("contender", args.contender)
    emit(result)
    return 0


def parse_result(stdout: str) -> Result | None:
    """The result a child printed, or None if it printed none."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            value: Result = json.loads(line[len(RESULT_PREFIX) :])
            return value
    return None


def fail(message: str) -> None:
    """Stop a child with one line on stderr."""
    print(message, file=sys.stderr)
    raise SystemExit(2)
