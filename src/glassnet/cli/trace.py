"""``glassnet trace``: every number of chosen training steps, with the formula beside each.

Without MODEL and DATA.csv it traces the article's network on the article's table; step 1
then shows z = [1.2, 0.7, 0.7, 1.2], the sigmoid of it, the gradients and the weights after
the first update, exactly.  The number printing and model loading come from
``glassnet.cli.glassbox_common``, shared with ``glassnet explain`` and ``glassnet gradcheck``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from glassnet.cli.common import UserError
from glassnet.cli.glassbox_common import (
    add_digits_argument,
    add_paths_argument,
    check_digits,
    check_paths,
    display_width,
    format_matrix,
    format_number,
    network_and_data,
)
from glassnet.cli.train import OPTIMIZERS, make_optimizer

if TYPE_CHECKING:
    from glassnet._types import Array
    from glassnet.glassbox import Trace
    from glassnet.network import Network

HELP = "show every number of chosen training steps: z, a, cost, delta, gradients, update"

MAX_STEP = 1_000_000
"""The largest step number accepted: a trace re-runs every step up to the last one."""

LABEL_WIDTH = 44
"""Columns kept for the formula before each matrix; a longer formula gets its own line."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``[MODEL DATA.csv] [--steps 1,2,5000] [--lang en|ja] [--optimizer] [--learning-rate]``."""
    parser.usage = (
        "glassnet trace [-h] [--json] [--steps 1,2,5000] [--lang en|ja]\n"
        "                      [--optimizer gd|sgd|adam] [--learning-rate F] [--digits N]\n"
        "                      [MODEL DATA.csv]"
    )
    add_paths_argument(parser, "to train it on")
    parser.add_argument(
        "--steps",
        default="1",
        metavar="1,2,5000",
        help="comma-separated step numbers to show, counted from 1 (default 1), e.g. 1,2,5000",
    )
    parser.add_argument(
        "--lang",
        choices=("en", "ja"),
        default="en",
        help="ja labels each number in the article's notation (推測結果' = input × weight + bias)",
    )
    add_optimizer_arguments(parser)
    add_digits_argument(parser)


def add_optimizer_arguments(parser: argparse.ArgumentParser) -> None:
    """``--optimizer`` and ``--learning-rate`` (plain gradient descent at 0.1, the article's)."""
    parser.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default="gd",
        help="gd: plain gradient descent, the article's (default); sgd (momentum 0.9, "
        "Nesterov) and adam as glassnet train uses them",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=0.1,
        metavar="F",
        help="the learning rate (default 0.1)",
    )


def parse_steps(text: str) -> list[int]:
    """``"1,2,5000"`` → ``[1, 2, 5000]``, or a UserError saying which part is wrong."""
    steps = []
    for part in text.split(","):
        part = part.strip()
        if not part.isdigit() or int(part) < 1:
            raise UserError(
                f"--steps: {part!r} is not a step number; give positive integers separated by "
                "commas, e.g. --steps 1,2,5000"
            )
        if int(part) > MAX_STEP:
            raise UserError(f"--steps: {part} is more than the largest allowed, {MAX_STEP}")
        steps.append(int(part))
    return sorted(set(steps))


def optimizer_from(args: argparse.Namespace) -> Any:
    """The optimizer ``--optimizer`` and ``--learning-rate`` ask for, as ``glassnet train``
    builds it."""
    if not args.learning_rate > 0.0:
        raise UserError(f"--learning-rate must be a positive number; got {args.learning_rate}")
    return make_optimizer(args.optimizer, args.learning_rate)


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
    """The human view: each step, each layer, each number labelled with its formula."""
    print(title)
    print(f"optimizer: {trace.optimizer}, full batch of {trace.targets.shape[0]} samples")
    penalty = " + ½·l2·ΣW²" if any(layer.l2 for layer in net.layers) else ""
    cost_formula = COSTS[lang].get(trace.cost_function, trace.cost_function) + penalty
    for step in trace.steps:
        print()
        heading = f"step {step.step}" + (f" (エポック {step.step})" if lang == "ja" else "")
        print(f"═══ {heading} ═══")
        when = "更新前" if lang == "ja" else "before the update"
        print(f"  cost = {cost_formula} = {format_number(step.cost, digits)}  ({when})")
        for index, layer_step in enumerate(step.layers):
            labels = _labels(net, index, trace, lang)
            print()
            print(f"layer {layer_step.layer}: {net.layers[index]!r}")
            for name in ("inputs", "weights_before", "bias_before", "z", "a"):
                print_labelled(labels[name], getattr(layer_step, name), digits)
            if layer_step.error is not None:
                print_labelled(labels["y"], trace.targets, digits)
                print_labelled(labels["error"], layer_step.error, digits)
            for name in (
                "delta",
                "grad_weights",
                "grad_bias",
                "update_weights",
                "update_bias",
                "weights",
                "bias",
            ):
                print_labelled(labels[name], getattr(layer_step, name), digits)


def run(args: argparse.Namespace) -> int:
    """Trace the chosen steps and print them (or one JSON document with ``--json``)."""
    steps = parse_steps(args.steps)
    check_digits(args.digits)
    optimizer = optimizer_from(args)
    check_paths(args.paths)

    from glassnet.cli.common import print_json
    from glassnet.glassbox import trace

    net, X, y = network_and_data(args.paths)
    if args.paths:
        title = f"trace of {args.paths[0]} on {args.paths[1]}"
    else:
        title = (
            "記事のネットワーク: 3 入力 (数学, 英語, 物理) → 1 出力 (仕事), weight 0.5, bias 0.2"
            if args.lang == "ja"
            else "the article's network: 3 inputs (math, english, physics) → 1 output (job), "
            "weights 0.5, bias 0.2"
        )
    result = trace(net, X, y, steps=steps, optimizer=optimizer)
    if args.json:
        print_json(result.to_dict())
    else:
        print_trace(net, result, title, args.lang, args.digits)
    return 0
