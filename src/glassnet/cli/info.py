"""``glassnet info``: what a model file holds, without running it — the network, every
column's role and encoding, the classes, and the training history."""

from __future__ import annotations

import argparse
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from glassnet.model import Model

HELP = "show a model file: architecture, parameters, columns and their encoding, classes, history"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``MODEL``."""
    parser.add_argument("model", metavar="MODEL", help="a model file saved by glassnet train")


def summary(model: Model, document: dict[str, Any]) -> dict[str, Any]:
    """The facts ``info`` shows, from the loaded model and its file's header document."""
    from glassnet.cli.common import column_rows

    net = model.network
    history = getattr(net, "history", None)  # None for a network never trained
    costs = [c for c in (history.cost if history else []) if c is not None and math.isfinite(c)]
    val_costs = list(history["val_cost"]) if history and "val_cost" in history else []
    best_val = None
    finite = [
        (v, e)
        for v, e in zip(val_costs, history.epoch if history else [], strict=False)
        if v is not None and math.isfinite(v)
    ]
    if finite:
        value, epoch = min(finite)
        best_val = {"val_cost": value, "epoch": epoch}
    return {
        "format_version": document.get("format_version"),
        "glassnet_version": document.get("glassnet_version"),
        "layers": [
            {
                "n_in": layer.n_in,
                "n_out": layer.n_out,
                "activation": layer.activation.name,
                "dropout": getattr(layer, "dropout", 0.0),
                "l2": getattr(layer, "l2", 0.0),
            }
            for layer in net.layers
        ],
        "parameters": net.n_params,
        "cost": net.cost_function.name,
        "dtype": str(net.dtype),
        "task": model.task,
        "features": model.feature_names_in_,
        "inputs": model.feature_names_out_,
        "columns": column_rows(model),
        "target": model.target,
        "classes": model.classes,
        "training": net.metadata.get("training"),
        "seed": net.metadata.get("seed"),
        "history": {
            "epochs": len(history) if history else 0,
            "first_cost": costs[0] if costs else None,
            "last_cost": costs[-1] if costs else None,
            "last_val_cost": val_costs[-1] if val_costs else None,
            "best": best_val,
            "stopped_early": bool(history and history.stopped_early),
            "interrupted": bool(history and history.interrupted),
        },
    }


def run(args: argparse.Namespace) -> int:
    """Load (and so check) the model, then print its facts."""
    from glassnet.cli.common import load_model, print_column_table, print_json
    from glassnet.serialization import read_document
    from glassnet.table import listed

    model = load_model(args.model)  # checks the tensors too
    facts = summary(model, read_document(args.model))
    if args.json:
        print_json({"model": args.model, **facts})
        return 0
    print(
        f"{args.model}: glassnet model format {facts['format_version']}, saved by glassnet "
        f"{facts['glassnet_version']}"
    )
    print(f"layers     : {len(facts['layers'])}")
    for i, layer in enumerate(facts["layers"]):
        extras = "".join(f", {k} {layer[k]:g}" for k in ("dropout", "l2") if layer.get(k))
        print(f"  {i}: {layer['n_in']} → {layer['n_out']} {layer['activation']}{extras}")
    print(f"parameters : {facts['parameters']} ({facts['dtype']})")
    print(f"cost       : {facts['cost']}")
    if facts["target"]:
        print(f"target     : {facts['target']} ({facts['task']})")
    else:
        print(f"task       : {facts['task']}")
    if facts["classes"]:
        print(f"classes    : {listed(facts['classes'])}")
    if facts["features"]:
        print(f"features   : {', '.join(facts['features'])}")
    if facts["columns"]:
        print(f"columns    : {len(facts['features'])} used, {len(facts['inputs'])} inputs")
        print_column_table(facts["columns"])
    print(_history_line(facts["history"]))
    if facts["seed"] is not None:
        print(f"seed       : {facts['seed']} (glassnet train --seed {facts['seed']} repeats it)")
    return 0


def _history_line(history: dict[str, Any]) -> str:
    if not history["epochs"]:
        return "history    : not trained"
    line = (
        f"history    : {history['epochs']} epochs, cost {_num(history['first_cost'])} → "
        f"{_num(history['last_cost'])}"
    )
    if history["best"]:
        line += (
            f", best validation cost {_num(history['best']['val_cost'])} at epoch "
            f"{history['best']['epoch']}"
        )
    if history["stopped_early"]:
        line += " (stopped early)"
    if history["interrupted"]:
        line += " (interrupted)"
    return line


def _num(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.6g}"
