"""Columns in, numbers out: the roles of a table's columns and their encoding for a network.

``Preprocessor`` decides, from a training table, what each column is:

- **numeric**: numbers. Encoded standardized, ``(value − mean) / scale``; a missing cell is
  filled with the training median, and when the training column had missing cells an extra
  0/1 input ``"COL (missing)"`` says which rows were filled.
- **categorical**: text (and booleans, dates, times). Encoded one-hot, one 0/1 input
  ``"COL=level"`` per level; missing cells are the level ``"(missing)"``; beyond
  ``max_categories`` levels the rarest become ``"(other)"``. At ``transform`` an unknown
  level is ``"(other)"`` if the column has it, else all zeros ("no known category").
- **ignored**: an identifier (an unnamed column, the row numbers, whole numbers at least
  half of them different in a column named as an id — ``id``, ``index``, ``respondent_id``,
  ``PassengerId`` —, or text whose values are all distinct: a name per row teaches nothing
  about other rows) or a constant column. The report says why, and which option keeps it.

The rules can be overridden with ``categorical=``, ``numeric=`` and ``ignore=``. A text column
that is at least ``TYPO_SHARE`` (95 %) numbers is a numeric column with typos (a silent
categorical column would hide them): its few different non-numbers (``TYPO_WORDS`` at most)
are read as missing, here and at ``transform``, and a ``TypoWarning`` names the first cells;
more kinds of them are refused, the first cells named.

Everything the encoding needs is plain data (``get_config``), stored in a model file's JSON
header and read by the ONNX export. The work runs on polars (imported when first used, so
``import glassnet`` stays light).
"""

from __future__ import annotations

import functools
import math
import os
import re
import shlex
import warnings
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._types import Array
from glassnet.table import (
    NA_VALUES,
    NUMBER_PATTERN,
    DataError,
    braced,
    cells_named,
    clean_text,
    listed,
    named,
    nearest,
    read_table,
)
from glassnet.validation import physical_memory, positive_int

if TYPE_CHECKING:
    import polars as pl

MAX_CATEGORIES = 1000
"""Levels a categorical column keeps by default (the most frequent) on a table of up to
``ONE_HOT_CELLS / MAX_CATEGORIES`` rows; the rest are "(other)". Generous, as
scikit-learn's OneHotEncoder keeps every level: a level seen in a few training rows still
tells about the rows that share it (EPA's 2012 car lines, 574 levels in 846 rows: 50 kept
scored 75 % of held-out classes right, 1,000 kept 87 %, scikit-learn 89 %). A column of a
different value in nearly every row is an identifier, ignored instead."""

MIN_CATEGORIES = 50
ONE_HOT_CELLS = 50_000_000
"""A larger table keeps fewer levels by default, ``ONE_HOT_CELLS / rows`` but at least
``MIN_CATEGORIES``: a column's one-hot inputs stay within 400 MB of float64 (the network's
matrix is dense; 1,000 levels of a million rows would be 8 GB)."""


def default_max_categories(rows: int) -> int:
    """The levels a categorical column of a ``rows``-row table keeps when none is given."""
    return max(MIN_CATEGORIES, min(MAX_CATEGORIES, ONE_HOT_CELLS // max(rows, 1)))


TYPO_SHARE = 0.95
"""A text column with at least this share of numbers is a numeric column with typos."""

TYPO_WORDS = 10
"""The most different non-numbers such a column may hold, read as missing (a column of
numbers with "rotary" or "n.a." in a few cells); beyond, it is refused."""

MISSING = "(missing)"
OTHER = "(other)"
BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "y", "n", "t", "f"})

DATE_PATTERN = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|^[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}"
"""Text that starts like a date (2012-01-31, 31/01/2012): named so when it is dropped."""
UNNAMED = re.compile(r"^(?:\(unnamed \d+\)|Unnamed: \d+|\.\.\.\d+|__index_level_\d+__)$")
"""Header names of a column the file did not name: empty (pandas' and R's row numbers; the
reader names it "(unnamed N)"), pandas' "Unnamed: 0", readr's "...1", and the index pandas
writes into a Parquet file ("__index_level_0__")."""

ROW_NAMES = re.compile(r"^(?:rownames|row\.names)$")
"""The name R gives its row names when it writes them as a column (Rdatasets' files): an
identifier whatever its cells hold."""

ID_NAME = re.compile(
    r"^(?:(?i:id|index|idx|row_?id|row_?num(?:ber)?|row[._]?names?)|.*[_\s.-](?i:id)|(?i:id)[_\s.-].*"
    r"|.*[a-z0-9](?:Id|ID))$"
)
"""Names of identifier columns: id, index, respondent_id, Customer ID, id_customer,
PassengerId, customerID, rownames (R's row names, as Rdatasets' files have them) — not words
that merely end in "id" (paid, valid)."""

ID_DISTINCT = 0.5
"""A column of whole numbers named as an id (``ID_NAME``) with at least this share of
different values among its rows is an identifier (an id on one or two rows each)."""

NEARLY_DISTINCT = 0.95
"""A text column with at least this many different values per present cell is an
identifier (names, free text): one duplicate name among a thousand still says nothing of
other rows, and kept as levels its most frequent 50 would be the first 50 in text order."""


class TypoWarning(UserWarning):
    """A column of numbers had a few non-number cells, read as missing (the message names
    the first; ``Preprocessor.typos_`` holds them)."""


