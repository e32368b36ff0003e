"""The names code written before the table layer imports, and reading models saved then.

Reading tables is ``glassnet.table``; columns → numbers is ``glassnet.preprocessing``; the
target's labels and task are ``glassnet.model``. A model saved by glassnet 0.1's ``train``
keeps its columns, scaler and classes in ``net.metadata``; ``read_for_model``,
``model_inputs`` and ``decode_outputs`` read those.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet._types import Array
from glassnet.metrics import predicted_classes
from glassnet.model import (
    MAX_AUTO_CLASSES,
    class_probabilities,
    detect_task,
    encode_labels,
    find_classes,
    labels_from_text,
    one_hot,
)
from glassnet.preprocessing import Scaler
from glassnet.table import DataError, locate, read_table

__all__ = [
    "MAX_AUTO_CLASSES",
    "DataError",
    "Scaler",
    "Table",
    "class_probabilities",
    "decode_outputs",
    "detect_task",
    "encode_labels",
    "find_classes",
    "model_inputs",
    "one_hot",
    "read_for_model",
]


@dataclass
class Table:
    """The numeric columns a 0.1 model reads.

    Attributes
    ----------
    X : (n_rows, n_features) float64, in ``feature_names`` order.
    y : (n_rows,) the target: float64 when every value is a number, else str; None when
        the file has no target column.
    feature_names, target_name, columns, path : the names read and the file.
    """

    X: Array
    y: Array | None
    feature_names: list[str]
    target_name: str | None
    columns: list[str]
    path: str


def read_for_model(
    path: str | os.PathLike[str], metadata: dict[str, Any], need_target: bool
) -> Table:
    """Read the columns a 0.1 model needs, by the names its ``metadata`` stores (extra
    columns are skipped; the target is read when present, and required with ``need_target``).
    Every feature cell must be a finite number."""
    features = metadata.get("feature_names")
    target = metadata.get("target_name")
    where = os.fspath(path)
    if not features or not target:
        raise DataError(
            "the model does not name its feature and target columns (it was not trained "
            "with glassnet train); set net.metadata['feature_names'] and ['target_name']"
        )
    frame = read_table(where, na_values=(), text_columns=[target])
    lacking = [name for name in features if name not in frame.columns]
    if lacking or (need_target and target not in frame.columns):
        lacking += [target] if target not in frame.columns else []
        raise DataError(
            f"{where}: the model needs the columns {', '.join(lacking)}, which the file lacks; "
            f"its columns are {', '.join(frame.columns)}"
        )
    from glassnet.preprocessing import Preprocessor

    numeric = Preprocessor.from_config(
        {
            "columns": [
                {
                    "name": n,
                    "role": "numeric",
                    "median": 0.0,
                    "mean": 0.0,
                    "scale": 1.0,
                    "missing_indicator": False,
                }
                for n in features
            ],
            "na_values": [],
        }
    )
    try:
        X = numeric.transform(frame)
    except DataError as error:
        raise locate(error, where) from None
    missing = numeric.transform_counts_["missing"]
    if missing:
        raise DataError(f"{where}: the column {next(iter(missing))!r} has empty cells; fill them")
    y = None
    if target in frame.columns:
        cells = frame[target].to_list()
        if any(c is None for c in cells):
            row = cells.index(None)
            raise locate(DataError("{place0}: the target cell is empty; fill it", [row]), where)
        labels = labels_from_text(cells)
        y = np.array(labels, dtype=np.float64 if not isinstance(labels[0], str) else str)
    return Table(X, y, list(features), target if y is not None else None, frame.columns, where)


def model_inputs(metadata: dict[str, Any], X: Array) -> Array:
    """Standardize ``X`` in place with a 0.1 model's stored scaler (if it has one)."""
    if metadata.get("scaler"):
        Scaler.from_dict(metadata["scaler"]).transform(X, inplace=True)
    return X


def decode_outputs(metadata: dict[str, Any], outputs: Array) -> tuple[Array, Array | None]:
    """Network outputs → (class index or value per row, class probabilities or None), by a
    0.1 model's metadata (task, classes, target scaling)."""
    if metadata.get("task", "classification") == "classification" and metadata.get("classes"):
        return predicted_classes(outputs), class_probabilities(outputs)
    values = outputs[:, 0] if outputs.shape[1] == 1 else outputs
    scaling = metadata.get("target_scaler")
    if scaling:
        values = values * scaling["scale"][0] + scaling["mean"][0]
    return values, None
