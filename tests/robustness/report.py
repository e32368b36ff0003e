"""Run the whole catalogue and print the counts and every failing case, one per line.

    python -m tests.robustness.report                                  # this tree
    PYTHONPATH=/work/before/src python -m tests.robustness.report      # another tree

Exit status 0 when every case keeps the promise, 1 otherwise.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.robustness.catalogue import CATEGORIES, reference
from tests.robustness.harness import prepare, problems, run_case


def main() -> int:
    import glassnet

    base = reference()
    failures: Counter[str] = Counter()
    total: Counter[str] = Counter()
    times: dict[str, float] = dict.fromkeys(CATEGORIES, 0.0)
    slowest: list[tuple[float, str]] = []
    started = time.perf_counter()
    print(f"glassnet from {Path(glassnet.__file__).parent}")
    with tempfile.TemporaryDirectory() as root:
        for category, make in CATEGORIES.items():
            for number, case in enumerate(make()):
                folder = Path(root, f"{category}-{number}")
                prepare(folder, base, case)
                outcome = run_case(case, folder)
                found = problems(case, outcome)
                times[category] += outcome.seconds
                slowest.append((outcome.seconds, case.id))
                total[category] += 1
                if found:
                    failures[category] += 1
                    print(f"FAIL {case.id}: glassnet {' '.join(case.argv)}: {'; '.join(found)}")
    seconds = time.perf_counter() - started
    for category in CATEGORIES:
        print(
            f"{category:10} {total[category]:5} cases {failures[category]:5} failures "
            f"{times[category]:6.1f} s"
        )
    for seconds_, name in sorted(slowest, reverse=True)[:8]:
        print(f"slowest: {seconds_:5.2f} s {name}")
    print(
        f"{'all':10} {sum(total.values()):5} cases {sum(failures.values()):5} failures "
        f"in {seconds:.0f} s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