class Preprocessor:
    """Raw table columns → the float matrix a network sees, and the report of how.

    Attributes (after ``fit``)
    --------------------------
    columns_ : list of dict, one per column of the training table except the target, in
        table order: ``{"name", "role": "numeric", "median", "mean", "scale",
        "missing_indicator"}``, ``{"name", "role": "categorical", "categories"}`` or
        ``{"name", "role": "ignored", "reason", "keep"}``.
    feature_names_in_ : list of str, the raw columns used (numeric and categorical).
    feature_names_out_ : list of str, the encoded inputs (``age``, ``age (missing)``,
        ``island=Biscoe`` …), one per column of ``transform``'s result.
    na_values : list of str, the cell texts read as missing.
    transform_counts_ : dict, after each ``transform``: ``{"rows", "missing": {col: n},
        "unseen": {col: n}, "other": {col: n}}`` — the cells filled in, the unknown levels
        met (no category), and the levels not kept read as "(other)" (rare in training, or
        unknown) in the columns that have it.
    typos_ : dict, ``{col: {"cells": n, "first": [(data row, text), …]}}`` for each column
        of numbers whose few non-numbers ``fit`` read as missing (``TypoWarning``).
    crowded_ : dict, ``{col: {"levels": n, "kept": k, "share": s}}`` for each categorical
        column whose kept levels (the most frequent ``max_categories``) hold under half of
        its cells (share ``s``): most of its levels are rare, as an identifier's are.
    """

    def __init__(self) -> None:
        self.columns_: list[dict[str, Any]] = []
        self.na_values: list[str] = list(NA_VALUES)
        self.transform_counts_: dict[str, Any] = {}
        self.typos_: dict[str, dict[str, Any]] = {}
        self.crowded_: dict[str, dict[str, Any]] = {}

    # ----- fitting --------------------------------------------------------------------------
    def fit(
        self,
        data: Any,
        target: str | None = None,
        *,
        categorical: Iterable[str] = (),
        numeric: Iterable[str] = (),
        ignore: Iterable[str] = (),
        max_categories: int | None = None,
        na_values: Sequence[str] | None = None,
        fit_rows: Any = None,
    ) -> Preprocessor:
        """Decide each column's role and learn its encoding from ``data``.

        Parameters
        ----------
        data : a CSV or Parquet path, a pandas or polars DataFrame, a dict of columns, or a
            2-D array (its columns named ``x0``, ``x1`` …).
        target : a column to leave out (the one to predict), or None.
        categorical, numeric, ignore : column names whose role is given, not decided.
        max_categories : levels a categorical column keeps (its most frequent); None:
            ``default_max_categories`` of the table's rows (1,000 up to 50,000 rows, then
            fewer, down to 50 from a million).
        na_values : cell texts that mean "missing" (default ``NA_VALUES``); empty cells are
            always missing.
        fit_rows : (k,) indices of the rows of ``data`` to learn the encoding from (the
            training part), or None for all. The roles are decided on every row (the row
            numbers are only row numbers in the whole table); row numbers in errors are
            rows of ``data``.

        Raises
        ------
        DataError (a ValueError) naming the column and what to do: unknown names, a column
        named twice, a numeric column with many kinds of non-numbers, no usable column.

        Warns
        -----
        TypoWarning for each column of numbers with a few non-numbers, read as missing.
        """
        if max_categories is not None and max_categories < 1:
            raise ValueError(f"max_categories must be at least 1; got {max_categories}")
        categorical, numeric, ignore, markers = _names_given(
            target, categorical, numeric, ignore, na_values
        )
        self.na_values = list(NA_VALUES) if na_values is None else markers
        # a file's categorical columns as text, as glassnet train reads them ("007")
        whole = as_frame(data, na_values=self.na_values, text_columns=categorical)
        if fit_rows is not None:
            fit_rows = np.asarray(fit_rows)
            if fit_rows.dtype.kind not in "iu" or fit_rows.ndim != 1:
                raise ValueError("fit_rows must be a 1-D array of row numbers (integers)")
            outside = fit_rows[(fit_rows < 0) | (fit_rows >= whole.height)]
            if len(outside):
                raise ValueError(
                    f"fit_rows holds row {outside[0]}, outside the table's {whole.height} rows "
                    f"(0 to {whole.height - 1})"
                )
        frame = whole if fit_rows is None else whole[fit_rows]
        if max_categories is None:
            max_categories = default_max_categories(frame.height)
        given = {
            "categorical": list(categorical),
            "numeric": list(numeric),
            "ignore": list(ignore),
        }
        _check_overrides(frame.columns, given, target)
        summary = _summary(whole)
        self.columns_ = []
        for name in frame.columns:
            if name == target:
                continue
            try:
                self.columns_.append(
                    _fit_column(
                        whole[name],
                        frame[name],
                        given,
                        max_categories,
                        summary.get(name),
                        same=fit_rows is None,
                    )
                )
            except DataError as error:
                if fit_rows is None or not error.rows or isinstance(error, _WholeColumnError):
                    raise
                # a cell of the training part: name it as a row of ``data``
                raise DataError(error.template, [int(fit_rows[r]) for r in error.rows]) from None
        frame = self._typos_read_as_missing(whole, frame)
        numeric_columns = [c for c in self.columns_ if c["role"] == "numeric"]
        try:
            # text cells were judged as the roles were decided; a column of floats is
            # searched only when the whole table has a NaN or infinite cell in it
            suspect = [
                c["name"]
                for c in numeric_columns
                if c["name"] not in summary or summary[c["name"]]["bad"]
            ]
            _check_cells(frame, suspect)
        except DataError as error:
            if fit_rows is None or not error.rows:
                raise
            raise DataError(error.template, [int(fit_rows[r]) for r in error.rows]) from None
        _numeric_statistics(frame, numeric_columns, summary if fit_rows is None else None)
        self.crowded_ = _crowded(frame, self.columns_)
        if not self.feature_names_in_:
            raise DataError(
                "every column is ignored ("
                + "; ".join(f"{c['name']!r}: {c['reason']}" for c in self.columns_)
                + "); keep one with --numeric COL or --categorical COL"
                if self.columns_
                else "the table has no column besides the target; add input columns"
            )
        return self

    def _typos_read_as_missing(self, whole: pl.DataFrame, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with each typo column's words as missing cells from here on (as at
        ``transform``); their first cells, by rows of ``whole``, in ``typos_`` and a warning."""
        self.typos_ = {
            c["name"]: _typo_cells(whole[c["name"]], c["missing_words"])
            for c in self.columns_
            if c.get("missing_words")
        }
        for name, found in self.typos_.items():
            warnings.warn(str(typo_note(name, found)), TypoWarning, stacklevel=3)
        return _without_words(frame, self.columns_)

    # ----- names ----------------------------------------------------------------------------
    @property
    def feature_names_in_(self) -> list[str]:
        """The raw columns ``transform`` reads, in table order."""
        return [c["name"] for c in self.columns_ if c["role"] != "ignored"]

    @property
    def text_columns(self) -> list[str]:
        """The categorical columns, which ``transform`` reads from a file as text: a level
        such as "007" or "TRUE" stays as written whatever the file's other rows look like
        (a file of only "007" and "08" would otherwise read as the numbers 7 and 8)."""
        return [
            c["name"]
            for c in self.columns_
            if c["role"] == "categorical" and not _read_as_booleans(c["categories"])
        ]

    @property
    def feature_names_out_(self) -> list[str]:
        """One name per encoded input: ``age``, ``age (missing)``, ``island=Biscoe`` …"""
        names: list[str] = []
        for column in self.columns_:
            if column["role"] == "numeric":
                names.append(column["name"])
                if column["missing_indicator"]:
                    names.append(f"{column['name']} {MISSING}")
            elif column["role"] == "categorical":
                names.extend(f"{column['name']}={level}" for level in column["categories"])
        return names

    # ----- encoding -------------------------------------------------------------------------
    def transform(self, data: Any) -> Array:
        """The network's inputs for the rows of ``data``.

        Parameters
        ----------
        data : as for ``fit``; it must have the ``feature_names_in_`` columns (others are
            skipped). A 2-D array's columns are ``feature_names_in_`` in order.

        Returns
        -------
        (n_samples, len(feature_names_out_)) float64. Every row gets values: missing cells
        and unknown levels are filled as the class describes, and counted in
        ``transform_counts_``.

        Raises
        ------
        DataError naming the column and data row of a cell that is not a (finite) number in
        a numeric column, or the columns the data lacks.
        """
        frame, plan = self._planned(data)
        _check_fits_in_memory(frame.height, plan.width)
        out = np.empty((frame.height, plan.width), dtype=np.float64)
        for start, X in self._encode(frame, plan, _block_rows(SLICE_ROWS, frame, plan)):
            out[start : start + len(X)] = X  # each slice of rows lands in its own rows
        return out

    def transform_in_blocks(
        self, data: Any, block_rows: int = 65536
    ) -> Iterator[tuple[int, Array]]:
        """``transform(data)`` a block of rows at a time, without the whole matrix.

        Yields ``(first_row, X)``: X is (≤ block_rows, len(feature_names_out_)) float64,
        rows ``first_row …`` of what ``transform`` returns, bit for bit (Fortran-ordered:
        each input's values lie together). X is one buffer, overwritten by the next block:
        use (or copy) it before asking for the next. For scoring a table far larger than
        its encoding would fit in memory, and faster than ``transform`` on any large table
        (the same memory is written again, while it is still in the caches and mapped).
        ``transform_counts_`` is set after the last block.
        """
        frame, plan = self._planned(data)
        rows = _block_rows(positive_int(block_rows, "block_rows"), frame, plan)
        yield from self._encode(frame, plan, rows)

    def _planned(self, data: Any) -> tuple[pl.DataFrame, _Plan]:
        """``data`` as a checked frame of the fitted columns, and the plan to encode it."""
        import polars as pl

        if not self.columns_:
            raise ValueError("the Preprocessor is not fitted; call fit(data) first")
        frame = as_frame(
            data,
            na_values=self.na_values,
            names=self.feature_names_in_,
            text_columns=self.text_columns,
        )
        present = set(frame.columns)
        lacking = [name for name in self.feature_names_in_ if name not in present]
        if lacking:
            # one column named "a,b,label": the file was split at another delimiter
            joined = [n for n in frame.columns if any(d in n for d in (",", ";", "\t", "|"))]
            hint = (
                f" (its column {joined[0]!r} holds a delimiter: read it with the right "
                "--delimiter, or without one to sniff it)"
                if joined
                else ""
            )
            raise DataError(
                f"the model needs the column{'s' * (len(lacking) > 1)} {', '.join(lacking)}, "
                f"which the data lacks (its columns are {', '.join(frame.columns)}); add "
                f"{'them' if len(lacking) > 1 else 'it'}: empty cells are filled as in "
                f"training{hint}"
            )
        used = [c for c in self.columns_ if c["role"] != "ignored"]
        frame = _without_words(frame, used)
        # true/false among numbers are 1 and 0, written as text as a CSV reads them typed
        # (text they stay: the schema holds for the checks below)
        schema = frame.schema  # built anew on every access: once, not once per column
        words = [
            c["name"] for c in used if c["role"] == "numeric" and schema[c["name"]] == pl.String
        ]
        if words:
            frame = frame.with_columns(booleans_as_numbers(name) for name in words)
        # text (and other non-number) cells are judged before they are cast; float cells
        # after, on the computed values (a NaN or ±inf cell makes its column's sum NaN/inf)
        _check_cells(
            frame,
            [
                c["name"]
                for c in used
                if c["role"] == "numeric"
                and not (schema[c["name"]].is_numeric() or schema[c["name"]] == pl.Boolean)
            ],
            fitting=False,
        )
        for column in used:
            unusable = _unusable(schema[column["name"]])
            if column["role"] == "categorical" and unusable is not None:
                raise DataError(
                    f"column {column['name']!r} holds {unusable[0]}, where the model reads "
                    "categories; give its cells as text, as in the training table"
                )
        return frame, _Plan(used, schema)

    def _encode(
        self, frame: pl.DataFrame, plan: _Plan, block_rows: int
    ) -> Iterator[tuple[int, Array]]:
        """Encode ``frame`` ``block_rows`` rows at a time into one reused buffer; yield each
        block's first row and its (rows, inputs) view of the buffer.

        polars prepares a part of the table at a time (``PART_ROWS``, whole blocks): each
        numeric column as float64 with its missing cells given the training median, which
        cells of a flagged column are missing, each categorical column's level codes — one
        select, its columns in parallel. The buffer holds each input's values together (an
        input is a row of it), so every numeric input is standardized by NumPy straight
        into place, a level's ones land in their own row, and the network reads the block
        as a Fortran-ordered matrix. Raises DataError at the first block with a NaN or
        infinite number, naming its first bad cell.
        """
        import polars as pl

        numeric = [c["name"] for c in plan.used if c["role"] == "numeric"]
        prepared = [
            pl.col(name).cast(pl.Float64).fill_null(median).alias(f"value {j}")
            for j, (name, (*_, median, _)) in enumerate(zip(numeric, plan.numeric, strict=True))
        ]
        flagged = [j for j, (*_, indicator) in enumerate(plan.numeric) if indicator]
        prepared += [pl.col(numeric[j]).is_null().alias(f"missing {j}") for j in flagged]
        prepared += plan.codes
        # one scratch input past the last: a cell of no level puts its one there
        buffer = np.empty((plan.width + 1) * block_rows, dtype=np.float64)
        unseen = [0] * len(plan.codes)
        looked = False  # whether the numeric columns were searched for a bad cell
        part_rows = block_rows * max(1, PART_ROWS // block_rows)
        for part_start in range(0, max(frame.height, 1), part_rows):
            columns = [
                series.to_numpy()
                for series in frame.slice(part_start, part_rows).select(prepared).iter_columns()
            ]
            values = columns[: len(numeric)]
            flags = columns[len(numeric) : len(numeric) + len(flagged)]
            missing = dict(zip(flagged, flags, strict=True))
            codes = columns[len(numeric) + len(flagged) :]
            for i, column in enumerate(codes):
                unseen[i] += int(np.count_nonzero(column == -1))
            part_height = min(part_rows, frame.height - part_start)
            for offset in range(0, max(part_height, 1), block_rows):
                start = part_start + offset
                size = min(block_rows, frame.height - start)
                rows = slice(offset, offset + size)
                X = buffer[: (plan.width + 1) * size].reshape(plan.width + 1, size)
                total = 0.0
                # a huge value or sum is fine here; the finite check below tells
                with np.errstate(over="ignore", invalid="ignore"):
                    for j, (at, mean, scale, _, indicator) in enumerate(plan.numeric):
                        np.subtract(values[j][rows], mean, out=X[at])
                        np.divide(X[at], scale, out=X[at])
                        total += X[at].sum()
                        if indicator:
                            X[at + 1] = missing[j][rows]
                if not (np.isfinite(total) or looked):  # a NaN or infinite cell, or a huge sum
                    _check_cells(frame, numeric, fitting=False)  # raises, naming the bad cell
                    looked = True
                flat = X.reshape(-1)
                where = np.arange(size)
                for (first, lookup), column in zip(plan.blocks, codes, strict=True):
                    X[first : first + len(lookup) - 2].fill(0.0)
                    # code + 2 → the level's input within the block, or the scratch input
                    flat[(first + lookup[column[rows] + 2]) * size + where] = 1.0
                yield start, X[: plan.width].T
        missing_counts = frame.select(pl.col(c["name"]).null_count() for c in plan.used).row(0)
        self.transform_counts_ = {
            "rows": frame.height,
            "missing": {
                c["name"]: int(m) for c, m in zip(plan.used, missing_counts, strict=True) if m
            },
        }
        # a level not kept is read as "(other)" where the column has it: it may be a rare
        # level of the training table (folded), so only the others are counted as unseen
        for key, folded in (("unseen", False), ("other", True)):
            self.transform_counts_[key] = {
                c["name"]: n
                for c, n in zip(plan.categorical, unseen, strict=True)
                if n and (OTHER in c["categories"]) == folded
            }

    def fit_transform(self, data: Any, target: str | None = None, **options: Any) -> Array:
        """``fit(data, target, **options)`` then ``transform(data)``."""
        frame = as_frame(data, na_values=options.get("na_values") or NA_VALUES)
        return self.fit(frame, target, **options).transform(frame)

    # ----- configuration --------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """The JSON-able description a model file stores (see the module docstring)."""
        return {"columns": [dict(c) for c in self.columns_], "na_values": list(self.na_values)}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Preprocessor:
        """The fitted Preprocessor ``get_config`` described; a malformed one is refused."""
        columns = config.get("columns") if isinstance(config, dict) else None
        na_values = config.get("na_values", list(NA_VALUES)) if isinstance(config, dict) else None
        if not isinstance(columns, list) or not isinstance(na_values, list):
            raise ValueError("a preprocessing config needs a 'columns' list and 'na_values'")
        for column in columns:
            _check_column_config(column)
        seen: set[str] = set()
        for column in columns:  # each column is looked up by its name
            if column["name"] in seen:
                raise ValueError(
                    f"a preprocessing config names the column {column['name']!r} twice"
                )
            seen.add(column["name"])
        if not any(c["role"] != "ignored" for c in columns):
            raise ValueError("a preprocessing config needs at least one used column")
        pre = cls()
        pre.columns_ = [dict(c) for c in columns]
        pre.na_values = [str(v) for v in na_values]
        return pre

    def __repr__(self) -> str:
        if not self.columns_:
            return "Preprocessor(not fitted)"
        roles = [c["role"] for c in self.columns_]
        counts = ", ".join(
            f"{roles.count(role)} {role}"
            for role in ("numeric", "categorical", "ignored")
            if role in roles
        )
        inputs = len(self.feature_names_out_)
        return f"Preprocessor({len(roles)} columns: {counts} → {inputs} inputs; see .report())"

    def report(self) -> list[tuple[str, str, str]]:
        """(column, role, what it becomes) per column, for the command line's table."""
        rows = []
        for c in self.columns_:
            if c["role"] == "numeric":
                detail = f"standardized (mean {c['mean']:.4g}, scale {c['scale']:.4g})"
                if c["missing_indicator"]:
                    detail += f"; missing → median {c['median']:.4g} + '{c['name']} {MISSING}'"
                if c.get("missing_words"):
                    words = c["missing_words"]
                    shown = ", ".join(repr(w) for w in words[:3]) + ", …" * (len(words) > 3)
                    detail += f"; typos {shown} read as missing"
            elif c["role"] == "categorical":
                levels = c["categories"]
                shown = listed(levels[:6]) + (f", … ({len(levels)} in all)" * (len(levels) > 6))
                detail = f"one-hot: {shown}"
            else:
                detail = f"{c['reason']}; keep it with {c['keep']}"
            rows.append((c["name"], c["role"], detail))
        return rows


