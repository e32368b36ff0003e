"""Run one hostile command-line case in-process and judge it by the command line's promise.

The promise (issue 13): whatever the input, ``glassnet`` ends with exit status 0, or 2 and
one line on stderr (130 after Ctrl-C; ``gradcheck`` says 1 for a failed check), never a
traceback, never a hang, and a failed run changes no file that existed before it. A run
that succeeds may write only the output its case names, never a file it read.

Cases run through ``glassnet.cli.main`` in this process (a subprocess per case would cost
a second of start-up each): stdout and stderr are captured, the working folder is the
case's own, ``SIGALRM`` ends a hang, and ``tracemalloc`` measures the memory a case
allocates when it has a limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import signal
import stat
import time
import tracemalloc
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT_S = 5
"""A case still running after this many seconds has hung."""

Setup = Callable[[Path], None]
"""Makes a case's hostile files in its (already populated) working folder."""


@dataclass(frozen=True)
class Case:
    """One command line to run in a working folder prepared by ``setup``.

    ``outputs`` are the files a successful run may create or change; ``codes`` the exit
    statuses that keep the promise; ``memory_limit`` the most bytes the run may allocate
    (traced), when that is the point of the case; ``wording`` a text an error line must
    hold (e.g. "not a glassnet model file"); ``stdin`` the bytes fd 0 then gives;
    ``one_line`` False for the one refusal that shows the usage (no command at all).
    """

    id: str
    argv: tuple[str, ...]
    setup: Setup | None = None
    outputs: frozenset[str] = frozenset()
    codes: frozenset[int] = frozenset({0, 2})
    memory_limit: int | None = None
    wording: str | None = None
    stdin: bytes | None = None
    slow: bool = False
    one_line: bool = True


@dataclass
class Outcome:
    """What one run did."""

    code: int | None
    stdout: str
    stderr: str
    seconds: float
    error: str | None = None
    peak_bytes: int | None = None
    changed: list[str] = field(default_factory=list)


class _Hang(BaseException):
    """Raised by the alarm: the case ran past ``TIMEOUT_S``."""


HASHED_BYTES = 10_000_000
"""Files up to this size are compared by content; bigger ones (a 300 MB hole posing as a
model) by size and modification time, which any write changes too."""


def snapshot(folder: Path) -> dict[str, str]:
    """Every regular file under ``folder`` (relative path → digest of its content)."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root, name)
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            if info.st_size > HASHED_BYTES:
                digest = f"{info.st_size}:{info.st_mtime_ns}"
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(folder))] = digest
    return found


@contextlib.contextmanager
def _stdin_from(content: bytes | None) -> Iterator[None]:
    """fd 0 reads ``content`` then end of file (a pipe), or /dev/null: never the runner's."""
    saved = os.dup(0)
    if content is None:
        source = os.open(os.devnull, os.O_RDONLY)
    else:
        source, writer = os.pipe()
        os.write(writer, content)  # small: it fits in the pipe's buffer
        os.close(writer)
    os.dup2(source, 0)
    os.close(source)
    try:
        yield
    finally:
        os.dup2(saved, 0)
        os.close(saved)


@contextlib.contextmanager
def alarm(seconds: int) -> Iterator[None]:
    """Raise ``_Hang`` in the block still running after ``seconds`` (a BaseException, so
    no ``except Exception`` in the code under test can swallow it)."""

    def ring(signum: int, frame: object) -> None:
        raise _Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def run_case(case: Case, folder: Path) -> Outcome:
    """Run ``case`` with ``folder`` as the working folder; ``folder`` is already prepared."""
    from glassnet.cli import main

    before = snapshot(folder)
    out, err = io.StringIO(), io.StringIO()
    error = None
    code: int | None = None
    peak = None
    cwd = os.getcwd()
    started = time.perf_counter()
    os.environ.pop("GLASSNET_DEBUG", None)
    if case.memory_limit is not None:
        tracemalloc.start()
    try:
        os.chdir(folder)
        with (
            warnings.catch_warnings(),  # the command's own filters, not pytest's
            _stdin_from(case.stdin),
            alarm(TIMEOUT_S),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            warnings.resetwarnings()
            try:
                code = main(list(case.argv))
            except SystemExit as exit_:  # argparse: --help, a usage mistake
                code = exit_.code if isinstance(exit_.code, int) else 2
    except _Hang:
        error = f"hang: still running after {TIMEOUT_S} s"
    except Exception as exception:
        error = f"traceback: {type(exception).__name__}: {str(exception)[:200]}"
    finally:
        os.chdir(cwd)
        if case.memory_limit is not None:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    seconds = time.perf_counter() - started
    after = snapshot(folder)
    changed = sorted(
        name
        for name, digest in before.items()
        if after.get(name) != digest and (code != 0 or name not in case.outputs)
    )
    return Outcome(code, out.getvalue(), err.getvalue(), seconds, error, peak, changed)


def problems(case: Case, outcome: Outcome) -> list[str]:
    """Every way ``outcome`` breaks the promise (empty when it keeps it)."""
    found = []
    if outcome.error is not None:
        found.append(outcome.error)
    elif outcome.code not in case.codes:
        found.append(f"exit status {outcome.code}, not one of {sorted(case.codes)}")
    if "Traceback" in outcome.stderr:
        found.append("a traceback on stderr")
    if outcome.code == 2 and outcome.error is None and case.one_line:
        lines = outcome.stderr.strip().splitlines()
        if len(lines) != 1:
            found.append(f"{len(lines)} lines on stderr, not one: {outcome.stderr[:300]!r}")
        elif case.wording is not None and case.wording not in lines[0]:
            found.append(f"the error does not say {case.wording!r}: {lines[0][:300]!r}")
    if outcome.changed:
        found.append(f"changed {', '.join(outcome.changed)}")
    if case.memory_limit is not None and (outcome.peak_bytes or 0) > case.memory_limit:
        found.append(f"allocated {outcome.peak_bytes} bytes (limit {case.memory_limit})")
    return found


def prepare(folder: Path, base: Mapping[str, bytes], case: Case) -> None:
    """Copy the shared good files into ``folder``, then make the case's own."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in base.items():
        (folder / name).write_bytes(content)
    if case.setup is not None:
        case.setup(folder)
