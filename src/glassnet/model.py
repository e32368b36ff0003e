"""``Model``: one object that answers from raw rows — preprocessing, network, task, labels.

A ``Network`` maps numbers to numbers. What a user means by "the model" also knows how the
table's columns become those numbers (a ``Preprocessor``), what the outputs mean (the task,
the class labels) and in which units a regression answers (the target's mean and scale).
``Model`` holds all of it, so ``model.predict(rows)`` is exactly what ``glassnet predict``
prints, on every route: the command line, ``glassnet.load(path).predict``, the estimators'
``to_model()`` and the ONNX export all go through it.

The target helpers (task detection, class labels, one-hot targets) live here too: they are
the model's side of the table.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from glassnet._types import Array
from glassnet.metrics import predicted_classes
from glassnet.network import Network, NonFiniteOutputError
from glassnet.preprocessing import Preprocessor
from glassnet.table import NUMBER_PATTERN, DataError, braced, listed, locate
from glassnet.validation import first_non_finite

OUTPUT_BLOCK_ROWS = 16384
"""Rows encoded and fed forward at a time by ``Model.outputs`` (12 MB of inputs for 94
encoded columns: the same memory, rewritten while the caches still hold it)."""

TASKS = ("classification", "regression", "multilabel", "poisson")
MAX_AUTO_CLASSES = 20
"""A whole-number target with at most this many distinct values is taken as classes."""
MAX_CLASSES = 10_000
"""More classes than this (or more than half the rows) is an identifier, not a target."""

# ASCII digits only: "١٢" or "１２" is text (Python's int() would read them, polars not);
# a decimal number as the preprocessing reads a cell
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DECIMAL = re.compile(NUMBER_PATTERN)


class Model:
    """Preprocessing + network + task + class labels + target scaling.

    Parameters
    ----------
    network : the trained ``Network``.
    preprocessor : a fitted ``Preprocessor`` turning raw columns into the network's inputs;
        None when the network takes the numbers as given (a 2-D array).
    task : "classification", "regression", "multilabel" or "poisson".
    target : the target column's name (or None).
    classes : the class labels, one per class in output order (ints of any size, floats or
        text); None for indices 0..k-1.
    target_mean, target_scale : a regression's target standardization (one number per
        output, or one for all); answers are ``output · scale + mean``.
    """

    def __init__(
        self,
        network: Network,
        preprocessor: Preprocessor | None = None,
        *,
        task: str,
        target: str | None = None,
        classes: Sequence[Any] | None = None,
        target_mean: float | Sequence[float] | None = None,
        target_scale: float | Sequence[float] | None = None,
    ) -> None:
        if task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}; got {task!r}")
        self.network = network
        self.preprocessor = preprocessor
        self.task = task
        self.target = target
        self.classes: list[Any] | None = None if classes is None else [_plain(c) for c in classes]
        self.target_mean = _numbers(target_mean, "target_mean")
        self.target_scale = _numbers(target_scale, "target_scale")
        self._check()

    def _check(self) -> None:
        n_out = self.network.n_outputs
        if self.classes is not None:
            wanted = 2 if n_out == 1 and self.task == "classification" else n_out
            if len(self.classes) != wanted:
                raise ValueError(
                    f"{len(self.classes)} class labels for a network of {n_out} output"
                    f"{'s' * (n_out > 1)}; give {wanted}"
                )
            if len({label_key(c) for c in self.classes}) != len(self.classes):
                raise ValueError("the class labels must be distinct")
        for name in ("target_mean", "target_scale"):
            values = getattr(self, name)
            if values is not None and len(values) not in (1, n_out):
                needed = "1 number" if n_out == 1 else f"1 or {n_out} numbers"
                raise ValueError(f"{name} needs {needed} (one per output); got {len(values)}")
        if self.preprocessor is not None:
            width = len(self.preprocessor.feature_names_out_)
            if width != self.network.n_inputs:
                raise ValueError(
                    f"the preprocessing makes {width} inputs but the network takes "
                    f"{self.network.n_inputs}"
                )

    # ----- names ------------------------------------------------------------------------------
    @property
    def layers(self) -> list[Any]:
        """The network's layers."""
        return self.network.layers

    @property
    def feature_names_in_(self) -> list[str] | None:
        """The raw columns the model reads: the preprocessing's, else the names a network
        stores (an estimator fitted on a DataFrame), else None."""
        if self.preprocessor is not None:
            return self.preprocessor.feature_names_in_
        names = self.network.metadata.get("feature_names")
        if isinstance(names, list) and len(names) == self.network.n_inputs:
            return [str(name) for name in names]
        return None

    @property
    def feature_names_out_(self) -> list[str]:
        """The network's input names: the encoded columns, else ``x0`` … ."""
        if self.preprocessor is not None:
            return self.preprocessor.feature_names_out_
        return [f"x{j}" for j in range(self.network.n_inputs)]

    # ----- answers ----------------------------------------------------------------------------
    def transform(self, data: Any) -> Array:
        """The network's input matrix (n_samples, n_inputs) float64 for raw ``data`` (a path,
        a DataFrame, a dict of columns or a 2-D array; see ``Preprocessor.transform``)."""
        if self.preprocessor is not None:
            return self.preprocessor.transform(data)
        if isinstance(data, (str, os.PathLike)):  # a table file, read as predict reads it
            from glassnet.table import read_table

            data = read_table(data)
        if hasattr(data, "columns") or isinstance(data, dict):
            data = self._bare_columns(data)
        X = np.asarray(data, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.network.n_inputs:
            raise ValueError(
                f"expected a 2-D array (n_samples, {self.network.n_inputs}); got shape "
                f"{X.shape}: one sample → reshape(1, -1), one feature → reshape(-1, 1)"
            )
        return X

    def bare_input_names(self, present: Sequence[str]) -> list[str]:
        """The columns a model without preprocessing reads from a table of the columns
        ``present``: those it stores the names of (an estimator fitted on a DataFrame), else
        every one but the target, in order."""
        return self.feature_names_in_ or [name for name in present if name != self.target]

    def _bare_columns(self, table: Any) -> Array:
        """The input matrix of a model without preprocessing from a table (a DataFrame or
        a dict of columns): the columns it stores the names of, by name, else every column
        but the target, in order; ValueError naming what the table lacks or holds wrongly."""
        present = [str(c) for c in (table.columns if hasattr(table, "columns") else table)]
        names = self.bare_input_names(present)
        lacking = [name for name in names if name not in present]
        if lacking:
            raise ValueError(
                f"the model reads the column{'s' * (len(lacking) > 1)} {', '.join(lacking)}, "
                f"which the table lacks (its columns are {', '.join(present)}); add "
                f"{'them' if len(lacking) > 1 else 'it'}"
            )
        if len(names) != self.network.n_inputs:
            raise ValueError(
                f"the model takes {self.network.n_inputs} numbers per row and stores no "
                f"column names, but the table has {len(names)} columns besides the target; "
                "give a table of exactly its inputs"
            )
        try:
            return np.column_stack([np.asarray(table[name], dtype=np.float64) for name in names])
        except (TypeError, ValueError):  # text, or missing cells NumPy cannot make float
            raise ValueError(
                "the model stores no preprocessing, so every column must be numbers with no "
                "missing cells"
            ) from None

    def outputs(self, data: Any) -> Array:
        """The network's outputs (n_samples, n_outputs) for raw ``data``.

        Rows are encoded and fed forward a block at a time, so a large table never needs
        its whole encoded matrix in memory; the answers are those of
        ``network.predict_outputs(transform(data))``, bit for bit.
        """
        if self.preprocessor is None:
            return self.network.predict_outputs(self.transform(data))
        parts = []
        for start, X in self.preprocessor.transform_in_blocks(data, OUTPUT_BLOCK_ROWS):
            try:
                parts.append(self.network.predict_outputs(X, batch_size=None))
            except NonFiniteOutputError as error:  # named as a row of the data, not the block
                names = self.preprocessor.feature_names_out_
                raise DataError(
                    f"{{place0}}: the model's outputs overflow for this row; its input "
                    f"{braced(names[error.column])} is {error.value:g} after scaling "
                    "(training's were about ±1); check the row's values",
                    [start + error.row],
                ) from None
            except ValueError:
                # finite cells that scale to inf: a scale near 0 (an edited model file) or
                # a value past float64's range once the mean is taken away
                found = first_non_finite(X)
                if found is None:
                    raise
                row, column = found
                name = self.preprocessor.feature_names_out_[column]
                raise DataError(
                    f"{{place0}}: the model's input {braced(name)} is {X[row, column]} after "
                    "scaling; check the row's value, and the model file's scale for it",
                    [start + row],
                ) from None
        return np.concatenate(parts)

    def predict(self, data: Any) -> Array:
        """What ``glassnet predict`` answers for each row: (n_samples,) class labels, or
        values in the target's units ((n_samples, k) for several outputs or multi-label)."""
        return self.decode(self.outputs(data))

    def predict_proba(self, data: Any) -> Array:
        """(n_samples, n_classes) class probabilities (a sigmoid output gives two columns);
        multi-label: each label's probability."""
        if self.task not in ("classification", "multilabel"):
            raise ValueError(f"predict_proba needs a classifier; this model's task is {self.task}")
        outputs = self.outputs(data)
        return class_probabilities(outputs) if self.task == "classification" else outputs

    def decode(self, outputs: Array) -> Array:
        """Network outputs (n_samples, n_outputs) → answers as ``predict`` gives them."""
        if self.task == "classification":
            index = predicted_classes(outputs)
            return index if self.classes is None else labels_array(self.classes)[index]
        if self.task == "multilabel":
            return (outputs >= 0.5).astype(np.int64)
        values = outputs
        if self.target_scale is not None:
            values = values * np.asarray(self.target_scale)
        if self.target_mean is not None:
            values = values + np.asarray(self.target_mean)
        return values[:, 0] if values.shape[1] == 1 else values

    def encode_target(self, y: Any) -> Array:
        """Targets in network space: one-hot (or a 0/1 column) for classes, the standardized
        target for a regression. Shape (n_samples, n_outputs) float64."""
        n_out = self.network.n_outputs
        if self.task == "classification":
            classes = self.classes if self.classes is not None else list(range(max(n_out, 2)))
            return one_hot(encode_labels(y, classes, "the target", self.target or "y"), n_out)
        values = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if self.target_mean is not None:
            values = values - np.asarray(self.target_mean)
        if self.target_scale is not None:
            values = values / np.asarray(self.target_scale)
        return values

    # ----- configuration ----------------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """JSON-able: task, target, classes (ints stay exact), target scaling, preprocessing."""
        return {
            "task": self.task,
            "target": self.target,
            "classes": self.classes,
            "target_mean": self.target_mean,
            "target_scale": self.target_scale,
            "preprocessing": None if self.preprocessor is None else self.preprocessor.get_config(),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], network: Network) -> Model:
        """The Model ``get_config`` described, around ``network``; malformed → ValueError."""
        if not isinstance(config, dict):
            raise ValueError("a model config must be a JSON object")
        pre = config.get("preprocessing")
        classes = config.get("classes")
        target = config.get("target")
        if classes is not None and not (
            isinstance(classes, list) and all(isinstance(c, (int, float, str)) for c in classes)
        ):
            raise ValueError("a model config's classes must be a list of numbers or text")
        if target is not None and not isinstance(target, str):
            raise ValueError("a model config's target must be a column name (text)")
        if pre is not None and not isinstance(pre, dict):
            raise ValueError("a model config's preprocessing must be a JSON object")
        return cls(
            network,
            None if pre is None else Preprocessor.from_config(pre),
            # a config without its task (an edited file): a model with classes classifies
            task=config.get("task") or ("classification" if classes else "regression"),
            target=target,
            classes=classes,
            target_mean=config.get("target_mean"),
            target_scale=config.get("target_scale"),
        )

    def __repr__(self) -> str:
        inputs = "raw columns" if self.preprocessor is not None else "arrays"
        return f"Model({self.task}, {len(self.layers)} layers, from {inputs})"


