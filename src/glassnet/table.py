"""Reading tables: a CSV or Parquet file in, typed columns (a polars DataFrame) out.

Only reading lives here; what the columns mean for a network is ``glassnet.preprocessing``.
polars does the parsing (it read a 1,000,000-row, 20-column mixed CSV in about 0.5 s where
pyarrow took 1.0–1.2 s, and its expression engine also does the encoding); it is imported
when a table is first read, so ``import glassnet`` stays light.

A CSV file may be UTF-8 with or without a byte-order mark, or UTF-16 with one; its lines may
end in LF, CRLF or CR alone; the delimiter is sniffed from the header (comma, semicolon, tab
or bar) unless given; quoted fields, blank lines and spaces around values are fine; a field
may be any length. Cells that are empty or one of ``na_values`` are missing. A header cell
that is empty (the row-number column pandas and R write) is named "(unnamed N)", N its
column number.

Every problem is a ``DataError`` (a ValueError) whose one line names the file, the line, the
column and the value, and says what to do.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from glassnet.validation import physical_memory

if TYPE_CHECKING:
    import polars as pl

NA_VALUES = ("NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?")
"""Cell texts read as missing (besides empty cells), unless ``na_values`` says otherwise."""

DELIMITERS = (",", ";", "\t", "|")
"""The delimiters sniffed from a header line, in order of preference on a tie."""

PARQUET_MAGIC = b"PAR1"
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
UNNAMED_FORMAT = "(unnamed {})"

INFERRED_ROWS = 10_000
"""The rows polars reads a CSV column's type from."""

SEPARATORS: dict[str, str] = {}
"""The field separator each CSV file was read with (sniffed, or given as --delimiter), by
path: an error message found later counts the file's lines with the same one."""

DECIMAL_COMMAS: set[str] = set()
"""The CSV files read with a decimal comma (0,23), by path: ``predict`` writes its numbers
back so."""


def written_dialect(path: str | os.PathLike[str]) -> tuple[str, bool]:
    """The field separator of the table last read from ``path``, and whether its numbers
    have a decimal comma: how ``predict`` writes the table back (a Parquet file's: ",")."""
    where = _source(path)
    return SEPARATORS.get(where, ","), where in DECIMAL_COMMAS


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
"""The byte order marks of text whose NUL bytes are no sign of a binary file."""


class DataError(ValueError):
    """A table (or its contents) cannot be used; the message says where and why.

    A problem with particular cells keeps their data rows (from 0, blank lines not counted)
    in ``rows``; its ``template`` holds ``{place0}``, ``{place1}`` … where they are named, so
    ``locate`` can name them as lines of a file.
    """

    def __init__(self, template: str, rows: Sequence[int] = ()) -> None:
        self.template = template
        self.rows = [int(r) for r in rows]
        super().__init__(
            self._render({f"place{i}": f"data row {r + 1}" for i, r in enumerate(self.rows)})
        )

    def _render(self, places: dict[str, str]) -> str:
        return self.template.format(**places) if self.rows else self.template

    def naming(self, place: str) -> str:
        """The message with every row it names called ``place`` ("the values given")."""
        return self._render({f"place{i}": place for i in range(len(self.rows))})


def braced(value: Any, quote: bool = True) -> str:
    """``value`` (repr'd when ``quote``) safe inside a ``DataError`` template, whose braces
    are its places."""
    text = repr(value) if quote else str(value)
    return text.replace("{", "{{").replace("}", "}}")


def cells_named(texts: Sequence[str], total: int) -> str:
    """The first cells of a column, each after its place for ``locate`` ("{place0} 'abc',
    {place1} 'x'"), and ", …" when the column has more (``total``) than these."""
    shown = ", ".join(f"{{place{i}}} {braced(text)}" for i, text in enumerate(texts))
    return shown + ", …" * (total > len(texts))


def named(names: Sequence[str], where: str) -> list[str]:
    """Column names with an empty one named "(unnamed N)" (N counts from 1), as pandas' and
    R's row-number column is; a name twice (after that) is a DataError naming ``where``."""
    names = [name or UNNAMED_FORMAT.format(i + 1) for i, name in enumerate(names)]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DataError(f"{where}: the column name {name!r} appears twice; rename one")
        seen.add(name)
    return names


def nearest(name: str, names: Sequence[str]) -> str:
    """A hint for a ``name`` that is none of ``names``: " (did you mean …?)" naming the one
    it is written like (the same but for case, quotes or spaces around it, or a close
    spelling), quoted as Python would, or "" when none is."""
    import difflib

    def plain(text: str) -> str:
        return text.strip().strip("'\"").strip().casefold()

    same = [n for n in names if plain(n) == plain(name)]
    # a short name is a few letters off at once ("ys" for "y" scores 0.67)
    cutoff = 0.8 if len(name) > 4 else 0.6
    close = same or difflib.get_close_matches(name, list(names), n=1, cutoff=cutoff)
    return f" (did you mean {close[0]!r}?)" if close else ""


