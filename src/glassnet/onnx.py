"""ONNX export: a glassnet model as a graph any ONNX runtime can run.

``export(model, "model.onnx")`` takes a ``Model`` (``glassnet.load`` of a model file with
preprocessing, classes or target scaling), a ``Network``, or a fitted ``GlassClassifier`` /
``GlassRegressor``, and writes one ONNX file that answers as ``model.predict`` and
``glassnet predict`` do, from the raw rows. A bare ``Network`` has no preprocessing (its
``metadata`` is the user's, never read here): the file takes its inputs as given, and a
classifier's labels are class indices 0, 1, … as ``Network.predict`` gives them.

- inputs. A model whose ``Preprocessor`` has a categorical column or a missing indicator
  takes **one input per raw column**, named after the column, as skl2onnx does for a
  ``ColumnTransformer`` pipeline: ``[N, 1]`` float32 for a numeric column (NaN for a missing
  cell) and ``[N, 1]`` string for a categorical one (``""`` or one of the model's
  ``na_values`` for a missing cell). Every other model takes one float32 input ``"X"``,
  ``[N, n_columns]``, columns in the training data's order (NaN fills with the median when
  the model has a ``Preprocessor``).
- the preprocessing, as the ``Preprocessor`` does it: a missing number becomes the training
  median (``Where(IsNaN)``) plus, when the model has one, a 0/1 ``COL (missing)`` input
  (``Cast(IsNaN)``); then ``Sub(mean)`` and ``Div(scale)``; a category becomes its one-hot
  inputs through an ``ai.onnx.ml`` ``LabelEncoder`` (text → position) and ``Equal`` with
  the positions: an unknown level is ``"(other)"`` when the model lists it, else all zeros;
  a missing cell is ``"(missing)"`` when listed, else all zeros.
- one ``Gemm`` (``X @ weights + bias``) and one activation node (``Sigmoid``, ``Tanh``,
  ``Relu``, ``LeakyRelu`` with the layer's slope, ``Softmax``, ``Exp``) per layer, weights
  as float32;
- outputs, as skl2onnx names them for ``MLPClassifier`` / ``MLPRegressor`` (with
  ``zipmap=False``): a classifier gives ``"label"`` ([N]: int64 class labels, uint64 when a
  label is at least 2^63, float64 for fractional ones, bool for False/True, else strings)
  and ``"probabilities"``
  ([N, n_classes] float32; one sigmoid output becomes two columns ``1 − p, p``); a
  multilabel classifier gives ``"label"`` ([N, n_labels] int64, 0/1) and
  ``"probabilities"``. Labels follow ``glassnet.metrics.predicted_classes``: one sigmoid
  output is the second class at p >= 0.5, softmax outputs the largest, the first on a tie.
  A regressor gives ``"variable"`` ([N, n_outputs] float32) in the target's own units.

The default opset is 17 (ONNX IR version 8), which onnxruntime has supported since 1.13;
``opset`` may be 13 to 21: every operator used means the same over that range.

Precision: the file computes in float32, glassnet in float64; with standardized network
inputs (any model with preprocessing) outputs agree within 1e-5 (about 1e-7 measured). A
network given large raw values (an estimator trained on unscaled data) can differ by more;
see ``docs/onnx.md``. A weight, bias or scaling value beyond float32's range (±3.4e38) is
refused with a ValueError rather than written as an infinity.

This module needs the ``onnx`` package: ``pip install 'glassnet[onnx]'`` (which also
installs onnxruntime to run the files).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet import __version__
from glassnet._types import Array
from glassnet.network import Network

DEFAULT_OPSET = 17
"""The ONNX opset written unless ``export(opset=...)`` says otherwise."""

SUPPORTED_OPSETS = range(13, 22)
"""Opsets in which every operator this exporter uses has the meaning it relies on."""

_IR_VERSION = {13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10}
"""The ONNX IR version that came with each opset: the oldest runtimes can read the file."""

_ML_OPSET = 2
"""The ``ai.onnx.ml`` opset: LabelEncoder with ``keys_strings`` / ``values_int64s``."""

_FLOAT32_MAX = float(np.finfo(np.float32).max)

_ACTIVATION_NODES = {
    "sigmoid": "Sigmoid",
    "tanh": "Tanh",
    "relu": "Relu",
    "leaky_relu": "LeakyRelu",
    "softmax": "Softmax",
    "exp": "Exp",
}

OUTPUT_NAMES = ("label", "probabilities", "variable")
"""The graph's output names; no input may take one of them."""

