"""``glassnet train``: a CSV table in, a trained model file out.

Defaults follow scikit-learn's ``MLPClassifier``/``MLPRegressor``: one hidden layer of 100
relu neurons, Adam with learning rate 0.001, mini-batches of min(200, n) rows, 200 epochs,
L2 strength (alpha) 0.0001, and with ``--early-stopping`` a validation set of 10% and a
patience of 10 epochs. The output layer and cost follow the task: two classes → one
sigmoid neuron with binary cross-entropy; more → softmax with categorical cross-entropy;
regression → identity with mean squared error (on the standardized target).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from glassnet.cli.common import UserError, check_out_file

if TYPE_CHECKING:
    from glassnet._types import Array
    from glassnet.network import Network
    from glassnet.optimizers import Optimizer
    from glassnet.training import Callback, History

HELP = "train a network on a CSV table and save it as a .safetensors model file"

HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "identity")
OPTIMIZERS = ("adam", "sgd", "gd")
TASKS = ("auto", "classification", "regression")
PATIENCE = 10
"""Epochs without improvement of the validation cost before --early-stopping stops."""
EARLY_STOPPING_SPLIT = 0.1
"""The validation fraction --early-stopping uses when --validation-split is not given."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options; numbers are read as text and checked in ``run`` for one-line errors."""
    parser.add_argument("data", metavar="DATA.csv", help="a CSV file with a header line")
    parser.add_argument("--target", required=True, metavar="COL", help="the column to predict")
    parser.add_argument(
        "--ignore", default="", metavar="COL,...", help="columns to leave out (e.g. an id)"
    )
    parser.add_argument(
        "--hidden",
        default="100",
        metavar="16,16",
        help="neurons per hidden layer, comma separated; 0 for no hidden layer (default 100)",
    )
    parser.add_argument(
        "--activation",
        default="relu",
        metavar="NAME",
        help=f"hidden-layer activation: {', '.join(HIDDEN_ACTIVATIONS)} (default relu)",
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
        help="fraction of rows held out to report a validation cost (default 0, or 0.1 with "
        "--early-stopping)",
    )
    parser.add_argument(
        "--early-stopping",
        action="store_true",
        help=f"stop when the validation cost has not improved for {PATIENCE} epochs and keep "
        "the best weights",
    )
    parser.add_argument("--seed", default=None, metavar="N", help="seed for weights and shuffling")
    parser.add_argument(
        "--task",
        default="auto",
        metavar="TASK",
        help="auto, classification or regression; auto: a text target, or whole numbers with "
        "at most 20 distinct values, is a classification, anything else a regression",
    )
    parser.add_argument(
        "--alpha", default="0.0001", metavar="L2", help="L2 penalty strength (default 0.0001)"
    )
    parser.add_argument(
        "--out", default=None, metavar="MODEL.safetensors", help="where to save the model"
    )


# ----- option checks -----------------------------------------------------------------------
def make_optimizer(name: str, learning_rate: float) -> Optimizer:
    """The optimizer ``--optimizer name`` stands for: adam, sgd (momentum 0.9, Nesterov), gd."""
    from glassnet.optimizers import SGD, Adam, GradientDescent

    if name == "adam":
        return Adam(learning_rate)
    if name == "sgd":
        return SGD(learning_rate, momentum=0.9, nesterov=True)
    return GradientDescent(learning_rate)


def _whole(text: str | None, option: str, minimum: int = 1) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise UserError(f"{option} must be a whole number; got {text!r}") from None
    if value < minimum:
        raise UserError(f"{option} must be at least {minimum}; got {value}")
    return value


def _number(text: str | None, option: str, low: float, high: float, closed: bool) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{option} must be a number; got {text!r}") from None
    inside = (low <= value if closed else low < value) and value < high
    if not (math.isfinite(value) and inside):
        bound = "[" if closed else "("
        raise UserError(f"{option} must be in {bound}{low:g}, {high:g}); got {text}")
    return value


def _choice(text: str, option: str, choices: tuple[str, ...]) -> str:
    if text not in choices:
        raise UserError(f"{option} must be one of {', '.join(choices)}; got {text!r}")
    return text


