"""Tables in, arrays out: CSV reading with exact error positions, scaling, label encoding.

``read_csv`` turns a CSV file into a float64 feature matrix and a target column. It
accepts what a person's table usually looks like (UTF-8 with or without a BOM, CRLF line
ends, quoted fields, spaces around values, blank lines, headers in any language) and
refuses the rest with one line that names the file, the line, the column and the value,
and says what to do.

Speed: the file is read in chunks of about 1 MiB, parsed in worker threads and copied into
one array at the end, so memory stays near twice the result and no Python list of rows is
ever built. A chunk of plain numbers (digits, signs, dots, exponents, commas, newlines) is
parsed with vectorized NumPy: separators found at once, each field's digits read 8 at a
time from one 64-bit word, the exact integer mantissa scaled by one power of ten, so every
value equals Python's ``float`` of its text (numbers too long for that go through
``float`` itself). ``_parse_dotted`` takes the most common shape, ``[+-]digits[.digits]``,
in fewer steps; ``_parse_plain`` any plain chunk. Quotes that wrap a whole field with no
comma, quote or newline inside (``"1.5"``) are dropped first; anything else (other quotes,
spaces inside values, text, errors) goes through the standard ``csv`` module row by row,
which is slower but reads every dialect detail and pins each error to its line.

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
import re
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet._types import Array
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


# ----- the plain numeric fast path ------------------------------------------------------
_COMMA, _NEWLINE, _DOT, _MINUS, _PLUS = 44, 10, 46, 45, 43
_POW10_FLOAT = 10.0 ** np.arange(23)  # every power here is exact in float64
_POW10_INT = np.array([10**k for k in range(20)], dtype=np.uint64)
_EXACT_LIMIT = np.uint64(2**53)  # integers below this are exact in float64
_SWAR = tuple(
    np.uint64(v)
    for v in (
        0x0F0F0F0F0F0F0F0F, 2561, 8,
        0x00FF00FF00FF00FF, 6553601, 16,
        0x0000FFFF0000FFFF, 42949672960001, 32,
    )
)  # fmt: skip


class _Windows:
    """The 8 bytes at any position of a byte buffer as one little-endian uint64.

    Gathering 8-byte words at unaligned positions straight from the bytes is slow in NumPy,
    so the bytes are copied once into an aligned uint64 array ``words``; the word at ``p``
    joins ``words[p // 8]`` shifted down by ``8·(p % 8)`` bits with ``words[p // 8 + 1]``
    shifted up by the rest.
    """

    _scratch = threading.local()  # each thread reuses its buffer: no fresh pages per chunk

    def __init__(self, data: bytes) -> None:
        n_words = len(data) // 8 + 2
        scratch = self._scratch
        if getattr(scratch, "words", None) is None or len(scratch.words) < n_words:
            scratch.words = np.empty(n_words, dtype=np.uint64)
        self.words = scratch.words[:n_words]
        as_bytes = self.words.view(np.uint8)
        as_bytes[: len(data)] = np.frombuffer(data, dtype=np.uint8)
        as_bytes[len(data) :] = 0
        self.bytes = as_bytes[: len(data)]

    def take(self, pos: Array) -> Array:
        """The words starting at each position of ``pos``."""
        index = pos >> 3
        shift = ((pos & 7) << 3).astype(np.uint64)
        word: Array = self.words.take(index)
        word >>= shift
        upper = self.words.take(index + 1)
        upper <<= np.uint64(63) - shift  # a shift by 64 is undefined: 63, then 1
        upper <<= np.uint64(1)
        word |= upper
        return word


def _combine(w: Array, n: Array) -> Array:
    """The integer value of the first ``n`` (0..8) ASCII digits of each 8-byte word ``w``.

    ``w`` holds 8 bytes as one little-endian uint64 (first character lowest). Multiplying
    by ``2**(8·(8 − n))`` shifts out what follows the digits and fills leading zeros (and
    makes ``n = 0`` give 0); three multiply-shift steps then combine 8 digits into 4 pairs,
    2 quads and 1 number (Lemire's "parse eight digits" trick), all elementwise, in place.
    """
    w *= _SHIFT.take(n)
    mask1, mul1, sh1, mask2, mul2, sh2, mask3, mul3, sh3 = _SWAR
    w &= mask1
    w *= mul1
    w >>= sh1
    w &= mask2
    w *= mul2
    w >>= sh2
    w &= mask3
    w *= mul3
    w >>= sh3
    return w


def _digits(window: _Windows, pos: Array, n: Array) -> Array:
    """The integer value of the ``n`` (0..8) ASCII digits starting at each ``pos``;
    ``window[p]`` is the 8 bytes at ``p`` as one uint64."""
    return _combine(window.take(pos), n)


_SIGN = np.array([1.0, -1.0])
_LOW_BYTES = np.array([(1 << (8 * i)) - 1 for i in range(9)], dtype=np.uint64)
_SHIFT = np.array([0] + [2 ** (8 * (8 - n)) for n in range(1, 9)], dtype=np.uint64)


def _digit_run(window: _Windows, pos: Array, n: Array) -> Array:
    """``_digits`` for runs of up to 16 digits (the few longer than 8 in a second step)."""
    value = _digits(window, pos, np.minimum(n, 8))
    long = np.flatnonzero(n > 8)
    if len(long):
        pos, high = pos[long], n[long] - 8
        value[long] = _digits(window, pos, high) * _POW10_INT[8] + _digits(
            window, pos + high, np.full_like(high, 8)
        )
    return value


# what each non-digit byte is, for _parse_plain
_OTHER, _SEP, _DOT_KIND, _EXP_KIND, _MINUS_KIND, _PLUS_KIND = range(6)
_KIND = np.zeros(256, dtype=np.uint8)
_KIND[[_COMMA, _NEWLINE]] = _SEP
_KIND[_DOT] = _DOT_KIND
_KIND[[ord("e"), ord("E")]] = _EXP_KIND
_KIND[_MINUS] = _MINUS_KIND
_KIND[_PLUS] = _PLUS_KIND


def _mark(position: Array, field: Array, n_fields: int, bad: Array) -> Array:
    """Position of the one mark (dot or exponent) in each field, -1 where none.

    ``position`` and ``field`` list the marks in file order; a field with two is bad.
    """
    out = np.full(n_fields, -1, dtype=np.int64)
    if len(field):
        bad[field[1:][field[1:] == field[:-1]]] = True
        out[field] = position
    return out


def _mantissa(
    window: _Windows,
    word: Array,
    first: Array,
    dot: Array,
    int_len: Array,
    frac_len: Array,
    has_dot: Array,
) -> Array:
    """Every field's digits, without the dot, as one integer (uint64).

    ``word`` is the 8 bytes at each field's ``first`` digit. Most numbers fit that word
    with their dot: drop the dot (shift the fraction's bytes down by one) and combine all
    digits at once. Longer ones take their integer and fraction parts apart.
    """
    low = _LOW_BYTES.take(np.minimum(int_len, 8))
    shifted = word >> np.uint64(8)
    # keep the low bytes of word and the rest of shifted: shifted ^ ((shifted ^ word) & low)
    word ^= shifted
    word &= low
    word ^= shifted
    mantissa = _combine(word, np.minimum(int_len + frac_len, 8))
    longer = np.flatnonzero(int_len + frac_len + has_dot > 8)
    if len(longer):
        i_len, f_len = int_len[longer], frac_len[longer]
        i_at, f_at = first[longer], dot[longer] + 1
        part = _digits(window, i_at, np.minimum(i_len, 8))
        part *= _POW10_INT.take(f_len)
        part += _digits(window, f_at, np.minimum(f_len, 8))
        longest = np.flatnonzero((i_len > 8) | (f_len > 8))
        if len(longest):
            i_len, f_len = i_len[longest], f_len[longest]
            part[longest] = _digit_run(window, i_at[longest], i_len) * _POW10_INT.take(
                f_len
            ) + _digit_run(window, f_at[longest], f_len)
        mantissa[longer] = part
    return mantissa


_DOTS8 = np.uint64(0x2E2E2E2E2E2E2E2E)
_ONES8 = np.uint64(0x0101010101010101)
_HIGH8 = np.uint64(0x8080808080808080)
_BYTE_INDEX = np.uint64(0x0001020304050607)


def _field_starts(b: Array, ends: Array, n_columns: int) -> Array | None:
    """Where each field starts, given where each ends (its comma or newline), or None when
    the fields do not make whole rows of ``n_columns`` (the careful reader then takes over).
    """
    is_newline = b.take(ends) == _NEWLINE
    n_rows = int(np.count_nonzero(is_newline))
    if (
        n_rows == 0
        or len(ends) != n_rows * n_columns
        or not is_newline[n_columns - 1 :: n_columns].all()
    ):
        return None
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    return starts


def _parse_dotted(data: bytes, window: _Windows, n_columns: int) -> Array | None:
    """The common case, fast: every field is ``[+-]digits[.digits]``, its dot within the
    8 bytes after the sign. Returns (n_rows, n_columns) values, or None for anything else.

    Each field's dot is found inside its first 8-byte word (a zero-byte search on the word
    XOR "........"); one count then proves there is nothing else: the non-digit bytes must
    be exactly the separators, those dots and the leading signs.
    """
    b = window.bytes
    ends = np.flatnonzero((b == _COMMA) | (b == _NEWLINE))
    starts = _field_starts(b, ends, n_columns)
    if starts is None:
        return None
    n_fields = len(ends)
    n_rows = n_fields // n_columns
    lead = b.take(starts)
    neg = lead == _MINUS
    signed = neg | (lead == _PLUS)
    first = starts + signed
    length = ends - first
    word = window.take(first)
    x = word ^ _DOTS8
    zero = (x - _ONES8) & ~x & _HIGH8  # the lowest flag marks the first "." byte
    lowest = zero & (~zero + np.uint64(1))
    at = (((lowest >> np.uint64(7)) * _BYTE_INDEX) >> np.uint64(56)).astype(np.int64)
    has_dot = (zero != 0) & (at < length)
    expected = n_fields + np.count_nonzero(has_dot) + np.count_nonzero(signed)
    # a few numbers with an exponent (as %g writes tiny ones) go through float()
    exponents = np.flatnonzero((b | np.uint8(32)) == ord("e"))
    hard = np.zeros(n_fields, dtype=bool)
    if len(exponents):
        if len(exponents) > n_fields // 64 + 1:
            return None  # many: the general path handles them in bulk
        fields = np.array(sorted(set(np.searchsorted(ends, exponents).tolist())), dtype=np.int64)
        hard[fields] = True
        expected -= int(np.count_nonzero(has_dot[fields]) + np.count_nonzero(signed[fields]))
        for a, z in zip(starts[fields].tolist(), ends[fields].tolist(), strict=True):
            expected += len(data[a:z].translate(None, b"0123456789"))
    if np.count_nonzero((b - np.uint8(48)) > 9) != expected:
        return None
    int_len = np.where(has_dot, at, length)
    frac_len = np.where(has_dot, length - at - 1, 0)
    if (int_len + frac_len == 0).any():
        return None
    hard |= (int_len > 16) | (frac_len > 16) | (int_len + frac_len > 19)
    if hard.any():
        int_len[hard], frac_len[hard] = 0, 0
    mantissa = _mantissa(window, word, first, first + at, int_len, frac_len, has_dot)
    values = mantissa.astype(np.float64)
    values /= _POW10_FLOAT.take(frac_len)
    values *= _SIGN.take(neg.view(np.uint8))
    for i in np.flatnonzero(hard | (mantissa >= _EXACT_LIMIT)).tolist():
        try:
            values[i] = float(data[starts[i] : ends[i]])
        except ValueError:
            return None  # e.g. "1e5e5": the careful path will name it
    return values.reshape(n_rows, n_columns)


def _parse_plain(
    data: bytes, n_columns: int, numeric: Array, text: Sequence[int]
) -> tuple[Array, list[list[str]]] | None:
    """Parse a chunk of whole lines of plain CSV, or return None if it is not plain.

    Returns the values of the ``numeric`` columns (n_rows, len(numeric)) and the raw
    strings of the ``text`` columns. Plain means: no quotes, every row has ``n_columns``
    fields, no empty field, and each numeric field is
    ``[+-]digits[.digits][(e|E)[+-]digits]``. Other columns may hold anything but quotes.
    """
    size = len(data)
    if not size or b'"' in data:
        return None
    window = _Windows(data)
    b = window.bytes
    if not text:
        values = _parse_dotted(data, window, n_columns)
        if values is not None:
            if len(numeric) != n_columns or (numeric != np.arange(n_columns)).any():
                values = values[:, numeric]
            return values, []
    # every byte that is not a digit, in file order: separators, dots, exponents, signs, text
    special = np.flatnonzero((b - np.uint8(48)) > 9)
    kind = _KIND.take(b.take(special))
    is_sep = kind == _SEP
    sep_at = np.flatnonzero(is_sep)
    ends = special.take(sep_at)
    starts = _field_starts(b, ends, n_columns)
    if starts is None:
        return None
    n_fields = len(ends)
    n_rows = n_fields // n_columns
    bad = starts == ends  # an empty field
    # the marks inside fields, with the field each lies in (the separators before it)
    inside = np.flatnonzero(~is_sep)
    field = (np.cumsum(is_sep) - is_sep).take(inside)
    position = special.take(inside)
    kind = kind.take(inside)
    dots = np.flatnonzero(kind == _DOT_KIND)
    dot = _mark(position.take(dots), field.take(dots), n_fields, bad)
    exps = np.flatnonzero(kind == _EXP_KIND)
    exp = _mark(position.take(exps), field.take(exps), n_fields, bad)
    bad[field[kind == _OTHER]] = True
    # a sign may open the field or the exponent, nowhere else
    signs = np.flatnonzero(kind >= _MINUS_KIND)
    sign_field = field.take(signs)
    sign_position = position.take(signs)
    lead = sign_position == starts.take(sign_field)
    after_exp = (b.take(sign_position - 1) | np.uint8(32)) == ord("e")
    bad[sign_field[~(lead | after_exp)]] = True
    neg = np.zeros(n_fields, dtype=bool)
    neg[sign_field[lead & (kind.take(signs) == _MINUS_KIND)]] = True
    first = starts.copy()
    first[sign_field[lead]] += 1

    text_bounds = [(starts[c::n_columns].tolist(), ends[c::n_columns].tolist()) for c in text]
    if len(numeric) != n_columns or (numeric != np.arange(n_columns)).any():
        index = (np.arange(n_rows)[:, None] * n_columns + numeric[None, :]).ravel()
        bad, starts, first, ends, dot, exp, neg = (
            bad[index], starts[index], first[index], ends[index], dot[index], exp[index],
            neg[index],
        )  # fmt: skip
    if bad.any():
        return None
    has_dot, has_exp = dot >= 0, exp >= 0
    mantissa_end = np.where(has_exp, exp, ends)
    if (has_dot & has_exp & (dot > exp)).any():
        return None
    int_len = np.where(has_dot, dot, mantissa_end) - first
    frac_len = np.where(has_dot, mantissa_end - dot - 1, 0)
    if ((int_len + frac_len) == 0).any():
        return None
    # fields the exact fast path cannot take go through float() one by one
    hard = (int_len > 16) | (frac_len > 16) | (int_len + frac_len > 19)
    if hard.any():
        int_len[hard], frac_len[hard] = 0, 0
    mantissa = _mantissa(window, window.take(first), first, dot, int_len, frac_len, has_dot)
    values = mantissa.astype(np.float64)
    values /= _POW10_FLOAT.take(frac_len)
    e_at = np.flatnonzero(has_exp)
    if len(e_at):
        e_first = exp[e_at] + 1
        e_sign = b[e_first]
        e_first += (e_sign == _MINUS) | (e_sign == _PLUS)
        e_len = ends[e_at] - e_first
        if (e_len == 0).any():
            return None
        hard[e_at[e_len > 3]] = True
        e_value = _digits(window, e_first, np.minimum(e_len, 3)).astype(np.int64)
        power = np.where(e_sign == _MINUS, -e_value, e_value) - frac_len[e_at]
        hard[e_at[(power > 22) | (power < -22)]] = True
        power = np.clip(power, -22, 22)
        # one correctly rounded step from the exact mantissa, as float() would give
        scaled = mantissa[e_at].astype(np.float64)
        up = power >= 0
        values[e_at] = np.where(
            up, scaled * _POW10_FLOAT[np.abs(power)], scaled / _POW10_FLOAT[np.abs(power)]
        )
    hard |= mantissa >= _EXACT_LIMIT
    values *= _SIGN.take(neg.view(np.uint8))
    for i in np.flatnonzero(hard).tolist():
        values[i] = float(data[starts[i] : ends[i]])
    strings = []
    for s, e in text_bounds:
        try:
            strings.append([data[a:z].decode("utf-8").strip() for a, z in zip(s, e, strict=True)])
        except UnicodeDecodeError:
            return None
        if not all(strings[-1]):
            return None  # an empty label: the careful path names its line
    return values.reshape(n_rows, len(numeric)), strings


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


def _strip_spaces(data: bytes) -> bytes:
    """Drop the spaces around separators (as stripping every field would); spaces inside a
    field stay and make the chunk go the careful way."""
    while b" ," in data or b", " in data:
        data = data.replace(b" ,", b",").replace(b", ", b",")
    while b" \n" in data or b"\n " in data:
        data = data.replace(b" \n", b"\n").replace(b"\n ", b"\n")
    return data.lstrip(b" ")


_WRAPPED = re.compile(rb'(?:^|(?<=[,\n]))"([^",\n]*)"(?=[,\n])')
"""A quoted field with no comma, quote or newline inside: the quotes can simply go."""


def _fast(
    data: bytes, n_columns: int, numeric: Array, strings: Sequence[int]
) -> tuple[Array, list[list[str]]] | None:
    """``_parse_plain`` on one chunk (in a worker thread), None unless every value is fine."""
    plain = data.replace(b"\r\n", b"\n") if b"\r" in data else data
    if b'"' in plain:
        # quotes that wrap a whole field ("1.5") drop; any other quote (1"2, "1""",
        # "3,4", one never closed) sends the chunk the careful way, which names the line
        plain = _WRAPPED.sub(rb"\1", plain)
        if b'"' in plain:
            return None
    if b" " in plain:
        plain = _strip_spaces(plain)
    parsed = _parse_plain(plain, n_columns, numeric, strings)
    if parsed is not None and not np.isfinite(parsed[0]).all():
        return None  # the careful path will say which cell
    return parsed


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
                    (data, pool.submit(_fast, data, len(columns), numeric_index, strings))
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
