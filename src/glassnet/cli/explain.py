"""``glassnet explain``: one input's path through the network, term by term.

Without a model it explains the article's trained network: ``glassnet explain 1 1 1``
shows 3.406·1 + (−2.671)·1 + 5.691·1 + bias (−0.065) = 6.361, sigmoid of it 0.99827,
→ finds a job.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from glassnet.cli.common import UserError
from glassnet.cli.glassbox_common import (
    add_digits_argument,
    check_digits,
    display_width,
    format_number,
)

if TYPE_CHECKING:
    from glassnet.glassbox import Explanation, NeuronPath
    from glassnet.network import Network

HELP = "show how one input goes through the network: each w·x, the bias, z, a, the verdict"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``[MODEL] VALUES... [--lang en|ja] [--top K] [--digits N]``."""
    parser.usage = (
        "glassnet explain [-h] [--json] [--lang en|ja] [--top K] [--digits N] [MODEL] VALUES..."
    )
    parser.add_argument(
        "values",
        nargs="+",
        metavar="[MODEL] VALUES",
        help="an optional model file, then one value per input feature; without a model, "
        "the article's trained network (3 values: math english physics, 1 = passed)",
    )
    parser.add_argument(
        "--lang",
        choices=("en", "ja"),
        default="en",
        help="ja uses the article's notation and verdict (仕事が見つかる)",
    )
    parser.add_argument(
        "--top",
        type=int,
        default=None,
        metavar="K",
        help="show only each neuron's K largest terms |w·x| (the rest are summed)",
    )
    add_digits_argument(parser)


def _numbers(texts: list[str]) -> list[float]:
    """The input values, or a UserError naming the first that is not a finite number."""
    import math

    values = []
    for position, text in enumerate(texts, start=1):
        try:
            value = float(text)
        except ValueError:
            raise UserError(f"value {position} is {text!r}, not a number") from None
        if not math.isfinite(value):
            raise UserError(f"value {position} is not a finite number: {text!r}")
        values.append(value)
    return values


def _print_neuron(
    neuron: NeuronPath, activation: str, label: str, lang: str, top: int | None, digits: int
) -> None:
    def num(value: float) -> str:
        return format_number(value, digits)

    print(label)
    terms = neuron.terms
    hidden: list[float] = []
    if top is not None and len(terms) > top:
        ranked = sorted(terms, key=lambda t: abs(t.product), reverse=True)
        terms, hidden = ranked[:top], [t.product for t in ranked[top:]]
    name_width = max(display_width(t.input) for t in neuron.terms)
    rows = [
        (
            f"{t.input}{' ' * (name_width - display_width(t.input))}  {num(t.weight)} · {num(t.x)}",
            num(t.product),
        )
        for t in terms
    ]
    if hidden:
        more = f"… {len(hidden)} more term" + ("s" if len(hidden) > 1 else "")
        rows.append((more, num(sum(hidden))))
    rows.append(("bias", num(neuron.bias)))
    if lang == "ja":
        rows.append(("推測結果' = Σ input × weight + bias", num(neuron.z)))
        rows.append((f"推測結果 = {activation}(推測結果')", num(neuron.a)))
    else:
        rows.append(("z = Σ w·x + b", num(neuron.z)))
        rows.append((f"a = {activation}(z)", num(neuron.a)))
    left = max(display_width(r[0]) for r in rows) + 3
    right = max(len(r[1]) for r in rows)
    for text, value in rows:
        print(f"    {text}{' ' * (left - display_width(text))}{value.rjust(right)}")


