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
  gives ``"label"`` ([N, n_labels] int64, 0/1) and ``"probabilities"``. Labels follow
  ``glassnet.metrics.predicted_classes``, as ``net.predict`` and ``glassnet predict`` do:
  one sigmoid output is the second class at p >= 0.5 (each label of a multilabel one
  likewise), softmax outputs the largest, the first on a tie. A regressor gives
  ``"variable"`` ([N, n_outputs] float32), in the target's own units when
  ``net.metadata["target_scaler"]`` records a scaling.

The default opset is 17 (ONNX IR version 8), which onnxruntime has supported since 1.13;
``opset`` may be 13 to 21: every operator used means the same over that range, and the tests
run each one.

Precision: the file computes in float32 (X is cast to float32 on the way in), glassnet in
float64. Each ``z`` then carries a relative error near float32's 6e-8 times the size of the
terms summed into it, so the agreement depends on the size of the inputs. With standardized
inputs (a model trained by ``glassnet train``, whose graph scales the raw columns itself, or
an estimator trained on scaled data) outputs agree within 1e-5 (the tests' tolerance; about
1e-7 measured). With raw columns of large values they do not: a ``GlassClassifier`` on
unscaled breast_cancer (columns up to ~4000) differs from ``predict_proba`` by up to about
3e-5, the same whether glassnet is given X or X rounded to float32, so the float32
arithmetic, not only the input cast, is the cause. Scale the inputs to keep 1e-5. A weight,
bias or scaling value beyond float32's range (±3.4e38) is refused with a ValueError rather
than written as an infinity. See ``docs/onnx.md``.

This module needs the ``onnx`` package: ``pip install 'glassnet[onnx]'`` (which also
installs onnxruntime to run the files).
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from glassnet import __version__
from glassnet._types import Array
from glassnet.network import Network
from glassnet.serialization import check_writable, network_of, write_atomically

DEFAULT_OPSET = 17
"""The ONNX opset written unless ``export(opset=...)`` says otherwise."""

SUPPORTED_OPSETS = range(13, 22)
"""Opsets in which every operator this exporter uses has the meaning it relies on."""

_IR_VERSION = {13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10}
"""The ONNX IR version that came with each opset: the oldest runtimes can read the file."""

