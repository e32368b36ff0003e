"""Tables in, arrays out: CSV reading with exact error positions, scaling, label encoding.

``read_csv`` turns a CSV file into a float64 feature matrix and a target column. It
accepts what a person's table usually looks like (UTF-8 with or without a BOM, CRLF line
ends, quoted fields, spaces around values, blank lines, headers in any language) and
refuses the rest with one line that names the file, the line, the column and the value,
and says what to do.

Speed: the file is read in chunks of about 1 MiB, parsed in worker threads and copied into
one array at the end, so memory stays near twice the result and no Python list of rows is
ever built. A chunk of plain numbers goes through ``glassnet.csv_numbers.parse_chunk``
(vectorized NumPy, exact as ``float``); anything else (quotes inside values, spaces inside
values, text, errors) goes through the standard ``csv`` module row by row, which is slower
but reads every dialect detail and pins each error to its line.

Task detection (``detect_task``): a target with any non-numeric value is a
classification; a numeric target whose values are all whole numbers and has at most
``MAX_AUTO_CLASSES`` (20) distinct values is a classification too; anything else is a
regression.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet._types import Array
from glassnet.csv_numbers import parse_chunk
from glassnet.metrics import predicted_classes

CHUNK_BYTES = 1 << 20
"""Bytes read per chunk: large enough for NumPy to stream, small enough to stay in cache."""

MAX_AUTO_CLASSES = 20
"""A whole-number target with at most this many distinct values is taken as classes."""


class DataError(ValueError):
    """A CSV file (or its contents) cannot be used; the message says where and why."""


@dataclass
class Table:
    """What ``read_csv`` read.

    Attributes
    ----------
    X : (n_rows, n_features) float64, the feature columns in ``feature_names`` order.
    y : (n_rows,) the target column: float64 when every value is a number, else str; None
        when no target was asked for (or it was optional and absent).
    feature_names, target_name : the header names.
    columns : every header name, in file order.
    path : the file read.
    """

    X: Array
    y: Array | None
    feature_names: list[str]
    target_name: str | None
    columns: list[str]
    path: str


# ----- the careful path ------------------------------------------------------------------
def _parse_rows(
    text: str,
    first_line: int,
    where: str,
    columns: list[str],
    numeric: Sequence[int],
    strings: Sequence[int],
    probe: int | None = None,
) -> tuple[Array, list[list[str]]]:
    """Parse lines with the ``csv`` module, checking each cell; errors name line and column.

    A non-number in column ``probe`` (the target, read as numbers first) raises
    ``_TextTarget`` so the caller reads the target as text instead.
    """
    n_columns = len(columns)
    rows: list[list[float]] = []
    texts: list[list[str]] = [[] for _ in strings]
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    line = first_line - 1  # the last line read so far
    for row in reader:
        row_start = line + 1
        line = first_line + reader.line_num - 1
        if not row or all(not cell.strip() for cell in row):
            continue  # a blank line
        if any("\n" in cell or "\r" in cell for cell in row):
            raise DataError(
                f"{where}, line {row_start}: a quote opened on this line is not closed on it; "
                'close it (a quote inside a quoted value is written "")'
            )
        if len(row) != n_columns:
            raise DataError(
                f"{where}, line {line}: {len(row)} value{'s' * (len(row) != 1)} but the header "
                f"has {n_columns} "
                f"columns; every row needs one value per column "
                f"({', '.join(columns)})"
            )
        values = []
        for j in numeric:
            cell = row[j].strip()
            if j == probe and cell and not is_number(cell):
                raise _TextTarget
            values.append(_number(cell, where, line, columns[j]))
        rows.append(values)
        for out, j in zip(texts, strings, strict=True):
            cell = row[j].strip()
            if not cell:
                raise _empty(where, line, columns[j])
            out.append(cell)
    array = np.array(rows, dtype=np.float64).reshape(len(rows), len(numeric))
    return array, texts


def is_number(cell: str) -> bool:
    """Whether ``float(cell)`` reads ``cell`` (any float Python takes: nan and inf too)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True


class _TextTarget(Exception):
    """The target column holds text: read it again as labels."""


def _empty(where: str, line: int, column: str) -> DataError:
    """The error for an empty cell, in a column of numbers or of labels alike."""
    return DataError(
        f"{where}, line {line}, column {column!r}: the cell is empty; fill in a value or "
        "remove the row"
    )


