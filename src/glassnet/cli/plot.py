"""``glassnet plot``: a saved model as a picture: loss, weights, boundary or training."""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from glassnet.cli.common import UserError

if TYPE_CHECKING:
    from glassnet._types import Array
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
        "weight (colour = sign, width = size); boundary: the decision boundary of a "
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
        help="the points (boundary, training): a CSV with the model's feature columns and, "
        "for training, its target column",
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


def _check_options(args: argparse.Namespace) -> Path:
    """Everything the user gave that can be checked before loading anything."""
    from glassnet import plot

    training = args.kind == "training"
    formats = plot.FIGURE_FORMATS + (plot.ANIMATION_FORMATS if training else ())
    suffix = Path(args.out).suffix.lower()
    if suffix in plot.ANIMATION_FORMATS and not training:
        raise UserError(f"--out {args.out}: only --kind training makes a .gif; use .png or .svg")
    out = plot.check_out_path(args.out, formats)
    for name in ("every", "epochs"):
        value = getattr(args, name)
        if value is None:
            continue
        if not training:
            raise UserError(f"--{name} applies to --kind training only")
        if value < 1:
            raise UserError(f"--{name} must be a positive whole number; got {value}")
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


def read_points(net: Network, path: str, need_target: bool) -> tuple[Any, Any]:
    """The model's feature columns of the CSV, and the class index of each row (or None)."""
    from glassnet.data import encode_labels, read_csv

    features = net.metadata.get("feature_names")
    target = net.metadata.get("target_name")
    if not features or not target or not net.metadata.get("classes"):
        raise UserError(
            "the model does not name its feature columns, target and classes; save it with "
            "glassnet train (or set net.metadata) to plot it against a CSV"
        )
    table = read_csv(path, target, features=features, target_optional=not need_target)
    if table.y is None:
        return table.X, None
    classes = net.metadata["classes"]
    return table.X, encode_labels(table.y, classes, table.path, target)


def retraining(
    net: Network, X: Array, labels: Array
) -> tuple[Network, Array, Array, dict[str, Any]]:
    """A fresh copy of ``net`` set up to train again as ``glassnet train`` trained it.

    From ``net.metadata["seed"]`` and ``["training"]``: the same validation rows held out
    (so the same rows train), the same first weights (he for relu, glorot otherwise), the
    same optimizer, learning rate and batch size. Returns the copy, the training rows of
    ``X`` and ``labels``, and the options for ``fit``.
    """
    import numpy as np

    from glassnet.cli.train import OPTIMIZERS, make_optimizer
    from glassnet.layers import Dense
    from glassnet.network import Network
    from glassnet.training import split_rows

    settings = net.metadata.get("training") or {}
    rng = np.random.default_rng(net.metadata.get("seed"))
    n = X.shape[0]
    rows, held_out = settings.get("rows"), settings.get("validation_rows")
    if rows and held_out:
        # glassnet train draws the validation rows first, then the weights, from one generator
        try:
            keep, _ = split_rows(n, held_out / rows, rng)
        except ValueError:
            pass  # too few rows in --data to hold any out: train on them all
        else:
            X, labels = X[keep], labels[keep]
    layers = [
        Dense(
            layer.n_in,
            layer.n_out,
            activation=layer.activation,
            weights="he" if layer.activation.name in ("relu", "leaky_relu") else "glorot",
            dropout=layer.dropout,
            l2=layer.l2,
        )
        for layer in net.layers
    ]
    fresh = Network(layers, cost=net.cost_function.name, seed=rng, dtype=net.dtype)
    fresh.metadata = dict(net.metadata)
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
    from glassnet.cli.common import print_json
    from glassnet.serialization import load

    out = _check_options(args)
    net = load(args.model)
    report: dict[str, Any] = {"kind": args.kind, "out": str(out)}
    if args.kind == "loss":
        plot.plot_loss(net, log_scale=args.log, out=out)
        report["epochs"] = len(net.history) if net.history is not None else 0
        said = f"the cost of {report['epochs']} epochs"
    elif args.kind == "network":
        plot.plot_network(net, out=out)
        report["parameters"] = net.n_params
        layers = "1 layer" if len(net.layers) == 1 else f"{len(net.layers)} layers"
        said = f"{layers}, {net.n_params} weights and biases"
    else:
        try:
            plot.check_boundary_model(net)
        except ValueError as error:
            raise UserError(f"{args.model}: {error}") from None
        X, labels = read_points(net, args.data, need_target=args.kind == "training")
        if args.kind == "boundary":
            plot.plot_boundary(net, X, labels, out=out)
            report["points"] = int(X.shape[0])
            said = f"the decision boundary over {X.shape[0]} points"
        else:
            epochs = args.epochs or (len(net.history) if net.history else 0) or 200
            every = args.every or default_every(epochs)
            fresh, X, labels, fit_options = retraining(net, X, labels)
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