_FLOAT32_MAX = float(np.finfo(np.float32).max)

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
    fitted = network_of(model, "export")
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

    def constant(tensor_name: str, values: Any, what: str = "a constant", fix: str = "") -> str:
        """Store ``values`` as the float32 initializer ``tensor_name``; ``what`` names them
        in the error raised when float32 cannot hold them, ``fix`` ("; ...") says what to do."""
        exact = np.asarray(values, dtype=np.float64)
        unfit = ~(np.abs(exact) <= _FLOAT32_MAX)  # NaN and infinities too
        if unfit.any():
            # refuse rather than cast: the cast would turn it into an infinity (a warning)
            value = float(exact[unfit].flat[0])
            reason = (
                "float32, the ONNX file's number type, cannot hold (at most ±3.4e38)"
                if math.isfinite(value)
                else "is not a finite number"
            )
            raise ValueError(f"cannot export: {what} holds {value!r}, which {reason}{fix}")
        initializers.append(numpy_helper.from_array(exact.astype(np.float32), tensor_name))
        return tensor_name

    current = "X"
    scaler = meta.get("scaler")
    if scaler:
        mean = np.asarray(scaler["mean"], dtype=np.float64)
        scale = np.asarray(scaler["scale"], dtype=np.float64)
        if mean.shape != (net.n_inputs,) or scale.shape != (net.n_inputs,):
            raise ValueError(
                f"net.metadata['scaler'] must hold {net.n_inputs} means and scales, one per "
                f"input; got {mean.shape[0]} and {scale.shape[0]}"
            )
        rescale = "; divide those columns by a power of ten and train again"
        mean_name = constant("scaler_mean", mean, "the scaler's mean", rescale)
        scale_name = constant("scaler_scale", scale, "the scaler's scale", rescale)
        vanishing = ~(scale.astype(np.float32) > 0)  # float32 rounds a tiny scale to 0
        if vanishing.any():
            raise ValueError(
                f"cannot export: the scaler's scale holds {float(scale[vanishing][0])!r}, which "
                f"float32 (the ONNX file's number type) rounds to 0 or below{rescale}"
            )
        nodes.append(helper.make_node("Sub", ["X", mean_name], ["centred"]))
        nodes.append(helper.make_node("Div", ["centred", scale_name], ["scaled"]))
        current = "scaled"

    retrain = "; train the network again (scaled inputs, a smaller learning rate, more alpha)"
    for i, layer in enumerate(net.layers):
        z = f"layer{i}_z"
        nodes.append(
            helper.make_node(
                "Gemm",
                [
                    current,
                    constant(f"layer{i}_weights", layer.weights, f"layer {i}'s weights", retrain),
                    constant(f"layer{i}_bias", layer.bias, f"layer {i}'s bias", retrain),
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

    float_type, int64_type = onnx.TensorProto.FLOAT, onnx.TensorProto.INT64
    if task == "regression":
        target = meta.get("target_scaler")
        if target:
            nodes.append(
                helper.make_node(
                    "Mul",
                    [current, constant("target_scale", target["scale"], "the target's scale")],
                    ["unscaled"],
                )
            )
            nodes.append(
                helper.make_node(
                    "Add",
                    ["unscaled", constant("target_mean", target["mean"], "the target's mean")],
                    ["variable"],
                )
            )
        else:
            nodes.append(helper.make_node("Identity", [current], ["variable"]))
        outputs = [helper.make_tensor_value_info("variable", float_type, ["N", net.n_outputs])]
    elif task == "multilabel":
        nodes.append(helper.make_node("Identity", [current], ["probabilities"]))
        # each label as predicted_classes decides one sigmoid output: 1 at >= 0.5
        nodes.append(
            helper.make_node(
                "GreaterOrEqual", ["probabilities", constant("half", 0.5)], ["positive"]
            )
        )
        nodes.append(helper.make_node("Cast", ["positive"], ["label"], to=int64_type))
        outputs = [
            helper.make_tensor_value_info("label", int64_type, ["N", net.n_outputs]),
            helper.make_tensor_value_info("probabilities", float_type, ["N", net.n_outputs]),
        ]
    else:
        assert classes is not None
        if len(classes) != max(2, net.n_outputs):
            raise ValueError(
                f"the model lists {len(classes)} classes but has {net.n_outputs} outputs; "
                "fix net.metadata['classes']"
            )
        # the labels follow glassnet.metrics.predicted_classes, glassnet's one rule
        if net.n_outputs == 1:
            # one sigmoid output p is the probability of the second class: [1 − p, p];
            # the second class at p >= 0.5 (an ArgMax over [1 − p, p] would say the first
            # at exactly 0.5)
            nodes.append(helper.make_node("Sub", [constant("one", 1.0), current], ["negative"]))
            nodes.append(
                helper.make_node("Concat", ["negative", current], ["probabilities"], axis=1)
            )
            nodes.append(
                helper.make_node("GreaterOrEqual", [current, constant("half", 0.5)], ["second"])
            )
            nodes.append(helper.make_node("Cast", ["second"], ["second_index"], to=int64_type))
            initializers.append(numpy_helper.from_array(np.array([-1], np.int64), "flat"))
            nodes.append(helper.make_node("Reshape", ["second_index", "flat"], ["class_index"]))
        else:
            nodes.append(helper.make_node("Identity", [current], ["probabilities"]))
            # the largest probability, the first one on a tie (select_last_index=0)
            nodes.append(
                helper.make_node(
                    "ArgMax",
                    ["probabilities"],
                    ["class_index"],
                    axis=1,
                    keepdims=0,
                    select_last_index=0,
                )
            )
        labels = _label_tensor(onnx, classes)
        initializers.append(labels)
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

    The file computes in float32: with standardized inputs its outputs match glassnet's
    within 1e-5; with large raw inputs they may differ by more (up to about 3e-5 for a
    ``GlassClassifier`` on unscaled breast_cancer). See the module's description.

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
    TypeError : ``model`` is neither a Network nor an estimator with a ``network_``.
    ValueError : the model cannot be exported (not fitted; classes that do not fit the
        outputs; a value float32 cannot hold), or the folder does not exist.
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