# ----- reading any kind of data as a polars frame --------------------------------------------
def _read_as_booleans(categories: Sequence[str]) -> bool:
    """Whether a categorical column's levels are "true"/"false": polars' spelling of a
    column of booleans, which is read as booleans again (whatever their case in a file)."""
    levels = set(categories) - {MISSING, OTHER}
    return bool(levels) and levels <= {"true", "false"}


def as_frame(
    data: Any,
    *,
    na_values: Sequence[str] = NA_VALUES,
    names: Sequence[str] | None = None,
    text_columns: Sequence[str] = (),
) -> pl.DataFrame:
    """``data`` as a polars DataFrame: a path is read (``glassnet.table.read_table``); a
    pandas DataFrame, a dict of columns or a 2-D array (columns ``names``, else ``x0`` …)
    or a polars DataFrame is converted, its text cells stripped and those in ``na_values``
    or empty made missing (a pass over each text column's distinct values only: a frame
    ``read_table`` cleaned already costs little). A polars DataFrame that has all of
    ``names`` comes as those columns alone."""
    import polars as pl

    if isinstance(data, (str, os.PathLike)):
        return read_table(data, na_values=na_values, text_columns=text_columns)
    if isinstance(data, pl.DataFrame):
        if not all(data.columns):  # a column with no name is named as a CSV's is
            data = data.rename(
                dict(zip(data.columns, named(data.columns, "the table"), strict=True))
            )
        if names is not None and set(names) <= set(data.columns):
            data = data.select(names)  # the other columns (a target, ids, notes) need no cleaning
        return clean_text(data, na_values)
    if type(data).__module__.split(".")[0] in ("pandas", "polars") and not hasattr(data, "columns"):
        raise ValueError(
            f"expected a table (a DataFrame, a dict of columns or a 2-D array); got a "
            f"{type(data).__name__}: one row → series.to_frame().T, one column → "
            "series.to_frame()"
        )
    if type(data).__module__.split(".")[0] == "pandas":
        names = named([str(c) for c in data.columns], "the table")
        try:
            frame = pl.from_pandas(data.set_axis(range(len(names)), axis=1))
            frame.columns = names
        except Exception:  # pyarrow refuses an object column of mixed types (3, "7", 1.0)
            frame = pl.DataFrame([_pandas_series(n, data.iloc[:, j]) for j, n in enumerate(names)])
    elif isinstance(data, dict):
        names = named([str(k) for k in data], "the table")
        _check_column_lengths(names, list(data.values()))
        frame = pl.DataFrame([_series(n, v) for n, v in zip(names, data.values(), strict=True)])
    else:
        array = np.asarray(data)
        if array.ndim != 2:
            raise ValueError(
                f"expected a table or a 2-D array (n_samples, n_features); got shape "
                f"{array.shape}: one sample → reshape(1, -1), one feature → reshape(-1, 1)"
            )
        if names is None:
            names = [f"x{j}" for j in range(array.shape[1])]
        elif len(names) != array.shape[1]:
            raise ValueError(
                f"the array has {array.shape[1]} columns but the model reads {len(names)} "
                f"({', '.join(names)})"
            )
        frame = pl.DataFrame([_series(name, array[:, j]) for j, name in enumerate(names)])
    return clean_text(frame, na_values)