def print_explanation(
    explanation: Explanation,
    title: str,
    lang: str,
    top: int | None,
    digits: int,
    raw: list[float] | None = None,
    verdict: str | None = None,
) -> None:
    """The human view: every neuron's terms and sums, the outputs and the verdict.

    ``raw`` are the values as given when the network sees them standardized; ``verdict``
    replaces the explanation's own (a regression's value in the target's units).
    """
    print(title)
    shown = ", ".join(
        f"{name} = {format_number(value, digits)}"
        for name, value in zip(explanation.feature_names, raw or explanation.inputs, strict=True)
    )
    print(("入力: " if lang == "ja" else "input: ") + shown)
    if raw is not None:
        scaled = ", ".join(format_number(v, digits) for v in explanation.inputs)
        print(f"standardized by the model's scaler: {scaled}")
    for layer in explanation.layers:
        for neuron in layer.neurons:
            print()
            _print_neuron(
                neuron,
                layer.activation,
                f"layer {layer.layer} ({layer.activation}), neuron {neuron.neuron}",
                lang,
                top,
                digits,
            )
    print()
    outputs = ", ".join(format_number(v, digits) for v in explanation.outputs)
    verdict = verdict or explanation.verdict
    ending = f" → {verdict}" if verdict is not None else ""
    print(("出力 " if lang == "ja" else "output ") + outputs + ending)


def run(args: argparse.Namespace) -> int:
    """Explain one input and print the path (or one JSON document with ``--json``)."""
    if args.top is not None and args.top < 1:
        raise UserError(f"--top must be a positive integer; got {args.top}")
    check_digits(args.digits)
    from glassnet.data import is_number

    texts = list(args.values)
    model_path = None if is_number(texts[0]) else texts.pop(0)
    if not texts:
        raise UserError(f"give the input values after the model {model_path!r}")
    values = _numbers(texts)

    from glassnet.cli.common import print_json
    from glassnet.glassbox import explain

    if model_path is None:
        from glassnet import article
        from glassnet.datasets import jobs

        if len(values) != 3:
            raise UserError(
                f"the article's network takes 3 values (math english physics, 1 = passed, "
                f"0 = failed); got {len(values)}"
            )
        data = jobs()
        names = data.feature_names
        if args.lang == "ja":
            names = [data.names_ja[n] for n in names]
        net = article.trained_network()
        x = values
        classes: list[str] | None = list(article.VERDICTS[args.lang])
        title = (
            f"記事のネットワーク ({article.EPOCHS} エポック学習済み)"
            if args.lang == "ja"
            else f"the article's network, trained ({article.EPOCHS} epochs of gradient descent)"
        )
    else:
        net, x, names, classes = _load(model_path, values)
        title = f"model {model_path}"
    explanation = explain(net, x, feature_names=names, classes=classes)
    raw = values if x != values else None
    value = _target_value(net, explanation.outputs) if explanation.prediction is None else None
    if args.json:
        document = explanation.to_dict()
        if raw is not None:
            document["raw_inputs"] = raw
        if value is not None:
            document["value"] = value
        print_json(document)
    else:
        verdict = None
        if value is not None:
            target = net.metadata.get("target_name") or "y"
            verdict = f"{target} = {format_number(value, args.digits)}"
        print_explanation(explanation, title, args.lang, args.top, args.digits, raw, verdict)
    return 0


def _target_value(net: Network, outputs: list[float]) -> float | None:
    """A one-output regression's answer in the target's own units (undoing its scaling)."""
    if len(outputs) != 1 or not net.metadata.get("target_scaler"):
        return None
    import numpy as np

    from glassnet.data import decode_outputs

    values, _ = decode_outputs(net.metadata, np.array([outputs]))
    return float(values[0])


def _load(
    path: str, values: list[float]
) -> tuple[Network, list[float], list[str], list[str] | None]:
    """A model file's network, the values scaled as it was trained, its names and classes."""
    import numpy as np

    from glassnet.data import model_inputs
    from glassnet.serialization import load

    net = load(path)
    names = net.metadata.get("feature_names") or [f"x{i + 1}" for i in range(net.n_inputs)]
    if len(values) != net.n_inputs:
        raise UserError(
            f"{path} takes {net.n_inputs} input values ({' '.join(map(str, names))}); "
            f"got {len(values)}"
        )
    classes = net.metadata.get("classes")
    x = model_inputs(net.metadata, np.array([values], dtype=np.float64))[0]
    return net, x.tolist(), list(names), None if classes is None else [str(c) for c in classes]
