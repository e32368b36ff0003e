"""``glassnet trace``: every number of chosen training steps, with the formula beside each.

Without MODEL and DATA.csv it traces the article's network on the article's table; step 1
then shows z = [1.2, 0.7, 0.7, 1.2], the sigmoid of it, the gradients and the weights after
the first update, exactly.  The number printing and model loading come from
``glassnet.cli.glassbox_common``, shared with ``glassnet explain`` and ``glassnet gradcheck``.
"""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Any

from glassnet.cli.common import UserError
from glassnet.cli.glassbox_common import (
    add_digits_argument,
    add_paths_argument,
    check_digits,
    check_paths,
    network_and_data,
    print_trace,
)

if TYPE_CHECKING:
    pass

HELP = "show every number of chosen training steps: z, a, cost, delta, gradients, update"

MAX_STEP = 1_000_000
"""The largest step number accepted: a trace re-runs every step up to the last one."""


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
        default="gd",
        metavar="NAME",
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
    from glassnet.build import OPTIMIZERS, make_optimizer

    if args.optimizer not in OPTIMIZERS:
        raise UserError(
            f"--optimizer must be one of {', '.join(OPTIMIZERS)}; got {args.optimizer!r}"
        )
    if not (args.learning_rate > 0.0 and math.isfinite(args.learning_rate)):
        raise UserError(f"--learning-rate must be a positive number; got {args.learning_rate}")
    return make_optimizer(args.optimizer, args.learning_rate)


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
