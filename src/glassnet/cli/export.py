"""``glassnet export MODEL OUT.onnx``: a model file as an ONNX graph for any ONNX runtime."""

from __future__ import annotations

import argparse
import os

from glassnet.cli.common import UserError

HELP = "write a model file as ONNX (float32 input X in the CSV's column order, scaling included)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``MODEL OUT.onnx [--opset N]``."""
    parser.add_argument("model", metavar="MODEL", help="a model file saved by glassnet train")
    parser.add_argument("out", metavar="OUT.onnx", help="the ONNX file to write")
    parser.add_argument(
        "--opset",
        type=int,
        metavar="N",
        default=None,
        help="ONNX opset, 13 to 21 (default 17, which onnxruntime 1.13 and later run)",
    )


def run(args: argparse.Namespace) -> int:
    """Check the paths and the opset, load the model, write the ONNX file, say what it holds."""
    from glassnet.cli.common import print_json

    if not os.path.isfile(args.model):
        raise UserError(f"{args.model}: no such model file")
    folder = os.path.dirname(os.path.abspath(args.out))
    if not os.path.isdir(folder):
        raise UserError(f"{args.out}: the folder {folder} does not exist; create it first")
    if os.path.isdir(args.out):
        raise UserError(f"{args.out} is a folder; give a file name like model.onnx")
    from glassnet import onnx as glass_onnx

    opset = glass_onnx.DEFAULT_OPSET if args.opset is None else args.opset
    if opset not in glass_onnx.SUPPORTED_OPSETS:
        raise UserError(f"--opset must be between 13 and 21; got {opset}")

    from glassnet.serialization import load

    net = load(args.model)
    try:
        written = glass_onnx.export(net, args.out, opset=opset)
    except ImportError as error:
        raise UserError(str(error)) from None
    meta = net.metadata
    outputs = [output.name for output in written.graph.output]
    facts = {
        "model": args.model,
        "out": args.out,
        "opset": opset,
        "input": {"name": "X", "type": "float32", "shape": ["N", net.n_inputs]},
        "features": meta.get("feature_names"),
        "scaling_included": bool(meta.get("scaler")),
        "outputs": outputs,
        "classes": meta.get("classes"),
    }
    if args.json:
        print_json(facts)
        return 0
    print(f"wrote {args.out} (ONNX opset {opset})")
    names = facts["features"] or [f"column {i}" for i in range(net.n_inputs)]
    print(f"input  X: float32 [N, {net.n_inputs}] = {', '.join(map(str, names))}")
    if facts["scaling_included"]:
        print("        the file standardizes the columns itself, as glassnet predict does")
    print(f"output {', '.join(outputs)}")
    return 0