def _check_column_lengths(names: list[str], columns: list[Any]) -> None:
    """Refuse a dict of columns whose values are not one list each, of one length."""
    lengths = {}
    for name, values in zip(names, columns, strict=True):
        if np.ndim(values) != 1:
            raise ValueError(
                f"the column {name!r} of a dict of columns must be a list of cells; got "
                f"{np.ndim(values)}-D {type(values).__name__} (one row: wrap each cell in a list)"
            )
        lengths[name] = len(values)
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name!r} {n}" for name, n in lengths.items())
        raise ValueError(f"the columns of a dict must all have as many cells; they have {shown}")


def _series(name: str, values: Any) -> pl.Series:
    """One column from a list or array; None, float NaN and pandas' NA are missing, text
    stays text. A list's cells are judged as they are: NumPy would make [True, False, nan]
    floats (1.0, 0.0) and ["low", nan] the text "nan"."""
    import polars as pl

    listed = isinstance(values, (list, tuple)) and any(_is_missing(v) for v in values)
    if listed:
        cells = [v.item() if isinstance(v, np.generic) else v for v in values]
    else:
        array = np.asarray(values)
        if array.dtype.kind in "biuf":
            series = pl.Series(name, array)
            return series.fill_nan(None) if array.dtype.kind == "f" else series
        cells = array.tolist()
    cells = [None if _is_missing(v) else v for v in cells]
    kinds = {type(v) for v in cells if v is not None}
    if kinds and kinds <= {int, float, bool} and bool not in kinds:
        # a whole number past float64's range (10**400) is infinite, as "1e400" reads, and
        # refused by the finite check with its row
        return pl.Series(name, [_float(v) for v in cells], dtype=pl.Float64)
    if kinds == {bool}:
        return pl.Series(name, cells, dtype=pl.Boolean)
    return pl.Series(name, [None if v is None else _text(v) for v in cells], dtype=pl.String)


def _is_missing(cell: Any) -> bool:
    """None, a float NaN, or pandas' NA or NaT (as ``df[col].tolist()`` gives them)."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return True
    return type(cell).__name__ in ("NAType", "NaTType")


def booleans_as_numbers(name: str) -> pl.Expr:
    """A text column with true and false (any case) as "1" and "0": a CSV's column of them
    reads as booleans, which a numeric column takes as 1 and 0."""
    import polars as pl

    column = pl.col(name)
    word = column.str.to_lowercase()
    return (
        pl.when(word == "true")
        .then(pl.lit("1"))
        .when(word == "false")
        .then(pl.lit("0"))
        .otherwise(column)
        .alias(name)
    )


def _names_given(
    target: Any, categorical: Any, numeric: Any, ignore: Any, na_values: Any
) -> tuple[list[str], list[str], list[str], list[str]]:
    """``fit``'s column lists and missing markers, as lists (given once, each may be a
    generator), after refusing (TypeError) a name or marker that is not text, or a text
    given for a list (list("island") would be six one-letter names)."""
    if target is not None and not isinstance(target, str):
        raise TypeError(f"target must be a column name (text) or None; got {target!r}")
    given = {"categorical": categorical, "numeric": numeric, "ignore": ignore}
    given["na_values"] = na_values or []
    for option, values in given.items():
        if isinstance(values, str):
            raise TypeError(f"{option} must be a list of texts; got the text {values!r}")
        given[option] = list(values)
        for value in given[option]:
            if not isinstance(value, str):
                raise TypeError(f"{option} must hold texts; got {value!r} ({type(value).__name__})")
    return given["categorical"], given["numeric"], given["ignore"], given["na_values"]


def _pandas_series(name: str, column: Any) -> pl.Series:
    """One pandas column as polars converts it, or, when it cannot (an object column of
    mixed types), its cells as a dict of columns' cells are read (``_series``)."""
    import polars as pl

    try:
        series: pl.Series = pl.Series(name, pl.from_pandas(column.to_frame()).to_series())
        return series
    except Exception:  # pyarrow's ArrowInvalid or ArrowTypeError
        return _series(name, column.to_numpy(dtype=object))


