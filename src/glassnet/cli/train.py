"""``glassnet train``: a table (CSV or Parquet) in, a trained model file out.

The steps, each a function below: check the options; read the table (rows whose target is
missing are left out and counted); decide the task and the classes; hold out a validation
split (``VALIDATION_SPLIT``, 20 % of the rows, by default — ``--validation-split 0`` trains
on every row); decide every column's role and encoding from the training rows alone
(``glassnet.preprocessing``) and print that table; build the network; train; report the
training and the held-out score; save one ``Model`` (preprocessing + network + labels).

Defaults follow scikit-learn's ``MLPClassifier``/``MLPRegressor``: one hidden layer of 100
relu neurons, Adam with learning rate 0.001, mini-batches of min(200, n) rows, 200 epochs,
L2 strength (alpha) 0.0001; ``--early-stopping`` stops after 10 epochs without improvement
of the validation cost. With the default hold-out, the model kept is trained again on every
row for as many epochs as gave the lowest held-out cost (at most ``--epochs``; the search
stops ``SEARCH_PATIENCE`` epochs past it without a lower one). The output
layer and cost follow the task (``glassnet.build``): two classes → one sigmoid neuron with
binary cross-entropy; more → softmax with categorical cross-entropy; regression → identity
with mean squared error (on the standardized target).
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shlex
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from glassnet.cli.common import (
    Terminated,
    UserError,
    check_out_file,
    column_rows,
    print_column_table,
)

if TYPE_CHECKING:
    import polars as pl

    from glassnet._types import Array
    from glassnet.callbacks import BestWeights, EarlyStopping
    from glassnet.history import History
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor

HELP = "train a network on a table (CSV or Parquet) and save it as a .safetensors model file"

TASK_CHOICES = ("auto", "classification", "regression")
PATIENCE = 10
"""Epochs without improvement of the validation cost before --early-stopping stops."""
SEARCH_PATIENCE = 20
"""Epochs past the lowest held-out cost after which the default hold-out stops looking
for a lower one: it only chooses the epochs of the refit on every row, and a table the
network overfits from epoch 4 ran all 200 (401 s where 30 s told the same)."""
VALIDATION_SPLIT = 0.2
"""The share of rows held out to report an honest score when --validation-split is not given."""
MIN_ROWS_TO_HOLD_OUT = 20
"""Without --validation-split, a table of fewer rows trains on all of them (no held-out score)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options; numbers are read as text and checked in ``run`` for one-line errors."""
    parser.add_argument(
        "data", metavar="DATA", help="a CSV file with a header line, or a Parquet file"
    )
    parser.add_argument("--target", required=True, metavar="COL", help="the column to predict")
    parser.add_argument(
        "--ignore", default="", metavar="COL,...", help="columns to leave out (e.g. an id)"
    )
    parser.add_argument(
        "--categorical", default="", metavar="COL,...", help="columns to one-hot encode"
    )
    parser.add_argument(
        "--numeric", default="", metavar="COL,...", help="columns to use as numbers"
    )
    parser.add_argument(
        "--max-categories",
        default=None,
        metavar="N",
        help="levels a text column keeps, the most frequent; the rest become (other) "
        "(default: 1000 on up to 50,000 training rows, fewer on more, down to 50 from a "
        "million: the one-hot inputs stay within 400 MB)",
    )
    parser.add_argument(
        "--na-values",
        default=None,
        metavar="A,B,...",
        help="cell texts that mean missing, besides empty cells (default NA,N/A,NaN,nan,null,"
        "NULL,None,?)",
    )
    parser.add_argument(
        "--delimiter", default=None, metavar="C", help="the CSV field separator (default: sniffed)"
    )
    parser.add_argument(
        "--hidden",
        default="100",
        metavar="16,16",
        help="neurons per hidden layer, comma separated; 0 for no hidden layer (default 100)",
    )
    parser.add_argument(
        "--activation", default="relu", metavar="NAME", help="hidden-layer activation (relu)"
    )
    parser.add_argument("--epochs", default="200", metavar="N", help="passes over the data (200)")
    parser.add_argument(
        "--batch-size", default=None, metavar="N", help="rows per update (default min(200, rows))"
    )
    parser.add_argument(
        "--learning-rate", default="0.001", metavar="F", help="step size (default 0.001)"
    )
    parser.add_argument(
        "--optimizer",
        default="adam",
        metavar="NAME",
        help="adam, sgd (momentum 0.9, Nesterov) or gd (plain gradient descent; full batch "
        "unless --batch-size) (default adam)",
    )
    parser.add_argument(
        "--validation-split",
        default=None,
        metavar="F",
        help=f"fraction of rows held out and scored, never trained on (default "
        f"{VALIDATION_SPLIT}, or 0 for a table under {MIN_ROWS_TO_HOLD_OUT} rows; 0 trains "
        "on every row)",
    )
    parser.add_argument(
        "--early-stopping",
        action="store_true",
        help=f"stop when the validation cost has not improved for {PATIENCE} epochs and keep "
        "the best weights",
    )
    parser.add_argument(
        "--seed",
        default=None,
        metavar="N",
        help="seed for the split, the weights and the shuffling (default: drawn, then printed)",
    )
    parser.add_argument(
        "--task",
        default="auto",
        metavar="TASK",
        help="auto, classification or regression; auto: a text target, or whole numbers with "
        "at most 20 distinct values, is a classification, anything else a regression",
    )
    parser.add_argument(
        "--alpha",
        default="0.0001",
        metavar="L2",
        help="L2 penalty strength, scikit-learn's alpha (default 0.0001); each layer stores it "
        "per row of a batch, alpha / batch size, as the l2 glassnet info shows",
    )
    parser.add_argument(
        "--out", default=None, metavar="MODEL.safetensors", help="where to save the model"
    )


# ----- option checks -----------------------------------------------------------------------
@dataclass
class Options:
    """The checked options of one ``glassnet train`` run."""

    target: str
    hidden: list[int]
    activation: str
    epochs: int
    batch_size: int | None
    learning_rate: float
    optimizer: str
    split: float
    split_is_default: bool
    seed: int
    task: str
    alpha: float
    max_categories: int | None
    na_values: list[str] | None
    columns: dict[str, list[str]]
    """The names each of ``COLUMN_OPTIONS`` gives, matched to the header (``_column_names``)."""
    early_stopping: bool
    out: str | None


def _checked(check: Any, text: str, option: str, parse: type) -> Any:
    """``check(parse(text), option)`` (``parse`` is int or float) with any ValueError as a
    one-line UserError."""
    try:
        value = parse(text)
    except ValueError:
        kind = "a whole number" if parse is int else "a number"
        raise UserError(f"{option} must be {kind}; got {text!r}") from None
    try:
        return check(value, option)
    except ValueError as error:
        raise UserError(str(error)) from None


def _names(text: str) -> list[str]:
    """The comma-separated names of an option, each once."""
    return list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))


COLUMN_OPTIONS = ("ignore", "categorical", "numeric")
"""The options that name columns (comma-separated; a name may hold a comma)."""

NAME_PARTS = 8
"""The most comma-separated parts one column name of an option may span ("Last, First"
spans 2): runs are tried up to this length, so a long list of names costs time in
proportion to its length, not its square."""


def _name_runs(text: str) -> list[str]:
    """Every run of up to ``NAME_PARTS`` consecutive comma-separated parts of ``text``."""
    parts = text.split(",")
    return [
        ",".join(parts[i:j]).strip()
        for i in range(len(parts))
        for j in range(i + 1, min(i + NAME_PARTS, len(parts)) + 1)
    ]


def _column_names(text: str, columns: Sequence[str]) -> list[str]:
    """The column names an option's ``text`` gives, read against the table's ``columns``: a
    name may hold commas ("Last, First"), so the longest run of comma-separated parts (up to
    ``NAME_PARTS``) that is a column is one name; any other part is a name of its own (and
    refused later)."""
    parts, names, i = text.split(","), [], 0
    known = set(columns)
    while i < len(parts):
        longest = min(len(parts), i + NAME_PARTS)
        end = next(
            (j for j in range(longest, i, -1) if ",".join(parts[i:j]).strip() in known), i + 1
        )
        name = ",".join(parts[i:end]).strip()
        if name and name not in names:
            names.append(name)
        i = end
    return names


def _hidden(text: str) -> list[int]:
    try:
        sizes = [int(part.strip()) for part in text.split(",")]
    except ValueError:
        raise UserError(
            f"--hidden must be whole numbers separated by commas, like 16,16 (or 0 for no "
            f"hidden layer); got {text!r}"
        ) from None
    if sizes == [0]:
        return []
    if any(size < 1 for size in sizes):
        raise UserError(f"--hidden sizes must be at least 1 (or just 0); got {text!r}")
    return sizes


def _model_out(out: str, data: str) -> str:
    """``--out``, checked: no ONNX name, writable, not the table read, not a file that is
    no model."""
    from glassnet.cli.common import check_replaces_only

    if out.lower().endswith(".onnx"):
        # a model file under an ONNX name: onnxruntime would refuse it as a bad protobuf
        raise UserError(
            f"--out {out} names an ONNX file; train writes a glassnet model file "
            "(--out model.safetensors), and glassnet export model.safetensors "
            f"{out} then writes the ONNX file"
        )
    checked = check_out_file(out, reads=[data])
    check_replaces_only(checked, "--out", "model")
    return checked


def _options(args: argparse.Namespace) -> Options:
    """Every option checked, before any file is read."""
    from glassnet import validation as v
    from glassnet.build import HIDDEN_ACTIVATIONS, OPTIMIZERS

    target = args.target.strip()  # a stray space around the name is no mistake
    split = (
        VALIDATION_SPLIT
        if args.validation_split is None
        else _checked(v.fraction, args.validation_split, "--validation-split", float)
    )
    if args.early_stopping and args.validation_split is not None and split == 0.0:
        # two options at odds: told before the table is read
        raise UserError(
            "--early-stopping watches held-out rows, and --validation-split 0 holds none; "
            "give a fraction such as --validation-split 0.2, or leave one of them out"
        )
    return Options(
        target=target,
        hidden=_hidden(args.hidden),
        activation=_choice(args.activation, "--activation", HIDDEN_ACTIVATIONS),
        epochs=_checked(v.positive_int, args.epochs, "--epochs", int),
        batch_size=None
        if args.batch_size is None
        else _checked(v.positive_int, args.batch_size, "--batch-size", int),
        learning_rate=_checked(v.positive_number, args.learning_rate, "--learning-rate", float),
        optimizer=_choice(args.optimizer, "--optimizer", OPTIMIZERS),
        split=split,
        split_is_default=args.validation_split is None,
        # without --seed a seed is drawn, then printed and stored, so any run can be repeated
        seed=secrets.randbelow(2**32)
        if args.seed is None
        else _checked(v.non_negative_int, args.seed, "--seed", int),
        task=_choice(args.task, "--task", TASK_CHOICES),
        alpha=_checked(v.non_negative_number, args.alpha, "--alpha", float),
        max_categories=None
        if args.max_categories is None
        else _checked(v.positive_int, args.max_categories, "--max-categories", int),
        na_values=None if args.na_values is None else _names(args.na_values),
        columns={},  # named against the table's header once it is read (``run``)
        early_stopping=args.early_stopping,
        # before any long work, and never the table being read
        out=None if args.out is None else _model_out(args.out, args.data),
    )


def _choice(text: str, option: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise UserError(f"{option} must be one of {', '.join(choices)}; got {text!r}")
    return text


# ----- reading and the target ----------------------------------------------------------------
@dataclass
class Data:
    """The training table and its target, rows with a missing target left out."""

    path: str
    frame: pl.DataFrame
    rows: Array
    """(n,) the file's data row of each kept row, for error messages."""
    dropped: int
    labels: list[Any]


