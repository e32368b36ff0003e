"""ONNX export: a glassnet network as a graph any ONNX runtime can run.

``export(model, "model.onnx")`` takes a ``Network`` (e.g. loaded from a ``glassnet train``
model file) or a fitted ``GlassClassifier`` / ``GlassRegressor`` and writes one ONNX file:

- input ``"X"``: float32, shape ``[N, n_features]``, columns in the training data's order
  (``net.metadata["feature_names"]`` when known; they are also stored in the file's
  metadata as ``feature_names``);
- the network's input scaling first, when ``net.metadata["scaler"]`` holds one (as
  ``glassnet train`` stores it): ``Sub(mean)`` then ``Div(scale)``, so the file takes the
  raw columns, as ``glassnet predict`` does;
- one ``Gemm`` (``X @ weights + bias``) and one activation node (``Sigmoid``, ``Tanh``,
  ``Relu``, ``LeakyRelu``, ``Softmax``) per layer, weights stored as float32;
- outputs, as skl2onnx names them for ``MLPClassifier`` / ``MLPRegressor`` (with
  ``zipmap=False``): a classifier gives ``"label"`` ([N], int64 or string class labels,
  from ``classes_`` or ``net.metadata["classes"]``) and ``"probabilities"`` ([N, n_classes]
  float32; one sigmoid output becomes two columns ``1 − p, p``); a multilabel classifier
  gives ``"label"`` ([N, n_labels] int64, 0/1) and ``"probabilities"``; a regressor gives
  ``"variable"`` ([N, n_outputs] float32), in the target's own units when
  ``net.metadata["target_scaler"]`` records a scaling.

The default opset is 17 (ONNX IR version 8), which onnxruntime has supported since 1.13;
``opset`` may be 13 to 21: every operator used means the same over that range, and the tests
run each one. Computation in the file is float32, so its outputs match glassnet's float64
ones to about 1e-6.

This module needs the ``onnx`` package: ``pip install 'glassnet[onnx]'`` (which also
installs onnxruntime to run the files).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from glassnet import __version__
from glassnet._types import Array
from glassnet.network import Network
from glassnet.serialization import check_writable, write_atomically

DEFAULT_OPSET = 17
"""The ONNX opset written unless ``export(opset=...)`` says otherwise."""

SUPPORTED_OPSETS = range(13, 22)
"""Opsets in which every operator this exporter uses has the meaning it relies on."""

_IR_VERSION = {13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10}
"""The ONNX IR version that came with each opset: the oldest runtimes can read the file."""

_ACTIVATION_NODES = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "leaky_relu": "LeakyRelu",
    "softmax": "Softmax",
}


def _require_onnx() -> Any:
    try:
        import onnx
    except ImportError as error:
        raise ImportError(
            f"ONNX export needs the onnx package ({error}); install it with: "
            "pip install 'glassnet[onnx]'"
        ) from error
    return onnx


def _network_and_classes(model: Any) -> tuple[Network, list[Any] | None, str]:
    """The network, its class labels (None for a regression) and its task:
    "classification", "multilabel" or "regression"."""
    if isinstance(model, Network):
        net = model
        last = net.layers[-1].activation.name
        if net.metadata.get("task") == "regression" or last not in ("sigmoid", "softmax"):
            return net, None, "regression"
        classes = net.metadata.get("classes") or list(range(max(2, net.n_outputs)))
        task = "multilabel" if last == "sigmoid" and net.n_outputs > 1 else "classification"
        return net, list(classes), task
    fitted = getattr(model, "network_", None)
    if not isinstance(fitted, Network):
        fix = " (it is not fitted: call fit first)" if hasattr(model, "get_params") else ""
        raise ValueError(
            "export needs a glassnet Network or a fitted GlassClassifier/GlassRegressor; "
            f"got {type(model).__name__}{fix}"
        )
    classes = getattr(model, "classes_", None)
    if classes is None:
        return fitted, None, "regression"
    if model.out_activation_ == "logistic" and fitted.n_outputs > 1:
        return fitted, list(range(fitted.n_outputs)), "multilabel"
    return fitted, np.asarray(classes).tolist(), "classification"


def _label_tensor(onnx: Any, classes: list[Any]) -> Any:
    """The class labels as an int64 tensor when they are whole numbers, else as strings."""
    whole = all(
        isinstance(c, (int, np.integer, bool, np.bool_))
        or (isinstance(c, (float, np.floating)) and float(c).is_integer())
        for c in classes
    )
    if whole:
        return onnx.numpy_helper.from_array(np.array(classes, dtype=np.int64), "classes")
    return onnx.helper.make_tensor(
        "classes", onnx.TensorProto.STRING, [len(classes)], [str(c).encode() for c in classes]
    )


def to_onnx(model: Any, *, opset: int = DEFAULT_OPSET, name: str = "glassnet") -> Any:
    """Build the ONNX model (an ``onnx.ModelProto``) of a network or fitted estimator.

    See the module's description for the graph's inputs and outputs.

    Parameters
    ----------
    model : a ``glassnet.Network`` or a fitted ``GlassClassifier`` / ``GlassRegressor``.
    opset : the ONNX opset to write, 13 to 21 (default 17).
    name : the graph's name.
    """
    onnx = _require_onnx()
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    if opset not in SUPPORTED_OPSETS:
        raise ValueError(
            f"opset must be between {SUPPORTED_OPSETS[0]} and {SUPPORTED_OPSETS[-1]}; got {opset!r}"
        )
    net, classes, task = _network_and_classes(model)
    meta = net.metadata
    nodes: list[Any] = []
    initializers: list[Any] = []

    def constant(tensor_name: str, values: Any) -> str:
        initializers.append(
            numpy_helper.from_array(np.asarray(values, dtype=np.float32), tensor_name)
        )
        return tensor_name

    current = "X"
    scaler = meta.get("scaler")
    if scaler:
        mean, scale = np.asarray(scaler["mean"]), np.asarray(scaler["scale"])
        if mean.shape != (net.n_inputs,) or scale.shape != (net.n_inputs,):
            raise ValueError(
                f"net.metadata['scaler'] must hold {net.n_inputs} means and scales, one per "
                f"input; got {mean.shape[0]} and {scale.shape[0]}"
            )
        nodes.append(helper.make_node("Sub", ["X", constant("scaler_mean", mean)], ["centred"]))
        nodes.append(
            helper.make_node("Div", ["centred", constant("scaler_scale", scale)], ["scaled"])
        )
        current = "scaled"

    for i, layer in enumerate(net.layers):
        z = f"layer{i}_z"
        nodes.append(
            helper.make_node(
                "Gemm",
                [
                    current,
                    constant(f"layer{i}_weights", layer.weights),
                    constant(f"layer{i}_bias", layer.bias),
                ],
                [z],
                name=f"layer{i}_gemm",
            )
        )
        activation = layer.activation.name
        if activation == "identity":
            current = z
            continue
        if activation not in _ACTIVATION_NODES:
            raise ValueError(f"layer {i}: no ONNX operator for the activation {activation!r}")
        attributes: dict[str, Any] = {}
        if activation == "leaky_relu":
            attributes["alpha"] = float(layer.activation.negative_slope)  # type: ignore[attr-defined]
        if activation == "softmax":
            attributes["axis"] = 1
        current = f"layer{i}_a"
        nodes.append(
            helper.make_node(
                _ACTIVATION_NODES[activation],
                [z],
                [current],
                name=f"layer{i}_{activation}",
                **attributes,
            )
        )

    float_type = onnx.TensorProto.FLOAT
    if task == "regression":
        target = meta.get("target_scaler")
        if target:
            nodes.append(
                helper.make_node(
                    "Mul", [current, constant("target_scale", target["scale"])], ["unscaled"]
                )
            )
            nodes.append(
                helper.make_node(
                    "Add", ["unscaled", constant("target_mean", target["mean"])], ["variable"]
                )
            )
        else:
            nodes.append(helper.make_node("Identity", [current], ["variable"]))
        outputs = [helper.make_tensor_value_info("variable", float_type, ["N", net.n_outputs])]
    elif task == "multilabel":
        nodes.append(helper.make_node("Identity", [current], ["probabilities"]))
        nodes.append(
            helper.make_node("Greater", ["probabilities", constant("half", 0.5)], ["positive"])
        )
        nodes.append(helper.make_node("Cast", ["positive"], ["label"], to=onnx.TensorProto.INT64))
        outputs = [
            helper.make_tensor_value_info("label", onnx.TensorProto.INT64, ["N", net.n_outputs]),
            helper.make_tensor_value_info("probabilities", float_type, ["N", net.n_outputs]),
        ]
    else:
        assert classes is not None
        if net.n_outputs == 1:
            # one sigmoid output p is the probability of the second class: [1 − p, p]
            nodes.append(helper.make_node("Sub", [constant("one", 1.0), current], ["negative"]))
            nodes.append(
                helper.make_node("Concat", ["negative", current], ["probabilities"], axis=1)
            )
        else:
            nodes.append(helper.make_node("Identity", [current], ["probabilities"]))
        if len(classes) != max(2, net.n_outputs):
            raise ValueError(
                f"the model lists {len(classes)} classes but has {net.n_outputs} outputs; "
                "fix net.metadata['classes']"
            )
        labels = _label_tensor(onnx, classes)
        initializers.append(labels)
        nodes.append(
            helper.make_node("ArgMax", ["probabilities"], ["class_index"], axis=1, keepdims=0)
        )
        nodes.append(helper.make_node("Gather", ["classes", "class_index"], ["label"], axis=0))
        outputs = [
            helper.make_tensor_value_info("label", labels.data_type, ["N"]),
            helper.make_tensor_value_info("probabilities", float_type, ["N", len(classes)]),
        ]

    graph = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("X", float_type, ["N", net.n_inputs])],
        outputs,
        initializers,
    )
    model_proto = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", opset)],
        ir_version=_IR_VERSION[opset],
        producer_name="glassnet",
        producer_version=__version__,
        doc_string=f"glassnet network exported to ONNX: {net!r}",
    )
    feature_names = meta.get("feature_names")
    if feature_names:
        helper.set_model_props(
            model_proto,
            {
                "feature_names": ",".join(map(str, feature_names)),
                **({"classes": ",".join(map(str, classes))} if classes else {}),
            },
        )
    onnx.checker.check_model(model_proto)
    return model_proto


def export(model: Any, path: str | os.PathLike[str], *, opset: int = DEFAULT_OPSET) -> Any:
    """Write ``model`` (a ``Network`` or fitted estimator) to ``path`` as an ONNX file.

    The file is written to a temporary name in the same folder and renamed into place, so
    ``path`` never holds half a file. See the module's description for what the file holds.

    Parameters
    ----------
    model : a ``glassnet.Network`` or a fitted ``GlassClassifier`` / ``GlassRegressor``.
    path : the ``.onnx`` file to write.
    opset : the ONNX opset, 13 to 21 (default 17).

    Returns
    -------
    The ``onnx.ModelProto`` written (its ``graph.output`` names the outputs).

    Raises
    ------
    ImportError : the onnx package is missing (``pip install 'glassnet[onnx]'``).
    ValueError : the model cannot be exported, or the folder does not exist.
    """
    check_writable(path)
    model_proto = to_onnx(model, opset=opset)
    write_atomically(path, model_proto.SerializeToString())
    return model_proto


def run(path: str | os.PathLike[str], X: Array) -> dict[str, Array]:
    """Run an exported file with onnxruntime: ``{output name: array}`` for ``X`` (float32)."""
    try:
        import onnxruntime
    except ImportError as error:
        raise ImportError(
            f"running ONNX files needs onnxruntime ({error}); install it with: "
            "pip install 'glassnet[onnx]'"
        ) from error
    session = onnxruntime.InferenceSession(os.fspath(path), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    values = session.run(names, {"X": np.asarray(X, dtype=np.float32)})
    return dict(zip(names, values, strict=True))
