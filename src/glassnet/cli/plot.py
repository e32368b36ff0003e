"""``glassnet plot``: a saved model as a picture: loss, weights, boundary or training."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glassnet.cli.common import UserError, check_out_file, check_replaces_only

if TYPE_CHECKING:
    from glassnet._types import Array
    from glassnet.model import Model
    from glassnet.network import Network

HELP = "draw a model: its loss curve, its weights, its decision boundary or its training"

KINDS = ("loss", "network", "boundary", "training")
DEFAULT_PICTURES = 20
"""--kind training without --every takes about this many pictures."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``MODEL --kind KIND [--data CSV] [--every N] [--epochs N] [--log] --out FILE``."""
    parser.add_argument("model", metavar="MODEL", help="a model file saved by glassnet train")
    parser.add_argument(
        "--kind",
        choices=KINDS,
        required=True,
        help="loss: training and validation cost per epoch; network: every neuron and "
        "weight (colour = sign, width = size), the inputs named as the model encodes them "
        "(island=Biscoe, age (missing)); boundary: the decision boundary of a "
        "two-feature classifier over the points of --data; training: retrain a fresh copy of "
        "the model's architecture on --data from its seed (same held-out rows, optimizer, "
        "learning rate and batch size as glassnet train used) and draw the boundary and "
        "weights every N epochs: an animated .gif, or a sheet of small pictures for "
        ".png/.svg/.pdf. The last picture is the saved model only when the model stored its "
        "--seed and early stopping did not restore an earlier epoch; otherwise the replay "
        "may differ from it",
    )
    parser.add_argument(
        "--data",
        metavar="CSV",
        help="the points (boundary, training): a CSV or Parquet file with the model's two "
        "feature columns and, for training, its target column",
    )
    parser.add_argument(
        "--every",
        type=int,
        metavar="N",
        help=f"training: a picture every N epochs (default: about {DEFAULT_PICTURES} pictures)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        metavar="N",
        help="training: epochs to retrain (default: as many as the model was trained)",
    )
    parser.add_argument("--log", action="store_true", help="loss: a logarithmic cost axis")
    parser.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="the picture: .png, .svg or .pdf (and .gif for --kind training)",
    )


MAX_EPOCHS = 1_000_000
"""The most epochs ``--epochs`` retrains and ``--every`` spaces pictures by."""


def _check_options(args: argparse.Namespace) -> Path:
    """Everything the user gave that can be checked before loading anything."""
    from glassnet import plot

    training = args.kind == "training"
    formats = plot.FIGURE_FORMATS + (plot.ANIMATION_FORMATS if training else ())
    suffix = Path(args.out).suffix.lower()
    if suffix in plot.ANIMATION_FORMATS and not training:
        raise UserError(f"--out {args.out}: only --kind training makes a .gif; use .png or .svg")
    out = plot.check_out_path(args.out, formats)
    reads = [args.model] + ([args.data] if args.data is not None else [])
    check_out_file(args.out, "--out", reads=reads)  # never write over the model or the data
    check_replaces_only(args.out, "--out", suffix.lstrip("."))  # nor over another kind
    for name in ("every", "epochs"):
        value = getattr(args, name)
        if value is None:
            continue
        if not training:
            raise UserError(f"--{name} applies to --kind training only")
        if value < 1:
            raise UserError(f"--{name} must be a positive whole number; got {value}")
        if value > MAX_EPOCHS:  # 10**20 overflowed NumPy, 10**12 pictures ran out of memory
            raise UserError(f"--{name} takes at most {MAX_EPOCHS:,} epochs; got {value:,}")
    if args.log and args.kind != "loss":
        raise UserError("--log applies to --kind loss only")
    if args.kind in ("boundary", "training"):
        if args.data is None:
            raise UserError(f"--kind {args.kind} needs the points: add --data DATA.csv")
    elif args.data is not None:
        raise UserError(f"--kind {args.kind} draws the model alone; leave out --data")
    return out


def default_every(epochs: int) -> int:
    """Epochs between pictures when --every is not given: about ``DEFAULT_PICTURES`` in all."""
    return max(1, math.ceil(epochs / DEFAULT_PICTURES))


def read_points(model: Model, path: str, need_target: bool) -> tuple[Array, Array | None]:
    """The model's two raw columns of the table at ``path`` (n, 2) and each row's class
    index (or None when the table has no target column and ``need_target`` is False)."""
    import numpy as np

    from glassnet.model import encode_labels, labels_from_text
    from glassnet.plot.subject import subject_of
    from glassnet.table import NA_VALUES, DataError, read_table

    subject = subject_of(model)
    columns, target, classes = subject.columns, subject.target, subject.classes
    if not columns or not target or not classes:
        raise UserError(
            "the model does not name its feature columns, target and classes; train it with "
            "glassnet train (or save a Model with a Preprocessor) to plot it against a table"
        )
    na_values = NA_VALUES if model.preprocessor is None else model.preprocessor.na_values
    try:
        frame = read_table(path, na_values=na_values, text_columns=[target])
    except DataError as error:
        raise UserError(str(error)) from None
    lacking = [name for name in columns if name not in frame.columns]
    lacking += [target] if need_target and target not in frame.columns else []
    if lacking:
        raise UserError(
            f"{path}: the model needs the columns {', '.join(lacking)}, which the file lacks; "
            f"its columns are {', '.join(frame.columns)}"
        )
    try:
        X = frame.select(columns).to_numpy().astype(np.float64)
    except (TypeError, ValueError):
        raise UserError(f"{path}: the columns {', '.join(columns)} must hold numbers") from None
    if target not in frame.columns:
        return X, None
    cells = frame[target].cast(str).to_list()
    if None in cells:
        raise UserError(f"{path}: data row {cells.index(None) + 1} has no {target!r}; fill it")
    try:
        return X, encode_labels(labels_from_text(cells), classes, path, target)
    except DataError as error:
        raise UserError(str(error)) from None