def _number(cell: str, where: str, line: int, column: str) -> float:
    """``float(cell)`` or a DataError that says where the cell is and what is wrong."""
    if not cell:
        raise _empty(where, line, column)
    try:
        value = float(cell)
    except ValueError:
        raise DataError(
            f"{where}, line {line}, column {column!r}: {cell!r} is not a number; fix the "
            f"value, or pass --ignore {column} to leave the column out"
        ) from None
    if not math.isfinite(value):
        raise DataError(
            f"{where}, line {line}, column {column!r}: {cell!r} is not a finite number; "
            "replace it with a real value or remove the row"
        )
    return value


# ----- reading a file ----------------------------------------------------------------------
def _open(path: str | os.PathLike[str]) -> tuple[Any, str]:
    """Open ``path`` for binary reading after the checks a user's mistake needs."""
    where = os.fspath(path)
    if not os.path.exists(where):
        raise DataError(f"{where}: no such file; check the path")
    if os.path.isdir(where):
        raise DataError(f"{where} is a folder, not a CSV file; give the path of the file")
    if os.path.getsize(where) == 0:
        raise DataError(f"{where} is empty; a CSV file needs a header line and data rows")
    handle = open(where, "rb")  # noqa: SIM115 - closed by the caller
    head = handle.read(8192)
    handle.seek(0)
    if b"\x00" in head:
        handle.close()
        raise DataError(f"{where} is a binary file, not CSV text; give a CSV file (UTF-8)")
    return handle, where


def _read_header(handle: Any, where: str) -> tuple[list[str], int]:
    """Return the header names and the header's line number (blank lines before it skip)."""
    line_no = 0
    while True:
        raw = handle.readline()
        if not raw:
            raise DataError(f"{where} has no header line; the first line must name the columns")
        line_no += 1
        if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # the UTF-8 byte order mark some editors write
        if raw.strip():
            break
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise DataError(
            f"{where}, line {line_no}: the header is not UTF-8 text; save the file as UTF-8 CSV"
        ) from None
    names = [name.strip() for name in next(csv.reader([text], skipinitialspace=True))]
    for i, name in enumerate(names):
        if not name:
            raise DataError(f"{where}, line {line_no}: column {i + 1} has no name in the header")
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(
                f"{where}, line {line_no}: the column name {name!r} appears twice in the header"
            )
        seen.add(name)
    return names, line_no


def _column_list(names: Sequence[str]) -> str:
    return ", ".join(names)


def read_csv(
    path: str | os.PathLike[str],
    target: str | None = None,
    *,
    ignore: Sequence[str] = (),
    features: Sequence[str] | None = None,
    target_optional: bool = False,
) -> Table:
    """Read a CSV file with a header line into arrays.

    Parameters
    ----------
    path : the file.
    target : the name of the target column (anywhere in the table); None reads no target.
    ignore : columns to leave out.
    features : the feature columns to read, in this order (a saved model's); None takes
        every column that is neither the target nor ignored, in file order. Other columns
        are skipped.
    target_optional : with ``features`` given, a missing target column is not an error
        (``predict`` reads files with or without the answers).

    Returns
    -------
    Table with ``X`` (n_rows, n_features) float64 and ``y`` (n_rows,) float64 or str.

    Raises
    ------
    DataError (a ValueError) naming the file, line, column and value of the first problem.

    Notes
    -----
    Each chunk makes a few dozen temporary arrays of about 1 MiB; glibc's default malloc
    returns each to the kernel when freed, so parsing pays page faults again and again. The
    command line calls ``glassnet.cli.common.keep_freed_memory()`` (a process-wide setting,
    so the library leaves that choice to the program) and reads about 3× faster.
    """
    handle, where = _open(path)
    with handle:
        columns, header_line = _read_header(handle, where)
        index = {name: i for i, name in enumerate(columns)}
        unknown = [name for name in ignore if name not in index]
        if unknown:
            raise DataError(
                f"{where}: --ignore names {_column_list(unknown)}, not in the header; "
                f"the columns are {_column_list(columns)}"
            )
        if target is not None and target not in index and not target_optional:
            raise DataError(
                f"{where}: no column named {target!r}; the columns are {_column_list(columns)}"
            )
        target_at = index.get(target) if target is not None else None
        if features is None:
            feature_names = [name for name in columns if name != target and name not in set(ignore)]
            if not feature_names:
                raise DataError(
                    f"{where}: no feature columns left besides the target {target!r}; the "
                    "table needs at least one input column"
                )
        else:
            feature_names = list(features)
            missing = [name for name in feature_names if name not in index]
            if missing:
                raise DataError(
                    f"{where}: the model needs the columns {_column_list(missing)}, which "
                    f"the file lacks; its columns are {_column_list(columns)}"
                )
        feature_at = [index[name] for name in feature_names]
        X, y = _read_body(handle, where, columns, header_line, feature_at, target_at)
    if X.shape[0] == 0:
        raise DataError(f"{where} has a header but no data rows; add rows below the header")
    return Table(X, y, feature_names, target if target_at is not None else None, columns, where)