def _read(args: argparse.Namespace, options: Options) -> Data:
    """Read the table; the target and --categorical columns as text, exactly as written."""
    import numpy as np

    from glassnet.model import labels_from_text
    from glassnet.table import NA_VALUES, DataError, nearest, read_table

    na_values = NA_VALUES if options.na_values is None else options.na_values
    # the target and the columns named categorical as text: labels and levels as written
    # (every run of the option's comma-separated parts, for a name that holds a comma)
    text = [options.target, *_name_runs(args.categorical)]
    frame = read_table(args.data, na_values=na_values, delimiter=args.delimiter, text_columns=text)
    path = os.fspath(args.data)
    if options.target not in frame.columns:
        raise DataError(
            f"{path}: no column named {options.target!r}"
            f"{nearest(options.target, frame.columns)}; the columns are "
            f"{', '.join(frame.columns)}"
        )
    present = frame[options.target].is_not_null()
    dropped = int(frame.height - present.sum())
    if dropped == frame.height:
        raise DataError(
            f"{path}: the target {options.target!r} is missing in every row; choose a column "
            "with values"
        )
    rows = np.flatnonzero(present.to_numpy())
    frame = frame.filter(present)
    cells = frame[options.target].cast(str).to_list()
    return Data(path, frame, rows, dropped, labels_from_text(cells))