_MISSING, _OTHER = "(missing)", "(other)"


def _require_onnx() -> Any:
    try:
        import onnx
    except ImportError as error:
        raise ImportError(
            f"ONNX export needs the onnx package ({error}); install it with: "
            "pip install 'glassnet[onnx]'"
        ) from error
    return onnx


# ----- what is exported ----------------------------------------------------------------------
@dataclass(frozen=True)
class Exported:
    """Everything the graph is built from, whatever kind of object was given.

    Attributes
    ----------
    network : the network.
    task : "classification", "multilabel" or "regression" (a Poisson model is a regression).
    classes : the class labels in output order (None for a regression).
    preprocessing : a ``Preprocessor`` config (``{"columns": [...], "na_values": [...]}``).
    target : (mean, scale): a regression's target scaling, undone on the way out.
    feature_names : the raw columns, in order (None when unknown).
    """

    network: Network
    task: str
    classes: list[Any] | None
    preprocessing: dict[str, Any] | None = None
    target: tuple[Array, Array] | None = None
    feature_names: list[str] | None = None


def _task_of_network(net: Network, declared: Any) -> str:
    last = net.layers[-1].activation.name
    if declared in ("regression", "poisson") or last not in ("sigmoid", "softmax"):
        return "regression"
    if declared == "multilabel" or (last == "sigmoid" and net.n_outputs > 1):
        return "multilabel"
    return "classification"


def _from_model(model: Any) -> Exported:
    """A ``glassnet.Model``: its preprocessing, task, classes and target scaling."""
    net: Network = model.network
    task = _task_of_network(net, getattr(model, "task", None))
    classes = getattr(model, "classes", None)
    if task == "classification" and classes is None:
        classes = list(range(max(2, net.n_outputs)))
    elif task == "multilabel":
        classes = list(range(net.n_outputs))
    preprocessor = getattr(model, "preprocessor", None)
    config = preprocessor.get_config() if preprocessor is not None else None
    mean, scale = getattr(model, "target_mean", None), getattr(model, "target_scale", None)
    target = None
    if task == "regression" and (mean is not None or scale is not None):
        # Model.decode applies each one that is set: outputs · scale + mean
        target = (
            np.asarray(0.0 if mean is None else mean, np.float64),
            np.asarray(1.0 if scale is None else scale, np.float64),
        )
    names: list[str] | None
    if config:
        names = [c["name"] for c in config["columns"] if c["role"] != "ignored"]
    else:  # a model that stores only its column names (an estimator fitted on a DataFrame)
        names = getattr(model, "feature_names_in_", None)
    return Exported(
        net,
        task,
        None if classes is None else list(classes),
        preprocessing=config,
        target=target,
        feature_names=names,
    )


def exported(model: Any) -> Exported:
    """What ``to_onnx`` builds from ``model``: a ``Model``, a ``Network`` or a fitted
    ``GlassClassifier`` / ``GlassRegressor`` (through its ``to_model()``).

    Raises
    ------
    TypeError : ``model`` is none of those.
    ValueError : an estimator that is not fitted.
    """
    if isinstance(model, Network):
        from glassnet.model import Model

        # a bare network: no preprocessing, class indices, the task its output layer implies
        return _from_model(Model(model, task=_task_of_network(model, None)))
    if isinstance(getattr(model, "network", None), Network):
        return _from_model(model)
    from glassnet.serialization import network_of

    network_of(model, "export")  # neither kind, or an estimator not fitted yet: say so
    return _from_model(model.to_model())