def _float(value: Any) -> float | None:
    """A cell as a float: None stays missing, a whole number past the range is ±inf."""
    if value is None:
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _text(value: Any) -> str:
    """A cell as category text: whole numbers without ".0"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ----- deciding roles -------------------------------------------------------------------------
def _check_overrides(columns: list[str], given: dict[str, list[str]], target: str | None) -> None:
    """Refuse override names that are not columns, the target, or given two roles."""
    seen: dict[str, str] = {}
    for option, names in given.items():
        for name in names:
            if name not in columns:
                raise DataError(
                    f"--{option} names {name!r}, which is not a column"
                    f"{nearest(name, columns)}; the columns are {', '.join(columns)}"
                )
            if name == target:
                raise DataError(f"--{option} names the target {name!r}; leave it out")
            if name in seen:
                raise DataError(
                    f"{name!r} is given to both --{seen[name]} and --{option}; keep one"
                )
            seen[name] = option
    if target is not None and target not in columns:
        raise DataError(
            f"no column named {target!r}{nearest(target, columns)}; the columns are "
            f"{', '.join(columns)}"
        )


def _summary(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """For each column of numbers: its missing cells, smallest and largest value, and
    whether it has a NaN or infinite cell (``bad``) — one pass over all of them together."""
    import polars as pl

    schema = frame.schema  # built anew on every access: once, not once per column
    names = [name for name, dtype in schema.items() if dtype.is_numeric()]
    if not names:
        return {}
    expressions = []
    for name in names:
        column = pl.col(name)
        if schema[name].is_float():
            bad = (column.is_nan() | column.is_infinite()).any()
        else:  # integers are always finite
            bad = pl.lit(False)
        expressions += [column.null_count(), column.min(), column.max(), bad]
    row = frame.select(e.alias(str(i)) for i, e in enumerate(expressions)).row(0)
    keys = ("missing", "min", "max", "bad")
    return {
        name: dict(zip(keys, row[4 * j : 4 * j + 4], strict=True)) for j, name in enumerate(names)
    }


def _fit_column(
    whole: pl.Series,
    series: pl.Series,
    given: dict[str, list[str]],
    max_categories: int,
    summary: dict[str, Any] | None,
    same: bool,
) -> dict[str, Any]:
    """One column's role and encoding: as ``given`` by the overrides, else decided.
    ``summary`` is ``_summary``'s entry for the whole column (None for one of text);
    ``same`` says that ``series`` is the ``whole`` column (no rows held out)."""
    name = series.name
    if name in given["ignore"]:
        return _ignored(name, "--ignore", _keep_option(series))
    unusable = _unusable(series.dtype)
    if unusable is not None:
        held, keep, fix = unusable
        if name in given["numeric"] or name in given["categorical"]:
            raise DataError(f"column {name!r} holds {held}, which cannot be an input; {fix}")
        return _ignored(name, f"{held}, neither numbers nor text", keep)
    if name in given["numeric"]:
        return _fit_numeric(series, forced=True)
    if name in given["categorical"]:
        return _fit_categorical(series, max_categories)
    return _decide(whole, series, max_categories, summary, same)


def _decide(
    whole: pl.Series,
    series: pl.Series,
    max_categories: int,
    summary: dict[str, Any] | None,
    same: bool,
) -> dict[str, Any]:
    """The role of a column nobody named, by the rules of the module docstring, decided on
    the ``whole`` column; its encoding is learnt from ``series`` (the training rows). A
    column of numbers is judged from its ``summary``, a text column from its level counts
    (one hashing pass; every rule then looks at the distinct levels only)."""
    import polars as pl

    name = series.name
    if UNNAMED.match(name):
        return _ignored(name, "an unnamed column (row numbers or labels)", _keep_option(series))
    if ROW_NAMES.match(name):  # numbers or not: Rdatasets' GSSvocab holds 1978.1, 1978.11 …
        return _ignored(name, "R's row names (an identifier)", _keep_option(series))
    dtype = whole.dtype
    if summary is not None:
        present = whole.len() - summary["missing"]
        if present == 0 or summary["min"] == summary["max"]:
            return _ignored(name, "constant", _keep_option(series))
        if dtype.is_integer() and present == whole.len() and _is_row_numbers(whole, present):
            return _ignored(name, "the row numbers (an identifier)", "--numeric COL")
        if dtype.is_integer() and ID_NAME.match(name) and present == whole.len():
            # shuffled row numbers or record ids: a number per row (or per few rows, as
            # MASS's biopsy has a patient's ID on one or two) says nothing of others; ids
            # shared by many rows (a store's) group them, and stay numbers
            distinct = whole.n_unique()
            if distinct == present:
                reason = "a different whole number in every row, named as an id"
                return _ignored(name, reason, "--numeric COL")
            if distinct >= ID_DISTINCT * present:
                reason = f"{distinct} different whole numbers in {present} rows, named as an id"
                return _ignored(name, reason, "--numeric COL")
        # the training rows (all of them, or a part that might be all missing)
        return {"name": name, "role": "numeric"} if same else _fit_numeric(series)
    counts = _level_counts(whole)
    levels, times = counts
    present = int(times.sum())
    if present == 0 or levels.len() == 1:
        return _ignored(name, "constant", _keep_option(series))
    if dtype == pl.Boolean:
        return _fit_categorical(series, max_categories, counts if same else None)
    if dtype != pl.String and not dtype.is_temporal():
        return _ignored(name, f"a {dtype} column, neither numbers nor text", "--categorical COL")
    # dates and times are levels, as the same column read from a CSV (as text) is
    if dtype == pl.String:
        numbers = levels.str.contains(NUMBER_PATTERN)
        share = int(times.filter(numbers).sum()) / present
        if share == 1.0:
            return _fit_numeric(series)
        if share >= TYPO_SHARE:
            words = sorted(levels.filter(~numbers).to_list())
            if len(words) > TYPO_WORDS:
                raise _typo_error(whole, whole.drop_nulls().str.contains(NUMBER_PATTERN))
            typo = {"name": name, "missing_words": words}
            column = _fit_numeric(_without_words(series.to_frame(), [typo]).to_series())
            return {**column, "missing_words": words} if column["role"] == "numeric" else column
        if levels.str.to_lowercase().is_in(list(BOOLEAN_WORDS)).all():
            return _fit_categorical(series, max_categories, counts if same else None)
    if levels.len() >= NEARLY_DISTINCT * present:
        dated = category_text(levels.head(5)).str.contains(DATE_PATTERN).all()
        kind = "dates" if dtype.is_temporal() or dated else "text"
        every = (
            "every row (an identifier)"
            if levels.len() == present
            else f"nearly every row ({levels.len()} values in {present} rows; an identifier)"
        )
        return _ignored(name, f"{kind} with a different value in {every}", "--categorical COL")
    return _fit_categorical(series, max_categories, counts if same else None)


def _level_counts(series: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The distinct present cells of ``series`` and how often each occurs, most frequent
    first, ties in text order."""
    import polars as pl

    value, count = "value", "count"
    counts = (
        series.drop_nulls()
        .alias(value)
        .to_frame()
        .group_by(value)
        .agg(pl.len().alias(count))
        .sort([count, value], descending=[True, False])
    )
    return counts[value].alias(series.name), counts[count]


def _unusable(dtype: Any) -> tuple[str, str, str] | None:
    """For cells no input can be made of (durations, lists, structs, bytes, objects): what
    they are, how to keep such a column (an ignored column's hint) and what to do when it
    was named as an input; else None. Dates and times are category text."""
    import polars as pl

    if dtype == pl.Duration:
        numbers = "as numbers (seconds, days)"
        return f"durations ({dtype})", f"its durations stored {numbers}", f"store them {numbers}"
    if dtype.is_nested() or dtype in (pl.Binary, pl.Object):
        fix = "flatten it into plain columns of numbers or text"
        return f"{dtype} cells", "plain columns in its place", fix
    return None


def _keep_option(series: pl.Series) -> str:
    """The option that makes an ignored column an input."""
    return "--numeric COL" if series.dtype.is_numeric() else "--categorical COL"


def _ignored(name: str, reason: str, keep: str) -> dict[str, Any]:
    # quoted for a shell when it must be ("Customer ID"), so the hint can be pasted
    shown = shlex.quote(name)
    return {"name": name, "role": "ignored", "reason": reason, "keep": keep.replace("COL", shown)}


def _is_row_numbers(values: pl.Series, n_rows: int) -> bool:
    """Whether integer ``values`` (no missing) are the row numbers: rising from 0 or 1 by
    steps of 1 — or a little more, where rows were left out (a missing target)."""
    if values.len() != n_rows or n_rows < 3 or values[0] not in (0, 1):
        return False
    rising = bool((values.diff().drop_nulls() > 0).all())
    return rising and values[-1] - values[0] < 1.25 * n_rows


def _typo_error(series: pl.Series, numbers: pl.Series) -> DataError:
    """The one line for a numeric column with a few non-numbers: the first three named."""
    import polars as pl

    frame = pl.DataFrame({"cell": series}).with_row_index("row").drop_nulls("cell")
    bad = frame.filter(~numbers)
    first = bad.head(3).rows()
    total = bad.height
    shown = cells_named([cell for _, cell in first], total)
    return _WholeColumnError(
        f"column {braced(series.name)} holds numbers except {total} "
        f"cell{'s' * (total > 1)} ({shown}); fix them, mark them "
        f"missing with --na-values, or pass --categorical {braced(series.name, quote=False)} "
        "if it is text",
        [row for row, _ in first],
    )


def _typo_cells(series: pl.Series, words: list[str]) -> dict[str, Any]:
    """How many cells of ``series`` are one of the typo ``words``, and the first three
    (data row, text)."""
    bad = series.is_in(words).fill_null(False)
    rows = bad.arg_true()
    return {
        "cells": len(rows),
        "first": [(int(r), str(series[int(r)])) for r in rows.head(3)],
    }


def typo_note(name: str, found: dict[str, Any]) -> DataError:
    """The one line for a column of numbers whose few non-numbers ``found`` (``typos_``)
    are read as missing: a DataError only so that ``locate`` can name the file's lines."""
    first = found["first"]
    total = found["cells"]
    shown = cells_named([text for _, text in first], total)
    return DataError(
        f"column {braced(name)} holds numbers except {total} cell{'s' * (total > 1)} "
        f"({shown}), read as missing; fix {'them' if total > 1 else 'it'}, "
        "or pass --categorical "
        f"{braced(name, quote=False)} if it is text",
        [row for row, _ in first],
    )


def _without_words(frame: pl.DataFrame, columns: list[dict[str, Any]]) -> pl.DataFrame:
    """``frame`` with the cells of each text column that are one of its ``missing_words``
    (typos among numbers, learnt by ``fit``) made missing."""
    import polars as pl

    schema = frame.schema  # built anew on every access: once, not once per column
    typos = [c for c in columns if c.get("missing_words") and schema.get(c["name"]) == pl.String]
    if not typos:
        return frame
    return frame.with_columns(
        pl.when(pl.col(c["name"]).is_in(c["missing_words"]))
        .then(None)
        .otherwise(pl.col(c["name"]))
        .alias(c["name"])
        for c in typos
    )


class _WholeColumnError(DataError):
    """A problem found in a whole column (its rows are rows of the whole table)."""


