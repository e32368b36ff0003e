"""What every command shares: the user-error type, JSON output, the output-file check,
reading a model file, reading a table the way a model reads it, and the column table."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

    from glassnet._types import Array
    from glassnet.model import Model
    from glassnet.network import Network


class UserError(Exception):
    """A mistake in what the user asked for: reported in one line, exit status 2."""


def is_number(text: str) -> bool:
    """Whether a command-line word reads as a number ("-1.5", "1e3": a value, not an option
    or a file name)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (``kill``, a closed terminal): raised where the command is, as a
    Ctrl-C is, so what it was writing is cleaned up (no temporary file left, the old file
    kept); unlike a Ctrl-C, ``train`` does not save the weights so far."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number
        self.name = signal.Signals(number).name


def discard(stream: Any) -> None:
    """Point ``stream``'s file at /dev/null, as Python's documentation advises after a
    broken pipe, so the final flush of what is still buffered cannot fail."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (tests, IDEs)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


class _Tolerant:
    """A text stream that, once a write fails (its reader went away, its disk is full),
    drops the rest instead of raising."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.broken: OSError | None = None

    def write(self, text: str) -> int:
        if self.broken is None:
            try:
                return int(self.stream.write(text))
            except OSError as error:
                self.broken = error
        return len(text)

    def flush(self) -> None:
        if self.broken is None:
            try:
                self.stream.flush()
            except OSError as error:
                self.broken = error

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding …
        return getattr(self.stream, name)


@contextlib.contextmanager
def printing_cannot_stop_the_work() -> Iterator[None]:
    """While a command does work worth keeping (``train``'s model): a reader of its
    output that goes away (``| head``) or a full disk under it ends the printing, not the
    work, which goes on quietly to its end."""
    streams = sys.stdout, sys.stderr
    tolerant = _Tolerant(sys.stdout), _Tolerant(sys.stderr)
    sys.stdout, sys.stderr = tolerant
    try:
        yield
    finally:
        sys.stdout, sys.stderr = streams
        for wrapper, stream in zip(tolerant, streams, strict=True):
            if wrapper.broken is not None:
                discard(stream)
        failed = tolerant[0].broken
        if failed is not None and not isinstance(failed, BrokenPipeError):  # a full disk
            with contextlib.suppress(OSError):
                print(f"glassnet: the rest of the output was lost ({failed.strerror})",
                      file=sys.stderr)  # fmt: skip