# ----- the graph under construction ----------------------------------------------------------
class _Graph:
    """Nodes and constants of one ONNX graph, with a unique name for every tensor."""

    def __init__(self, onnx: Any, reserved: Sequence[str]) -> None:
        self.onnx = onnx
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.used = set(reserved)

    def name(self, wanted: str) -> str:
        """``wanted``, or ``wanted_2`` … when an input or another tensor already has it."""
        name, n = wanted, 1
        while name in self.used:
            n += 1
            name = f"{wanted}_{n}"
        self.used.add(name)
        return name

    def node(self, op: str, inputs: Sequence[str], output: str, **attributes: Any) -> str:
        """Add one ``op`` node; return its (unique) output name."""
        out = self.name(output)
        domain = "ai.onnx.ml" if op == "LabelEncoder" else ""
        self.nodes.append(
            self.onnx.helper.make_node(op, list(inputs), [out], domain=domain, **attributes)
        )
        return out

    def output(self, op: str, inputs: Sequence[str], output: str, **attributes: Any) -> str:
        """Add a node writing the graph output ``output`` (a name kept for it)."""
        self.nodes.append(self.onnx.helper.make_node(op, list(inputs), [output], **attributes))
        return output

    def tensor(self, wanted: str, values: Array) -> str:
        """Store ``values`` as they are (any dtype) as a constant."""
        name = self.name(wanted)
        self.initializers.append(self.onnx.numpy_helper.from_array(values, name))
        return name

    def floats(self, wanted: str, values: Any, what: str = "a constant", fix: str = "") -> str:
        """Store ``values`` as a float32 constant; ``what`` names them in the error raised
        when float32 cannot hold them, ``fix`` ("; ...") says what to do."""
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
        return self.tensor(wanted, exact.astype(np.float32))


_RESCALE = "; divide those columns by a power of ten and train again"


def _standardize(graph: _Graph, x: str, mean: Any, scale: Any, what: str) -> str:
    """``(x − mean) / scale`` in float32; a scale float32 rounds to 0 is refused."""
    scale = np.asarray(scale, dtype=np.float64)
    mean_name = graph.floats(f"{what}_mean", mean, f"the {what}'s mean", _RESCALE)
    scale_name = graph.floats(f"{what}_scale", scale, f"the {what}'s scale", _RESCALE)
    vanishing = ~(scale.astype(np.float32) > 0)  # float32 rounds a tiny scale to 0
    if vanishing.any():
        raise ValueError(
            f"cannot export: the {what}'s scale holds {float(scale[vanishing].flat[0])!r}, "
            f"which float32 (the ONNX file's number type) rounds to 0 or below{_RESCALE}"
        )
    centred = graph.node("Sub", [x, mean_name], f"{what}_centred")
    return graph.node("Div", [centred, scale_name], f"{what}_scaled")


# ----- step 1: the inputs and the preprocessing ----------------------------------------------
def _one_input_per_column(config: dict[str, Any] | None) -> bool:
    """Whether the preprocessing needs raw columns as they come (text, or an indicator)."""
    return bool(config) and any(
        c["role"] == "categorical" or (c["role"] == "numeric" and c["missing_indicator"])
        for c in config["columns"]  # type: ignore[index]
    )


def _numeric_column(graph: _Graph, x: str, column: dict[str, Any]) -> list[str]:
    """A numeric column's encoded inputs: the standardized value (the median when missing),
    then its 0/1 missing indicator when the model has one."""
    name = column["name"]
    missing = graph.node("IsNaN", [x], f"{name} is missing")
    median = graph.floats(f"{name} median", [column["median"]], f"column {name!r}'s median")
    filled = graph.node("Where", [missing, median, x], f"{name} filled")
    pieces = [_standardize(graph, filled, [column["mean"]], [column["scale"]], name)]
    if column["missing_indicator"]:
        float_type = graph.onnx.TensorProto.FLOAT
        pieces.append(graph.node("Cast", [missing], f"{name} (missing)", to=float_type))
    return pieces


def _categorical_column(graph: _Graph, x: str, column: dict[str, Any], na: list[str]) -> str:
    """A categorical column's one-hot inputs, [N, len(categories)] float32.

    A LabelEncoder gives each cell its category's position: a known level its own; a
    missing marker that of "(missing)" (or -1: no category); any other text that of
    "(other)" (or -1). ``Equal`` with the positions 0..C−1 makes the one-hot rows.
    """
    categories: list[str] = column["categories"]
    position = {level: i for i, level in enumerate(categories) if level not in (_MISSING, _OTHER)}
    when_missing = categories.index(_MISSING) if _MISSING in categories else -1
    for marker in ["", *na]:
        position.setdefault(marker, when_missing)
    name = column["name"]
    codes = graph.node(
        "LabelEncoder",
        [x],
        f"{name} position",
        keys_strings=list(position),
        values_int64s=list(position.values()),
        default_int64=categories.index(_OTHER) if _OTHER in categories else -1,
    )
    positions = graph.tensor(f"{name} positions", np.arange(len(categories), dtype=np.int64))
    hot = graph.node("Equal", [codes, positions], f"{name} one-hot")
    return graph.node("Cast", [hot], f"{name} encoded", to=graph.onnx.TensorProto.FLOAT)


