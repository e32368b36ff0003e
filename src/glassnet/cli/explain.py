"""``glassnet explain``: one input's path through the network, term by term.

Without a model it explains the article's trained network: ``glassnet explain 1 1 1``
shows 3.406·1 + (−2.671)·1 + 5.691·1 + bias (−0.065) = 6.361, sigmoid of it 0.99827,
→ finds a job.
"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any

from glassnet.cli.common import UserError, display_width, is_number
from glassnet.cli.glassbox_common import (
    add_digits_argument,
    check_digits,
    format_number,
)

if TYPE_CHECKING:
    from glassnet.glassbox import Explanation, NeuronPath
    from glassnet.model import Model

HELP = "show how one input goes through the network: each w·x, the bias, z, a, the verdict"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``[MODEL] VALUES... [--lang en|ja] [--top K] [--digits N]``."""
    parser.usage = (
        "glassnet explain [-h] [--json] [--lang en|ja] [--top K] [--digits N] [--row N] "
        "[MODEL] VALUES... | MODEL DATA"
    )
    parser.add_argument(
        "values",
        nargs="+",
        metavar="[MODEL] VALUES",
        help="an optional model file, then one value per input feature, or a table (CSV or "
        "Parquet) to take a row of (--row); without a model, the article's trained network "
        "(3 values: math english physics, 1 = passed)",
    )
    parser.add_argument(
        "--row",
        default=None,
        metavar="N",
        help="with MODEL DATA: the data row to explain, from 1 (default 1)",
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
    # argparse takes "-1.5" for a value but "-1e3" for an unknown option; teach this parser
    # every negative number (no option of explain looks like one)
    parser._negative_number_matcher = re.compile(r"^-(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")


def _numbers(texts: list[str], first: int = 1) -> list[float]:
    """The input values, or a UserError naming the first that is not a finite number
    (``first``: the position of ``texts[0]`` among all the values)."""
    import math

    values = []
    for position, text in enumerate(texts, start=first):
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
    raw: list[tuple[str, str]] | None = None,
    verdict: str | None = None,
    output_names: list[str] | None = None,
) -> None:
    """The human view: every neuron's terms and sums, the outputs and the verdict.

    ``raw`` are the values as given, by column, when the network sees them encoded by the
    model's preprocessing (an empty one is shown as missing); ``verdict`` replaces the
    explanation's own (a regression's value in the target's units); ``output_names`` name
    the outputs (a classifier's: the probability of which class each is).
    """
    print(title)
    label = "入力: " if lang == "ja" else "input: "
    if raw is not None:
        shown_raw = [(name, value if value.strip() else "(missing)") for name, value in raw]
        print(label + ", ".join(f"{name} = {value}" for name, value in shown_raw))
    shown = ", ".join(
        f"{name} = {format_number(value, digits)}"
        for name, value in zip(explanation.feature_names, explanation.inputs, strict=True)
    )
    print(("encoded by the model's preprocessing: " if raw is not None else label) + shown)
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
    values = [format_number(v, digits) for v in explanation.outputs]
    if output_names is not None and len(output_names) == len(values):
        values = [f"{name} = {value}" for name, value in zip(output_names, values, strict=True)]
    outputs = ", ".join(values)
    verdict = verdict or explanation.verdict
    ending = f" → {verdict}" if verdict is not None else ""
    print(("出力 " if lang == "ja" else "output ") + outputs + ending)


def run(args: argparse.Namespace) -> int:
    """Explain one input and print the path (or one JSON document with ``--json``)."""
    if args.top is not None and args.top < 1:
        raise UserError(f"--top must be a positive integer; got {args.top}")
    check_digits(args.digits)
    texts = list(args.values)
    model_path = None if is_number(texts[0]) else texts.pop(0)
    if not texts:
        raise UserError(f"give the input values, or a table, after the model {model_path!r}")
    table = model_path is not None and len(texts) == 1 and _is_table(texts[0])
    if args.row is not None and not table:
        raise UserError("--row picks a row of a table: give MODEL DATA, not values")

    from glassnet.cli.common import print_json
    from glassnet.glassbox import explain

    raw: list[tuple[str, str]] | None = None
    target = "y"
    if model_path is None:
        explanation, title = _article(_numbers(texts), args.lang)
    else:
        model, row, raw = (
            _table_row(model_path, texts[0], args.row) if table else _model_row(model_path, texts)
        )
        try:
            explanation = explain(model, row)
        except ValueError as error:  # a cell the preprocessing refuses (DataError)
            # values given on the command line are no table's data row
            from glassnet.table import DataError

            told = str(error)
            if isinstance(error, DataError) and not table:
                told = error.naming("the values given")
            raise UserError(f"{model_path}: {told}") from None
        title = f"model {model_path}"
        target = model.target or target
    value = explanation.answer if explanation.prediction is None else None
    if args.json:
        document = explanation.to_dict()
        if raw is not None:
            document["raw_inputs"] = dict(raw)
        print_json(document)
        return 0
    verdict, output_names = None, None
    if model_path is not None and value is None and model.classes:
        # a sigmoid's one output is the probability of the second class, softmax's one each
        classes = model.classes[1:] if len(explanation.outputs) == 1 else model.classes
        output_names = [f"P({c})" for c in classes]
    if value is not None:
        if isinstance(value, float):
            shown = format_number(value, args.digits)
        elif isinstance(value, str) or not hasattr(value, "__iter__"):
            shown = str(value)  # a label (an edited model's classifier with no probabilities)
        else:
            shown = ", ".join(format_number(v, args.digits) for v in value)
        verdict = f"{target} = {shown}"
    print_explanation(
        explanation, title, args.lang, args.top, args.digits, raw, verdict, output_names
    )
    return 0