def _read_body(
    handle: Any,
    where: str,
    columns: list[str],
    header_line: int,
    feature_at: list[int],
    target_at: int | None,
) -> tuple[Array, Array | None]:
    """Read every data row: first taking the target as numbers, then as text if it is not."""
    start = handle.tell()
    try:
        return _read_chunks(handle, where, columns, header_line, feature_at, target_at, False)
    except _TextTarget:
        handle.seek(start)
        return _read_chunks(handle, where, columns, header_line, feature_at, target_at, True)


def _chunks(handle: Any) -> Iterator[bytes]:
    """The rest of the file in pieces of about ``CHUNK_BYTES``, each ending with a newline."""
    while True:
        block = handle.read(CHUNK_BYTES)
        if not block:
            return
        if not block.endswith(b"\n"):
            block += handle.readline()  # finish the line the read stopped in
            if not block.endswith(b"\n"):
                block += b"\n"  # the file's last line had no newline
        yield block


def _read_chunks(
    handle: Any,
    where: str,
    columns: list[str],
    header_line: int,
    feature_at: list[int],
    target_at: int | None,
    text_target: bool,
) -> tuple[Array, Array | None]:
    """Parse every chunk: plain ones in worker threads (NumPy releases the GIL), the rest,
    in file order, with the ``csv`` module so an error names its exact line."""
    numeric = list(feature_at)
    if target_at is not None and not text_target:
        numeric.append(target_at)
    strings = [target_at] if target_at is not None and text_target else []
    numeric_index = np.array(numeric, dtype=np.int64)
    probe = None if text_target else target_at
    blocks: list[Array] = []
    labels: list[Array] = []
    line = header_line + 1

    def take(data: bytes, parsed: tuple[Array, list[list[str]]] | None) -> None:
        nonlocal line
        if parsed is None:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                bad_line = line + data[: error.start].count(b"\n")
                raise DataError(
                    f"{where}, line {bad_line}: the bytes are not UTF-8 text; save the file "
                    "as UTF-8 CSV"
                ) from None
            parsed = _parse_rows(text, line, where, columns, numeric, strings, probe)
            line += data.count(b"\n")
        else:
            line += len(parsed[0])  # the fast path has one row per line
        blocks.append(parsed[0])
        if parsed[1]:
            labels.append(np.array(parsed[1][0], dtype=str))

    workers = min(4, os.cpu_count() or 1)
    pending: deque[tuple[bytes, Future[Any]]] = deque()
    with ThreadPoolExecutor(workers) as pool:
        try:
            for data in _chunks(handle):
                pending.append(
                    (data, pool.submit(parse_chunk, data, len(columns), numeric_index, strings))
                )
                if len(pending) > 2 * workers:  # bounded, so memory stays bounded
                    data, future = pending.popleft()
                    take(data, future.result())
            while pending:
                data, future = pending.popleft()
                take(data, future.result())
        except BaseException:
            for _, future in pending:
                future.cancel()
            raise
        # the blocks into X (and y), in the same worker threads
        n_rows = sum(len(block) for block in blocks)
        n_features = len(feature_at)
        X = np.empty((n_rows, n_features), dtype=np.float64)
        y = np.empty(n_rows, dtype=np.float64) if len(numeric) > n_features else None
        starts = np.cumsum([0] + [len(block) for block in blocks]).tolist()

        def place(i: int) -> None:
            rows = slice(starts[i], starts[i + 1])
            X[rows] = blocks[i][:, :n_features]
            if y is not None:
                y[rows] = blocks[i][:, n_features]

        list(pool.map(place, range(len(blocks))))
    del blocks[:]
    if text_target:
        return X, np.concatenate(labels) if labels else np.array([], dtype=str)
    return X, y


# ----- the target: task, classes and encoding -----------------------------------------------
def detect_task(y: Array) -> str:
    """ "classification" or "regression" for a target column (see the module's rule)."""
    if y.dtype.kind in "USO":
        return "classification"
    whole = bool(np.all(np.equal(np.mod(y, 1), 0)))
    if whole and len(np.unique(y)) <= MAX_AUTO_CLASSES:
        return "classification"
    return "regression"