def _hidden(text: str) -> list[int]:
    parts = [part.strip() for part in text.split(",")]
    try:
        sizes = [int(part) for part in parts]
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


# ----- progress ----------------------------------------------------------------------------
def _progress(epochs: int, stream: Any, bar: bool) -> Callback:
    """A tqdm bar (epoch, cost, validation cost, time left) or plain lines every few epochs."""
    from glassnet.training import Callback, Logs

    class Progress(Callback):
        def __init__(self) -> None:
            self.bar: Any = None
            self.start = 0.0
            self.last = 0.0
            self.done = 0

        def on_train_begin(self, logs: Logs) -> None:
            self.start = self.last = time.perf_counter()
            if bar:
                from tqdm import tqdm  # here, not at the top: `glassnet --help` stays fast

                self.bar = tqdm(total=epochs, unit="epoch", file=stream, dynamic_ncols=True)

        def on_epoch_end(self, epoch: int, logs: Logs) -> None:
            self.done += 1
            numbers = {k: f"{v:.4g}" for k, v in logs.items() if k in ("cost", "val_cost")}
            if self.bar is not None:
                self.bar.set_postfix(numbers, refresh=False)
                self.bar.update(1)
                return
            now = time.perf_counter()
            if (
                self.done not in (1, epochs)
                and now - self.last < 2.0
                and self.done % max(1, epochs // 10)
            ):
                return
            self.last = now
            elapsed = now - self.start
            left = elapsed / self.done * (epochs - self.done)
            shown = "  ".join(f"{k.replace('_', ' ')} {v}" for k, v in numbers.items())
            print(
                f"epoch {self.done}/{epochs}  {shown}  ({elapsed:.1f} s, about {left:.0f} s left)",
                file=stream,
                flush=True,
            )

        def on_train_end(self, logs: Logs) -> None:
            if self.bar is not None:
                self.bar.close()

    return Progress()


def _best_weights() -> Any:
    """Keep a copy of the weights of the best epoch so far (for Ctrl-C)."""
    from glassnet.training import Callback, Logs

    class BestWeights(Callback):
        def __init__(self) -> None:
            self.best = math.inf
            self.epoch = 0
            self.weights: list[Array] | None = None

        def on_epoch_end(self, epoch: int, logs: Logs) -> None:
            validated = "val_cost" in logs
            # an interrupted epoch's training cost covers only part of the data
            if self.network.stop_training and not validated:
                return
            value = logs["val_cost" if validated else "cost"]
            if value < self.best:
                self.best, self.epoch = value, epoch
                self.weights = self.network.get_weights()

    return BestWeights()


# ----- the command -------------------------------------------------------------------------
def _targets(y: Array, task: str, where: str, target: str) -> tuple[str, Array, dict[str, Any]]:
    """The task, the network's targets (a regression's still in the target's units) and
    what the model must remember about them."""
    import numpy as np

    from glassnet.data import detect_task, encode_labels, find_classes, one_hot

    if task == "auto":
        task = detect_task(y)
    if task == "regression":
        if y.dtype.kind in "USO":
            raise UserError(
                f"{where}: the target {target!r} holds text (e.g. {str(y[0])!r}); a regression "
                "needs numbers (or use --task classification)"
            )
        return task, y.reshape(-1, 1), {}  # standardized once the training rows are known
    classes = find_classes(y, where, target)
    index = encode_labels(y, classes, where, target)
    return (
        task,
        one_hot(index, 1 if len(classes) == 2 else len(classes), np.float64),
        {"classes": classes},
    )


def run(args: argparse.Namespace) -> int:
    """Check every option, read the table, train, report, save."""
    hidden = _hidden(args.hidden)
    activation = _choice(args.activation, "--activation", HIDDEN_ACTIVATIONS)
    epochs = _whole(args.epochs, "--epochs")
    batch_size = _whole(args.batch_size, "--batch-size")
    learning_rate = _number(args.learning_rate, "--learning-rate", 0.0, math.inf, False)
    optimizer_name = _choice(args.optimizer, "--optimizer", OPTIMIZERS)
    split = _number(args.validation_split, "--validation-split", 0.0, 1.0, True)
    seed = _whole(args.seed, "--seed", minimum=0)
    task = _choice(args.task, "--task", TASKS)
    alpha = _number(args.alpha, "--alpha", 0.0, math.inf, True)
    out = None if args.out is None else check_out_file(args.out)  # before any long work
    assert epochs is not None and learning_rate is not None and alpha is not None
    target = args.target.strip()  # a stray space around the name is no mistake
    ignore = [name.strip() for name in args.ignore.split(",") if name.strip()]
    if target in ignore:
        raise UserError(f"--ignore names the target {target!r}; leave it out of --ignore")
    if split is None:
        split = EARLY_STOPPING_SPLIT if args.early_stopping else 0.0

    from itertools import pairwise

    import numpy as np

    from glassnet.data import Scaler, read_csv
    from glassnet.layers import Dense
    from glassnet.network import Network
    from glassnet.serialization import save
    from glassnet.training import DivergedError, EarlyStopping, split_rows

    table = read_csv(args.data, target, ignore=ignore)
    assert table.y is not None
    task, Y, remembered = _targets(table.y, task, table.path, target)
    X = table.X
    n = X.shape[0]
    rng = np.random.default_rng(seed)
    validation = None
    if split:
        try:
            train_rows, val_rows = split_rows(n, split, rng)
        except ValueError:
            if args.validation_split is not None:
                raise UserError(
                    f"--validation-split {split:g} of {n} rows leaves no training or no "
                    "validation rows; use more data or another fraction"
                ) from None
            raise UserError(
                f"early stopping holds out {split:.0%} of the rows for validation, which of "
                f"{n} rows leaves none; use more data, or a larger --validation-split"
            ) from None
        validation = (X[val_rows], Y[val_rows])
        X, Y = X[train_rows], Y[train_rows]
    # the scaling is learnt from the training rows alone: validation rows stay unseen
    try:
        scaler = Scaler().fit(X, names=table.feature_names)
        target_scaler = Scaler().fit(Y, names=[target]) if task == "regression" else None
    except ValueError as error:
        raise UserError(f"{table.path}: {error}") from None
    scaler.transform(X, inplace=True)
    if validation is not None:
        scaler.transform(validation[0], inplace=True)
    if target_scaler is not None:
        remembered["target_scaler"] = target_scaler.to_dict()
        Y = target_scaler.transform(Y)
        if validation is not None:
            validation = (validation[0], target_scaler.transform(validation[1]))
    n_train = X.shape[0]
    if batch_size is None:
        batch_size = n_train if optimizer_name == "gd" else min(200, n_train)
    batch_size = min(batch_size, n_train)

    if task == "regression":
        output, cost = "identity", "mse"
    elif Y.shape[1] == 1:
        output, cost = "sigmoid", "binary_crossentropy"
    else:
        output, cost = "softmax", "categorical_crossentropy"
    # scikit-learn's penalty is alpha/2 · Σw² divided by the batch size
    l2 = alpha / batch_size
    init = "he" if activation in ("relu", "leaky_relu") else "glorot"
    sizes = [table.X.shape[1], *hidden]
    layers = [Dense(a, b, activation, weights=init, l2=l2) for a, b in pairwise(sizes)]
    layers.append(Dense(sizes[-1], Y.shape[1], output, l2=l2))
    net = Network(layers, cost=cost, seed=rng)
    optimizer = make_optimizer(optimizer_name, learning_rate)
    net.metadata = {
        "feature_names": table.feature_names,
        "target_name": table.target_name,
        "task": task,
        **remembered,
        "scaler": scaler.to_dict(),
        "seed": seed,
        "training": {
            "data": os.path.basename(table.path),
            "rows": n,
            "validation_rows": 0 if validation is None else len(validation[0]),
            "hidden": hidden,
            "activation": activation,
            "optimizer": optimizer_name,
            "learning_rate": learning_rate,
            "batch_size": batch_size,
            "epochs": epochs,
            "alpha": alpha,
            "early_stopping": args.early_stopping,
        },
    }

    callbacks: list[Callback] = [_progress(epochs, sys.stderr, sys.stderr.isatty())]
    best = _best_weights()
    early = EarlyStopping(patience=PATIENCE, min_delta=1e-4)
    callbacks.append(early if args.early_stopping else best)
    started = time.perf_counter()
    try:
        history = net.fit(
            X,
            Y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=optimizer,
            validation_data=validation,
            callbacks=callbacks,
        )
    except DivergedError as error:
        untouched = f"; {out} was not written" if out else ""
        raise UserError(f"{error}{untouched}") from None
    seconds = time.perf_counter() - started
    best_epoch = None
    if args.early_stopping:
        best_epoch = early.best_epoch or None  # EarlyStopping put its best weights back
    elif history.interrupted and best.weights is not None:
        net.set_weights(best.weights)
        best_epoch = best.epoch

    report = _report(net, history, X, Y, validation, task, seconds)
    report["model"] = out
    report["best_epoch"] = best_epoch
    if out is not None:
        save(net, out)
    if history.interrupted:
        kept = f"the best weights (epoch {best_epoch})" if best_epoch else "the weights"
        where = f"saved {kept} to {out}" if out else f"kept {kept} but saved nothing (no --out)"
        print(
            f"glassnet train: interrupted at epoch {history.epoch[-1] if history.epoch else 0}; "
            f"{where}",
            file=sys.stderr,
        )
    if args.json:
        from glassnet.cli.common import print_json

        print_json(report)
    else:
        _print_report(report, net)
    return 130 if history.interrupted else 0


def _report(
    net: Network,
    history: History,
    X: Array,
    Y: Array,
    validation: tuple[Array, Array] | None,
    task: str,
    seconds: float,
) -> dict[str, Any]:
    """What training did, in numbers: epochs, costs, and a score on train (and validation)."""
    from glassnet.metrics import accuracy, r2_score

    report: dict[str, Any] = {
        "task": task,
        "features": net.metadata["feature_names"],
        "target": net.metadata["target_name"],
        "classes": net.metadata.get("classes"),
        "layers": [f"{layer.n_in}→{layer.n_out} {layer.activation.name}" for layer in net.layers],
        "parameters": net.n_params,
        "cost_function": net.cost_function.name,
        "epochs": len(history),
        "stopped_early": history.stopped_early,
        "interrupted": history.interrupted,
        "cost": history.cost[-1] if history.cost else None,
        "val_cost": history["val_cost"][-1] if "val_cost" in history else None,
        "seconds": round(seconds, 3),
    }
    parts = [("train", X, Y)] + ([("validation", *validation)] if validation else [])
    for name, inputs, targets in parts:
        outputs = net.predict_outputs(inputs)
        if task == "classification":
            report[f"{name}_accuracy"] = accuracy(targets, outputs)
        else:
            report[f"{name}_r2"] = r2_score(targets, outputs)
    return report


def _print_report(report: dict[str, Any], net: Network) -> None:
    """The report as aligned ``label : value`` lines."""
    lines = [
        (
            "task",
            f"{report['task']} of {report['target']!r} from {len(report['features'])} features",
        )
    ]
    if report["classes"] is not None:
        lines.append(("classes", ", ".join(map(str, report["classes"]))))
    lines.append(
        (
            "network",
            f"{', '.join(report['layers'])} ({report['parameters']} parameters), "
            f"cost {report['cost_function']}",
        )
    )
    status = " (stopped early)" if report["stopped_early"] else ""
    status += " (interrupted)" if report["interrupted"] else ""
    lines.append(("epochs", f"{report['epochs']}{status} in {report['seconds']:.1f} s"))
    lines.append(("cost", "-" if report["cost"] is None else f"{report['cost']:.6g}"))
    if report["val_cost"] is not None:
        lines.append(("validation cost", f"{report['val_cost']:.6g}"))
    if report["best_epoch"]:
        lines.append(("best epoch", f"{report['best_epoch']} (its weights are the model's)"))
    for key in ("train_accuracy", "validation_accuracy", "train_r2", "validation_r2"):
        if key in report:
            lines.append((key.replace("_", " ").replace("r2", "R²"), f"{report[key]:.4f}"))
    saved = report["model"] or "nothing (add --out MODEL.safetensors to keep the model)"
    lines.append(("saved", saved))
    width = max(len(label) for label, _ in lines)
    for label, value in lines:
        print(f"{label:<{width}} : {value}")
