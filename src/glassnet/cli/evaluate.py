"""``glassnet evaluate``: how well a saved model does on a CSV table with the answers."""

from __future__ import annotations

import argparse
from typing import Any

HELP = "score a saved model on a CSV table that has the target column"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``MODEL DATA.csv``."""
    parser.add_argument("model", metavar="MODEL", help="a model file saved by glassnet train")
    parser.add_argument(
        "data", metavar="DATA.csv", help="a CSV file with the model's feature and target columns"
    )


def scores(meta: dict[str, Any], outputs: Any, y: Any, where: str) -> dict[str, Any]:
    """Classification: accuracy, per-class precision/recall/F1, confusion matrix;
    regression: MSE, MAE, R²."""
    import numpy as np

    from glassnet.data import decode_outputs, encode_labels
    from glassnet.metrics import (
        confusion_matrix,
        mean_absolute_error,
        mean_squared_error,
        precision_recall_f1,
        r2_score,
    )

    answers, probabilities = decode_outputs(meta, outputs)
    target = meta["target_name"]
    if probabilities is None:
        if y.dtype.kind in "USO":
            raise ValueError(
                f"{where}: the target {target!r} holds text; the model predicts numbers"
            )
        return {
            "task": "regression",
            "rows": len(y),
            "mse": mean_squared_error(y, answers),
            "mae": mean_absolute_error(y, answers),
            # R² compares with the spread of the truth: one row has none, so it is undefined
            "r2": r2_score(y, answers) if len(y) >= 2 else None,
        }
    classes = meta["classes"]
    truth = encode_labels(y, classes, where, target)
    matrix = confusion_matrix(truth, answers, len(classes))
    precision, recall, f1, support = precision_recall_f1(matrix)
    return {
        "task": "classification",
        "rows": len(y),
        "accuracy": float(np.mean(truth == answers)),
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


def run(args: argparse.Namespace) -> int:
    """Load the model, read the table with its target, score, print."""
    from glassnet.cli.common import print_json
    from glassnet.data import model_inputs, read_for_model
    from glassnet.serialization import load

    net = load(args.model)
    meta = net.metadata
    table = read_for_model(args.data, meta, need_target=True)
    outputs = net.predict_outputs(model_inputs(meta, table.X))
    report = scores(meta, outputs, table.y, table.path)
    if args.json:
        print_json({"model": args.model, "data": table.path, **report})
        return 0
    rows = f"{report['rows']} row" + ("s" if report["rows"] != 1 else "")
    print(f"{table.path}: {rows}, target {meta['target_name']!r}")
    if report["task"] == "regression":
        print(f"MSE : {report['mse']:.6g}")
        print(f"MAE : {report['mae']:.6g}")
        r2 = "n/a (needs at least 2 rows)" if report["r2"] is None else f"{report['r2']:.4f}"
        print(f"R²  : {r2}")
        return 0
    names = [str(c) for c in report["classes"]]
    width = max(8, *(len(n) for n in names))
    print(f"accuracy: {report['accuracy']:.4f}")
    print()
    print(f"{'class':<{width}}  precision  recall  F1      support")
    for name in names:
        s = report["per_class"][name]
        print(
            f"{name:<{width}}  {s['precision']:<9.4f}  {s['recall']:<6.4f}  {s['f1']:<6.4f}  "
            f"{s['support']}"
        )
    print()
    print("confusion matrix (rows: true class, columns: predicted class)")
    cell = max(width, *(len(str(v)) for row in report["confusion_matrix"] for v in row))
    print(" " * (width + 2) + "  ".join(f"{n:>{cell}}" for n in names))
    for name, row in zip(names, report["confusion_matrix"], strict=True):
        print(f"{name:<{width}}  " + "  ".join(f"{v:>{cell}}" for v in row))
    return 0
