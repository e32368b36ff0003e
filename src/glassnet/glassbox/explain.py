"""``explain``: one input's path through the network, neuron by neuron, term by term.

For every neuron of every layer: each input times its weight (``w_i·x_i``), the bias, their
sum ``z``, the activation ``a``; at the end the outputs and, for a classifier, the verdict.
For the article's trained network and the student who passed everything (1, 1, 1)::

    z = 3.406·1 + (−2.671)·1 + 5.691·1 + (−0.065) = 6.36,  a = sigmoid(z) = 0.99827
    → finds a job
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet.network import Network


@dataclass
class Term:
    """One input's share of a neuron's ``z``: ``product = weight · x``."""

    input: str
    x: float
    weight: float
    product: float

    def to_dict(self) -> dict[str, Any]:
        """``{"input", "x", "weight", "product"}``."""
        return {"input": self.input, "x": self.x, "weight": self.weight, "product": self.product}


@dataclass
class NeuronPath:
    """One neuron: ``z = Σ terms + bias`` (as the network computed it) and ``a``."""

    neuron: int
    terms: list[Term]
    bias: float
    z: float
    a: float

    def to_dict(self) -> dict[str, Any]:
        """``{"neuron", "terms": [...], "bias", "z", "a"}``."""
        return {
            "neuron": self.neuron,
            "terms": [term.to_dict() for term in self.terms],
            "bias": self.bias,
            "z": self.z,
            "a": self.a,
        }


@dataclass
class LayerPath:
    """One layer (``layer`` counts from 1) and its neurons."""

    layer: int
    activation: str
    neurons: list[NeuronPath]

    def to_dict(self) -> dict[str, Any]:
        """``{"layer", "activation", "neurons": [...]}``."""
        return {
            "layer": self.layer,
            "activation": self.activation,
            "neurons": [neuron.to_dict() for neuron in self.neurons],
        }


@dataclass
class Explanation:
    """The whole path: the input, every layer, the outputs and the verdict.

    ``prediction`` is the class index for a classifier (one sigmoid output: output >= 0.5;
    softmax: the largest output), None for a regression; ``verdict`` is that class's name.
    ``answer`` is what the model answers for this row, as ``Model.predict`` does: the class
    label itself (``7`` for labels [3, 7]) or, for a regression, the value in the target's
    units; for a bare network, the class label or None.
    """

    inputs: list[float]
    feature_names: list[str]
    layers: list[LayerPath]
    outputs: list[float]
    prediction: int | None
    verdict: str | None
    answer: Any = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "inputs": self.inputs,
            "feature_names": self.feature_names,
            "layers": [layer.to_dict() for layer in self.layers],
            "outputs": self.outputs,
            "prediction": self.prediction,
            "verdict": self.verdict,
            "answer": self.answer,
        }


def _classify(
    net: Network, outputs: list[float], classes: Sequence[Any] | None
) -> tuple[int | None, str | None, Any]:
    activation = net.layers[-1].activation.name
    if activation == "sigmoid" and len(outputs) == 1:
        index = int(outputs[0] >= 0.5)
        n_classes = 2
    elif activation == "softmax":
        index = int(np.argmax(outputs))
        n_classes = len(outputs)
    else:
        return None, None, None
    if classes is None:
        return index, f"class {index}", index
    if len(classes) != n_classes:
        raise ValueError(
            f"classes names {len(classes)} classes but the network's output has {n_classes}"
        )
    return index, str(classes[index]), classes[index]


def explain(
    model: Any,
    x: Any,
    *,
    feature_names: Sequence[str] | None = None,
    classes: Sequence[Any] | None = None,
) -> Explanation:
    """Follow one input ``x`` through the network and keep every term.

    Parameters
    ----------
    model : a ``Network``; or a ``glassnet.Model`` or a fitted ``GlassClassifier`` /
        ``GlassRegressor``, whose preprocessing, class labels and target scaling are used.
    x : one sample. For a Network, as the network takes it: (n_inputs,) numbers, already
        scaled. For a Model or an estimator, one raw row: a dict of column → value, or the
        values of the model's raw columns in order (``feature_names_in_``); it is encoded as
        ``model.predict`` encodes it, and the inputs are named as the encoding names them
        (``island=Biscoe``).
    feature_names : names of the network's inputs; default the model's encoded names, or
        ``net.metadata["feature_names"]``, else x1, x2, ...  Hidden neurons are named
        ``h1[0]`` (layer 1, neuron 0) and so on.
    classes : names of the classes, index 0 first (for one sigmoid output: the name for
        output < 0.5, then for >= 0.5); default the model's labels, or
        ``net.metadata["classes"]``, else "class 0", "class 1", ...

    Returns
    -------
    Explanation : per layer, per neuron, the terms ``w_i·x_i``, bias, ``z``, ``a``; the
    outputs, the predicted class, its name and the model's answer.
    """
    from glassnet.model import Model

    if hasattr(model, "to_model") and not isinstance(model, (Model, Network)):
        model = model.to_model()
    if isinstance(model, Model):
        row = _one_row(model, x)
        model.outputs(row)  # refuses what predict refuses: an input or output past float64
        sample = model.transform(row)[0]
        if feature_names is None and model.preprocessor is not None:
            feature_names = model.feature_names_out_
        explained = _explain(
            model.network,
            sample,
            feature_names,
            model.classes if classes is None else classes,
        )
        answer = model.decode(np.asarray([explained.outputs]))[0]
        explained.answer = answer.tolist() if isinstance(answer, np.ndarray) else answer
        if isinstance(explained.answer, np.generic):
            explained.answer = explained.answer.item()
        return explained
    if not isinstance(model, Network):
        raise TypeError(
            "explain needs a Network, a glassnet Model or a fitted GlassClassifier/"
            f"GlassRegressor; got {type(model).__name__}"
        )
    return _explain(model, x, feature_names, classes)


def _one_row(model: Any, x: Any) -> Any:
    """One raw row as ``Model.transform`` takes rows: a dict of one-item columns, or a
    (1, n) array of numbers for a model without preprocessing."""
    if isinstance(x, dict):
        return {name: [value] for name, value in x.items()}
    if model.preprocessor is None:
        row = np.asarray(x, dtype=np.float64)
        return row.reshape(1, -1) if row.ndim == 1 else row
    names = model.feature_names_in_
    values = list(x[0]) if np.ndim(x) == 2 and len(x) == 1 else list(x)
    if len(values) != len(names):
        raise ValueError(
            f"the model reads {len(names)} columns ({', '.join(names)}); got {len(values)} values"
        )
    return {name: [value] for name, value in zip(names, values, strict=True)}


def _explain(
    net: Network,
    x: Any,
    feature_names: Sequence[str] | None,
    classes: Sequence[Any] | None,
) -> Explanation:
    """The path of ``x``, as the network takes it, through ``net``."""
    sample = np.asarray(x, dtype=net.dtype)
    if sample.ndim == 2 and sample.shape[0] == 1:
        sample = sample[0]
    if sample.ndim != 1:
        raise ValueError(f"explain takes one sample, shape ({net.n_inputs},); got {sample.shape}")
    if feature_names is None:
        feature_names = net.metadata.get("feature_names")
    input_names = (
        [str(n) for n in feature_names]
        if feature_names is not None
        else [f"x{i + 1}" for i in range(net.n_inputs)]
    )
    if len(input_names) != net.n_inputs:
        raise ValueError(f"{len(input_names)} feature names for a network of {net.n_inputs} inputs")
    if classes is None:
        classes = net.metadata.get("classes")
    outputs = net.feedforward(sample[None, :])[0].tolist()
    layers = []
    names = input_names
    for number, layer in enumerate(net.layers, start=1):
        assert layer.inputs is not None and layer.z is not None and layer.a is not None
        inputs, z, a = layer.inputs[0], layer.z[0], layer.a[0]
        if number > 1:
            names = [f"h{number - 1}[{j}]" for j in range(layer.n_in)]
        neurons = []
        for j in range(layer.n_out):
            weights = layer.weights[:, j]
            products = inputs * weights
            terms = [
                Term(name, float(xi), float(wi), float(pi))
                for name, xi, wi, pi in zip(names, inputs, weights, products, strict=True)
            ]
            neurons.append(NeuronPath(j, terms, float(layer.bias[j]), float(z[j]), float(a[j])))
        layers.append(LayerPath(number, layer.activation.name, neurons))
    prediction, verdict, answer = _classify(net, outputs, classes)
    return Explanation(
        inputs=[float(v) for v in sample],
        feature_names=input_names,
        layers=layers,
        outputs=outputs,
        prediction=prediction,
        verdict=verdict,
        answer=answer,
    )
