"""What the glass-box commands (``trace``, ``gradcheck``, ``explain``) share.

Number and matrix printing, the ``--digits`` option, and the choice between a model file
with its CSV and the article's network. Imports NumPy only inside functions, so that
``glassnet --help`` stays fast.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from glassnet.cli.common import UserError

if TYPE_CHECKING:
    from glassnet._types import Array
    from glassnet.network import Network

MAX_ROWS = 8
"""Matrices with more rows (samples) than this print their first rows and a count."""

MAX_COLUMNS = 8
"""Matrices with more columns (neurons) than this print their first columns and a count."""


def add_digits_argument(parser: argparse.ArgumentParser) -> None:
    """``--digits N``: significant digits in the human view (default 8)."""
    parser.add_argument(
        "--digits",
        type=int,
        default=8,
        metavar="N",
        help="significant digits in the human view (default 8)",
    )


def check_digits(digits: int) -> int:
    """``--digits`` as given, or a UserError unless it is 1 to 17."""
    if not 1 <= digits <= 17:
        raise UserError(f"--digits must be between 1 and 17; got {digits}")
    return digits


def add_paths_argument(parser: argparse.ArgumentParser, purpose: str) -> None:
    """The optional ``MODEL DATA.csv`` pair; ``purpose`` says what the CSV is for."""
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="MODEL DATA.csv",
        help=f"a model file and a CSV {purpose}; without them, the article's network and table",
    )


def check_paths(paths: list[str]) -> None:
    """A UserError unless ``paths`` holds both MODEL and DATA.csv, or neither."""
    if len(paths) not in (0, 2):
        raise UserError(
            "give both MODEL and DATA.csv, or neither for the article's network; "
            f"got {len(paths)} path(s)"
        )


def network_and_data(paths: list[str]) -> tuple[Network, Array, Array]:
    """``(net, X, y)``: from a model file and its CSV (``load_model_and_data``) when
    ``paths`` names them, else the article's untrained network (weights 0.5, bias 0.2) and
    its table."""
    if paths:
        return load_model_and_data(*paths)
    from glassnet import article
    from glassnet.datasets import jobs

    X, y = jobs()
    return article.network(), X, y


def load_model_and_data(model_path: str, data_path: str) -> tuple[Network, Array, Array]:
    """A model file and a CSV holding its feature and target columns → ``(net, X, y)``.

    X is standardized with the model's stored scaler and y encoded as its output layer
    expects (0/1 column or one-hot rows for classes, standardized values for a
    regression), all from ``net.metadata`` as ``glassnet train`` saves it.
    """
    from glassnet.data import encode_labels, model_inputs, one_hot, read_for_model
    from glassnet.serialization import load

    net = load(model_path)
    meta = net.metadata
    table = read_for_model(data_path, meta, need_target=True)
    assert table.y is not None and table.target_name is not None
    X = model_inputs(meta, table.X)
    classes = meta.get("classes")
    if classes:
        index = encode_labels(table.y, classes, table.path, table.target_name)
        y = one_hot(index, net.n_outputs)
    elif table.y.dtype.kind != "f":
        raise UserError(
            f"{table.path}: the target {table.target_name!r} holds text, but the model is a "
            "regression and needs numbers"
        )
    else:
        y = table.y.reshape(-1, 1)
        scaling = meta.get("target_scaler")
        if scaling:
            y = (y - scaling["mean"][0]) / scaling["scale"][0]
    return net, X, y


def format_number(value: float, digits: int) -> str:
    """A number with ``digits`` significant digits and a true minus sign in front."""
    text = f"{value:.{digits}g}"
    return "−" + text[1:] if text.startswith("-") else text


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_matrix(values: Array, digits: int) -> list[str]:
    """The lines of a matrix (or a vector as one row), columns aligned, big ones cut short."""
    import numpy as np

    matrix = np.atleast_2d(values)
    rows, cols = matrix.shape
    shown = matrix[:MAX_ROWS, :MAX_COLUMNS]
    cells = [[format_number(float(v), digits) for v in row] for row in shown]
    width = max(len(c) for row in cells for c in row)
    more_cols = f"  … ({cols} columns)" if cols > MAX_COLUMNS else ""
    lines = ["[" + "  ".join(c.rjust(width) for c in row) + "]" + more_cols for row in cells]
    if rows > MAX_ROWS:
        lines.append(f"… ({rows} rows in all)")
    return lines