def find_classes(y: Array, where: str, target: str) -> list[Any]:
    """The sorted distinct labels of ``y`` (whole numbers as int), at least two of them."""
    classes = np.unique(y)
    if len(classes) < 2:
        value = _label_text(classes[0]) if len(classes) else "none"
        raise DataError(
            f"{where}: the target {target!r} has only one class ({value}); a classifier "
            "needs examples of at least two"
        )
    if classes.dtype.kind == "f" and np.all(np.mod(classes, 1) == 0):
        return [int(c) for c in classes]
    return [c.item() for c in classes]


def encode_labels(y: Array, classes: Sequence[Any], where: str, target: str) -> Array:
    """The class index (0..k-1) of every label in ``y``; unknown labels are an error."""
    if y.dtype.kind in "USO" or any(isinstance(c, str) for c in classes):
        # compare as text; numbers read from the file are written as the file would
        keys = np.array([str(c) for c in classes])
        values = y.astype(str) if y.dtype.kind in "USO" else _as_text(y)
    else:
        keys = np.array([float(c) for c in classes])
        values = y
    order = np.argsort(keys)
    found = np.searchsorted(keys[order], values)
    found = np.minimum(found, len(keys) - 1)
    index = order[found]
    unknown = keys[index] != values
    if unknown.any():
        row = int(np.flatnonzero(unknown)[0])
        raise DataError(
            f"{where}, {_row_place(where, row)}: the target {target!r} is "
            f"{_label_text(values[row])}, "
            f"which is not one of the model's classes ({', '.join(map(str, classes))})"
        )
    return index.astype(np.int64)


def _row_place(where: str, row: int) -> str:
    """Where data row ``row`` (from 0) of the CSV file ``where`` is, as "line N", found by
    reading the file again (only for an error message); "data row N" when it is no file."""
    if not os.path.isfile(where):
        return f"data row {row + 1}"
    with open(where, "rb") as handle:
        _, line = _read_header(handle, where)
        text = io.TextIOWrapper(handle, encoding="utf-8", errors="replace", newline="")
        reader = csv.reader(text, skipinitialspace=True)
        seen = -1
        for cells in reader:
            if cells and any(cell.strip() for cell in cells):
                seen += 1
                if seen == row:
                    return f"line {line + reader.line_num}"
    return f"data row {row + 1}"


