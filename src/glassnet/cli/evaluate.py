"""``glassnet evaluate``: how well a saved model does on a table (CSV or Parquet) with the
answers. Rows whose target is missing are left out and counted; missing feature cells and
unseen categories are filled as ``predict`` fills them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from glassnet.cli.common import UserError, display_width, padded

if TYPE_CHECKING:
    from glassnet._types import Array
    from glassnet.model import Model

HELP = "score a saved model on a table (CSV or Parquet) that has the target column"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``MODEL DATA.csv``."""
    parser.add_argument("model", metavar="MODEL", help="a model file saved by glassnet train")
    parser.add_argument(
        "data", metavar="DATA", help="a CSV or Parquet file with the model's columns and target"
    )
    parser.add_argument(
        "--delimiter", default=None, metavar="C", help="the CSV field separator (default: sniffed)"
    )


def scores(model: Model, outputs: Array, truth: list[Any], where: str, rows: Any) -> dict[str, Any]:
    """Classification: accuracy, per-class precision/recall/F1, confusion matrix;
    regression: MSE, MAE, R². ``truth`` holds the labels as read; ``rows`` maps them to the
    file's data rows (for the line of an unknown label)."""
    import numpy as np

    from glassnet.cli.common import target_not_numbers
    from glassnet.metrics import (
        confusion_matrix,
        mean_absolute_error,
        mean_squared_error,
        precision_recall_f1,
        predicted_classes,
        r2_score,
    )
    from glassnet.model import encode_labels

    target = model.target or "target"
    if model.task != "classification":
        fix = "the model predicts numbers: fix such cells, or empty them to leave their rows out"
        refused = target_not_numbers(truth, where, target, rows, fix)
        if refused is not None:
            raise refused
        y = np.array(truth, dtype=np.float64)
        answers = model.decode(outputs)
        # targets near float64's limit make the squared errors inf: the report says inf
        with np.errstate(over="ignore", invalid="ignore"):
            return {
                "task": model.task,
                "rows": len(y),
                "mse": mean_squared_error(y, answers),
                "mae": mean_absolute_error(y, answers),
                # R² compares with the spread of the truth: one row has none, so undefined
                "r2": r2_score(y, answers) if len(y) >= 2 else None,
            }
    classes = model.classes or list(range(max(2, model.network.n_outputs)))
    # a class the model never saw (too rare to reach the training rows) is counted wrong,
    # as scikit-learn's accuracy_score counts it; the table and matrix show the known ones
    index = encode_labels(truth, classes, where, target, rows, unknown=-1)
    answers = predicted_classes(outputs)
    known = index >= 0
    matrix = confusion_matrix(index[known], answers[known], len(classes))
    precision, recall, f1, support = precision_recall_f1(matrix)
    return {
        "task": "classification",
        "rows": len(index),
        "accuracy": float(np.mean(index == answers)),
        "unknown_classes": _unknown_classes(np.flatnonzero(~known), truth, where, rows),
        "classes": classes,
        "per_class": {
            str(c): {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, c in enumerate(classes)
        },
        "macro_f1": float(f1.mean()),
        "confusion_matrix": matrix.tolist(),
    }


def _unknown_classes(strangers: Array, truth: list[Any], where: str, rows: Any) -> dict[str, Any]:
    """The rows (of ``truth``) whose label is not a class of the model: their count, each
    such label's count, and the line saying so, the first three named by file line."""
    from collections import Counter

    from glassnet.table import DataError, braced, locate

    labels = Counter(str(truth[r]) for r in strangers)
    count = len(strangers)
    shown = ", ".join(
        f"{braced(str(truth[r]))} on {{place{i}}}" for i, r in enumerate(strangers[:3])
    )
    template = (
        f"{count} row{'s' * (count > 1)} of a class the model does not know ({shown}"
        f"{', …' * (count > 3)}): counted as wrong, left out of the per-class table"
    )
    note = str(locate(DataError(template, list(strangers[:3])), where, rows)) if count else ""
    return {"rows": count, "labels": dict(labels), "note": note}


def run(args: argparse.Namespace) -> int:
    """Load the model, read the table with its target, score, print."""
    import numpy as np

    from glassnet.cli.common import fill_counts, load_model, model_outputs, print_json, read_rows
    from glassnet.model import labels_from_text
    from glassnet.table import DataError

    model = load_model(args.model)
    if model.task == "multilabel" or (model.task == "regression" and model.network.n_outputs > 1):
        # one target column holds one answer a row; these models give several
        kind = "multilabel" if model.task == "multilabel" else "multi-output regression"
        raise UserError(
            f"{args.model} is a {kind} model ({model.network.n_outputs} outputs a row); evaluate "
            "scores one target column: score it in Python (the estimator's score, or "
            "glassnet.load(path).predict against your answers)"
        )
    frame = read_rows(model, args.data, args.delimiter)
    target = model.target
    if target is None or target not in frame.columns:
        name = f"named {target!r}" if target else "named (the model names none)"
        raise UserError(
            f"{args.data}: no column {name}, the target; evaluate needs the answers in the "
            f"table (its columns are {', '.join(frame.columns)})"
        )
    present = frame[target].is_not_null()
    rows = np.flatnonzero(present.to_numpy())
    dropped = frame.height - len(rows)
    if not len(rows):
        raise UserError(f"{args.data}: the target {target!r} is missing in every row")
    frame = frame.filter(present)
    outputs = model_outputs(model, frame, args.data)
    truth = labels_from_text(frame[target].cast(str).to_list())
    try:
        report = scores(model, outputs, truth, args.data, rows)
    except DataError as error:
        raise UserError(str(error)) from None
    report["rows_without_target"] = dropped
    filled = fill_counts(model)
    if args.json:
        counts = model.preprocessor.transform_counts_ if model.preprocessor else {}
        print_json(
            {
                "model": args.model,
                "data": args.data,
                **report,
                "missing_filled": counts.get("missing", {}),
                "unseen_categories": counts.get("unseen", {}),
                "other_categories": counts.get("other", {}),
            }
        )
        return 0
    _print(report, args.data, target, dropped, filled)
    return 0


def _print(
    report: dict[str, Any], where: str, target: str, dropped: int, filled: str | None
) -> None:
    rows = f"{report['rows']} row" + ("s" if report["rows"] != 1 else "")
    print(f"{where}: {rows}, target {target!r}")
    if dropped:
        print(f"left out {dropped} row{'s' * (dropped > 1)} whose target is missing")
    if filled:
        print(filled)
    if report["task"] != "classification":
        print(f"MSE : {report['mse']:.6g}")
        print(f"MAE : {report['mae']:.6g}")
        r2 = "n/a (needs at least 2 rows)" if report["r2"] is None else f"{report['r2']:.4f}"
        print(f"R²  : {r2}")
        return
    names = [str(c) for c in report["classes"]]
    width = max(8, *(display_width(n) for n in names))
    print(f"accuracy: {report['accuracy']:.4f}")
    if report["unknown_classes"]["rows"]:
        print(report["unknown_classes"]["note"])
    print()
    print(f"{padded('class', width)}  precision  recall  F1      support")
    for name in names:
        s = report["per_class"][name]
        print(
            f"{padded(name, width)}  {s['precision']:<9.4f}  {s['recall']:<6.4f}  {s['f1']:<6.4f}  "
            f"{s['support']}"
        )
    print()
    print("confusion matrix (rows: true class, columns: predicted class)")
    cell = max(width, *(len(str(v)) for row in report["confusion_matrix"] for v in row))
    print(" " * (width + 2) + "  ".join(" " * (cell - display_width(n)) + n for n in names))
    for name, row in zip(names, report["confusion_matrix"], strict=True):
        print(f"{padded(name, width)}  " + "  ".join(f"{v:>{cell}}" for v in row))
