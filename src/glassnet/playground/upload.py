"""A CSV table the learner uploads, read in memory by glassnet's table reader.

The bytes never touch the disk: glassnet's table reader (``glassnet.table``, its CSV
path: delimiter sniffing, BOM, encodings, line ends, quotes) reads them from memory,
``glassnet.Preprocessor`` encodes the input columns (standardized numbers, one-hot text),
and the target column becomes classes (text, or few whole numbers) or a standardized
regression target, with the rules ``glassnet train`` uses (``glassnet.model``).
"""

from __future__ import annotations

import numpy as np

from glassnet.model import detect_task, encode_labels, find_classes, one_hot
from glassnet.playground.datasets import PlayData
from glassnet.preprocessing import Preprocessor
from glassnet.table import NA_VALUES, _read_csv, clean_text

MAX_ROWS = 100_000
MAX_INPUTS = 1000
"""Encoded input columns an uploaded table may have (one-hot levels count one each)."""
NAME = "the uploaded CSV"


def read_upload(raw: bytes, target: str | None) -> PlayData:
    """The uploaded CSV ``raw`` as a ``PlayData``; ``target`` names the column to predict
    (default: the last column). Any problem is one ValueError line saying what to fix."""
    if not raw.strip():
        raise ValueError(f"{NAME} is empty; choose a CSV file with a header row and data rows")
    # the reader's own CSV path (sniffing, BOM, encodings, line ends, quotes) on the bytes in
    # memory; glassnet.table.read_table itself takes a path
    frame = clean_text(_read_csv(raw, NAME, NA_VALUES, None, ()), NA_VALUES)
    columns = list(frame.columns)
    if len(columns) < 2:
        raise ValueError(
            f"{NAME} has {len(columns)} column; it needs input columns and a target column"
        )
    target = target or columns[-1]
    if target not in columns:
        raise ValueError(f"{NAME} has no column {target!r}; its columns: {', '.join(columns)}")
    if frame.height > MAX_ROWS:
        raise ValueError(f"{NAME} has {frame.height} rows; the playground takes {MAX_ROWS} at most")
    labels = frame[target]
    if labels.null_count():
        row = int(np.flatnonzero(labels.is_null().to_numpy())[0])
        raise ValueError(
            f"{NAME}: the target {target!r} is missing in data row {row + 1}; fill it or drop "
            "the row"
        )
    preprocessor = Preprocessor().fit(frame, target=target)
    X = preprocessor.transform(frame)
    if X.shape[1] > MAX_INPUTS:
        raise ValueError(
            f"{NAME} encodes to {X.shape[1]} inputs; the playground takes {MAX_INPUTS} at most"
        )
    y_raw = labels.to_numpy()
    task = detect_task(list(y_raw))
    extra: dict[str, object] = {"preprocessor": preprocessor}
    if task == "classification":
        classes = find_classes(y_raw, NAME, target)
        index = encode_labels(y_raw, classes, NAME, target)
        y = one_hot(index, 1 if len(classes) == 2 else len(classes), np.float64)
        return PlayData(
            "upload", X, y, task, preprocessor.feature_names_out_, target, classes, extra=extra
        )
    values = y_raw.astype(np.float64).reshape(-1, 1)
    mean, scale = float(values.mean()), float(values.std())
    scale = scale if scale > 0 else 1.0
    extra.update(target_mean=mean, target_scale=scale)
    y = (values - mean) / scale
    names = preprocessor.feature_names_out_
    return PlayData("upload", X, y, task, names, target, None, extra=extra)