def listed(values: Iterable[Any]) -> str:
    """``values`` joined by ", ", each one that holds a comma in double quotes, so a list
    of labels such as "Special Purpose Vehicle, SUV 2WD" still tells where each ends."""
    return ", ".join(f'"{v}"' if "," in str(v) else str(v) for v in values)


def locate(error: DataError, path: str | os.PathLike[str], rows: Any = None) -> DataError:
    """``error`` with the file named and its data rows given as line numbers of ``path``.

    ``rows`` maps the row numbers the error holds to rows of the file (when the data was a
    subset of the file's rows), e.g. the kept rows' indices.
    """
    where = os.fspath(path)
    if not error.rows:
        return DataError(f"{where}: {error.template}")
    file_rows = [int(rows[r]) if rows is not None else r for r in error.rows]
    lines = _lines_of(where, file_rows)
    places = {
        f"place{i}": f"line {lines[r]}" if r in lines else f"data row {r + 1}"
        for i, r in enumerate(file_rows)
    }
    return DataError(f"{where}, {error.template.format(**places)}")


def read_table(
    path: str | os.PathLike[str],
    *,
    na_values: Sequence[str] = NA_VALUES,
    delimiter: str | None = None,
    text_columns: Sequence[str] = (),
) -> pl.DataFrame:
    """Read a CSV or Parquet file into a polars DataFrame.

    Parameters
    ----------
    path : the file; Parquet when its name ends in .parquet/.pq or it starts and ends with
        "PAR1".
    na_values : cell texts that mean missing (empty cells always do).
    delimiter : the CSV field separator; None sniffs it from the header line.
    text_columns : columns read as text whatever they look like (a target of class labels
        such as "Nan" or "Infinity", or integers beyond 2^63, must stay exactly as written).

    Returns
    -------
    DataFrame, one row per non-blank data line; text cells stripped of surrounding spaces,
    with empty and ``na_values`` cells missing (null).

    Raises
    ------
    DataError naming the file (and line, column and value where there is one).
    """
    where = _source(path)
    return _read(where, *_read_bytes(where), na_values, delimiter, text_columns)


def _source(path: str | os.PathLike[str]) -> str:
    """The file to read for ``path``: "-" is standard input, as for other Unix tools."""
    where = os.fspath(path)
    return "/dev/stdin" if where == "-" else where