# ----- numeric columns ------------------------------------------------------------------------
def _fix(name: str, fitting: bool) -> str:
    """What to do about a bad cell of the numeric column ``name``: at ``fit`` the table's
    reading can change; at ``transform`` (``predict``) only the cell can."""
    if fitting:
        return f"fix the value, mark it missing with --na-values, or pass --ignore {name}"
    return "fix the value, or leave the cell empty: a missing cell is filled as in training"


def _numbers(series: pl.Series, fitting: bool = True) -> pl.Series:
    """A column as float64 with nulls for missing; text cells must all be numbers."""
    import polars as pl

    numbers: pl.Series
    if series.dtype == pl.Boolean or series.dtype.is_numeric():
        numbers = series.cast(pl.Float64)
        return numbers
    if series.dtype != pl.String:
        raise DataError(f"column {series.name!r} is a {series.dtype} column, not numbers")
    bad = series.is_not_null() & ~series.str.contains(NUMBER_PATTERN)
    if bad.any():
        row = int(bad.arg_true()[0])
        raise DataError(
            f"{{place0}}, column {braced(series.name)}: {braced(series[row])} is not a "
            f"number; {braced(_fix(series.name, fitting), quote=False)}",
            [row],
        )
    numbers = series.cast(pl.Float64)
    return numbers


def _check_finite(values: pl.Series, fitting: bool = True) -> None:
    """Refuse inf and NaN read from the data (missing cells are nulls, not NaN)."""
    bad = values.is_nan() | values.is_infinite()
    if bad.any():
        row = int(bad.arg_true()[0])
        value = float(values[row])
        # the reader made inf of a cell written "inf" or of a number past float64's range
        # (1e400): the message cannot quote the cell, so it says what it may have been
        shown = repr(value) if math.isnan(value) else f"{value} (written so, or past ±1.8e308)"
        raise DataError(
            f"{{place0}}, column {braced(values.name)}: {shown} is not a finite "
            f"number; {braced(_fix(values.name, fitting), quote=False)}",
            [row],
        )


def _fit_numeric(series: pl.Series, forced: bool = False) -> dict[str, Any]:
    """Check a numeric column (numbers only, not all missing); ``_check_cells`` then checks
    that they are finite and ``_numeric_statistics`` finds the median, mean and scale, for
    all such columns at once."""
    values = _numbers(series)
    if values.null_count() == values.len():
        if not forced:
            return _ignored(series.name, "every cell is missing", "--numeric COL")
        raise DataError(
            f"column {series.name!r} has no values (every cell is missing); leave it out of "
            "the numeric columns (--numeric), or drop it"
        )
    return {"name": series.name, "role": "numeric"}


def _numeric_statistics(
    frame: pl.DataFrame, columns: list[dict[str, Any]], summary: dict[str, Any] | None = None
) -> None:
    """Fill in the median, mean, scale and missing indicator of the numeric ``columns``
    of ``frame``. Their missing counts and largest |value| come from ``summary``
    (``_summary(frame)``) or one polars pass over the columns it lacks; the rest from
    ``_moments``, a column per thread. Mean and scale are those of the filled column,
    found as ``Scaler.fit`` finds them: on the values divided by the largest |value| (no
    overflow near the float64 limit, no loss of tiny ones); a constant column gets scale 1."""
    import polars as pl

    if not columns:
        return
    names = [c["name"] for c in columns]
    known = summary or {}
    unknown = [name for name in names if name not in known]
    first: dict[str, Any] = {}
    if unknown:
        first = frame.select(
            expr
            for name in unknown
            for expr in (
                pl.col(name).null_count().alias(f"missing:{name}"),
                pl.col(name).cast(pl.Float64).abs().max().alias(f"size:{name}"),
            )
        ).row(0, named=True)
    for name in names:
        if name in known:
            low, high = float(known[name]["min"]), float(known[name]["max"])
            first[f"missing:{name}"] = known[name]["missing"]
            first[f"size:{name}"] = max(abs(low), abs(high))
    size = np.array([float(first[f"size:{name}"] or 0.0) or 1.0 for name in names])

    def moments(j: int) -> tuple[float, float, float]:
        return _moments(frame[names[j]], float(size[j]))

    workers = min(len(names), os.cpu_count() or 1)
    if workers <= 1:
        found = [moments(j) for j in range(len(names))]
    else:
        with ThreadPoolExecutor(workers) as pool:
            found = list(pool.map(moments, range(len(names))))
    median, unit_mean, unit_scale = (np.array(values) for values in zip(*found, strict=True))
    scaler = Scaler().set_from_units(size, unit_mean, unit_scale, names)
    assert scaler.mean is not None and scaler.scale is not None
    for j, column in enumerate(columns):
        column["median"] = float(median[j])
        column["mean"] = float(scaler.mean[j])
        column["scale"] = float(scaler.scale[j])
        column["missing_indicator"] = first[f"missing:{column['name']}"] > 0


