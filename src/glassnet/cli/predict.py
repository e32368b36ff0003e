"""``glassnet predict``: a saved model's answer for every row of a table (CSV or Parquet).

The table is the raw one, as for ``train``: the model's preprocessing fills missing cells
(a numeric column's training median, a text column's "(missing)" level) and maps a level it
never saw to "no known category", so every row gets an answer; how many cells that took is
reported. The output is the table as written (a CSV's cells as its text: ids keep their
leading zeros, "NA" stays "NA") with the answers appended, written by polars (CSV, or
Parquet for an ``--out`` name ending in .parquet, .pq or .parq).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, BinaryIO

from glassnet.cli.common import UserError, check_out_file, check_replaces_only

if TYPE_CHECKING:
    import polars as pl

    from glassnet._types import Array
    from glassnet.model import Model

HELP = "predict the target of every row of a table (CSV or Parquet) with a saved model"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``MODEL DATA [--out PRED.csv]``."""
    parser.add_argument("model", metavar="MODEL", help="a model file saved by glassnet train")
    parser.add_argument(
        "data",
        metavar="DATA",
        help="a CSV or Parquet file with the model's columns (others are passed through)",
    )
    parser.add_argument(
        "--out",
        metavar="PRED.csv",
        help="write the table with the predictions here: Parquet when the name ends in "
        ".parquet, .pq or .parq, else CSV (default: CSV on standard output)",
    )
    parser.add_argument(
        "--delimiter", default=None, metavar="C", help="the CSV field separator (default: sniffed)"
    )


def output_names(columns: list[str], target: str, classes: list[Any] | None) -> list[str]:
    """The added column names: the target's (``predicted_<target>`` if the input has it, or a
    probability column is so named) and one ``probability_<class>`` per class; UserError
    when the table has one of them."""
    probabilities = [f"probability_{c}" for c in classes or []]
    # a target named like a probability column (probability_A) gets the prefix as well
    name = f"predicted_{target}" if target in columns or target in probabilities else target
    added = [name, *probabilities]
    taken = [column for column in added if column in columns]
    if taken:  # writing them would replace the table's own values
        raise UserError(
            f"the table already has the column{'s' * (len(taken) > 1)} {', '.join(taken)}, "
            "which glassnet predict writes; rename or drop them (a file of earlier "
            "predictions: predict from the original table)"
        )
    return added


def run(args: argparse.Namespace) -> int:
    """Check the paths, load the model, read the table, predict, write or print."""
    from glassnet.cli.common import fill_counts, load_model, model_outputs, read_rows_as_written
    from glassnet.model import class_probabilities
    from glassnet.table import PARQUET_SUFFIXES, listed, written_dialect

    parquet = args.out is not None and args.out.lower().endswith(PARQUET_SUFFIXES)
    if args.out is not None:  # never the model or the table this command reads
        check_out_file(args.out, reads=[args.model, args.data])
        # nor a file of another kind (it wrote its CSV over a model file named as --out)
        check_replaces_only(args.out, "--out", "parquet" if parquet else "text")
    model = load_model(args.model)
    # the model reads typed columns; the table written back holds the cells as written
    frame, written = read_rows_as_written(model, args.data, args.delimiter)
    outputs = model_outputs(model, frame, args.data)
    del frame  # the written table alone is kept to the end
    answers = model.decode(outputs)
    classifier = model.task == "classification"
    probabilities = class_probabilities(outputs) if classifier else None
    classes = model.classes if probabilities is not None else None
    filled = fill_counts(model)
    if args.json:
        _print_json(args, model, answers, probabilities)
        return 0
    target = model.target or "prediction"
    try:
        added = output_names(written.columns, target, classes)
    except UserError as error:
        raise UserError(f"{args.data}: {error}") from None
    table = _with_answers(written, added, answers, probabilities)
    # written back as the file was: its field separator, its decimal sign
    separator, comma = written_dialect(args.data)
    if args.out is None:
        _write_stdout(table, separator, comma)
    else:
        from glassnet.serialization import write_atomically

        def write(binary: BinaryIO) -> None:
            if parquet:
                table.write_parquet(binary)
            else:
                table.write_csv(binary, separator=separator, decimal_comma=comma)

        write_atomically(args.out, write)
        print(f"wrote {args.out}: {table.height} rows with {listed(added)}", file=sys.stderr)
    if filled:
        print(f"glassnet predict: {filled}", file=sys.stderr)
    return 0


STDOUT_ROWS = 65_536
"""Rows formatted at a time for standard output."""


def _write_stdout(table: pl.DataFrame, separator: str = ",", comma: bool = False) -> None:
    """``table`` as CSV on standard output, a slice of rows at a time: polars formats each
    slice in memory and Python writes it, so a reader that goes away (``| head``) raises
    Python's BrokenPipeError, which the command line ends on quietly (polars' own writer
    reports it as a plain OSError), and the rest of the table is not formatted for nobody.
    ``separator`` and ``comma`` (a decimal comma): the table's own, as it was read."""
    import io

    sys.stdout.flush()  # anything printed before goes first
    binary = getattr(sys.stdout, "buffer", None)
    for start in range(0, max(table.height, 1), STDOUT_ROWS):
        text = io.BytesIO()
        part = table.slice(start, STDOUT_ROWS)
        part.write_csv(text, include_header=start == 0, separator=separator, decimal_comma=comma)
        if binary is not None:
            binary.write(text.getbuffer())
        else:  # a text stream without bytes underneath (a test's StringIO)
            sys.stdout.write(text.getvalue().decode("utf-8"))
    sys.stdout.flush()


def _with_answers(
    frame: pl.DataFrame, added: list[str], answers: Array, probabilities: Array | None
) -> pl.DataFrame:
    """``frame`` with the answer column (and one probability column per class) appended."""
    import polars as pl

    if answers.ndim == 2:  # several outputs: one column each
        values = [pl.Series(f"{added[0]}_{j}", answers[:, j]) for j in range(answers.shape[1])]
    elif answers.dtype.kind == "O":  # labels beyond int64, kept exact as text
        values = [pl.Series(added[0], [str(a) for a in answers.tolist()], dtype=pl.String)]
    else:
        values = [pl.Series(added[0], answers)]
    if probabilities is not None:
        values += [pl.Series(name, probabilities[:, j]) for j, name in enumerate(added[1:])]
    return frame.with_columns(values)


def _print_json(
    args: argparse.Namespace,
    model: Model,
    answers: Array,
    probabilities: Array | None,
) -> None:
    from glassnet.cli.common import print_json

    labels = answers.tolist()
    if probabilities is not None and model.classes:
        keys = [str(c) for c in model.classes]
        predictions: list[Any] = [
            {"prediction": label, "probabilities": dict(zip(keys, p, strict=True))}
            for label, p in zip(labels, probabilities.tolist(), strict=True)
        ]
    else:
        predictions = labels
    counts = model.preprocessor.transform_counts_ if model.preprocessor else {}
    print_json(
        {
            "model": args.model,
            "data": args.data,
            "target": model.target,
            "task": model.task,
            "classes": model.classes,
            "rows": len(labels),
            "missing_filled": counts.get("missing", {}),
            "unseen_categories": counts.get("unseen", {}),
            "other_categories": counts.get("other", {}),
            "predictions": predictions,
        }
    )