def read_table_as_written(
    path: str | os.PathLike[str],
    *,
    na_values: Sequence[str] = NA_VALUES,
    delimiter: str | None = None,
    text_columns: Sequence[str] = (),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``read_table(path, …)``, and the same rows with every cell as the file holds it: a
    CSV's cells as text (spaces, leading zeros and missing markers kept; only an empty cell
    is missing), a Parquet file's as stored. What ``glassnet predict`` passes through. A
    pipe is read once for both."""
    where = _source(path)
    raw, complete = _read_bytes(where)
    frame = _read(where, raw, complete, na_values, delimiter, text_columns)
    written = _read(where, raw, complete, na_values, delimiter, text_columns, as_written=True)
    if written.height != frame.height:  # a file that changed between the two reads
        raise DataError(f"{where} changed while it was read; read it again")
    return frame, written


def _read(
    where: str,
    raw: bytes,
    complete: bool,
    na_values: Sequence[str],
    delimiter: str | None,
    text_columns: Sequence[str],
    as_written: bool = False,
) -> pl.DataFrame:
    """The table ``where`` whose bytes start with ``raw`` (all of them if ``complete``)."""
    if _is_parquet(raw, complete, where) or where.lower().endswith(PARQUET_SUFFIXES):
        if not complete:
            raw, _ = _read_bytes(where, whole=True)
        frame = _read_parquet(raw, where)
        return _as_csv_cells(frame) if as_written else clean_text(frame, na_values)
    frame = _read_csv(raw, complete, where, na_values, delimiter, text_columns, as_written)
    return frame if as_written else clean_text(frame, na_values)


def read_table_bytes(
    raw: bytes,
    name: str,
    *,
    na_values: Sequence[str] = NA_VALUES,
    delimiter: str | None = None,
    text_columns: Sequence[str] = (),
) -> pl.DataFrame:
    """``read_table`` for a table held in memory (an upload), never written to disk.

    ``raw`` is a CSV's bytes, or a Parquet file's (they start with "PAR1"); ``name`` is
    what messages call it ("the uploaded CSV"). Messages name lines where the bytes tell
    them; a problem found in a whole column names its cells by data row.
    """
    if _is_parquet(raw, True, name):
        return clean_text(_read_parquet(raw, name), na_values)
    frame = _read_csv(raw, True, name, na_values, delimiter, text_columns)
    return clean_text(frame, na_values)


def _is_parquet(raw: bytes, complete: bool, where: str) -> bool:
    """Whether bytes starting with ``raw`` (all of them when ``complete``; else the file
    ``where``'s start) are a Parquet file: "PAR1" at both ends. A CSV whose first column
    is named "PAR1…" starts so too, and ends otherwise."""
    if not raw.startswith(PARQUET_MAGIC):
        return False
    if complete:
        return raw.endswith(PARQUET_MAGIC)
    try:
        with open(where, "rb") as file:
            file.seek(-len(PARQUET_MAGIC), os.SEEK_END)
            return file.read() == PARQUET_MAGIC
    except OSError:  # not seekable (a pipe): its start says Parquet
        return True


def clean_text(frame: pl.DataFrame, na_values: Sequence[str]) -> pl.DataFrame:
    """Strip text cells; empty ones and ``na_values`` become missing; categoricals → text;
    a float NaN (a Parquet file's or a DataFrame's) is missing, whatever the markers, as
    pandas and scikit-learn take it (a CSV's word "NaN" is a marker's business: the CSV
    reader reads it as text when no marker says it is missing)."""
    import polars as pl

    found = _nan_columns(frame)
    if found:
        frame = frame.with_columns(pl.col(name).fill_nan(None) for name in found)
    text = [
        name
        for name, dtype in frame.schema.items()
        if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum)
    ]
    if not text:
        return frame
    missing = [*na_values, ""]
    # most text columns need nothing: their distinct values (one hashing pass, far fewer
    # than the cells) say so, and such a column is kept as it is
    distinct = frame.select(pl.col(name).unique().implode() for name in text).row(0)
    text = [
        name
        for name, values in zip(text, distinct, strict=True)
        if frame.schema[name] != pl.String
        or _needs_cleaning(pl.Series(values, dtype=pl.String), missing)
    ]
    if not text:
        return frame
    stripped = [pl.col(name).cast(pl.String).str.strip_chars() for name in text]
    return frame.with_columns(
        pl.when(c.is_in(missing)).then(None).otherwise(c).alias(name)
        for c, name in zip(stripped, text, strict=True)
    )


def _needs_cleaning(values: pl.Series, missing: list[str]) -> bool:
    """Whether any of the text ``values`` has spaces around it or means missing."""
    return bool((values.str.strip_chars() != values).any() or values.is_in(missing).any())


# ----- bytes -----------------------------------------------------------------------------------
HEAD_BYTES = 1 << 20
"""How much of a regular file is read first: enough to see its encoding, line ends and
header; polars then reads the file itself when it is plain UTF-8 CSV."""


def _read_bytes(where: str, whole: bool = False) -> tuple[bytes, bool]:
    """The first ``HEAD_BYTES`` of a regular file, or all of it when ``whole`` (or when it
    is short, or its start is only blank); pipes and a terminal (``/dev/stdin``) are read
    to their end; other devices are refused. Returns the bytes and whether they are the
    whole file."""
    try:
        info = os.stat(where)
    except FileNotFoundError:
        raise DataError(f"{where}: no such file; check the path") from None
    except OSError as error:
        raise DataError(f"{where}: cannot be read ({error.strerror}); check the path") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{where} is a folder, not a table; give the path of a CSV or Parquet file")
    if (stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)) and not _is_terminal(where):
        # /dev/zero or /dev/urandom never end: reading one would fill the memory
        raise DataError(f"{where} is a device, not a table; give a CSV or Parquet file, or a pipe")
    try:
        if stat.S_ISREG(info.st_mode):
            with open(where, "rb") as handle:
                raw = handle.read(-1 if whole else HEAD_BYTES)
                complete = whole or len(raw) < HEAD_BYTES or not handle.peek(1)
                if not complete and raw.isspace():  # the header is further on
                    raw += handle.read()
                    complete = True
        else:
            raw, complete = _read_stream(where), True
    except OSError as error:
        raise DataError(f"{where}: cannot be read ({error.strerror}); check the path") from None
    if not raw and stat.S_ISFIFO(info.st_mode):
        raise DataError(
            f"{where} is a pipe (FIFO) that nothing wrote to; start the program that writes "
            "it first, or give a file"
        )
    if not raw or raw.isspace():  # (isspace stops at the first other byte: no copy)
        kind = (
            "a Parquet file needs columns and rows"
            if where.lower().endswith(PARQUET_SUFFIXES)
            else "a CSV file needs a header line and data rows"
        )
        raise DataError(f"{where} is empty; {kind}")
    return raw, complete


def _is_terminal(where: str) -> bool:
    """Whether the device ``where`` is a terminal (``/dev/stdin`` typed into: it ends)."""
    try:
        descriptor = os.open(where, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return os.isatty(descriptor)
    finally:
        os.close(descriptor)


def _read_stream(where: str) -> bytes:
    """A pipe (or a terminal) read to its end. Opened without waiting, so a FIFO that
    nothing writes to reads as empty at once instead of hanging; then read a MiB at a time,
    so that endless bytes (``cat /dev/zero |``) are refused from their first MiB, and an
    endless text stream when it passes a quarter of this machine's memory."""
    descriptor = os.open(where, os.O_RDONLY | os.O_NONBLOCK)
    os.set_blocking(descriptor, True)
    limit = (physical_memory() or 16 << 30) // 4
    parts: list[bytes] = []
    size = 0
    with os.fdopen(descriptor, "rb") as handle:
        while chunk := handle.read(1 << 20):
            wide_or_parquet = chunk.startswith((PARQUET_MAGIC, *UTF16_BOMS, *UTF32_BOMS))
            if not parts and not wide_or_parquet and b"\x00" in chunk[:8192]:
                raise _binary(where)
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                raise DataError(
                    f"{where} gave more than {limit / 2**30:.1f} GiB without ending, a "
                    "quarter of this machine's memory; give a file"
                )
    return b"".join(parts)


def _read_parquet(raw: bytes, where: str) -> pl.DataFrame:
    import polars as pl

    if not (raw.startswith(PARQUET_MAGIC) and raw.endswith(PARQUET_MAGIC)):
        raise DataError(
            f"{where} is not a Parquet file (it does not start and end with PAR1); give a "
            "Parquet file, or rename a CSV file to end in .csv"
        )
    try:
        frame = pl.read_parquet(io.BytesIO(raw))
    except Exception as error:  # polars raises several kinds for a damaged file
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise DataError(f"{where}: the Parquet file cannot be read ({reason})") from None
    if frame.width == 0:
        raise DataError(f"{where} has no columns; give a table")
    if frame.height == 0:
        raise DataError(f"{where} has columns but no rows; add rows")
    for name, dtype in frame.schema.items():
        # a cell of a table is one number, text, boolean, date or duration (the last are no
        # input, and ignored); lists, structs and bytes cannot be written back to a CSV
        if dtype.is_nested() or dtype in (pl.Binary, pl.Object):
            raise DataError(
                f"{where}: column {name!r} holds {dtype} cells, not numbers, text or booleans; "
                "flatten it into plain columns, or drop it from the file"
            )
    # a column with no name (pandas writes its unnamed index so) is named as a CSV's is
    if not all(frame.columns):
        frame.columns = named(frame.columns, where)
    return frame


def _as_csv_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its durations as ISO 8601 text ("PT90S"), which a CSV can hold."""
    import polars as pl

    durations = [name for name, dtype in frame.schema.items() if dtype == pl.Duration]
    return frame.with_columns(
        pl.struct(name).struct.json_encode().str.json_path_match("$.*").alias(name)
        for name in durations
    )


def _as_utf8(raw: bytes, where: str) -> bytes:
    """UTF-8 bytes with LF or CRLF line ends: a BOM dropped, UTF-16 and CR-only converted."""
    # a UTF-32 byte order mark starts as UTF-16's little-endian one does: looked for first
    wide = "utf-32" if raw.startswith(UTF32_BOMS) else None
    if wide or raw.startswith(UTF16_BOMS):
        encoding = wide or "utf-16"
        try:
            raw = raw.decode(encoding).encode("utf-8")
        except UnicodeDecodeError:
            raise DataError(
                f"{where}: the {encoding.upper()} text is damaged; save the file as UTF-8 CSV"
            ) from None
    elif b"\x00" in raw[:8192]:
        raise _binary(where)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # the UTF-8 byte order mark some editors write
    if b"\n" not in raw and b"\r" in raw:
        raw = raw.replace(b"\r", b"\n")  # classic Mac line ends
    if not raw.strip():  # only a byte-order mark (and blank lines)
        raise DataError(f"{where} is empty; a CSV file needs a header line and data rows")
    return raw


# ----- CSV -------------------------------------------------------------------------------------
def _binary(where: str) -> DataError:
    return DataError(f"{where} is a binary file, not CSV text; give a CSV (UTF-8) or Parquet file")


def _header(raw: bytes, where: str, delimiter: str | None) -> tuple[list[str], str, int]:
    """The stripped header names, the delimiter, and the number of lines before it: blank
    ones, and Excel's "sep=;" line, which names the delimiter (unless ``delimiter`` does)."""
    skipped = 0
    start = 0
    named_delimiter = None
    while True:
        end = raw.find(b"\n", start)
        line = raw[start : end if end >= 0 else len(raw)]
        excel = re.fullmatch(rb" *sep=(.) *\r?", line)  # the delimiter may be a tab
        if excel and named_delimiter is None and end >= 0:
            named_delimiter = excel.group(1).decode("utf-8", errors="replace")
        elif line.strip() or end < 0:
            break
        skipped += 1
        start = end + 1
    delimiter = delimiter or named_delimiter
    try:
        text = line.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        raise DataError(
            f"{where}, line {skipped + 1}: the header is not UTF-8 text; save the file as UTF-8 CSV"
        ) from None
    if delimiter is None:
        outside = re.sub(r'"[^"]*"', "", text)  # a delimiter inside quotes is no delimiter
        delimiter = max(DELIMITERS, key=lambda d: (outside.count(d), -DELIMITERS.index(d)))
    _no_field_limit()
    if text.count('"') % 2:  # read on, the quoted name would swallow every line below
        raise DataError(
            f"{where}, line {skipped + 1}: a quote in the header is not closed on its line; "
            "a column name cannot hold a line break: put the name on one line, or close the "
            'quote (a quote inside a quoted name is written "")'
        )
    try:
        # a byte order mark left inside (two files joined) is no part of a name
        cells = next(csv.reader([text], delimiter=delimiter))
        names = [name.replace("\ufeff", "").strip() for name in cells]
    except csv.Error:  # a bare CR inside the line: line ends of two kinds
        raise _mixed_line_ends(where, skipped + 1) from None
    return named(names, f"{where}, line {skipped + 1}"), delimiter, skipped


def _read_csv(
    raw: bytes,
    complete: bool,
    where: str,
    na_values: Sequence[str],
    delimiter: str | None,
    text_columns: Sequence[str],
    as_written: bool = False,
) -> pl.DataFrame:
    """The CSV file ``where``, whose bytes are ``raw`` (only its start if not ``complete``);
    ``as_written``: every column as text, no missing markers (``read_table_as_written``)."""
    import polars as pl

    if delimiter == "\\t":  # typed as the two characters \t, as a shell passes '\t'
        delimiter = "\t"
    if delimiter is not None and len(delimiter.encode()) != 1:
        raise DataError(f"--delimiter must be one character (\\t for a tab); got {delimiter!r}")
    # plain UTF-8 with LF or CRLF line ends and the header within the start: polars reads
    # the file itself (no copy of it in memory); anything else is converted first
    direct = not complete and _plain_start(raw)
    if not direct:
        raw = _as_utf8(raw if complete else _read_bytes(where, whole=True)[0], where)
    source: Any = where if direct else io.BytesIO(raw)

    @functools.cache
    def whole() -> bytes:  # the file's bytes, read (once) only for a check or an error message
        return _as_utf8(_read_bytes(where, whole=True)[0], where) if direct else raw

    names, separator, skipped = _header(raw, where, delimiter)
    SEPARATORS[where] = separator
    # R's write.table writes each row's name first and no header cell for it: rows one
    # field longer than the header, all of them, are rows with names (R and pandas read
    # them so), and the names become an unnamed first column
    row_names = _has_row_names(raw, separator, skipped, len(names))
    if row_names:
        names = named(["", *names], where)

    @functools.cache
    def widths() -> list[int] | None:  # the data lines' field counts, counted once
        return _line_widths(whole(), separator, skipped)

    def parsed(null_values: list[str] | None, also_text: Sequence[str] = ()) -> pl.DataFrame:
        texts = names if as_written else [n for n in [*text_columns, *also_text] if n in names]
        overrides: dict[str, Any] = dict.fromkeys(texts, pl.String)
        # polars infers each column's type from its first rows; a column whose later cells
        # do not fit the guess is read again as text, and the preprocessing judges its cells
        for _ in range(len(names) + 1):
            try:
                return pl.read_csv(
                    source,
                    separator=separator,
                    has_header=not row_names,  # a header one name short is skipped
                    new_columns=names,
                    skip_lines=skipped + row_names,  # raw lines: polars skips only empty ones
                    null_values=null_values,
                    schema_overrides=overrides,
                    infer_schema_length=INFERRED_ROWS,
                    raise_if_empty=False,
                    truncate_ragged_lines=False,
                )
            except pl.exceptions.ComputeError as error:
                column = _column_in(str(error), names)
                if column is None or column in overrides:
                    raise _csv_error(whole(), where, names, separator, skipped, error) from None
                overrides[column] = pl.String
            except pl.exceptions.PolarsError as error:  # any other refusal: found again, by line
                raise _csv_error(whole(), where, names, separator, skipped, error) from None
        raise AssertionError("each retry reads one more column as text")  # pragma: no cover

    markers = [m for m in na_values if m]
    # a marker that is also a number or a boolean (-999, 0, true) could hide in a column
    # read as numbers, where no check after the parse can see it: then always parse them
    typed = any(_reads_as_value(m) for m in markers)
    # matching every field against the missing markers costs polars a fifth of its parse:
    # a file whose start holds none is read without them, and read again with them only if
    # one turns up after all (as text, or as a NaN a "nan" became), so the columns and
    # their types are the same either way
    if as_written:
        frame = parsed(None)
    else:
        plain = markers and not typed and not _holds_marker(raw, separator, markers)
        nulls = None if plain else list(na_values)
        frame = parsed(nulls)
        nans = _nan_columns(frame)
        if plain and (nans or _typed_but_for_markers(frame, markers, text_columns)):
            frame = parsed(list(na_values))
            nans = _nan_columns(frame)
        # a NaN left by the parse was a cell that is no marker ("NAN" beside a marker
        # "NaN"), which polars read as a number only because the column's first rows were
        # numbers: its column is read as text, as when such a cell comes first, and judged
        if nans:
            frame = parsed(list(na_values), nans)
        # a decimal comma (Excel's export where a comma is the decimal sign: 0,23 in a file
        # of ";" or tabs): a text column of such numbers gets decimal points
        DECIMAL_COMMAS.discard(where)
        if separator != ",":
            frame, pointed = _with_decimal_points(frame, text_columns, markers)
            if pointed:
                DECIMAL_COMMAS.add(where)
    if frame.width != len(names):
        raise _csv_error(whole(), where, names, separator, skipped, None)
    frame = _without_blank_lines(frame, widths)
    if frame.height == 0:
        raise DataError(f"{where} has a header but no data rows; add rows below the header")
    # polars fills a row that is short of fields with missing cells; a short row is a broken
    # row. Only a file whose last column has a missing cell (as a short row's is) is read
    # again, field by field (quotes respected), to tell the two apart
    if frame[names[-1]].null_count() > 0:
        counted = widths()
        if counted is not None and any(0 < width < len(names) for width in counted):
            raise _csv_error(whole(), where, names, separator, skipped, None)
    return frame


def _has_row_names(raw: bytes, separator: str, skipped: int, width: int) -> bool:
    """Whether the first data lines of the CSV start ``raw`` (up to 20 whole lines after the
    header, quotes respected) all hold ``width`` + 1 fields, not all of them ending empty:
    rows written with their names in front, under a header of ``width`` names."""
    lines = raw[: raw.rfind(b"\n") + 1].split(b"\n")[skipped + 1 : skipped + 21]
    text = b"\n".join(lines).decode("utf-8", errors="replace")
    try:
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=separator) if r]
    except csv.Error:
        return False
    # a delimiter ending every line (an exporter's habit) also makes one field more, an
    # empty last one: those are no names, and stay refused as lines too long
    return (
        bool(rows)
        and all(len(row) == width + 1 for row in rows)
        and not all(row[-1] == "" for row in rows)
    )