def _label_text(value: Any) -> str:
    """One label as the user wrote it: 'setosa' quoted, a whole number without ".0"."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _as_text(values: Array) -> Array:
    """Numbers as label text: whole numbers without a decimal point."""
    return np.array([str(int(v)) if v == int(v) else repr(float(v)) for v in values.tolist()])


def one_hot(index: Array, n_outputs: int, dtype: Any = np.float64) -> Array:
    """Network targets for class indices ``index`` : (n,), for a net of ``n_outputs`` outputs.

    One output (a sigmoid, two classes): a (n, 1) column of 0/1; else one-hot (n, n_outputs).
    """
    if n_outputs == 1:
        return index.astype(dtype).reshape(-1, 1)
    out = np.zeros((len(index), n_outputs), dtype=dtype)
    out[np.arange(len(index)), index] = 1.0
    return out


def class_probabilities(outputs: Array) -> Array:
    """(n, k) class probabilities from network outputs: a sigmoid column becomes two."""
    if outputs.shape[1] == 1:
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    return outputs


# ----- feature scaling ---------------------------------------------------------------------
class Scaler:
    """Standardize features: ``(x − mean) / scale``, scale the standard deviation.

    A constant column gets scale 1, so it becomes 0 rather than NaN. "Constant" is relative
    to the column's own size: a column spread over 1e-13 around 1e-13 is kept, one whose
    spread is below 1e-12 of its mean (rounding noise) is not.
    """

    CONSTANT = 1e-12
    """A column whose standard deviation is at most this times |mean| counts as constant."""

    def __init__(self, mean: Any = None, scale: Any = None) -> None:
        self.mean: Array | None = None if mean is None else np.asarray(mean, dtype=np.float64)
        self.scale: Array | None = None if scale is None else np.asarray(scale, dtype=np.float64)

    def fit(self, X: Array, chunk_rows: int = 65536, names: Sequence[str] | None = None) -> Scaler:
        """Learn each column's mean and standard deviation from finite ``X`` : (n, d).

        The sums run in chunks of ``chunk_rows`` on each column divided by its largest
        |value|, so values up to the float64 limit neither overflow nor lose the small ones.

        Raises
        ------
        ValueError naming the column (from ``names``, else its number) whose values are so
        close to the float64 limit that ``x − mean`` would overflow.
        """
        n, d = X.shape
        size = np.zeros(d)
        for start in range(0, n, chunk_rows):
            np.maximum(size, np.abs(X[start : start + chunk_rows]).max(axis=0), out=size)
        size[size == 0.0] = 1.0  # an all-zero column: mean 0, scale 1
        total = np.zeros(d)
        for start in range(0, n, chunk_rows):
            total += (X[start : start + chunk_rows] / size).sum(axis=0)
        unit_mean = total / max(n, 1)
        squares = np.zeros(d)
        for start in range(0, n, chunk_rows):
            centred = X[start : start + chunk_rows] / size - unit_mean
            squares += np.einsum("ij,ij->j", centred, centred)
        unit_scale = np.sqrt(squares / max(n, 1))
        constant = unit_scale <= self.CONSTANT * np.abs(unit_mean)
        mean = unit_mean * size
        scale = np.where(constant, 1.0, unit_scale * size)
        with np.errstate(over="ignore"):
            spread = size + np.abs(mean)  # the largest |x − mean| transform can meet
        bad = ~((np.isfinite(spread) | constant) & np.isfinite(scale) & (scale > 0.0))
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            column = repr(names[j]) if names is not None else f"{j + 1}"
            raise ValueError(
                f"column {column} has values too close to the float64 limit (±1.8e308) to "
                "standardize; divide the column by a power of ten first"
            )
        self.mean, self.scale = mean, scale
        return self

    def transform(self, X: Array, inplace: bool = False) -> Array:
        """Return ``(X − mean) / scale`` : (n, d); ``inplace`` overwrites a float64 ``X``."""
        if self.mean is None or self.scale is None:
            raise ValueError("the Scaler is not fitted; call fit(X) first")
        if X.shape[1] != len(self.mean):
            raise ValueError(
                f"X has {X.shape[1]} columns but the scaler was fitted on {len(self.mean)}"
            )
        out = X if inplace else np.array(X, dtype=np.float64)
        out -= self.mean
        out /= self.scale
        return out

    def to_dict(self) -> dict[str, list[float]]:
        """JSON-able form, as stored in a model file."""
        if self.mean is None or self.scale is None:
            raise ValueError("the Scaler is not fitted; call fit(X) first")
        if not (np.isfinite(self.mean).all() and np.isfinite(self.scale).all()):
            raise ValueError("the Scaler's mean or scale is not finite; it cannot be saved")
        return {"mean": self.mean.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Scaler:
        """The scaler ``to_dict`` described."""
        return cls(values["mean"], values["scale"])


# ----- a saved model's view of a CSV ----------------------------------------------------------
def read_for_model(
    path: str | os.PathLike[str], metadata: dict[str, Any], need_target: bool
) -> Table:
    """Read the columns a trained model needs, by the names its ``metadata`` stores.

    Extra columns are skipped; the target column is read when present (and required with
    ``need_target``). Raises DataError for a model that does not name its columns.
    """
    features = metadata.get("feature_names")
    target = metadata.get("target_name")
    if not features or not target:
        raise DataError(
            "the model does not name its feature and target columns (it was not trained "
            "with glassnet train); set net.metadata['feature_names'] and ['target_name']"
        )
    return read_csv(path, target, features=features, target_optional=not need_target)


def model_inputs(metadata: dict[str, Any], X: Array) -> Array:
    """Standardize ``X`` in place with the model's stored scaler (if it has one)."""
    if metadata.get("scaler"):
        Scaler.from_dict(metadata["scaler"]).transform(X, inplace=True)
    return X


def decode_outputs(metadata: dict[str, Any], outputs: Array) -> tuple[Array, Array | None]:
    """Network outputs → (class index or value per row, class probabilities or None).

    Classification: the index into ``metadata["classes"]`` and (n, k) probabilities (one
    sigmoid output is class 1 at >= 0.5, as ``Network.predict``). Regression: the values in
    the target's own units (undoing the stored target scaling).
    """
    if metadata.get("task", "classification") == "classification" and metadata.get("classes"):
        return predicted_classes(outputs), class_probabilities(outputs)
    values = outputs[:, 0] if outputs.shape[1] == 1 else outputs
    scaling = metadata.get("target_scaler")
    if scaling:
        values = values * scaling["scale"][0] + scaling["mean"][0]
    return values, None