def _column_inputs(graph: _Graph, config: dict[str, Any]) -> tuple[list[Any], str]:
    """One graph input per used raw column and the encoded [N, n_encoded] matrix."""
    helper, proto = graph.onnx.helper, graph.onnx.TensorProto
    inputs, pieces = [], []
    na = [str(v) for v in config.get("na_values", [])]
    for column in config["columns"]:
        if column["role"] == "ignored":
            continue
        numeric = column["role"] == "numeric"
        x = column["name"]
        inputs.append(
            helper.make_tensor_value_info(x, proto.FLOAT if numeric else proto.STRING, ["N", 1])
        )
        if numeric:
            pieces += _numeric_column(graph, x, column)
        else:
            pieces.append(_categorical_column(graph, x, column, na))
    return inputs, graph.node("Concat", pieces, "encoded", axis=1)


def _matrix_input(graph: _Graph, spec: Exported) -> tuple[list[Any], str]:
    """The one float32 input "X" and the network's inputs made from it: filled and
    standardized (a numeric-only Preprocessor), or as they come (no preprocessing)."""
    config, net = spec.preprocessing, spec.network
    width = len(spec.feature_names) if config and spec.feature_names else net.n_inputs
    inputs = [
        graph.onnx.helper.make_tensor_value_info("X", graph.onnx.TensorProto.FLOAT, ["N", width])
    ]
    if config:
        columns = [c for c in config["columns"] if c["role"] == "numeric"]
        missing = graph.node("IsNaN", ["X"], "missing")
        medians = graph.floats("medians", [c["median"] for c in columns], "a column's median")
        filled = graph.node("Where", [missing, medians, "X"], "filled")
        means, scales = [c["mean"] for c in columns], [c["scale"] for c in columns]
        return inputs, _standardize(graph, filled, means, scales, "scaler")
    return inputs, "X"


def _check_input_names(spec: Exported) -> None:
    """Refuse a column named like an output: ONNX names each tensor once."""
    taken = [n for n in spec.feature_names or () if n in OUTPUT_NAMES]
    if taken and _one_input_per_column(spec.preprocessing):
        raise ValueError(
            f"cannot export: the column {taken[0]!r} has the name of an ONNX output "
            f"({', '.join(OUTPUT_NAMES)}); rename the column and train again"
        )


# ----- step 2: the network -------------------------------------------------------------------
_RETRAIN = "; train the network again (scaled inputs, a smaller learning rate, more alpha)"


def _layers(graph: _Graph, net: Network, x: str) -> str:
    """One Gemm and one activation node per layer; returns the output activations."""
    current = x
    for i, layer in enumerate(net.layers):
        weights = graph.floats(f"layer{i}_weights", layer.weights, f"layer {i}'s weights", _RETRAIN)
        bias = graph.floats(f"layer{i}_bias", layer.bias, f"layer {i}'s bias", _RETRAIN)
        z = graph.node("Gemm", [current, weights, bias], f"layer{i}_z")
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
        current = graph.node(_ACTIVATION_NODES[activation], [z], f"layer{i}_a", **attributes)
    return current


# ----- step 3: the outputs -------------------------------------------------------------------
def _label_tensor(graph: _Graph, classes: list[Any]) -> str:
    """The class labels as one constant: bool, int64 (uint64 from 2^63), float64, or text.

    Raises ValueError for integer labels no 64-bit integer holds.
    """
    kinds = {type(c) for c in classes}
    if all(issubclass(k, (bool, np.bool_)) for k in kinds):  # False/True, as predict gives
        return graph.tensor("classes", np.array(classes, dtype=bool))
    integral = all(
        isinstance(c, (int, np.integer, bool, np.bool_))
        or (isinstance(c, (float, np.floating)) and float(c).is_integer())
        for c in classes
    )
    if integral:
        whole = [int(c) for c in classes]
        if min(whole) >= -(2**63) and max(whole) < 2**63:
            return graph.tensor("classes", np.array(whole, dtype=np.int64))
        if min(whole) >= 0 and max(whole) < 2**64:
            return graph.tensor("classes", np.array(whole, dtype=np.uint64))
        raise ValueError(
            f"cannot export: the class labels run from {min(whole)} to {max(whole)}, more "
            "than int64 or uint64 (ONNX's integer labels) holds; train on text labels instead"
        )
    if all(issubclass(k, (float, np.floating, int, np.integer)) for k in kinds):
        return graph.tensor("classes", np.array(classes, dtype=np.float64))
    return graph.tensor("classes", np.array([str(c) for c in classes], dtype=object))