def _moments(column: pl.Series, size: float) -> tuple[float, float, float]:
    """A column's median (missing cells left out), then the mean and standard deviation of
    the column with its missing cells given that median, divided by ``size``. NumPy's
    partial sort is about 3× polars' median on a column with missing cells, and it and the
    sums let other threads run, so the columns are shared out over the cores; each sorts
    its own copy of the column in place."""
    import polars as pl

    values = column.cast(pl.Float64).to_numpy(writable=True)
    # missing cells come as NaN, which a partial sort puts last: the middle of the first
    # ``present`` values is the median, found as ``np.median`` finds it
    present = len(values) - column.null_count()
    middle = [present // 2] if present % 2 else [present // 2 - 1, present // 2]
    values.partition(middle)
    median = float(np.mean(values[middle]))
    if present < len(values):  # the NaNs lie past the middle, not all at the end
        values[np.isnan(values)] = median
    # in place, no temporaries: on a VM, fresh pages for a column cost more than its sums
    values /= size
    mean = float(values.mean())
    values -= mean
    np.square(values, out=values)  # the deviation as np.std finds it, in place
    return median, mean, math.sqrt(float(values.mean()))


# ----- categorical columns --------------------------------------------------------------------
def category_text(series: pl.Series) -> pl.Series:
    """A column's cells as category text (see ``text_expression``); missing stays missing."""
    text: pl.Series = series.to_frame().select(text_expression(series.name, series.dtype))[
        series.name
    ]
    return text


def _fit_categorical(
    series: pl.Series, max_categories: int, counts: tuple[pl.Series, pl.Series] | None = None
) -> dict[str, Any]:
    """The levels of a categorical column: the most frequent ``max_categories`` in text
    order, then "(other)" if some were left out and "(missing)" if any cell is missing.
    ``counts``: ``_level_counts`` of the column when known already (a text column)."""
    import polars as pl

    text = category_text(series)
    if counts is None or series.dtype != pl.String:  # other cells' text is not the cell
        counts = _level_counts(text)
    levels = _one_per_value(*counts)
    kept = sorted(levels[:max_categories])
    if MISSING in kept or OTHER in kept:
        raise DataError(
            f"column {series.name!r} has a value {MISSING!r} or {OTHER!r}, which glassnet uses "
            "for missing and rare levels; rename that value"
        )
    categories = kept + [OTHER] * (len(levels) > max_categories)
    if text.null_count():
        categories.append(MISSING)
    return {"name": series.name, "role": "categorical", "categories": categories}


def _number_value(level: str) -> float | None:
    """The value of a level that is a number within ±2^53 (where a float64 holds every
    whole number: beyond, two levels differ as text and not as floats), else None."""
    if not re.match(NUMBER_PATTERN, level):
        return None
    value = int(level) if re.fullmatch(r"[+-]?[0-9]+", level) else float(level)
    return float(value) if abs(value) <= 2**53 else None


def _one_per_value(levels: pl.Series, times: pl.Series) -> list[str]:
    """The ``levels`` (with their counts ``times``), most frequent first, ties in text
    order, where levels that are one value written otherwise are one level, named as
    ``transform`` matches such cells (``_level_lookups``): yes, Yes and YES as "yes" in a
    column of yes/no words; 5 and 5.0 as the shorter, "5" (within ±2^53; not "007")."""
    names = levels.to_list()
    lowered = levels.str.to_lowercase()
    if lowered.n_unique() < len(names) and lowered.is_in(list(BOOLEAN_WORDS)).all():
        names = lowered.to_list()
    elif levels.str.contains(NUMBER_PATTERN).sum() > 1:
        groups: dict[float, list[int]] = {}
        for i, level in enumerate(names):
            value = _number_value(level)
            # a leading zero makes a code ("007" beside "7"): kept as written
            if value is not None and not re.match(r"[+-]?0[0-9]", level):
                groups.setdefault(value, []).append(i)
        for group in groups.values():
            shortest = min((names[i] for i in group), key=lambda level: (len(level), level))
            for i in group:
                names[i] = shortest
    if len(set(names)) == len(names):
        return names  # nothing written twice: the counts' order stands
    totals: dict[str, int] = {}
    for name, count in zip(names, times.to_list(), strict=True):
        totals[name] = totals.get(name, 0) + count
    return sorted(totals, key=lambda name: (-totals[name], name))


# ----- encoding ----------------------------------------------------------------------------------
SLICE_ROWS = 1 << 14
"""Rows ``transform`` encodes at a time before copying them into its result: 16,384 rows of
100 inputs are 13 MB, written again for each slice while they are still in the caches."""

PART_ROWS = 1 << 18
"""Rows polars prepares at a time for the encoding (their numbers filled, flags and level
codes found): 262,144 rows of 20 columns are about 40 MB, whatever the table's size."""


def _crowded(frame: pl.DataFrame, columns: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``Preprocessor.crowded_`` for the fitted ``columns`` of the training ``frame``."""
    found = {}
    for column in columns:
        if column["role"] != "categorical" or OTHER not in column["categories"]:
            continue
        text = category_text(frame[column["name"]]).drop_nulls()
        kept = int(text.is_in(column["categories"]).sum())
        # a hundred inputs or more (fewer cost little), holding under half the cells
        if kept < 0.5 * text.len() and len(column["categories"]) >= 100:
            levels = [c for c in column["categories"] if c not in (OTHER, MISSING)]
            share = kept / text.len()
            found[column["name"]] = {"levels": text.n_unique(), "kept": len(levels), "share": share}
    return found


BLOCK_CELLS = 1 << 24
"""Numbers a block of the encoding may hold (128 MB): a table of a hundred thousand inputs
(hundreds of text columns of a thousand levels) is encoded a few rows at a time."""


def _block_rows(wanted: int, frame: pl.DataFrame, plan: _Plan) -> int:
    """Rows per block: ``wanted``, at most the table's, and at most ``BLOCK_CELLS`` numbers
    (a block of 16,384 rows of 260,000 inputs was 34 GB, for a table of 2,000 rows)."""
    return max(1, min(wanted, frame.height, BLOCK_CELLS // (plan.width + 1)))


def _check_fits_in_memory(rows: int, width: int) -> None:
    """Refuse, before allocating, an encoded table of more float64 numbers than half this
    machine's memory (a text column of 80,000 levels kept by a huge --max-categories)."""
    needed = rows * width * 8
    memory = physical_memory()
    if memory is not None and needed > memory // 2:
        raise DataError(
            f"the table encodes to {rows} rows × {width} inputs ({needed / 2**30:.1f} GiB), "
            f"more than this machine's memory ({memory / 2**30:.1f} GiB) can hold; lower "
            "--max-categories, or --ignore a text column with many different values"
        )


def _check_cells(frame: pl.DataFrame, numeric: list[str], fitting: bool = True) -> None:
    """Refuse, naming the first bad cell, numeric columns with text or non-finite numbers:
    one pass over every column finds whether any is bad; only a bad one is searched.
    ``fitting`` says which fix the message offers (``_fix``)."""
    import polars as pl

    tests, checked = [], []
    schema = frame.schema  # built anew on every access: once, not once per column
    for name in numeric:
        column = pl.col(name)
        dtype = schema[name]
        if dtype == pl.String:
            # text that is no number, or a number past float64's range ("1e400")
            bad = column.is_not_null() & (
                ~column.str.contains(NUMBER_PATTERN)
                | column.cast(pl.Float64, strict=False).is_infinite()
            )
        elif dtype.is_float():
            bad = column.is_nan() | column.is_infinite()
        elif dtype.is_numeric() or dtype in (pl.Boolean, pl.Null):
            # integers and booleans are always finite numbers; a Null column (a Parquet
            # file's column of nothing but missing cells) holds none
            continue
        else:
            fix = "leave it out of --numeric" if fitting else "give numbers, as training had"
            raise DataError(f"column {braced(name)} is a {dtype} column, not numbers; {fix}")
        tests.append(bad.any().alias(name))
        checked.append(name)
    if not tests:
        return
    for name, bad in zip(checked, frame.select(tests).row(0), strict=True):
        if bad:
            # raises, naming the first bad cell
            _check_finite(_numbers(frame[name], fitting), fitting)


def text_expression(name: str, dtype: Any) -> pl.Expr:
    """A column's cells as category text: text as it is, booleans as true/false, numbers
    as written, a whole float without ".0" (so 3.0 and 3 are the level "3")."""
    import polars as pl

    column = pl.col(name)
    if not dtype.is_float():
        return column.cast(pl.String)
    whole = (column == column.round(0)) & (column.abs() < 2**63)
    return (
        pl.when(whole)
        .then(column.cast(pl.Int64, strict=False).cast(pl.String))
        .otherwise(column.cast(pl.String))
    )


def level_codes(column: dict[str, Any], series: pl.Series) -> pl.Series:
    """Each cell's index in the categorical ``column``'s categories (see ``_codes``)."""
    codes: pl.Series = series.to_frame().select(_codes(column, series.dtype)).to_series()
    return codes


def _codes(column: dict[str, Any], dtype: Any) -> pl.Expr:
    """Each cell's index in the column's categories: −1 for an unknown level, −2 missing."""
    import polars as pl

    known, any_case, by_value, by_time = _level_lookups(tuple(column["categories"]))
    text = text_expression(column["name"], dtype)
    if not known:
        return pl.when(text.is_null()).then(-2).otherwise(-1).cast(pl.Int32)
    if any_case:
        text = text.str.to_lowercase()
    # an Enum of the known levels numbers them in order, as ``known`` does, and finds a
    # cell's level in half the time of a ``replace_strict`` lookup; others become null
    code = text.cast(pl.Enum(list(known)), strict=False).to_physical().cast(pl.Int32)
    code = code.fill_null(-1)
    if not any_case and dtype in (pl.Boolean, pl.String):
        # levels TRUE and FALSE beside others ("maybe"): a cell true or True finds them, as
        # a column of only such cells reads as booleans (polars', pandas') and finds them
        words = {w: i for level, i in known.items() if (w := level.lower()) in ("true", "false")}
        if words:
            named = text.str.to_lowercase().replace_strict(words, default=-1, return_dtype=pl.Int32)
            code = pl.when(code >= 0).then(code).otherwise(named)
    if by_value and dtype != pl.Boolean:  # true is no level "1"
        value = pl.col(column["name"]).cast(pl.Float64, strict=False)
        numeric = value.replace_strict(by_value, default=-1, return_dtype=pl.Int32)
        exact = value.abs() <= 2**53
        code = pl.when(code >= 0).then(code).when(exact).then(numeric).otherwise(-1)
    for moment, codes in zip(MOMENTS, by_time, strict=True):
        cells = moment(column["name"], dtype)
        if codes and cells is not None:
            timed = cells.replace_strict(codes, default=-1, return_dtype=pl.Int32)
            code = pl.when(code >= 0).then(code).otherwise(timed.fill_null(-1))
    return pl.when(text.is_null()).then(pl.lit(-2, dtype=pl.Int32)).otherwise(code)


@functools.lru_cache(maxsize=256)
def _level_lookups(
    categories: tuple[str, ...],
) -> tuple[dict[str, int], bool, dict[float, int], tuple[dict[int, int], ...]]:
    """What ``_codes`` learns from a column's levels alone, found once per set of levels
    (every ``transform`` plans anew: a row at a time, it was most of the work): the known
    levels' codes; whether they match in any case; the code of each level's number; for
    each of ``MOMENTS``, the code of each level's moment. Read-only: the dicts are shared."""
    import polars as pl

    known = {c: i for i, c in enumerate(categories) if c not in (MISSING, OTHER)}
    lowered = {level.lower(): i for level, i in known.items()}
    # yes/no, true/false levels match in any case: polars reads True and true as one
    # boolean, so a file whose other cells make the column text must match them too
    any_case = bool(known) and len(lowered) == len(known) and set(lowered) <= BOOLEAN_WORDS
    if any_case:
        known = lowered
    # levels that are numbers also match a cell of the same value written otherwise: a
    # pandas CSV's "5.0" is the number 5.0 in a Parquet file or a DataFrame, "5" as text
    # (within ±2^53, where a float64 holds every whole number: beyond, two differ as text
    # and not as floats; of two levels of one value, "7" and "007", the shorter)
    by_value: dict[float, str] = {}
    for level in known:
        value = _number_value(level)
        if value is not None:
            held = by_value.get(value)
            if held is None or len(level) < len(held):
                by_value[value] = level
    # levels that are dates or times also match the same instant written otherwise: a
    # Parquet datetime's level "2024-01-01 00:00:00.000000" is a CSV's 2024-01-01T00:00:00
    # (polars) or 2024-01-01 00:00:00 (pandas), and a date level a datetime at midnight
    levels = pl.Series(list(known), dtype=pl.String).to_frame("level")
    by_time: list[dict[int, int]] = []
    for moment in MOMENTS:
        at = levels.select(moment("level", pl.String)).to_series().to_list() if known else []
        codes: dict[int, int] = {}
        for level, when in zip(known, at, strict=True):
            if when is not None:  # of two levels of one instant, the first
                codes.setdefault(when, known[level])
        by_time.append(codes)
    numbers = {v: known[level] for v, level in by_value.items()}
    return known, any_case, numbers, tuple(by_time)


TIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
)
"""The ways of writing a date or a date and time that a level's instant is read from:
ISO 8601 with T or a space, with or without seconds, seconds with or without a fraction
(polars' and pandas' CSVs, a spreadsheet's minutes)."""


ZONED_FORMATS = tuple(
    f"{day}{time}%#z"
    for time in ("%H:%M:%S%.f", "%H:%M:%S", "%H:%M")
    for day in ("%Y-%m-%dT", "%Y-%m-%d ")
)
"""The ways of writing a date and time with its offset from UTC (+01:00, +0100 or Z) that a
level's instant is read from: polars' CSV (2024-01-01T03:00:00.000000+0100), pandas'
(2024-01-01 03:00:00+01:00), a time zone's cells as text, ISO 8601's Z."""


TIME_OF_DAY_FORMATS = ("%H:%M:%S%.f", "%H:%M:%S", "%H:%M")
"""The ways of writing a time of day a level's time is read from (01:30:00.000000000 in
polars' CSV, 01:30:00 as text of a time)."""


def _time_of_day(name: str, dtype: Any) -> pl.Expr | None:
    """A column's cells as nanoseconds since midnight (null where a cell is no time of
    day): a time as it is, text read by ``TIME_OF_DAY_FORMATS``; None for other cells."""
    import polars as pl

    column = pl.col(name)
    if dtype == pl.Time:
        return column.cast(pl.Int64)
    if dtype != pl.String:
        return None
    times = [column.str.strptime(pl.Time, f, strict=False) for f in TIME_OF_DAY_FORMATS]
    return pl.coalesce(times).cast(pl.Int64)


def _instant(name: str, dtype: Any) -> pl.Expr | None:
    """A column's cells as microseconds since 1970 (null where a cell is no instant): a
    date or a datetime without a time zone as it is, text read by ``TIME_FORMATS``; None for
    cells of another type."""
    import polars as pl

    column = pl.col(name)
    if dtype == pl.Date or (isinstance(dtype, pl.Datetime) and dtype.time_zone is None):
        return column.cast(pl.Datetime("us")).dt.epoch("us")
    if dtype != pl.String:
        return None
    moments = [column.str.strptime(pl.Datetime("us"), f, strict=False) for f in TIME_FORMATS]
    return pl.coalesce(moments).dt.epoch("us")


def _zoned_instant(name: str, dtype: Any) -> pl.Expr | None:
    """A column's cells as microseconds since 1970 in UTC (null where a cell is no instant
    with a time zone): a datetime with a time zone as it is, text read by
    ``ZONED_FORMATS``; None for cells of another type. Apart from ``_instant``: a time
    without a zone is no instant of the world's clock, and matches none with one."""
    import polars as pl

    column = pl.col(name)
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return column.dt.epoch("us")
    if dtype != pl.String:
        return None
    zoned = pl.Datetime("us", "UTC")
    return pl.coalesce(
        [column.str.strptime(zoned, f, strict=False) for f in ZONED_FORMATS]
    ).dt.epoch("us")


MOMENTS = (_instant, _zoned_instant, _time_of_day)
"""The kinds of moment a level matches a cell written otherwise by (see ``_codes``)."""


class _Plan:
    """How ``transform`` lays out its inputs: for each numeric column its input's place,
    (mean, scale), the training median (a missing cell's value) and whether a missing-flag
    input follows; for each categorical column the polars expression of its level codes,
    where its one-hot inputs start, and for each code + 2 (codes are −2 missing, −1
    unknown, 0… the known levels) its one-hot input counted from there: an input of its
    own, or for none the scratch input just past the last (``width``)."""

    def __init__(self, used: list[dict[str, Any]], schema: Any) -> None:
        self.numeric: list[tuple[int, float, float, float, bool]] = []
        self.codes: list[pl.Expr] = []
        self.categorical: list[dict[str, Any]] = []
        self.blocks: list[tuple[int, Array]] = []  # (first input, code lookup)
        self.used = used
        at = 0
        for column in used:
            if column["role"] == "numeric":
                indicator = bool(column["missing_indicator"])
                median = float(column["median"])
                self.numeric.append((at, column["mean"], column["scale"], median, indicator))
                at += 1 + int(indicator)
                continue
            categories = column["categories"]
            lookup = np.full(len(categories) + 2, -1, dtype=np.intp)
            for i, level in enumerate(categories):
                lookup[{MISSING: -2, OTHER: -1}.get(level, i) + 2] = i
            self.blocks.append((at, lookup))
            self.codes.append(
                _codes(column, schema[column["name"]]).alias(f"codes {len(self.codes)}")
            )
            self.categorical.append(column)
            at += len(categories)
        self.width = at
        for first, lookup in self.blocks:
            lookup[lookup < 0] = at - first


def _check_column_config(column: Any) -> None:
    """Refuse a column entry of a preprocessing config with a missing or wrong-typed field."""
    fields: dict[str, dict[str, type | tuple[type, ...]]] = {
        "numeric": {
            "name": str,
            "median": (int, float),
            "mean": (int, float),
            "scale": (int, float),
            "missing_indicator": bool,
        },
        "categorical": {"name": str, "categories": list},
        "ignored": {"name": str, "reason": str, "keep": str},
    }
    role = column.get("role") if isinstance(column, dict) else None
    if role not in fields:
        raise ValueError(f"a preprocessing column needs a role of {', '.join(fields)}")
    for key, kind in fields[role].items():
        value = column.get(key)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ValueError(f"the {role} column entry {key!r} is missing or of the wrong type")
    if not column["name"]:  # tables name an unnamed column "(unnamed N)"; "" is an edit
        raise ValueError(f"a {role} column entry has an empty name; name the column")
    if role == "numeric":
        try:  # a whole number of 400 digits is no float64 (OverflowError)
            numbers = [float(column[key]) for key in ("median", "mean", "scale")]
        except OverflowError:
            numbers = [math.inf]
        if not all(math.isfinite(v) for v in numbers) or column["scale"] <= 0:
            raise ValueError(f"column {column['name']!r}: median, mean and scale must be finite")
    if role != "numeric" and "missing_words" in column:  # typos among numbers only
        raise ValueError(f"column {column['name']!r}: only a numeric column has missing_words")
    words = column.get("missing_words", [])
    if role == "numeric" and not (
        isinstance(words, list) and all(isinstance(w, str) for w in words)
    ):
        raise ValueError(f"column {column['name']!r}: missing_words must be a list of text")
    if role == "categorical" and not all(isinstance(c, str) for c in column["categories"]):
        raise ValueError(f"column {column['name']!r}: categories must be text")


# ----- standardizing ----------------------------------------------------------------------------
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
        return self.set_from_units(size, unit_mean, unit_scale, names)

    def set_from_units(
        self, size: Array, unit_mean: Array, unit_scale: Array, names: Sequence[str] | None
    ) -> Scaler:
        """Set mean and scale from those of each column divided by its largest |value|
        ``size``: a constant column gets scale 1; a column whose ``x − mean`` could overflow
        is refused (DataError naming it from ``names``, else its number)."""
        # a spread that underflows float64 (values 0 and 5e-324) is none either
        constant = (unit_scale <= self.CONSTANT * np.abs(unit_mean)) | (unit_scale * size == 0.0)
        mean = unit_mean * size
        scale = np.where(constant, 1.0, unit_scale * size)
        with np.errstate(over="ignore"):
            spread = size + np.abs(mean)  # the largest |x − mean| transform can meet
        bad = ~((np.isfinite(spread) | constant) & np.isfinite(scale) & (scale > 0.0))
        if bad.any():
            j = int(np.flatnonzero(bad)[0])
            column = repr(names[j]) if names is not None else f"{j + 1}"
            raise DataError(
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
