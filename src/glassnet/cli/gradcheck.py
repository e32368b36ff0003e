"""``glassnet gradcheck``: backpropagation against central differences; exit 1 when over.

Without MODEL and DATA.csv it checks the article's network on the article's table.
"""

from __future__ import annotations

import argparse

from glassnet.cli.common import UserError
from glassnet.cli.glassbox_common import (
    add_paths_argument,
    check_paths,
    format_number,
    network_and_data,
)

HELP = "check backpropagation's gradients against central differences (exit 1 if over)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``[MODEL DATA.csv] [--eps] [--tolerance] [--max-per-layer N]``."""
    parser.usage = (
        "glassnet gradcheck [-h] [--json] [--eps F] [--tolerance F] [--max-per-layer N]\n"
        "                          [MODEL DATA.csv]"
    )
    add_paths_argument(parser, "to compute the cost on")
    parser.add_argument(
        "--eps",
        type=float,
        default=1e-6,
        metavar="F",
        help="step of the central difference (default 1e-6)",
    )
    parser.add_argument(
        "--tolerance",
        type=float,
        default=1e-5,
        metavar="F",
        help="largest relative error that passes (default 1e-5)",
    )
    parser.add_argument(
        "--max-per-layer",
        type=int,
        default=None,
        metavar="N",
        help="check at most N weights and N biases per layer, drawn at random (default: all)",
    )


def run(args: argparse.Namespace) -> int:
    """Check and print per layer and overall; 0 when within tolerance, 1 when not."""
    import math

    for name in ("eps", "tolerance"):
        value = getattr(args, name)
        if not (value > 0.0 and math.isfinite(value)):  # inf: every difference is nan
            raise UserError(f"--{name} must be a positive finite number; got {value}")
    if args.max_per_layer is not None and args.max_per_layer < 1:
        raise UserError(f"--max-per-layer must be a positive integer; got {args.max_per_layer}")
    check_paths(args.paths)

    import sys
    import warnings

    from glassnet.cli.common import print_json
    from glassnet.glassbox import gradcheck

    net, X, y = network_and_data(args.paths)
    if args.paths:
        title = f"gradcheck of {args.paths[0]} on {args.paths[1]}"
    else:
        title = "gradcheck of the article's network (weights 0.5, bias 0.2) on its table"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        result = gradcheck(
            net, X, y, eps=args.eps, tolerance=args.tolerance, max_per_layer=args.max_per_layer
        )
    for warning in caught:
        print(f"glassnet gradcheck: note: {warning.message}", file=sys.stderr)
    if args.json:
        print_json(result.to_dict())
        return 0 if result.passed else 1

    def num(value: float) -> str:
        return format_number(value, 3)

    print(title)
    print(f"{X.shape[0]} samples, {net.n_params} parameters, eps {args.eps:g}")
    print(f"relative error = |backprop − numeric| / max(|backprop|, |numeric|, {result.floor:g})")
    print()
    for layer in result.layers:
        worst = layer.worst
        where = f"{worst['parameter']}[{', '.join(str(i) for i in worst['index'])}]"
        print(f"layer {layer.layer}  {net.layers[layer.layer - 1]!r}  checked {layer.n_checked}")
        print(
            f"    weights {num(layer.weights_error)}   bias {num(layer.bias_error)}   "
            f"worst {where}: backprop {format_number(worst['backprop'], 10)}, "
            f"numeric {format_number(worst['numeric'], 10)}"
        )
    print()
    verdict = "passed" if result.passed else "FAILED"
    relation = "≤" if result.passed else ">"
    print(
        f"max relative error {num(result.max_relative_error)} {relation} tolerance "
        f"{result.tolerance:g}: {verdict}"
    )
    return 0 if result.passed else 1