def _plain(value: Any) -> Any:
    """A label as a plain Python value (NumPy scalars unwrapped; whole floats stay floats)."""
    return value.item() if isinstance(value, np.generic) else value


def _numbers(value: Any, name: str) -> list[float] | None:
    if value is None:
        return None
    values = np.atleast_1d(np.asarray(value, dtype=np.float64)).ravel()
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite numbers")
    if name == "target_scale" and np.any(values <= 0):
        raise ValueError("target_scale must be positive")
    return [float(v) for v in values]


# ----- labels --------------------------------------------------------------------------------
def label_key(value: Any) -> str:
    """The text a label is matched by: whole numbers without ".0" (5, 5.0 and "5" match),
    booleans in lower case (a CSV's "True", a Parquet file's true and Python's True match)."""
    value = _plain(value)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def labels_array(classes: Sequence[Any]) -> Array:
    """Class labels as an array to index: int64 when they fit, text for text, else object
    (ints beyond 2^63 and mixed kinds stay exact Python objects)."""
    if all(
        isinstance(c, int) and not isinstance(c, bool) and -(2**63) <= c < 2**63 for c in classes
    ):
        return np.array(classes, dtype=np.int64)
    if all(isinstance(c, str) for c in classes):
        return np.array(classes, dtype=str)
    out = np.empty(len(classes), dtype=object)
    out[:] = list(classes)
    return out


