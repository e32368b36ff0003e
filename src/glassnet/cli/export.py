"""``glassnet export MODEL OUT.onnx``: a model file as an ONNX graph for any ONNX runtime."""

from __future__ import annotations

import argparse
from typing import Any

from glassnet.cli.common import UserError

HELP = (
    "write a model file as ONNX: raw columns in (one input per column when the model encodes "
    "categories or missing cells), the model's preprocessing, labels or values out"
)


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


def _inputs(written: Any) -> list[dict[str, Any]]:
    """Each graph input's name, type and shape, as the report shows them."""
    import onnx

    described = []
    for value in written.graph.input:
        tensor = value.type.tensor_type
        shape = [d.dim_param or d.dim_value for d in tensor.shape.dim]
        kind = "string" if tensor.elem_type == onnx.TensorProto.STRING else "float32"
        described.append({"name": value.name, "type": kind, "shape": shape})
    return described


def run(args: argparse.Namespace) -> int:
    """Check the paths and the opset, load the model, write the ONNX file, say what it holds."""
    from glassnet import onnx as glass_onnx
    from glassnet.cli.common import check_out_file, check_replaces_only, load_model, print_json

    check_out_file(args.out, "OUT.onnx", reads=[args.model])
    check_replaces_only(args.out, "OUT.onnx", "onnx")
    opset = glass_onnx.DEFAULT_OPSET if args.opset is None else args.opset
    if opset not in glass_onnx.SUPPORTED_OPSETS:
        raise UserError(f"--opset must be between 13 and 21; got {opset}")
    model = load_model(args.model)
    try:
        written = glass_onnx.export(model, args.out, opset=opset)
    except ImportError as error:
        raise UserError(str(error)) from None
    except ValueError as error:
        raise UserError(f"{args.model}: {error}") from None
    spec = glass_onnx.exported(model)
    inputs = _inputs(written)
    facts = {
        "model": args.model,
        "out": args.out,
        "opset": opset,
        "inputs": inputs,
        "features": spec.feature_names,
        "preprocessing_included": spec.preprocessing is not None,
        "outputs": [output.name for output in written.graph.output],
        "classes": spec.classes if spec.task == "classification" else None,
    }
    if args.json:
        print_json(facts)
        return 0
    print(f"wrote {args.out} (ONNX opset {opset})")
    if len(inputs) == 1:
        (only,) = inputs
        names = spec.feature_names or [f"column {i}" for i in range(spec.network.n_inputs)]
        shape = ", ".join(map(str, only["shape"]))
        # a name with a comma or space in it is quoted, so the list reads one way
        shown = [n if n.replace("_", "").isalnum() else repr(n) for n in names]
        print(f"input  X: float32 [{shape}] = {', '.join(shown)}")
    else:
        described = (f"{i['name']} ({i['type']})" for i in inputs)
        print(f"inputs one [N, 1] per column: {', '.join(described)}")
    if facts["preprocessing_included"]:
        print("        the file fills, encodes and scales the columns itself, as predict does")
    print(f"output {', '.join(facts['outputs'])}")
    return 0