def _fresh_network(model: Model, rng: Any) -> Network:
    """The architecture of ``model``'s network with new first weights, built as glassnet
    train builds it (``glassnet.build.build_network``) from ``rng``."""
    from glassnet.build import build_network

    net = model.network
    hidden = net.layers[:-1]
    fresh = build_network(
        net.n_inputs,
        net.n_outputs,
        task=model.task,
        hidden=[layer.n_out for layer in hidden],
        activation=hidden[0].activation if hidden else "relu",
        output=net.layers[-1].activation.name,
        cost=net.cost_function.name,
        l2=net.layers[0].l2,
        seed=rng,
        dtype=str(net.dtype),
    )
    fresh.metadata = dict(net.metadata)
    return fresh


def retraining(model: Model, X: Array, labels: Array) -> tuple[Model, Array, Array, dict[str, Any]]:
    """A fresh copy of ``model`` set up to train again as ``glassnet train`` trained it.

    From the network's ``metadata["seed"]`` and ``["training"]``: the same validation rows
    held out (so the same rows train, in file order), the same first weights, the same
    optimizer, learning rate and batch size. Returns the copy (same preprocessing, a new
    network), the training rows of ``X`` and ``labels``, and the options for ``fit``.
    """
    import numpy as np

    from glassnet.build import OPTIMIZERS, make_optimizer
    from glassnet.model import Model
    from glassnet.training import split_rows

    settings = model.network.metadata.get("training") or {}
    rng = np.random.default_rng(model.network.metadata.get("seed"))
    rows, held_out = settings.get("rows"), settings.get("validation_rows")
    if rows and held_out:
        # glassnet train draws the validation rows first, then the weights, from one generator
        try:
            keep, _ = split_rows(X.shape[0], held_out / rows, rng)
        except ValueError:
            pass  # too few rows in --data to hold any out: train on them all
        else:
            keep = np.sort(keep)  # glassnet train keeps the rows in file order
            X, labels = X[keep], labels[keep]
    fresh = Model.from_config(model.get_config(), _fresh_network(model, rng))
    options: dict[str, Any] = {}
    rate = settings.get("learning_rate")
    name = settings.get("optimizer")
    if rate is not None and name in OPTIMIZERS:
        options["optimizer"] = make_optimizer(name, float(rate))
    if settings.get("batch_size"):
        options["batch_size"] = min(int(settings["batch_size"]), X.shape[0])
    return fresh, X, labels, options


def replay_caveats(net: Network) -> list[str]:
    """Why ``--kind training``'s replay may not end at the saved model (empty: it does)."""
    reasons = []
    if net.metadata.get("seed") is None:
        reasons.append("the model stored no --seed, so the replay starts from other weights")
    history = net.history
    early = bool((net.metadata.get("training") or {}).get("early_stopping"))
    if early or (history is not None and (history.stopped_early or history.interrupted)):
        reasons.append("training kept the weights of an earlier epoch (early stopping or Ctrl-C)")
    return reasons


def run(args: argparse.Namespace) -> int:
    """Check the options, load the model (and data), draw, save, and say what was drawn."""
    from glassnet import plot
    from glassnet.cli.common import load_model, print_json

    out = _check_options(args)
    model = load_model(args.model)
    net = model.network
    report: dict[str, Any] = {"kind": args.kind, "out": str(out)}
    if args.kind == "loss":
        plot.plot_loss(model, log_scale=args.log, out=out)
        report["epochs"] = len(net.history) if net.history is not None else 0
        said = f"the cost of {report['epochs']} epochs"
    elif args.kind == "network":
        plot.plot_network(model, out=out)
        report["parameters"] = net.n_params
        layers = "1 layer" if len(net.layers) == 1 else f"{len(net.layers)} layers"
        said = f"{layers}, {net.n_params} weights and biases"
    else:
        try:
            plot.check_boundary_model(model)
        except ValueError as error:
            raise UserError(f"{args.model}: {error}") from None
        X, labels = read_points(model, args.data, need_target=args.kind == "training")
        if args.kind == "boundary":
            plot.plot_boundary(model, X, labels, out=out)
            report["points"] = int(X.shape[0])
            said = f"the decision boundary over {X.shape[0]} points"
        else:
            epochs = args.epochs or (len(net.history) if net.history else 0) or 200
            every = args.every or default_every(epochs)
            assert labels is not None  # read_points needs the target for training
            fresh, X, labels, fit_options = retraining(model, X, labels)
            plot.plot_training(fresh, X, labels, epochs=epochs, every=every, out=out, **fit_options)
            frames = len(plot.snapshot_epochs(epochs, every))
            report.update(epochs=epochs, every=every, pictures=frames)
            said = f"{frames} pictures of {epochs} epochs of training, one every {every}"
            report["differs"] = replay_caveats(net)
            if report["differs"]:
                said += "; the replay may differ from the saved model: " + "; ".join(
                    report["differs"]
                )
    if args.json:
        print_json(report)
    else:
        print(f"wrote {out}: {said}")
    return 0
