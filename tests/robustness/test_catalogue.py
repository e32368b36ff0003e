"""The hostile command-line catalogue (``catalogue.py``), one test per category.

Each test runs every case of its category in-process and fails listing each case that
broke the promise (see ``harness.py``), with the command line to reproduce it. The slow
cases (matplotlib's start-up for every ``plot`` run) are marked ``slow``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.catalogue import CATEGORIES, reference
from tests.robustness.harness import Case, prepare, problems, run_case


def _run_all(cases: list[Case], root: Path) -> None:
    base = reference()
    failures = []
    for number, case in enumerate(cases):
        folder = root / str(number)
        prepare(folder, base, case)
        found = problems(case, run_case(case, folder))
        if found:
            failures.append(f"{case.id}: glassnet {' '.join(case.argv)}: {'; '.join(found)}")
    assert not failures, f"{len(failures)} of {len(cases)} cases broke the promise:\n" + "\n".join(
        failures
    )


@pytest.mark.parametrize("category", CATEGORIES)
def test_hostile_cases_keep_the_promise(category: str, tmp_path: Path) -> None:
    _run_all([case for case in CATEGORIES[category]() if not case.slow], tmp_path)


@pytest.mark.slow
def test_slow_hostile_cases_keep_the_promise(tmp_path: Path) -> None:
    # the slow cases of every category in one test: most categories have none
    _run_all([case for make in CATEGORIES.values() for case in make() if case.slow], tmp_path)


def test_the_catalogue_covers_every_command_and_option() -> None:
    # generated from the parser: a new option or command joins the catalogue by itself
    from tests.robustness.catalogue import BASE_COMMANDS, option_actions

    actions = option_actions()
    # playground serves a web page until stopped: its owner's tests drive it
    assert set(actions) - set(BASE_COMMANDS) <= {"playground"}
    ids = {case.id for case in CATEGORIES["option"]()}
    for command, options in actions.items():
        for action in options:
            option = action.option_strings[-1]
            if command in BASE_COMMANDS and option not in ("--out", "--data"):
                assert f"option:{command}:{option}:missing" in ids