def _nan_columns(frame: pl.DataFrame) -> list[str]:
    """The float columns of ``frame`` with a NaN cell."""
    import polars as pl

    floats = [name for name, dtype in frame.schema.items() if dtype.is_float()]
    if not floats:
        return []
    found = frame.select(pl.col(name).is_nan().any() for name in floats).row(0)
    return [name for name, nan in zip(floats, found, strict=True) if nan]


# a decimal number as people write it, in ASCII digits (polars reads no other); "nan",
# "inf" and words are not numbers here, so labels such as "Nan" or "Infinity" stay text
NUMBER_PATTERN = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"

THOUSANDS = r"^[+-]?[1-9][0-9]{0,2},[0-9]{3}$"
"""A number a decimal comma and a thousands comma both could have written (1,500)."""

DECIMAL_COMMA = r"^[+-]?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]*),[0-9]+(?:[eE][+-]?[0-9]+)?$"
"""A number written with a decimal comma (0,23; -1,5e3; 1.234,56 with points between
thousands)."""


def _with_decimal_points(
    frame: pl.DataFrame, text_columns: Sequence[str], markers: Sequence[str]
) -> tuple[pl.DataFrame, list[str]]:
    """``frame`` (a CSV whose fields are not separated by commas) with the decimal commas
    of its columns read as text made points (1.234,56 → 1234.56), and those columns: as
    numbers where every cell, ``markers`` aside, is one (not ``text_columns``, which stay
    text: a target's labels are parsed later), else as text, for the typo checks to name
    the cells that are no numbers (a query of three rows, one of them x,3)."""
    import polars as pl

    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not texts:
        return frame, []

    def cells(name: str) -> pl.Expr:
        column = pl.col(name).str.strip_chars()
        return pl.when(column.is_in(list(markers))).then(None).otherwise(column)

    counts = frame.select(
        expr
        for name in texts
        for expr in (
            cells(name).str.contains(DECIMAL_COMMA).sum().alias(f"comma {name}"),
            cells(name).str.contains(THOUSANDS).sum().alias(f"thousands {name}"),
            cells(name).str.contains(NUMBER_PATTERN).sum().alias(f"number {name}"),
            cells(name).count().alias(f"present {name}"),
        )
    ).row(0, named=True)
    # 1,500 is 1.5 in a file of decimal commas and 1500 in one of thousands: only a comma
    # that no thousands take (0,5; 12,25; 0,255) says which, for the whole file; else the
    # cells stay as written, text
    clear = [n for n in texts if counts[f"comma {n}"] > counts[f"thousands {n}"]]
    if not clear:
        return frame, []
    found = [name for name in texts if counts[f"comma {name}"]]
    pointed = []
    for name in found:
        column = pl.col(name)
        comma = column.str.strip_chars().str.contains(DECIMAL_COMMA)
        point = column.str.strip_chars().str.replace_all(".", "", literal=True)
        point = point.str.replace(",", ".", literal=True)
        pointed.append(pl.when(comma).then(point).otherwise(column).alias(name))
    frame = frame.with_columns(pointed)
    whole = [
        name
        for name in found
        if name not in text_columns
        and counts[f"comma {name}"] + counts[f"number {name}"] == counts[f"present {name}"]
        and not frame[name].str.strip_chars().is_in(list(markers)).any()
    ]
    if whole:
        frame = frame.with_columns(
            pl.col(name).str.strip_chars().cast(pl.Float64) for name in whole
        )
    return frame, found