@dataclass
class Target:
    """The task, what the model remembers about the target, and the network's targets."""

    task: str
    classes: list[Any] | None
    Y: Array
    """(n, n_outputs) float64: one-hot (or a 0/1 column), or the target in its units."""


def _target(data: Data, options: Options) -> Target:
    """Decide the task and turn the labels into network targets (refusing, before any
    allocation, a target of unique identifiers)."""
    import numpy as np

    from glassnet.cli.common import target_not_numbers
    from glassnet.model import detect_task, encode_labels, find_classes, non_numbers, one_hot
    from glassnet.preprocessing import TYPO_SHARE

    task = detect_task(data.labels) if options.task == "auto" else options.task
    typos = False
    # labels_from_text gives all numbers or all text: only text labels can be numbers
    # with a few typos, which are a regression's target, not thousands of classes
    if options.task == "auto" and isinstance(data.labels[0], str):
        share = 1 - len(non_numbers(data.labels)) / len(data.labels)
        typos = TYPO_SHARE <= share < 1
    if task == "regression" or typos:
        fix = "fix such cells, or empty them to leave their rows out (or use --task classification)"
        refused = target_not_numbers(data.labels, data.path, options.target, data.rows, fix)
        if refused is not None:
            raise refused
        return Target(task, None, np.array(data.labels, dtype=np.float64).reshape(-1, 1))
    classes = find_classes(data.labels, data.path, options.target)
    if options.task == "auto" and len(classes) > 2 and not isinstance(classes[0], str):
        # a count or a score of a few values: classes by the rule, which may not be meant
        # (CPS1985's years of education became 16 classes, nothing said)
        print(
            f"glassnet train: note: the target {options.target!r} holds {len(classes)} whole "
            f"numbers ({classes[0]} … {classes[-1]}), read as classes; --task regression "
            "treats it as a quantity",
            file=sys.stderr,
        )
    index = encode_labels(data.labels, classes, data.path, options.target, data.rows)
    return Target(task, classes, one_hot(index, 1 if len(classes) == 2 else len(classes)))


