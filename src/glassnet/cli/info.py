"""``glassnet info``: what a model file holds, without running it."""

from __future__ import annotations

import argparse
import math
from typing import Any

HELP = "show a model file: architecture, parameters, columns, classes, training history"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``MODEL``."""
    parser.add_argument("model", metavar="MODEL", help="a model file saved by glassnet train")


def summary(document: dict[str, Any], parameters: int) -> dict[str, Any]:
    """The facts ``info`` shows, from a model file's header document."""
    meta = document.get("metadata") or {}
    history = document.get("history") or {}
    values = history.get("values", {})
    costs = [c for c in values.get("cost", []) if c is not None]
    val_costs = values.get("val_cost", [])
    epochs = history.get("epoch", [])
    best_val = None
    if val_costs and any(v is not None for v in val_costs):
        finite = [(v, e) for v, e in zip(val_costs, epochs, strict=False) if v is not None]
        value, epoch = min(finite)
        best_val = {"val_cost": value, "epoch": epoch}
    return {
        "format_version": document["format_version"],
        "glassnet_version": document.get("glassnet_version"),
        "layers": document["layers"],
        "parameters": parameters,
        "cost": document["cost"],
        "dtype": document.get("dtype"),
        "task": meta.get("task"),
        "features": meta.get("feature_names"),
        "target": meta.get("target_name"),
        "classes": meta.get("classes"),
        "training": meta.get("training"),
        "history": {
            "epochs": len(epochs),
            "first_cost": costs[0] if costs else None,
            "last_cost": costs[-1] if costs else None,
            "last_val_cost": val_costs[-1] if val_costs else None,
            "best": best_val,
            "stopped_early": history.get("stopped_early", False),
            "interrupted": history.get("interrupted", False),
        },
    }


def run(args: argparse.Namespace) -> int:
    """Load (and so check) the model, then print its facts."""
    from glassnet.cli.common import print_json
    from glassnet.serialization import load, read_document

    net = load(args.model)  # checks the tensors too
    facts = summary(read_document(args.model), net.n_params)
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
    if facts["features"]:
        print(f"features   : {', '.join(facts['features'])}")
    if facts["target"]:
        print(f"target     : {facts['target']} ({facts['task']})")
    if facts["classes"]:
        print(f"classes    : {', '.join(map(str, facts['classes']))}")
    history = facts["history"]
    if history["epochs"]:
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
        print(line)
    else:
        print("history    : not trained")
    return 0


def _num(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.6g}"