def _reads_as_value(marker: str) -> bool:
    """Whether polars could read the cell ``marker`` as a number (an infinity too) or a
    boolean. NaN spellings are not counted: a parsed NaN is looked for."""
    try:
        return not math.isnan(float(marker))
    except ValueError:
        return marker.strip().lower() in ("true", "false")


def _holds_marker(raw: bytes, separator: str, markers: Sequence[str]) -> bool:
    """Whether a field of the CSV bytes ``raw`` is one of ``markers`` (quoted or not)."""
    if not any(m.encode() in raw for m in markers):  # the usual answer, at memchr's pace
        return False
    ends = re.escape(separator.encode()) + rb"\r\n"
    words = b"|".join(re.escape(m.encode()) for m in sorted(markers, key=len, reverse=True))
    field = rb"(?:^|(?<=[" + ends + rb"]))\"?(?:" + words + rb")\"?(?=[" + ends + rb"]|$)"
    return re.search(field, raw) is not None


def _typed_but_for_markers(
    frame: pl.DataFrame, markers: Sequence[str], text_columns: Sequence[str]
) -> bool:
    """Whether a text column of ``frame`` (read without the missing markers; not one of
    ``text_columns``, text whatever it holds) holds one of
    ``markers`` where, the markers missing, polars would have read the column as numbers
    or booleans: its first 10,000 rows (what polars infers from) all such, or a marker past
    them (a later cell that does not fit made the column text). A marker in a column of
    words is made missing after the parse as well, and needs no second read."""
    import polars as pl

    candidates = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String or name in text_columns:
            continue
        head = frame[name].head(INFERRED_ROWS)
        cells = head.filter(~head.is_in(list(markers))).drop_nulls()
        numbers = cells.cast(pl.Float64, strict=False).null_count() == 0
        if numbers or cells.str.to_lowercase().is_in(["true", "false"]).all():
            candidates.append(name)
    if not candidates:
        return False
    found = frame.select(pl.col(name).is_in(list(markers)).any() for name in candidates)
    return any(found.row(0))