def _regression_outputs(graph: _Graph, spec: Exported, current: str) -> list[Any]:
    """ "variable": the outputs in the target's own units."""
    if spec.target is None:
        graph.output("Identity", [current], "variable")
    else:
        mean, scale = spec.target
        scaled = graph.floats("target_scale", scale, "the target's scale")
        unscaled = graph.node("Mul", [current, scaled], "unscaled")
        shift = graph.floats("target_mean", mean, "the target's mean")
        graph.output("Add", [unscaled, shift], "variable")
    float_type = graph.onnx.TensorProto.FLOAT
    n = spec.network.n_outputs
    return [graph.onnx.helper.make_tensor_value_info("variable", float_type, ["N", n])]


def _multilabel_outputs(graph: _Graph, spec: Exported, current: str) -> list[Any]:
    """ "probabilities" and "label": each label 1 at p >= 0.5, as predicted_classes says."""
    proto, n = graph.onnx.TensorProto, spec.network.n_outputs
    graph.output("Identity", [current], "probabilities")
    positive = graph.node(
        "GreaterOrEqual", ["probabilities", graph.floats("half", 0.5)], "positive"
    )
    graph.output("Cast", [positive], "label", to=proto.INT64)
    return [
        graph.onnx.helper.make_tensor_value_info("label", proto.INT64, ["N", n]),
        graph.onnx.helper.make_tensor_value_info("probabilities", proto.FLOAT, ["N", n]),
    ]


def _classifier_outputs(graph: _Graph, spec: Exported, current: str) -> list[Any]:
    """ "label" (from the classes) and "probabilities", following predicted_classes."""
    classes, net = spec.classes, spec.network
    assert classes is not None
    if len(classes) != max(2, net.n_outputs):
        raise ValueError(
            f"the model lists {len(classes)} classes but has {net.n_outputs} outputs; "
            "give the Model one class label per class"
        )
    proto = graph.onnx.TensorProto
    if net.n_outputs == 1:
        # one sigmoid output p is the probability of the second class: [1 − p, p]; the
        # second class at p >= 0.5 (an ArgMax over [1 − p, p] would say the first at 0.5)
        negative = graph.node("Sub", [graph.floats("one", 1.0), current], "negative")
        graph.output("Concat", [negative, current], "probabilities", axis=1)
        second = graph.node("GreaterOrEqual", [current, graph.floats("half", 0.5)], "second")
        index = graph.node("Cast", [second], "second_index", to=proto.INT64)
        flat = graph.tensor("flat", np.array([-1], np.int64))
        chosen = graph.node("Reshape", [index, flat], "class_index")
    else:
        graph.output("Identity", [current], "probabilities")
        # the largest probability, the first one on a tie (select_last_index=0)
        chosen = graph.node(
            "ArgMax", ["probabilities"], "class_index", axis=1, keepdims=0, select_last_index=0
        )
    labels = _label_tensor(graph, classes)
    label_type = graph.initializers[-1].data_type  # the constant _label_tensor just stored
    graph.output("Gather", [labels, chosen], "label", axis=0)
    return [
        graph.onnx.helper.make_tensor_value_info("label", label_type, ["N"]),
        graph.onnx.helper.make_tensor_value_info("probabilities", proto.FLOAT, ["N", len(classes)]),
    ]


def _outputs(graph: _Graph, spec: Exported, current: str) -> list[Any]:
    if spec.task == "regression":
        return _regression_outputs(graph, spec, current)
    if spec.task == "multilabel":
        return _multilabel_outputs(graph, spec, current)
    return _classifier_outputs(graph, spec, current)