def labels_from_text(cells: Sequence[str]) -> list[Any]:
    """Target cells read as text → labels: all integers → int (any size, exact), all
    finite decimal numbers → float, else the text itself ("Nan", "Li", "Infinity", "1e400"
    stay text)."""
    if all(_INTEGER.match(c) for c in cells):
        return [int(c) for c in cells]
    if all(_DECIMAL.match(c) for c in cells):
        values = [float(c) for c in cells]
        # "1e400" is no float (it reads as inf): a column holding one stays text, as written
        if all(math.isfinite(v) for v in values):
            return values
    return list(cells)


def non_numbers(labels: Sequence[Any]) -> list[int]:
    """The positions of ``labels`` (as ``labels_from_text`` gives them) that are not finite
    numbers: a number written as text ("6.3" beside "abc") counts as a number."""

    def number(value: Any) -> bool:
        if isinstance(value, str):
            return bool(_DECIMAL.match(value)) and math.isfinite(float(value))
        return not isinstance(value, bool) and math.isfinite(value)

    return [i for i, value in enumerate(labels) if not number(value)]


def detect_task(labels: Sequence[Any]) -> str:
    """ "classification" for text labels, or whole numbers with at most ``MAX_AUTO_CLASSES``
    distinct values; "regression" for other numbers."""
    if any(isinstance(v, str) for v in labels):
        return "classification"
    values = np.asarray([float(v) for v in labels])
    # an infinity (1e999) is no whole number, and no warning either
    whole = bool(np.all(np.isfinite(values))) and bool(np.all(np.mod(values, 1) == 0))
    if whole and len(set(labels)) <= MAX_AUTO_CLASSES:
        return "classification"
    return "regression"


