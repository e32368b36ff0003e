"""What the glass-box commands (``trace``, ``gradcheck``, ``explain``) share.

Number, matrix and trace printing, the ``--digits`` option, and the choice between a model file
with its CSV and the article's network. Imports NumPy only inside functions, so that
``glassnet --help`` stays fast.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from glassnet.cli.common import UserError, display_width

if TYPE_CHECKING:
    from glassnet._types import Array
    from glassnet.glassbox import Trace
    from glassnet.model import Model
    from glassnet.network import Network

MAX_ROWS = 8
"""Matrices with more rows (samples) than this print their first rows and a count."""

MAX_COLUMNS = 8
"""Matrices with more columns (neurons) than this print their first columns and a count."""

LABEL_WIDTH = 44
"""Columns kept for the formula before each matrix; a longer formula gets its own line."""


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
        model, X, y = load_model_and_data(*paths)
        return model.network, X, y
    from glassnet import article
    from glassnet.datasets import jobs

    X, y = jobs()
    return article.network(), X, y


def load_model_and_data(model_path: str, data_path: str) -> tuple[Model, Array, Array]:
    """A model file and a CSV holding its columns and target → ``(model, X, y)``.

    Both go through the model, as ``glassnet predict`` and ``evaluate`` see them: X is
    ``model.transform`` of the rows (the stored preprocessing), y ``model.encode_target``
    of the target column (0/1 column or one-hot rows for classes, the standardized value
    for a regression).
    """
    from glassnet.cli.common import load_model, model_inputs, read_rows
    from glassnet.model import labels_from_text
    from glassnet.table import DataError

    model = load_model(model_path)
    frame = read_rows(model, data_path)
    target = model.target
    if target is None or target not in frame.columns:
        name = repr(target) if target else "(the model names none)"
        raise UserError(
            f"{data_path}: no target column {name}; the cost needs the answers in the table "
            f"(its columns are {', '.join(frame.columns)})"
        )
    missing = frame[target].null_count()
    if missing:
        raise UserError(
            f"{data_path}: the target {target!r} is missing in {missing} row(s); the cost needs "
            "an answer in every row, so leave those rows out"
        )
    X = model_inputs(model, frame, data_path)
    truth = labels_from_text(frame[target].cast(str).to_list())
    try:
        y = model.encode_target(truth)
    except DataError as error:
        raise UserError(f"{data_path}: {error}") from None
    except ValueError:  # text given to a regression
        raise UserError(
            f"{data_path}: the target {target!r} holds text, but the model is a {model.task} "
            "and needs numbers"
        ) from None
    return model, X, y


def format_number(value: float, digits: int) -> str:
    """A number with ``digits`` significant digits and a true minus sign in front."""
    text = f"{value:.{digits}g}"
    return "−" + text[1:] if text.startswith("-") else text


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


def print_labelled(label: str, values: Array, digits: int, indent: str = "  ") -> None:
    """Print the formula ``label`` in a column of its own, the matrix beside it."""
    lines = format_matrix(values, digits)
    pad = LABEL_WIDTH
    for i, line in enumerate(lines):
        left = label if i == 0 else ""
        if display_width(left) >= pad:
            print(indent + left)
            left = ""
        print(indent + left + " " * (pad - display_width(left)) + line)


COSTS = {
    "en": {
        "sse": "½·Σ(a − y)²",
        "mse": "mean (a − y)²",
        "binary_crossentropy": "−mean[y·log a + (1 − y)·log(1 − a)]",
        "categorical_crossentropy": "−mean Σₖ yₖ·log aₖ",
    },
    "ja": {
        "sse": "½·Σ(推測結果 − 実際の値)²",
        "mse": "mean (推測結果 − 実際の値)²",
        "binary_crossentropy": "−mean[実際の値·log 推測結果 + (1 − 実際の値)·log(1 − 推測結果)]",
        "categorical_crossentropy": "−mean Σₖ 実際の値ₖ·log 推測結果ₖ",
    },
}


def _labels(net: Network, index: int, trace: Trace, lang: str) -> dict[str, str]:
    """The formula beside each number of one layer, in English or the article's notation."""
    layer = net.layers[index]
    act = layer.activation.name
    last = index == len(net.layers) - 1
    cost = net.cost_function
    plain = trace.plain_descent
    lr = format_number(trace.learning_rate, 6)
    l2 = f" + {layer.l2}·W" if layer.l2 else ""
    if lang == "ja":
        source = "入力 (input)" if index == 0 else f"input = 層 {index} の推測結果"
        if last and cost.fused_activation == act:
            delta = "δ = (推測結果 − 実際の値) / n"
        elif last and cost.name == "sse" and act == "sigmoid":
            delta = "δ = sigmoid_der_prediction × error = 推測結果 × (1 − 推測結果) × error"
        elif last:
            delta = f"δ = ∂cost/∂推測結果 × {act}′(推測結果')"
        else:
            delta = f"δ = (δ次の層 · weight次の層ᵀ) × {act}′(推測結果')"
        return {
            "inputs": source,
            "weights_before": "weight (更新前)",
            "bias_before": "bias (更新前)",
            "z": "推測結果' = input × weight + bias",
            "a": f"推測結果 = {act}(推測結果')",
            "y": "実際の値 (outputs)",
            "error": "error = 推測結果 − 実際の値",
            "delta": delta,
            "grad_weights": f"der_cost_w (△w) = input.T · δ{l2}",
            "grad_bias": "der_cost_b (△b) = Σ δ",
            "update_weights": f"learning_rate × der_cost_w = {lr} × △w"
            if plain
            else f"weight の変化 ({trace.optimizer})",
            "update_bias": f"learning_rate × der_cost_b = {lr} × △b"
            if plain
            else f"bias の変化 ({trace.optimizer})",
            "weights": "weight −= learning_rate × der_cost_w" if plain else "weight −= 変化",
            "bias": "bias −= learning_rate × der_cost_b" if plain else "bias −= 変化",
        }
    source = "input X" if index == 0 else f"input = a of layer {index}"
    if last and cost.fused_activation == act:
        delta = "delta = ∂C/∂z = (a − y) / n"
    elif last and cost.name == "sse" and act == "sigmoid":
        delta = "delta = ∂C/∂z = error ⊙ a(1 − a)"
    elif last:
        delta = f"delta = ∂C/∂z = ∂C/∂a ⊙ {act}′(z)"
    else:
        delta = f"delta = (delta_next · W_nextᵀ) ⊙ {act}′(z)"
    return {
        "inputs": source,
        "weights_before": "W (before)",
        "bias_before": "b (before)",
        "z": "z = input · W + b",
        "a": f"a = {act}(z)",
        "y": "y (target)",
        "error": "error = a − y",
        "delta": delta,
        "grad_weights": f"∂C/∂W = inputᵀ · delta{l2}",
        "grad_bias": "∂C/∂b = Σ delta (over samples)",
        "update_weights": f"update W = {lr} × ∂C/∂W"
        if plain
        else f"update W = W(before) − W(after), {trace.optimizer}",
        "update_bias": f"update b = {lr} × ∂C/∂b" if plain else "update b = b(before) − b(after)",
        "weights": "W ← W − update W",
        "bias": "b ← b − update b",
    }