def _line_widths(raw: bytes, delimiter: str, skipped: int) -> list[int] | None:
    """The number of fields of each data line of the CSV ``raw`` (quotes respected: a
    delimiter inside a quoted cell is no field boundary), 0 for a blank line; None when
    Python's csv module cannot read what polars read."""
    _no_field_limit()
    text = io.StringIO(raw.decode("utf-8", errors="replace"), newline="")
    rows = csv.reader(text, delimiter=delimiter)
    try:
        return [
            0 if _is_blank(cells) else len(cells) for i, cells in enumerate(rows) if i > skipped
        ]
    except csv.Error:
        return None


def _is_blank(cells: Sequence[str]) -> bool:
    """Whether a CSV line's cells are a blank line: nothing, or only spaces, and no
    delimiter. A line of delimiters alone (",,") is a row whose cells are all missing."""
    return len(cells) == 0 or (len(cells) == 1 and not cells[0].strip())


def _without_blank_lines(
    frame: pl.DataFrame, widths: Callable[[], list[int] | None]
) -> pl.DataFrame:
    """``frame`` less the rows polars made of blank lines (nothing, or spaces only). Rows of
    empty cells stay: every row of a file to predict gets its answer, in order. Only a file
    with a row that could be a blank line (its cells missing, but a first one of spaces) is
    read again (``widths``), to tell the two apart: whatever the cells' types, so a table
    read as text finds the same blank lines as the same table read typed."""
    import polars as pl

    first, *rest = frame.columns
    others_missing = frame.select(pl.all_horizontal(pl.col(rest).is_null())).to_series()
    if not others_missing.any():
        return frame
    leading = frame[first].filter(others_missing)
    if leading.dtype == pl.String:
        leading = leading.str.strip_chars().replace("", None)
    if leading.null_count() == 0:
        return frame
    counted = widths()
    if counted is None or len(counted) != frame.height:  # read apart: keep every row
        return frame
    return frame.filter(pl.Series([width > 0 for width in counted], dtype=pl.Boolean))


