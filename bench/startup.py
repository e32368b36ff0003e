"""Start-up wall time: ``glassnet --help``, ``glassnet demo``, ``import glassnet`` and the
imports of NumPy, scikit-learn and PyTorch for comparison.

Each contender is one command, started afresh ``repeats`` times as a subprocess; the child
reports the median wall time and the command's peak memory (``RUSAGE_CHILDREN``). This
module imports nothing heavy itself.

Run one by hand: ``python -m bench.startup --contender "glassnet --help"``.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time

from bench.common import Result, child_main, fail, median


def _glassnet_command() -> list[str]:
    # the console script when installed (what a user runs), else the module
    script = shutil.which("glassnet")
    return [script] if script else [sys.executable, "-m", "glassnet"]


COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "import numpy": [sys.executable, "-c", "import numpy"],
    "import glassnet": [sys.executable, "-c", "import glassnet"],
    "from glassnet import Network": [sys.executable, "-c", "from glassnet import Network"],
    "glassnet --help": [*_glassnet_command(), "--help"],
    "glassnet demo": [*_glassnet_command(), "demo"],
    "import sklearn.neural_network": [sys.executable, "-c", "import sklearn.neural_network"],
    "import torch": [sys.executable, "-c", "import torch"],
}


def _run(command: list[str], args: argparse.Namespace) -> Result:
    repeats = 3 if args.quick else 7
    subprocess.run(command, capture_output=True, check=False)  # warm the file cache
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        seconds.append(time.perf_counter() - start)
        if done.returncode != 0:
            fail(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return {
        "seconds": median(seconds),
        "repeats_seconds": seconds,
        # the largest of the command's runs, not this child's own memory
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


CONTENDERS = {
    name: (lambda args, command=command: _run(command, args)) for name, command in COMMANDS.items()
}
REQUIRES = {"import sklearn.neural_network": "sklearn", "import torch": "torch"}
BASELINE = "python -c pass"
TARGETS = {"glassnet --help": 0.3, "glassnet demo": 0.5}
"""Issue 7's limits, in seconds."""

if __name__ == "__main__":
    raise SystemExit(child_main(CONTENDERS))