def to_onnx(model: Any, *, opset: int = DEFAULT_OPSET, name: str = "glassnet") -> Any:
    """Build the ONNX model (an ``onnx.ModelProto``) of a model, network or fitted estimator.

    The steps: the inputs and the preprocessing (``_column_inputs`` or ``_matrix_input``),
    the network (``_layers``), the outputs (``_outputs``). See the module's description for
    the graph's inputs and outputs.

    Parameters
    ----------
    model : a ``glassnet.Model``, a ``glassnet.Network`` or a fitted ``GlassClassifier`` /
        ``GlassRegressor``.
    opset : the ONNX opset to write, 13 to 21 (default 17).
    name : the graph's name.
    """
    onnx = _require_onnx()
    helper = onnx.helper
    if opset not in SUPPORTED_OPSETS:
        raise ValueError(
            f"opset must be between {SUPPORTED_OPSETS[0]} and {SUPPORTED_OPSETS[-1]}; got {opset!r}"
        )
    spec = exported(model)
    _check_input_names(spec)
    per_column = _one_input_per_column(spec.preprocessing)
    reserved = [*OUTPUT_NAMES, *(spec.feature_names or () if per_column else ("X",))]
    graph = _Graph(onnx, reserved)
    if per_column:
        assert spec.preprocessing is not None
        inputs, encoded = _column_inputs(graph, spec.preprocessing)
    else:
        inputs, encoded = _matrix_input(graph, spec)
    outputs = _outputs(graph, spec, _layers(graph, spec.network, encoded))
    opsets = [helper.make_opsetid("", opset)]
    if per_column:
        opsets.append(helper.make_opsetid("ai.onnx.ml", _ML_OPSET))
    model_proto = helper.make_model(
        helper.make_graph(graph.nodes, name, inputs, outputs, graph.initializers),
        opset_imports=opsets,
        ir_version=_IR_VERSION[opset],
        producer_name="glassnet",
        producer_version=__version__,
        doc_string=f"glassnet network exported to ONNX: {spec.network!r}",
    )
    properties = {}
    if spec.feature_names:
        properties["feature_names"] = ",".join(spec.feature_names)
        # the same as a JSON list: a name may hold a comma
        properties["feature_names_json"] = json.dumps(spec.feature_names, ensure_ascii=False)
    if spec.feature_names and spec.classes:
        properties["classes"] = ",".join(map(str, spec.classes))
    if spec.preprocessing:  # for feeds: the model's markers, checks and level matching
        properties["preprocessing_json"] = json.dumps(spec.preprocessing, ensure_ascii=False)
    if properties:
        helper.set_model_props(model_proto, properties)
    onnx.checker.check_model(model_proto)
    return model_proto


def export(model: Any, path: str | os.PathLike[str], *, opset: int = DEFAULT_OPSET) -> Any:
    """Write ``model`` (a ``Model``, ``Network`` or fitted estimator) to ``path`` as ONNX.

    The file is written to a temporary name in the same folder and renamed into place, so
    ``path`` never holds half a file. See the module's description for what the file holds.

    Parameters
    ----------
    model : a ``glassnet.Model``, a ``glassnet.Network`` or a fitted ``GlassClassifier`` /
        ``GlassRegressor``.
    path : the ``.onnx`` file to write.
    opset : the ONNX opset, 13 to 21 (default 17).

    Returns
    -------
    The ``onnx.ModelProto`` written (its ``graph.input`` and ``graph.output`` name the
    inputs and outputs).

    Raises
    ------
    ImportError : the onnx package is missing (``pip install 'glassnet[onnx]'``).
    TypeError : ``model`` is none of those.
    ValueError : the model cannot be exported (not fitted; classes that do not fit the
        outputs; a value float32 cannot hold; a label no 64-bit integer holds), or the
        folder does not exist.
    """
    from glassnet.serialization import check_writable, write_atomically

    check_writable(path)
    model_proto = to_onnx(model, opset=opset)
    write_atomically(path, model_proto.SerializeToString())
    return model_proto