# ----- splitting and encoding -----------------------------------------------------------------
@dataclass
class Split:
    """Training and validation inputs and targets (the validation part may be empty)."""

    X: Array
    Y: Array
    X_val: Array | None
    Y_val: Array | None
    preprocessor: Preprocessor
    target_mean: float | None
    target_scale: float | None


def _split_rows(n: int, options: Options, rng: Any) -> tuple[Array, Array | None]:
    import numpy as np

    from glassnet.training import split_rows

    if not options.split or (options.split_is_default and n < MIN_ROWS_TO_HOLD_OUT):
        return np.arange(n), None
    try:
        train_rows, val_rows = split_rows(n, options.split, rng)
    except ValueError:
        raise UserError(
            f"--validation-split {options.split:g} of {n} rows leaves no training or no "
            "validation rows; use more data, or --validation-split 0"
        ) from None
    # in file order, so the columns look as in the file (row numbers still rise)
    return np.sort(train_rows), np.sort(val_rows)


def _encode(data: Data, target: Target, options: Options, rng: Any) -> Split:
    """Hold out the validation rows, learn the encoding from the training rows alone (so the
    held-out score is honest), and encode both parts."""
    from glassnet.preprocessing import Preprocessor, Scaler, TypoWarning
    from glassnet.table import DataError, locate

    train_rows, val_rows = _split_rows(data.frame.height, options, rng)
    if options.early_stopping and val_rows is None:
        raise UserError(
            f"--early-stopping watches held-out rows, and {data.frame.height} rows are too few "
            f"to hold any out (it takes {MIN_ROWS_TO_HOLD_OUT}); use more data, or train "
            "without it"
        )
    features = data.frame.drop(options.target)
    try:
        with warnings.catch_warnings():
            # a typo column is told once, by its file lines (``_print_typos``), not by Python
            warnings.simplefilter("ignore", TypoWarning)
            pre = Preprocessor().fit(
                features,
                categorical=options.columns["categorical"],
                numeric=options.columns["numeric"],
                ignore=options.columns["ignore"],
                max_categories=options.max_categories,
                na_values=options.na_values,
                fit_rows=train_rows,
            )
    except DataError as error:
        raise locate(error, data.path, data.rows) from None
    try:
        # every row (no hold-out): the frame as it is, not a gathered copy of it
        X = pre.transform(features if val_rows is None else features[train_rows])
    except DataError as error:
        # an error's rows are rows of the part it came from; find them in the file
        raise locate(error, data.path, data.rows[train_rows]) from None
    try:
        X_val = None if val_rows is None else pre.transform(features[val_rows])
    except DataError as error:
        raise locate(error, data.path, data.rows[val_rows]) from None
    Y = target.Y[train_rows]
    Y_val = None if val_rows is None else target.Y[val_rows]
    mean = scale = None
    if target.task == "regression":  # standardized on the training rows alone
        try:
            scaler = Scaler().fit(Y, names=[options.target])
        except DataError as error:
            raise UserError(f"{data.path}: {error}") from None
        assert scaler.mean is not None and scaler.scale is not None
        mean, scale = float(scaler.mean[0]), float(scaler.scale[0])
        Y = (Y - mean) / scale
        Y_val = None if Y_val is None else (Y_val - mean) / scale
    return Split(X, Y, X_val, Y_val, pre, mean, scale)


