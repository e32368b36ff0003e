"""``glassnet predict``: a saved model's answers for every row of a CSV table."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from typing import Any, BinaryIO

from glassnet.cli.common import check_out_file

HELP = "predict the target of every row of a CSV table with a saved model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``MODEL DATA.csv [--out PRED.csv]``."""
    parser.add_argument("model", metavar="MODEL", help="a model file saved by glassnet train")
    parser.add_argument(
        "data",
        metavar="DATA.csv",
        help="a CSV file with the model's feature columns (others are passed through)",
    )
    parser.add_argument(
        "--out",
        metavar="PRED.csv",
        help="write the table with the predictions here (default: standard output)",
    )


def output_names(columns: list[str], target: str, classes: list[Any] | None) -> list[str]:
    """The added column names: the target's (``predicted_<target>`` if the input has it) and
    one ``probability_<class>`` per class."""
    name = f"predicted_{target}" if target in columns else target
    added = [name] + [f"probability_{c}" for c in classes or []]
    return added


def _write_table(
    source: str, out: Any, added: list[str], labels: list[Any], probabilities: Any
) -> None:
    """Copy the rows of ``source`` to ``out`` with the prediction columns appended."""
    writer = csv.writer(out, lineterminator="\n")
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = (
            [cell.strip() for cell in row]
            for row in csv.reader(handle, skipinitialspace=True)
            if row and any(cell.strip() for cell in row)
        )
        writer.writerow([*next(rows), *added])
        for i, row in enumerate(rows):
            extra = [] if probabilities is None else [repr(float(p)) for p in probabilities[i]]
            writer.writerow([*row, labels[i], *extra])


def run(args: argparse.Namespace) -> int:
    """Check the paths, load the model, read the table, predict, write or print."""
    if args.out is not None:
        check_out_file(args.out)

    from glassnet.cli.common import print_json
    from glassnet.data import decode_outputs, model_inputs, read_for_model
    from glassnet.serialization import load, write_atomically

    net = load(args.model)
    meta = net.metadata
    table = read_for_model(args.data, meta, need_target=False)
    outputs = net.predict_outputs(model_inputs(meta, table.X))
    answers, probabilities = decode_outputs(meta, outputs)
    classes = meta.get("classes") if probabilities is not None else None
    labels = [classes[i] for i in answers.tolist()] if classes else answers.tolist()

    if args.json:
        if classes:
            predictions: list[Any] = [
                {"prediction": label, "probabilities": dict(zip(map(str, classes), p, strict=True))}
                for label, p in zip(labels, probabilities.tolist(), strict=True)  # type: ignore[union-attr]
            ]
        else:
            predictions = labels
        print_json(
            {
                "model": args.model,
                "data": table.path,
                "target": meta["target_name"],
                "task": meta.get("task"),
                "classes": classes,
                "rows": len(labels),
                "predictions": predictions,
            }
        )
        return 0
    added = output_names(table.columns, meta["target_name"], classes)
    if args.out is None:
        _write_table(table.path, sys.stdout, added, labels, probabilities)
        return 0

    def write(binary: BinaryIO) -> None:
        text = io.TextIOWrapper(binary, encoding="utf-8", newline="")
        _write_table(table.path, text, added, labels, probabilities)
        text.flush()
        text.detach()  # the binary file stays open for write_atomically to finish

    write_atomically(args.out, write)
    print(f"wrote {args.out}: {len(labels)} rows with {', '.join(added)}", file=sys.stderr)
    return 0