def _plain_start(head: bytes) -> bool:
    """Whether a file starting with ``head`` is UTF-8 text without a byte-order mark, has
    LF (or CRLF) line ends, and its header line ends within ``head``."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")) or b"\x00" in head[:8192]:
        return False
    return b"\n" in head.lstrip()


def _column_in(message: str, names: list[str]) -> str | None:
    """The column a polars "could not parse … at column 'x'" error names, if any."""
    found = re.search(r"could not parse .* at column '(.*)' \(column number (\d+)\)", message, re.S)
    if not found:
        return None
    number = int(found.group(2)) - 1
    return names[number] if 0 <= number < len(names) else None


def _csv_error(
    raw: bytes, where: str, names: list[str], delimiter: str, skipped: int, error: Exception | None
) -> DataError:
    """The one-line error for a file polars refused: found again, line by line, with the
    ``csv`` module (this runs only on a broken file)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        line = raw[: bad.start].count(b"\n") + 1
        return DataError(
            f"{where}, line {line}: the bytes are not UTF-8 text; save the file as UTF-8 CSV"
        )
    _no_field_limit()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 0
    try:
        for i, row in enumerate(reader):
            start = line + 1
            line = reader.line_num
            if i <= skipped or not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                return DataError(
                    f"{where}, line {line}: {len(row)} value{'s' * (len(row) != 1)} but the "
                    f"header has {len(names)} column{'s' * (len(names) != 1)}; every row needs "
                    "one value per column "
                    f"({', '.join(names)})"
                )
            if any('"' in cell for cell in row):
                return _quote_error(where, start)
    except csv.Error:
        return _quote_error(where, line + 1)
    bare_cr = re.search(rb"\r(?!\n)", raw)  # polars ends lines at LF only; csv at CR too
    if bare_cr:
        return _mixed_line_ends(where, raw[: bare_cr.start()].count(b"\n") + 1)
    reason = str(error).splitlines()[0] if error is not None else "unknown"
    return DataError(f"{where}: the CSV file cannot be read ({reason}); check its format")