# ----- the network and training ----------------------------------------------------------------
def _build(data: Data, target: Target, split: Split, options: Options, rng: Any) -> Model:
    """The untrained Model: the network for the task, wrapped with what it must remember."""
    from glassnet.build import build_network
    from glassnet.model import Model

    n_train = split.X.shape[0]
    batch_size = options.batch_size or (n_train if options.optimizer == "gd" else 200)
    options.batch_size = min(batch_size, n_train)
    try:
        net = build_network(
            split.X.shape[1],
            split.Y.shape[1],
            task=target.task,
            hidden=options.hidden,
            activation=options.activation,
            # scikit-learn's penalty is alpha/2 · Σw² divided by the batch size
            l2=options.alpha / options.batch_size,
            seed=rng,
        )
    except ValueError as error:
        raise UserError(str(error)) from None
    net.metadata = {
        "seed": options.seed,
        "training": {
            "data": os.path.basename(data.path),
            "rows": data.frame.height,
            "rows_without_target": data.dropped,
            "validation_rows": 0 if split.X_val is None else len(split.X_val),
            "hidden": options.hidden,
            "activation": options.activation,
            "optimizer": options.optimizer,
            "learning_rate": options.learning_rate,
            "batch_size": options.batch_size,
            "epochs": options.epochs,
            "alpha": options.alpha,
            "early_stopping": options.early_stopping,
        },
    }
    return Model(
        net,
        split.preprocessor,
        task=target.task,
        target=options.target,
        classes=target.classes,
        target_mean=split.target_mean,
        target_scale=split.target_scale,
    )