def find_classes(y: Any, where: str, target: str) -> list[Any]:
    """The sorted distinct labels of ``y`` (whole floats as int), at least two, and not so
    many that they look like an identifier (refused before any network is built)."""
    values = [_plain(v) for v in (y.tolist() if hasattr(y, "tolist") else list(y))]
    distinct: dict[str, Any] = {}
    for v in values:
        distinct.setdefault(label_key(v), int(v) if isinstance(v, float) and v.is_integer() else v)
    if len(distinct) < 2:
        value = next(iter(distinct), "none")
        raise DataError(
            f"{where}: the target {target!r} has only one class ({value}); a classifier needs "
            "examples of at least two"
        )
    if len(distinct) > MAX_CLASSES or (
        len(distinct) > MAX_AUTO_CLASSES and 2 * len(distinct) > len(values)
    ):
        raise DataError(
            f"{where}: the target {target!r} has {len(distinct)} different values in "
            f"{len(values)} rows, so it looks like an identifier, not classes; choose another "
            "--target (or --task regression for numbers)"
        )
    labels = list(distinct.values())
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in labels):
        return sorted(labels)
    return sorted(labels, key=label_key)


def encode_labels(
    y: Any,
    classes: Sequence[Any],
    where: str,
    target: str,
    rows: Any = None,
    unknown: int | None = None,
) -> Array:
    """The class index (0..k-1) of every label in ``y``; an unknown label is a DataError
    naming ``where`` — as a line of the file when ``where`` is one (``rows`` maps the rows
    of ``y`` to the file's data rows when ``y`` is a subset) —, or the index ``unknown``
    when one is given (a score counts such a row as wrong)."""
    keys = {label_key(c): i for i, c in enumerate(classes)}
    values = y.tolist() if hasattr(y, "tolist") else list(y)
    index = np.empty(len(values), dtype=np.int64)
    for row, value in enumerate(values):
        found = keys.get(label_key(value))
        if found is None and unknown is not None:
            found = unknown
        elif found is None:
            problem = (
                f"the target {target!r} is {_shown(value)}, which is not one of the model's "
                f"classes ({listed(classes)})"
            )
            error = DataError("{place0}: " + braced(problem, quote=False), [row])
            if os.path.isfile(where):
                raise locate(error, where, rows)
            raise DataError(f"{where}, {error}")
        index[row] = found
    return index


def _shown(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


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