def print_json(document: Any) -> None:
    """Print one JSON document on stdout (UTF-8 kept readable, floats at full precision)."""
    from glassnet.serialization import to_jsonable  # here: `glassnet --help` skips NumPy

    json.dump(to_jsonable(document), sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def check_out_file(path: str, option: str = "--out", *, reads: Sequence[str] = ()) -> str:
    """Check before any work that the command may write its output ``path`` (given as
    ``option``), and return it.

    Raises UserError when ``path`` is one of the files the command ``reads`` (writing it
    would destroy the input), a folder, or in a folder that is missing or not writable.
    A FIFO or a device (``/dev/null``, ``/dev/stdout``) passes: it is written into.
    """
    from glassnet.serialization import check_writable

    for source in reads:
        if _same_file(path, source):
            raise UserError(
                f"{option} {path} is the file this command reads ({source}); writing it would "
                "destroy it, so give another path"
            )
    try:
        return check_writable(path)
    except ValueError as error:
        folder = os.path.dirname(os.path.realpath(path)) if path else "."
        fix = "" if os.path.isdir(folder) else "; create it first or choose another path"
        raise UserError(f"{option}: {error}{fix}") from None


def _is_text(head: bytes) -> bool:
    """Whether a file's first bytes are text (a table, a note): no NUL byte, and none of
    the binary kinds' first bytes."""
    binary = (says for kind, (_, _, says) in KINDS.items() if kind != "text")
    return b"\x00" not in head and not any(says(head) for says in binary)


KINDS: dict[str, tuple[tuple[str, ...], str, Callable[[bytes], bool]]] = {
    # kind: (the names that say it, what it is, whether its first bytes say it)
    "model": ((".safetensors",), "a glassnet model file", lambda head: head[8:9] == b"{"),
    "onnx": ((".onnx",), "an ONNX file", lambda head: head[:1] == b"\x08"),
    # the table reader's PARQUET_SUFFIXES (not imported: this module loads before NumPy)
    "parquet": ((".parquet", ".pq", ".parq"), "a Parquet file", lambda h: h[:4] == b"PAR1"),
    "png": ((".png",), "a PNG image", lambda head: head[:8] == b"\x89PNG\r\n\x1a\n"),
    "gif": ((".gif",), "a GIF image", lambda head: head[:4] == b"GIF8"),
    "pdf": ((".pdf",), "a PDF document", lambda head: head[:5] == b"%PDF-"),
    "svg": ((".svg",), "an SVG image", lambda head: b"<svg" in head[:4096]),
    "text": ((), "a text file (a table)", _is_text),
}
"""The kinds of file a command writes, and how each is told: a safetensors file is 8 bytes
of header length, then its JSON header; an ONNX file a protobuf whose first field is the
IR version; the others their magic numbers, or text."""


def check_replaces_only(path: str, option: str, kind: str) -> None:
    """Refuse to replace an existing file at ``path`` that is not of ``kind`` (a key of
    ``KINDS``): its first bytes must say that kind, or its name must while its bytes say
    no other (a damaged file of the kind). ``glassnet export model.safetensors data.csv``
    wrote ONNX over the table; ``predict --out`` a CSV over a model; ``train --out`` a
    model over a CSV behind a link named ``.safetensors``. An empty file, or none, may be
    written; so may a FIFO or a device."""
    import stat

    names, what, holds = KINDS[kind]
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:  # not there (or unreadable: the write itself will say)
        return
    if not head or holds(head):
        return
    others = [other for other, (_, _, says) in KINDS.items() if other != kind and says(head)]
    if path.lower().endswith(names) and not others:
        return
    found = KINDS[others[0]][1] if others else f"a file that is not {what}"
    raise UserError(
        f"{option} {path} is {found}; writing {what} over it would destroy it, so give "
        "another name (or remove the file first)"
    )


def _same_file(path: str, other: str) -> bool:
    """Whether ``path`` and ``other`` name one file (through links, ``..`` or hard links)."""
    try:
        return os.path.samefile(path, other)
    except (OSError, ValueError):  # one of them does not exist (yet)
        return os.path.realpath(path) == os.path.realpath(other)


def load_model(path: str) -> Model:
    """The model in the file ``path``, as a ``Model`` (a bare network is wrapped, its task
    read from its output layer); a UserError in one line for any bad file."""
    from glassnet.model import Model
    from glassnet.serialization import load

    try:
        loaded = load(path)
    except ValueError as error:
        raise UserError(str(error)) from None
    if isinstance(loaded, Model):
        return loaded
    return Model(loaded, task=task_of(loaded))


def task_of(net: Network) -> str:
    """The task whose output layer and cost ``net`` has (``build.output_and_cost``'s rule
    read backwards); a sigmoid or softmax output with another cost (the article's sse) is
    a classification, anything else a regression."""
    from glassnet.build import TASKS, output_and_cost

    last = (net.layers[-1].activation.name, net.cost_function.name)
    for task in TASKS:
        if output_and_cost(task, net.n_outputs) == last:
            return task
    return "classification" if last[0] in ("sigmoid", "softmax") else "regression"


def read_rows(model: Model, path: str, delimiter: str | None = None) -> pl.DataFrame:
    """The table at ``path`` as ``model`` reads it: its missing-value markers, and the target
    (when there) and categorical columns as text, so labels and levels stay as written."""
    from glassnet.table import DataError, read_table

    try:
        return read_table(path, delimiter=delimiter, **_reading(model))
    except DataError as error:
        raise UserError(str(error)) from None


def read_rows_as_written(
    model: Model, path: str, delimiter: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``read_rows``, and the same rows with every cell as the file holds it (what
    ``predict`` passes through: an id "000123" stays "000123", "NA" stays "NA")."""
    from glassnet.table import DataError, read_table_as_written

    try:
        return read_table_as_written(path, delimiter=delimiter, **_reading(model))
    except DataError as error:
        raise UserError(str(error)) from None


def _reading(model: Model) -> dict[str, Any]:
    """How ``model`` reads a table: its missing-value markers, and the target (when there)
    and categorical columns as text ("007" stays "007": see ``read_table``'s text_columns)."""
    from glassnet.table import NA_VALUES

    pre = model.preprocessor
    text = ([model.target] if model.target else []) + ([] if pre is None else pre.text_columns)
    return {"na_values": NA_VALUES if pre is None else pre.na_values, "text_columns": text}


def model_inputs(model: Model, frame: pl.DataFrame, path: str, rows: Any = None) -> Array:
    """The network's input matrix (n_rows, n_inputs) for the rows of ``frame`` (read from
    ``path``; ``rows`` maps them to the file's data rows when they are a part of it):
    through the model's preprocessing; without one, the columns it stores the names of, else
    every column but the target, in order, as numbers. A bad cell is one line naming the
    file's line."""
    import numpy as np

    from glassnet.table import DataError, locate
    from glassnet.validation import first_non_finite

    if model.preprocessor is not None:
        try:
            return model.transform(frame)
        except DataError as error:
            raise UserError(str(locate(error, path, rows))) from None
    try:
        X = model.transform(frame)
    except ValueError as error:
        raise UserError(f"{path}: {error}") from None
    found = first_non_finite(X)
    if found is not None:  # a missing cell (NaN), or inf: nothing would fill it
        row, column = found
        value = X[row, column]
        where = locate(DataError("{place0}", [row]), path, rows)  # "path, line N"
        name = model.bare_input_names(frame.columns)[column]
        raise UserError(
            f"{where}, column {name!r}: "
            f"{'a missing cell' if np.isnan(value) else value}; the model stores no "
            "preprocessing to fill it, so give a finite number"
        )
    return X


def model_outputs(model: Model, frame: pl.DataFrame, path: str) -> Array:
    """The network's outputs (n_rows, n_outputs) for every row of ``frame``: through the
    model's preprocessing a block of rows at a time (``Model.outputs``), so the whole
    encoded table is never in memory at once."""
    from glassnet.table import DataError, locate

    if model.preprocessor is None:
        return model.network.predict_outputs(model_inputs(model, frame, path))
    try:
        return model.outputs(frame)
    except DataError as error:
        raise UserError(str(locate(error, path))) from None


def target_not_numbers(
    labels: list[Any], path: str, target: str, rows: Any, fix: str
) -> UserError | None:
    """The one line for a target that should hold numbers but has cells that are not
    (named by their file lines, the first three), or None when every cell is a number.
    ``rows`` maps the labels to the file's data rows; ``fix`` says what to do."""
    from glassnet.model import non_numbers
    from glassnet.table import DataError, braced, cells_named, locate

    bad = non_numbers(labels)
    if not bad:
        return None
    first = bad[:3]
    shown = cells_named([str(labels[r]) for r in first], len(bad))
    if len(bad) == len(labels):
        what = "text, not numbers"
    else:
        what = f"numbers except {len(bad)} cell{'s' * (len(bad) > 1)}"
    error = DataError(f"the target {braced(target)} holds {what} ({shown}); {fix}", first)
    return UserError(str(locate(error, path, rows)))


def fill_counts(model: Model) -> str | None:
    """One line saying which cells the preprocessing filled in, or None."""
    if model.preprocessor is None:
        return None
    counts = model.preprocessor.transform_counts_
    parts = []
    for key, one, many in (
        ("missing", "missing cell filled", "missing cells filled"),
        ("unseen", "unseen category", "unseen categories"),
        ("other", "rare or unseen level read as (other)", "rare or unseen levels read as (other)"),
    ):
        found = counts.get(key) or {}
        if found:
            total = sum(found.values())
            each = ", ".join(f"{column} {n}" for column, n in found.items())
            parts.append(f"{total} {one if total == 1 else many} ({each})")
    return "; ".join(parts) or None


_ALLOCATOR_TUNED = False


def keep_freed_memory() -> None:
    """Let glibc keep freed blocks of up to 32 MiB for reuse instead of returning them.

    ``predict`` and ``evaluate`` encode and feed forward 16,384 rows at a time: every block
    makes arrays of about 13 MB (z and a of a 100-unit layer) and frees them. By default
    glibc maps each such array fresh from the kernel and gives it back when it is freed,
    so every block pays a page fault per 4 KiB: 0.45 s of a 1M-row ``predict``'s 3.5 s
    here. Raising the mmap threshold to 32 MiB (glibc's largest) and the trim threshold
    to 128 MiB keeps them in the heap; at most 128 MiB of freed memory is held. A
    process-wide setting, so the command line makes it and the library does not. Set
    once per process, on Linux with glibc, unless the user chose ``MALLOC_MMAP_THRESHOLD_``
    or ``MALLOC_TRIM_THRESHOLD_`` already.
    """
    import ctypes

    global _ALLOCATOR_TUNED
    if _ALLOCATOR_TUNED or not sys.platform.startswith("linux"):
        return
    _ALLOCATOR_TUNED = True
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt  # glibc; musl has none
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    mallopt(m_mmap_threshold, 32 << 20)
    mallopt(m_trim_threshold, 128 << 20)


# ----- a model's columns, as train and info show them ------------------------------------
def column_rows(model: Model) -> list[dict[str, Any]]:
    """One entry per column: name, role, and what it becomes (for the table and --json)."""
    if model.preprocessor is None:
        return []
    return [
        {**column, "encoding": detail}
        for column, (_, _, detail) in zip(
            model.preprocessor.columns_, model.preprocessor.report(), strict=True
        )
    ]


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def padded(text: str, width: int) -> str:
    """``text`` and spaces up to ``width`` terminal columns (CJK characters take two)."""
    return text + " " * (width - display_width(text))


def print_column_table(rows: list[dict[str, Any]], stream: Any = None) -> None:
    """The columns as an aligned table: name, role, encoding."""
    name_width = max([6, *(display_width(r["name"]) for r in rows)])
    print(f"{padded('column', name_width)}  {'role':<11}  encoding", file=stream)
    for row in rows:
        print(
            f"{padded(row['name'], name_width)}  {row['role']:<11}  {row['encoding']}", file=stream
        )
