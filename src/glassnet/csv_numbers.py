"""The fast path of CSV reading: a chunk of plain numbers parsed with vectorized NumPy.

A chunk of plain numbers (digits, signs, dots, exponents, commas, newlines) is parsed all at
once: separators found together, each field's digits read 8 at a time from one 64-bit
word, the exact integer mantissa scaled by one power of ten, so every value equals Python's
``float`` of its text (numbers too long for that go through ``float`` itself).
``_parse_dotted`` takes the most common shape, ``[+-]digits[.digits]``, in fewer steps;
``_parse_plain`` any plain chunk. Quotes that wrap a whole field with no comma, quote or
newline inside (``"1.5"``) are dropped first. Anything else makes ``parse_chunk`` return
None, and ``glassnet.data`` reads that chunk the careful way, with the ``csv`` module.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import numpy as np

from glassnet._types import Array

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


def parse_chunk(
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