def print_trace(net: Network, trace: Trace, title: str, lang: str, digits: int) -> None:
    """The human view: each step, each layer, each number labelled with its formula; the
    feedforward through every layer to the cost first, then the backpropagation from the
    output layer back to the first (a hidden layer's δ is found from the next one's)."""
    ja = lang == "ja"
    print(title)
    rows = trace.targets.shape[0]
    print(
        f"最適化: {trace.optimizer}、全 {rows} サンプルで 1 回 (フルバッチ)"
        if ja
        else f"optimizer: {trace.optimizer}, full batch of {rows} samples"
    )
    penalty = " + ½·l2·ΣW²" if any(layer.l2 for layer in net.layers) else ""
    cost_formula = COSTS[lang].get(trace.cost_function, trace.cost_function) + penalty
    deep = len(net.layers) > 1
    for step in trace.steps:
        print()
        heading = f"ステップ {step.step} (エポック {step.step})" if ja else f"step {step.step}"
        print(f"═══ {heading} ═══")
        when = "更新前" if ja else "before the update"
        print(f"  cost = {cost_formula} = {format_number(step.cost, digits)}  ({when})")
        labels = [_labels(net, index, trace, lang) for index in range(len(net.layers))]
        for index, layer_step in enumerate(step.layers):
            print()
            word = "層" if ja else "layer"
            forward = (" (フィードフォワード)" if ja else " (feedforward)") if deep else ""
            print(f"{word} {layer_step.layer}{forward}: {net.layers[index]!r}")
            for name in ("inputs", "weights_before", "bias_before", "z", "a"):
                print_labelled(labels[index][name], getattr(layer_step, name), digits)
            if layer_step.error is not None:
                print_labelled(labels[index]["y"], trace.targets, digits)
                print_labelled(labels[index]["error"], layer_step.error, digits)
        for index in reversed(range(len(step.layers))):
            layer_step = step.layers[index]
            if deep:
                print()
                print(
                    f"層 {layer_step.layer} (バックプロパゲーション)"
                    if ja
                    else f"layer {layer_step.layer} (backpropagation)"
                )
            for name in (
                "delta",
                "grad_weights",
                "grad_bias",
                "update_weights",
                "update_bias",
                "weights",
                "bias",
            ):
                print_labelled(labels[index][name], getattr(layer_step, name), digits)