def _mixed_line_ends(where: str, line: int) -> DataError:
    return DataError(
        f"{where}, line {line}: a carriage return (CR) ends a line in the middle; the file "
        "mixes line ends: save it with one kind (LF or CRLF)"
    )


def _no_field_limit() -> None:
    """Let the ``csv`` module read fields of any length (its default stops at 131,072
    characters, and polars read the file already)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def _quote_error(where: str, line: int) -> DataError:
    return DataError(
        f"{where}, line {line}: a quote on this line is not closed; close it (a quote inside "
        'a quoted value is written "")'
    )


def _lines_of(where: str, rows: Sequence[int]) -> dict[int, int]:
    """The line numbers of data rows ``rows`` (from 0, blank lines not counted) of a CSV
    file, where each row starts, found by reading it again (only for an error message)."""
    wanted = set(rows)
    if not wanted or not os.path.isfile(where) or where.lower().endswith(PARQUET_SUFFIXES):
        return {}
    with open(where, "rb") as handle:
        raw = _as_utf8(handle.read(), where)
    _, delimiter, skipped = _header(raw, where, SEPARATORS.get(where))
    text = raw.decode("utf-8", errors="replace")
    _no_field_limit()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    found: dict[int, int] = {}
    seen = -1
    ended = 0  # the line the previous record ended on: a record starts on the next
    for i, cells in enumerate(reader):
        start, ended = ended + 1, reader.line_num
        if i <= skipped or _is_blank(cells):
            continue
        seen += 1
        if seen in wanted:
            found[seen] = start  # a quoted line break makes a record span lines
            if len(found) == len(wanted):
                break
    return found