def feeds(model_proto: Any, data: Any) -> dict[str, Array]:
    """The inputs of an exported file for ``data``: ``{"X": float32 matrix}`` for a file
    with one input (from the matrix, or from a table: a path, a dict of columns or a
    DataFrame, whose columns it names are taken), or one ``[N, 1]`` array per raw column
    (float32 for numbers, with NaN for a missing cell; text for categories, with "" for a
    missing cell) from a table. A table is read as the model reads it (its missing
    markers; pandas' NA, nullable and category columns; text stripped; true/false among
    numbers as 1/0), and what ``predict`` refuses is refused."""
    import polars as pl

    from glassnet.preprocessing import Preprocessor, as_frame, category_text, level_codes

    proto = _require_onnx().TensorProto
    names = [value.name for value in model_proto.graph.input]
    table = (
        isinstance(data, (str, os.PathLike)) or hasattr(data, "keys") or hasattr(data, "columns")
    )
    if names == ["X"] and not table:
        return {"X": np.asarray(data, dtype=np.float32)}
    properties = {p.key: p.value for p in model_proto.metadata_props}
    columns: dict[str, Any] = {}
    if "preprocessing_json" in properties:
        pre = Preprocessor.from_config(json.loads(properties["preprocessing_json"]))
        frame = as_frame(data, na_values=pre.na_values, text_columns=pre.text_columns)
        pre.transform(frame)  # refuses what predict refuses: a word or NaN among numbers
        columns = {c["name"]: c for c in pre.columns_}
    else:
        frame = as_frame(data)
    if names == ["X"]:  # its model's columns, by name
        X = np.column_stack([_numbers(frame[name]) for name in _x_columns(model_proto, frame)])
        if not columns and np.isnan(X).any():  # nothing in the file fills a missing cell
            raise ValueError(
                "the model stores no preprocessing, so every column must be numbers with no "
                "missing cells"
            )
        return {"X": X}
    # each category cell as the text the model compares: booleans true/false, floats as
    # polars writes them, whole ones without ".0"
    result = {}
    for value in model_proto.graph.input:
        series = frame[value.name]
        if value.type.tensor_type.elem_type == proto.STRING:
            text = category_text(series)
            if value.name in columns:  # a level written otherwise ("5.0" for 5): the level
                levels = pl.Series(columns[value.name]["categories"])
                codes = level_codes(columns[value.name], series)
                known = codes.to_numpy() >= 0
                text = text.scatter(np.flatnonzero(known), levels.gather(codes.filter(known)))
            result[value.name] = np.array(text.fill_null("").to_list(), dtype=object)[:, None]
        else:
            result[value.name] = _numbers(series)[:, None]
    return result


def _numbers(series: Any) -> Array:
    """A numeric column's cells as float32: true/false as 1/0, as predict reads them; a
    missing cell, or a typo word read as missing, NaN."""
    import polars as pl

    from glassnet.preprocessing import booleans_as_numbers

    if series.dtype == pl.String:
        series = series.to_frame().select(booleans_as_numbers(series.name)).to_series()
    values: Array = series.cast(pl.Float64, strict=False).to_numpy().astype(np.float32)
    return values


def _x_columns(model_proto: Any, frame: Any) -> list[str]:
    """The columns a one-input file's X is made of (its "feature_names"), which ``frame``
    must have."""
    properties = {p.key: p.value for p in model_proto.metadata_props}
    width = model_proto.graph.input[0].type.tensor_type.shape.dim[1].dim_value
    if "feature_names_json" in properties:
        wanted = json.loads(properties["feature_names_json"])
    else:  # a file of an earlier glassnet: the names joined by commas
        wanted = properties.get("feature_names", "").split(",")
    if len(wanted) != width:
        raise ValueError(
            f"this file's input X takes {width} numbers per row and does not name its "
            "columns; give the matrix X itself"
        )
    lacking = [name for name in wanted if name not in frame.columns]
    if lacking:
        raise ValueError(f"the table lacks the column(s) {', '.join(lacking)} that X is made of")
    return list(wanted)


def run(path: str | os.PathLike[str], data: Any) -> dict[str, Array]:
    """Run an exported file with onnxruntime: ``{output name: array}`` for ``data``.

    ``data`` is the float matrix X for a file with one input "X", or a table (a path, a
    dict of columns, a pandas or polars DataFrame) read as ``feeds`` says.
    """
    try:
        import onnxruntime
    except ImportError as error:
        raise ImportError(
            f"running ONNX files needs onnxruntime ({error}); install it with: "
            "pip install 'glassnet[onnx]'"
        ) from error
    onnx = _require_onnx()
    model_proto = onnx.load(os.fspath(path))
    session = onnxruntime.InferenceSession(
        model_proto.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [output.name for output in session.get_outputs()]
    values = session.run(names, feeds(model_proto, data))
    return dict(zip(names, values, strict=True))