def _fit(
    model: Model, split: Split, options: Options
) -> tuple[History, BestWeights | EarlyStopping, float]:
    """Train; Ctrl-C stops after the current batch with the best epoch's weights kept."""
    from glassnet.build import make_optimizer
    from glassnet.callbacks import BestWeights, Callback, EarlyStopping, ProgressLogger
    from glassnet.training import DivergedError

    keeper: BestWeights | EarlyStopping
    if options.early_stopping:
        keeper = EarlyStopping(patience=PATIENCE, min_delta=1e-4)
    elif _refits(options, split):  # the held-out cost chooses the refit's epochs
        keeper = EarlyStopping(patience=SEARCH_PATIENCE)
    else:
        keeper = BestWeights()
    progress = ProgressLogger(
        options.epochs,
        every=max(1, options.epochs // 10),
        stream=sys.stderr,
        bar=sys.stderr.isatty(),
        heartbeat=2.0,
    )
    callbacks: list[Callback] = [progress, keeper]
    validation = None if split.X_val is None else (split.X_val, split.Y_val)
    started = time.perf_counter()
    try:
        history = model.network.fit(
            split.X,
            split.Y,
            epochs=options.epochs,
            batch_size=options.batch_size,
            optimizer=make_optimizer(options.optimizer, options.learning_rate),
            validation_data=validation,
            callbacks=callbacks,
        )
    except DivergedError as error:
        untouched = f"; {options.out} was not written" if options.out else ""
        raise UserError(f"{error}{untouched}") from None
    return history, keeper, time.perf_counter() - started


def _refits(options: Options, split: Split, history: History | None = None) -> bool:
    """Whether the model to keep is trained again on every row: after a default hold-out
    (not one asked for, not early stopping, which needs it, nor an interrupted run; before
    training, ``history`` None: whether it will be, unless interrupted)."""
    return (
        options.split_is_default
        and split.X_val is not None
        and not options.early_stopping
        and not (history is not None and history.interrupted)
    )


def _refit(data: Data, target: Target, whole: Options) -> Model | None:
    """The model ``--validation-split 0`` trains: the same settings and seed on every row,
    for the epochs the held-out rows chose (``whole.epochs``).

    The held-out rows gave an honest score; on a small table they are also a fifth of what
    there is to learn from (iris: 0.965 held-out accuracy kept out, 0.982 put back), so the
    model kept learns from them too. None when the refit is interrupted (Ctrl-C): the
    model already trained is then the one kept."""
    import numpy as np

    print(
        f"glassnet train: training again on all {data.frame.height} rows, the held-out ones "
        "too (the model --validation-split 0 trains; the held-out score above estimates it)",
        file=sys.stderr,
    )
    rng = np.random.default_rng(whole.seed)
    split = _encode(data, target, whole, rng)
    model = _build(data, target, split, whole, rng)
    history, _, _ = _fit(model, split, whole)
    return None if history.interrupted else model


# ----- the command ------------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    """Check every option, read the table, encode, train, report, save: the model is
    saved even when the reader of the report goes away (``| head``)."""
    from glassnet.cli.common import printing_cannot_stop_the_work

    with printing_cannot_stop_the_work():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    options = _options(args)
    import numpy as np

    from glassnet.callbacks import EarlyStopping
    from glassnet.serialization import save
    from glassnet.table import DataError

    rng = np.random.default_rng(options.seed)
    try:
        data = _read(args, options)
        given = {o: _column_names(getattr(args, o), data.frame.columns) for o in COLUMN_OPTIONS}
        for option, names in given.items():
            if options.target in names:
                raise UserError(f"--{option} names the target {options.target!r}; leave it out")
        options = replace(options, columns=given)
        target = _target(data, options)
        split = _encode(data, target, options, rng)
    except DataError as error:
        raise UserError(str(error)) from None
    whole = replace(options, split=0.0)  # the settings of a refit on every row
    model = _build(data, target, split, options, rng)
    _print_notes(model, data)
    if not args.json:
        _print_columns(model, data, refit=_refits(options, split))
    history, keeper, seconds = _fit(model, split, options)
    best_epoch = None
    refits = _refits(options, split, history)
    if isinstance(keeper, EarlyStopping):
        # it put its best weights back; a default hold-out's is the epoch of the lowest
        # held-out cost (a noisy table's rises after a few dozen), its scores reported
        best_epoch = keeper.best_epoch or None
    elif history.interrupted and keeper.restore():
        best_epoch = keeper.best_epoch
    report = _report(model, data, split, history, seconds, best_epoch)
    report["refit_rows"] = report["refit_epochs"] = None
    if refits:
        # the refit encodes every row anew: the held-out split's matrices go first, or
        # both encodings would be held at once (2.0 GB instead of 1.3 on a 1M-row table)
        del split
        model.network.clear_values()  # its first layer still holds the held-out rows
        epochs = best_epoch or options.epochs
        try:
            refit = _refit(data, target, replace(whole, epochs=epochs))
        except KeyboardInterrupt as stop:  # while encoding anew, before its training began
            if isinstance(stop, Terminated):  # kill: nothing saved
                raise
            refit = None
        if refit is not None:
            model, report["refit_rows"], report["refit_epochs"] = refit, data.frame.height, epochs
    report["refit_interrupted"] = refit_interrupted = refits and report["refit_rows"] is None
    interrupted = history.interrupted or refit_interrupted
    report["model"] = options.out
    report["best_epoch"] = best_epoch
    report["seed"] = options.seed
    if options.out is not None:
        save(model, options.out)
    if interrupted:
        kept = f"the best weights (epoch {best_epoch})" if best_epoch else "the weights"
        where = (
            f"saved {kept} to {options.out}"
            if options.out
            else f"kept {kept} but saved nothing (no --out)"
        )
        if refit_interrupted:  # the model trained without the held-out rows is kept
            when = "while training again on every row"
            where = where.replace(kept, f"the held-out run's model, {kept},")
        else:
            when = f"at epoch {history.epoch[-1] if history.epoch else 0}"
        print(f"glassnet train: interrupted {when}; {where}", file=sys.stderr)
    if args.json:
        from glassnet.cli.common import print_json

        print_json(report)
    else:
        _print_report(report)
    return 130 if interrupted else 0


# ----- reporting ----------------------------------------------------------------------------------
def _print_notes(model: Model, data: Data) -> None:
    """One warning line per column of numbers whose few non-numbers were read as missing,
    naming the file's lines of the first; a note per column of many rare levels, and per
    column of numbers read as categories for its words."""
    from glassnet.preprocessing import MISSING, OTHER, typo_note
    from glassnet.table import NUMBER_PATTERN, locate

    typos = model.preprocessor.typos_ if model.preprocessor is not None else {}
    for name, found in typos.items():
        note = locate(typo_note(name, found), data.path, data.rows)
        print(f"glassnet train: warning: {note}", file=sys.stderr)
    crowded = model.preprocessor.crowded_ if model.preprocessor is not None else {}
    for name, found in crowded.items():
        told = (
            f"column {name!r} has {found['levels']:,} levels, most of them rare: its "
            f"{found['kept']:,} most frequent, each an input, hold {found['share']:.0%} of its "
            f"cells and slow the training; if it is an identifier, a timestamp or free text, "
            f"--ignore {shlex.quote(name)}"
        )
        print(f"glassnet train: note: {told}", file=sys.stderr)
    for column in model.preprocessor.columns_ if model.preprocessor is not None else []:
        # a column of numbers with more words than typos (5 % or more of its cells): read as
        # categories, every number a level of its own, which nothing said
        levels = column.get("categories", []) if column["role"] == "categorical" else []
        numbers = [level for level in levels if re.match(NUMBER_PATTERN, str(level))]
        if len(numbers) >= 5 and len(numbers) >= len(levels) / 2:
            words = [str(w) for w in levels if w not in numbers and w not in (MISSING, OTHER)]
            shown = ", ".join(words[:5]) + (", …" if len(words) > 5 else "")
            told = (
                f"column {column['name']!r} is read as categories, but {len(numbers)} of its "
                f"{len(levels)} levels are numbers, each an input of its own; if its words "
                f"({shown}) are typos or mean missing, name them in --na-values and it is "
                "read as numbers"
            )
            print(f"glassnet train: note: {told}", file=sys.stderr)


def _print_columns(model: Model, data: Data, refit: bool) -> None:
    """The column table; ``refit``: the kept model will learn its numbers again."""
    rows = column_rows(model)
    print(f"{data.path}: {data.frame.height} rows, target {model.target!r} ({model.task})")
    if data.dropped:
        print(f"left out {data.dropped} row{'s' * (data.dropped > 1)} whose target is missing")
    print_column_table(rows)
    if refit:  # medians, means, scales and levels of the training rows, not the held-out
        print("(learnt from the training rows; the model kept learns them again from every "
              "row, and glassnet info MODEL shows those)")  # fmt: skip
    print(flush=True)


def _report(
    model: Model,
    data: Data,
    split: Split,
    history: History,
    seconds: float,
    epoch: int | None = None,
) -> dict[str, Any]:
    """What training did, in numbers: columns, epochs, costs, the training and held-out score
    — the costs of ``epoch`` when the network holds that epoch's weights (the best one)."""
    from glassnet.metrics import accuracy, r2_score

    net = model.network
    at = history.epoch.index(epoch) if epoch in history.epoch else -1
    report: dict[str, Any] = {
        "task": model.task,
        "features": model.feature_names_in_,
        "inputs": model.feature_names_out_,
        "target": model.target,
        "classes": model.classes,
        "columns": column_rows(model),
        "rows": data.frame.height,
        "rows_without_target": data.dropped,
        "training_rows": len(split.X),
        "validation_rows": 0 if split.X_val is None else len(split.X_val),
        "layers": [f"{layer.n_in}→{layer.n_out} {layer.activation.name}" for layer in net.layers],
        "parameters": net.n_params,
        "cost_function": net.cost_function.name,
        "epochs": len(history),
        "stopped_early": history.stopped_early,
        "interrupted": history.interrupted,
        "cost": history.cost[at] if history.cost else None,
        "val_cost": history["val_cost"][at] if "val_cost" in history else None,
        "seconds": round(seconds, 3),
    }
    parts = [("train", split.X, split.Y)]
    if split.X_val is not None and split.Y_val is not None:
        parts.append(("validation", split.X_val, split.Y_val))
    for name, inputs, targets in parts:
        outputs = net.predict_outputs(inputs)
        if model.task == "classification":
            report[f"{name}_accuracy"] = accuracy(targets, outputs)
        else:
            report[f"{name}_r2"] = r2_score(targets, outputs)
    return report


def _print_report(report: dict[str, Any]) -> None:
    """The report as aligned ``label : value`` lines."""
    from glassnet.table import listed

    lines = [
        (
            "task",
            f"{report['task']} of {report['target']!r} from {len(report['features'])} "
            f"column{'s' * (len(report['features']) != 1)} ({len(report['inputs'])} input"
            f"{'s' * (len(report['inputs']) != 1)})",
        )
    ]
    if report["classes"] is not None:
        lines.append(("classes", listed(report["classes"])))
    held = f"{report['validation_rows']} held out"
    if not report["validation_rows"]:
        held += f" (no held-out score: --validation-split 0, or under {MIN_ROWS_TO_HOLD_OUT} rows)"
    lines.append(("rows", f"{report['training_rows']} to train, {held}"))
    lines.append(
        (
            "network",
            f"{', '.join(report['layers'])} ({report['parameters']} parameters), "
            f"cost {report['cost_function']}",
        )
    )
    status = (
        " (stopped early: the held-out cost stopped falling)" if report["stopped_early"] else ""
    )
    status += " (interrupted)" if report["interrupted"] else ""
    lines.append(("epochs", f"{report['epochs']}{status} in {report['seconds']:.1f} s"))
    if report["best_epoch"]:
        # the held-out cost still falling at the last epoch: training stopped too soon
        last = report["best_epoch"] == report["epochs"] and not report["interrupted"]
        more = "; the last epoch: more --epochs may lower it" if last else ""
        lines.append(("best epoch", f"{report['best_epoch']} (the lowest held-out cost{more}; "
                      "the numbers below are that epoch's)"))  # fmt: skip
    lines.append(("cost", "-" if report["cost"] is None else f"{report['cost']:.6g}"))
    if report["val_cost"] is not None:
        lines.append(("validation cost", f"{report['val_cost']:.6g}"))
    labels = {
        "train_accuracy": "train accuracy",
        "validation_accuracy": "held-out accuracy",
        "train_r2": "train R²",
        "validation_r2": "held-out R²",
    }
    for key, label in labels.items():
        if key in report:
            lines.append((label, f"{report[key]:.4f}"))
    lines.append(("seed", f"{report['seed']} (--seed {report['seed']} repeats this run)"))
    if report["refit_interrupted"]:
        lines.append(("kept model", "this one: training again on every row was interrupted"))
    if report["refit_rows"]:
        epochs = report["refit_epochs"]
        lines.append(
            (
                "kept model",
                f"trained again on all {report['refit_rows']} rows for {epochs} "
                f"epoch{'s' * (epochs != 1)}, as estimated",
            )
        )
    saved = report["model"] or "nothing (add --out MODEL.safetensors to keep the model)"
    lines.append(("saved", saved))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label:<{width}} : {value}")