def _article(values: list[float], lang: str) -> tuple[Explanation, str]:
    """The article's trained network explaining three exam results."""
    from glassnet import article
    from glassnet.datasets import jobs
    from glassnet.glassbox import explain

    if len(values) != 3:
        raise UserError(
            f"the article's network takes 3 values (math english physics, 1 = passed, "
            f"0 = failed); got {len(values)}"
        )
    data = jobs()
    names = data.feature_names
    if lang == "ja":
        names = [data.names_ja[n] for n in names]
    explanation = explain(
        article.trained_network(),
        values,
        feature_names=names,
        classes=list(article.VERDICTS[lang]),
    )
    title = (
        f"記事のネットワーク ({article.EPOCHS} エポック学習済み)"
        if lang == "ja"
        else f"the article's network, trained ({article.EPOCHS} epochs of gradient descent)"
    )
    return explanation, title


def _is_table(text: str) -> bool:
    """Whether the one value after a model names a table: an existing file, or a name
    ending as a table's does (data.csv, so that a missing one is said to be missing), and
    not a number (a model of one input takes ``glassnet explain MODEL 3.5``)."""
    import os

    from glassnet.table import PARQUET_SUFFIXES

    suffixes = (".csv", ".tsv", ".txt", *PARQUET_SUFFIXES)
    return not is_number(text) and (os.path.exists(text) or text.lower().endswith(suffixes))


def _table_row(
    path: str, data: str, row_text: str | None
) -> tuple[Model, Any, list[tuple[str, str]] | None]:
    """``_model_row`` for row ``row_text`` (from 1) of the table ``data``."""
    from glassnet.cli.common import load_model, model_inputs, read_rows

    try:
        number = 1 if row_text is None else int(row_text)
    except ValueError:
        number = 0
    if number < 1:
        raise UserError(f"--row must be a row number from 1; got {row_text!r}")
    model = load_model(path)
    frame = read_rows(model, data, None)
    if number > frame.height:
        raise UserError(f"{data} has {frame.height} data rows; --row {number} is past them")
    chosen = frame.slice(number - 1, 1)
    if model.preprocessor is None:
        return model, model_inputs(model, chosen, data, [number - 1])[0].tolist(), None
    # the row checked as predict checks it (a column it lacks; a NaN cell refused, not
    # filled: as one value per column it would read as missing), named by the file's line
    model_inputs(model, chosen, data, [number - 1])
    cells = {name: chosen[name][0] for name in model.preprocessor.feature_names_in_}
    return model, cells, [(name, "" if v is None else str(v)) for name, v in cells.items()]


def _model_row(path: str, texts: list[str]) -> tuple[Model, Any, list[tuple[str, str]] | None]:
    """A model file's Model, the row the values make, and the values by column (None for
    a model without preprocessing, whose inputs are the numbers as given)."""
    from glassnet.cli.common import load_model

    model = load_model(path)
    if model.preprocessor is None:
        n = model.network.n_inputs
        if len(texts) != n:
            names = " ".join(model.feature_names_out_)
            raise UserError(f"{path} takes {n} input values ({names}); got {len(texts)}")
        return model, _numbers(texts), None
    columns = model.preprocessor.columns_
    used = [c for c in columns if c["role"] != "ignored"]
    if len(texts) != len(used):
        names = " ".join(c["name"] for c in used)
        raise UserError(f"{path} takes {len(used)} input values ({names}); got {len(texts)}")
    # each value a cell of a one-row table, read as predict reads a table's: a marker or an
    # empty one missing, true/false among numbers 1/0, a typo the model learnt missing, a
    # word among numbers refused by the preprocessing in its words (float() refused them all)
    row = {column["name"]: text for column, text in zip(used, texts, strict=True)}
    return model, row, [(c["name"], t) for c, t in zip(used, texts, strict=True)]
