"""A CSV table the learner uploads, read by glassnet's public table reader.

The bytes are first checked for size on their raw text (fields in the header, lines), so
a table far too big for the playground is refused before any parsing; then they are read
in memory, never written to disk, by ``glassnet.table.read_table_bytes`` (delimiter
sniffing, BOM, encodings, line ends, quotes, as ``glassnet train``), ``glassnet.Preprocessor``
encodes the input columns (standardized numbers, one-hot text),
and the target column becomes classes (text, or few whole numbers) or a standardized
regression target, with the rules ``glassnet train`` uses (``glassnet.model``).
"""

from __future__ import annotations

import numpy as np

from glassnet.model import detect_task, encode_labels, find_classes, labels_from_text, one_hot
from glassnet.playground.datasets import PlayData
from glassnet.preprocessing import Preprocessor
from glassnet.table import read_table_bytes

MAX_ROWS = 100_000
MAX_INPUTS = 1000
"""Encoded input columns an uploaded table may have (one-hot levels count one each)."""
MAX_CELLS = 20_000_000
"""Rows × encoded inputs an uploaded table may have: its input matrix stays within 160 MB."""
NAME = "the uploaded CSV"


def _check_raw_size(raw: bytes) -> None:
    """Refuse, from the raw bytes alone, a header with more fields or a text with more lines
    than the playground takes: the reader would otherwise build (and the preprocessing
    study) every one of them first. Both counts are upper bounds (a delimiter inside a
    quoted name, a line break inside a quoted cell count too), so nothing fitting is refused.
    """
    text = raw.lstrip()
    end = min((i for i in (text.find(b"\n"), text.find(b"\r")) if i >= 0), default=len(text))
    header = text[:end]
    fields = 1 + max(header.count(d) for d in (b",", b";", b"\t", b"|"))
    if fields > MAX_INPUTS + 1:
        raise ValueError(
            f"{NAME} has {fields} columns; the playground takes at most {MAX_INPUTS + 1} "
            f"({MAX_INPUTS} inputs and the target): drop columns"
        )
    line_ends = raw.count(b"\n") or raw.count(b"\r")
    blank = raw.count(b"\n\n") + raw.count(b"\n\r\n")
    if line_ends - blank > MAX_ROWS + 1:
        raise ValueError(
            f"{NAME} has more than {MAX_ROWS} rows; the playground takes {MAX_ROWS} at most: "
            "drop rows"
        )


def read_upload(raw: bytes, target: str | None) -> PlayData:
    """The uploaded CSV ``raw`` as a ``PlayData``; ``target`` names the column to predict
    (default: the last column). Any problem is one ValueError line saying what to fix."""
    import polars as pl

    if not raw.strip():
        raise ValueError(f"{NAME} is empty; choose a CSV file with a header row and data rows")
    _check_raw_size(raw)
    frame = read_table_bytes(raw, NAME)  # in memory: an upload never touches the disk
    columns = list(frame.columns)
    if len(columns) < 2:
        raise ValueError(
            f"{NAME} has {len(columns)} column; it needs input columns and a target column"
        )
    extra: dict[str, object] = {"target_default": not target}
    target = target or columns[-1]
    if target not in columns:
        raise ValueError(f"{NAME} has no column {target!r}; its columns: {', '.join(columns)}")
    if frame.height > MAX_ROWS:
        raise ValueError(f"{NAME} has {frame.height} rows; the playground takes {MAX_ROWS} at most")
    # rows without a target teach nothing: left out and counted, as glassnet train does
    kept = frame[target].is_not_null()
    missing = frame.height - int(kept.sum())
    if missing:
        frame = frame.filter(kept)
        extra["rows_without_target"] = missing
    # the bytes and the rows kept: a loaded model reads them again with its own rules
    rows = np.flatnonzero(kept.to_numpy())
    extra["raw"], extra["rows"] = raw, rows
    if frame.height < 2:
        raise ValueError(
            f"{NAME} has {frame.height} data row{'s' * (frame.height != 1)} with a target "
            f"({target!r}); a network learns from two at least: add rows"
        )
    labels = frame[target]
    preprocessor = Preprocessor().fit(frame, target=target)
    # judged before the input matrix is built: one-hot levels can make it far wider
    n_inputs = len(preprocessor.feature_names_out_)
    if n_inputs > MAX_INPUTS:
        raise ValueError(
            f"{NAME} encodes to {n_inputs} inputs; the playground takes {MAX_INPUTS} at most: "
            "drop columns or text columns with many different values"
        )
    if frame.height * n_inputs > MAX_CELLS:
        raise ValueError(
            f"{NAME} encodes to {frame.height} rows × {n_inputs} inputs; the playground takes "
            f"{MAX_CELLS:,} numbers at most: drop rows or columns"
        )
    X = preprocessor.transform(frame)
    dtype = labels.dtype
    wide = dtype in (pl.Int128, pl.UInt128)  # no NumPy integer holds them
    if dtype in (pl.String, pl.Boolean) or (dtype.is_numeric() and not wide):
        y_raw = labels.to_numpy()
    else:  # read as glassnet train reads a target's text: whole numbers, numbers or text
        # (a date, a duration or an int128 column crashed the upload)
        y_raw = np.array(labels_from_text(labels.cast(pl.String).to_list()), dtype=object)
    task = detect_task(list(y_raw))
    extra["preprocessor"] = preprocessor
    if task == "classification":
        classes = find_classes(y_raw, NAME, target)
        index = encode_labels(y_raw, classes, NAME, target)
        y = one_hot(index, 1 if len(classes) == 2 else len(classes), np.float64)
        return PlayData(
            "upload", X, y, task, preprocessor.feature_names_out_, target, classes, extra=extra
        )
    values = y_raw.astype(np.float64).reshape(-1, 1)
    bad = np.flatnonzero(~np.isfinite(values[:, 0]))
    if len(bad):  # 1e999 reads as infinity: no cost, no step could use it
        row = int(bad[0])
        # named as a row of the file (rows without a target were left out above)
        raise ValueError(
            f"{NAME}: the target {target!r} is {labels[row]} in data row "
            f"{rows[row] + 1}, past the largest number a float holds (±1.8e308); "
            "fix that cell or drop the row"
        )
    mean, scale = float(values.mean()), float(values.std())
    scale = scale if scale > 0 else 1.0
    extra.update(target_mean=mean, target_scale=scale)
    y = (values - mean) / scale
    names = preprocessor.feature_names_out_
    return PlayData("upload", X, y, task, names, target, None, extra=extra)
