"""What a picture is drawn from: a ``Network``, a ``Model`` or a fitted estimator, as one shape.

Every figure takes any of the three. ``subject_of`` reads, once, what the pictures need: the
network, the names of its inputs (the encoded names, such as ``island=Biscoe``, when a
``Model`` holds a ``Preprocessor``), the raw columns, the class labels, the target's name and
the step from raw rows to the network's inputs (a ``Model``'s preprocessing; a bare
``Network`` takes the rows as given, whatever its ``metadata`` holds). The figures never look
inside a source themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet._types import Array
from glassnet.network import Network
from glassnet.plot.style import label


@dataclass(frozen=True)
class Subject:
    """The network a picture shows and what it knows about its data.

    Attributes
    ----------
    network : the network drawn.
    inputs : the name of each network input (length ``network.n_inputs``), or None.
    columns : the raw columns a row holds (a boundary's two axes), or None.
    classes : the class labels in output order (e.g. ``[3, 7]``), or None.
    target : the target column's name, or None.
    encode : raw rows ``(n, len(columns))`` → the network's inputs ``(n, n_inputs)``.
    categorical : the raw columns that hold categories (text), which no axis can show.
    """

    network: Network
    inputs: list[str] | None
    columns: list[str] | None
    classes: list[Any] | None
    target: str | None
    encode: Callable[[Array], Array]
    categorical: tuple[str, ...] = ()


def _names(values: Any) -> list[str] | None:
    return None if values is None else [str(v) for v in values]


def _raw(X: Array) -> Array:
    """A bare network's inputs are the rows as given: preprocessing lives in a ``Model``."""
    return X


def _of_network(net: Network) -> Subject:
    """A bare ``Network``: raw rows in; its metadata's names, if any, label the picture."""
    meta: dict[str, Any] = getattr(net, "metadata", None) or {}
    features = _names(meta.get("feature_names"))
    classes = meta.get("classes")
    return Subject(
        net,
        features,
        features,
        None if classes is None else list(classes),
        meta.get("target_name"),
        _raw,
    )


def _of_model(model: Any) -> Subject:
    """A ``Model``: its Preprocessor's names; for a model without one (a bare network
    wrapped), the names its network's metadata keeps."""
    net = model.network
    meta: dict[str, Any] = getattr(net, "metadata", None) or {}
    preprocessor = getattr(model, "preprocessor", None)
    categorical: tuple[str, ...] = ()
    if preprocessor is not None:
        inputs, columns = _names(model.feature_names_out_), _names(preprocessor.feature_names_in_)
        roles = preprocessor.get_config()["columns"]
        categorical = tuple(c["name"] for c in roles if c["role"] == "categorical")
    else:
        inputs = columns = _names(meta.get("feature_names"))
    target = getattr(model, "target", None) or meta.get("target_name")
    classes = getattr(model, "classes", None) or meta.get("classes")
    return Subject(
        net,
        inputs,
        columns,
        None if classes is None else list(classes),
        None if target is None else str(target),
        model.transform,
        categorical,
    )


def subject_of(source: Any) -> Subject:
    """The ``Subject`` of a ``Network``, a ``Model`` or a fitted estimator.

    Raises
    ------
    TypeError : ``source`` is none of those.
    ValueError : an estimator that is not fitted yet.
    """
    if isinstance(source, Subject):
        return source
    if isinstance(source, Network):
        return _of_network(source)
    if isinstance(getattr(source, "network", None), Network) and hasattr(source, "transform"):
        return _of_model(source)
    if hasattr(source, "to_model"):
        from glassnet.serialization import network_of

        network_of(source, "plot")  # an estimator not fitted yet: say so, and how
        return _of_model(source.to_model())
    raise TypeError(
        f"cannot draw a {type(source).__name__}; give a glassnet Network, a glassnet Model "
        "(glassnet.load) or a fitted GlassClassifier / GlassRegressor"
    )


def n_classes(subject: Subject) -> int:
    """How many classes a classifier's outputs stand for (one sigmoid output: two)."""
    return 2 if subject.network.n_outputs == 1 else subject.network.n_outputs


def _named(given: Sequence[Any] | None, fallback: list[str]) -> list[str]:
    if given is None or len(given) != len(fallback):
        return fallback
    return [label(name, default) for name, default in zip(given, fallback, strict=True)]


def input_names(subject: Subject, names: Sequence[str] | None = None) -> list[str]:
    """The name of each network input: ``names``, the subject's, or x1, x2, …"""
    fallback = [f"x{i + 1}" for i in range(subject.network.n_inputs)]
    return _named(names if names is not None else subject.inputs, fallback)


def column_names(subject: Subject, names: Sequence[str] | None = None) -> list[str]:
    """The name of each raw column (a boundary's axes): ``names``, the subject's, or x1, …"""
    columns = subject.columns if subject.columns is not None else subject.inputs
    width = len(columns) if columns is not None else subject.network.n_inputs
    return _named(names if names is not None else columns, [f"x{i + 1}" for i in range(width)])


def class_names(subject: Subject, names: Sequence[Any] | None = None) -> list[str]:
    """The label of each class, as text: ``names``, the subject's classes, or 0, 1, …"""
    fallback = [str(k) for k in range(n_classes(subject))]
    return _named(names if names is not None else subject.classes, fallback)


def target_name(subject: Subject) -> str:
    """The target column's name, or "y"."""
    return label(subject.target or "y", "y")


def output_names(subject: Subject, names: Sequence[str] | None = None) -> list[str]:
    """The name of each network output: a class, ``P(target = class)`` or the target."""
    net = subject.network
    if names is not None:
        return [label(n, f"y{j + 1}") for j, n in enumerate(names)]
    target = target_name(subject)
    last = net.layers[-1].activation.name
    if last == "softmax":
        return class_names(subject)
    if last == "sigmoid" and net.n_outputs == 1:
        return [f"P({target} = {class_names(subject)[1]})"]
    if net.n_outputs == 1:
        return [target]
    return [f"{target} {j + 1}" for j in range(net.n_outputs)]


def _label_indices(classes: list[Any], values: Array) -> Array | None:
    """The index of each value in ``classes`` when every value is one of them, else None."""
    try:
        position = {c: i for i, c in enumerate(classes)}
        found = [position.get(v) for v in values.tolist()]
    except TypeError:  # an unhashable value: not a label
        return None
    if any(i is None for i in found):
        return None
    return np.array(found, dtype=np.int64)


def class_indices(source: Any, y: Any) -> Array:
    """The class index of each sample from ``y``: class labels (such as 3 and 7, when the
    model knows its classes), class indices, 0/1 or one-hot rows."""
    subject = subject_of(source)
    given = np.asarray(y)
    k = n_classes(subject)
    if given.ndim == 2 and given.shape[1] > 1:
        hot: Array = given.argmax(axis=1).astype(np.int64)
        return hot
    flat = given.reshape(-1)
    if subject.classes is not None and len(subject.classes) == k:
        by_label = _label_indices(subject.classes, flat)
        if by_label is not None:
            return by_label
    if flat.dtype.kind not in "biuf":
        raise ValueError(
            f"y holds {flat[0]!r}, which is not one of the classes {subject.classes}; pass "
            "class labels, class indices, 0/1 or one-hot rows"
        )
    labels: Array = np.rint(flat).astype(np.int64)
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(
            f"y holds class {int(labels.max())} but the network has {k} classes (0..{k - 1}); "
            "pass class labels, class indices, 0/1 or one-hot rows"
        )
    return labels


def check_boundary_model(source: Any) -> None:
    """Raise ValueError unless ``source`` is a classifier of two raw columns (a boundary can
    show); a ``Model`` whose two numeric columns become more inputs (a missing indicator)
    passes."""
    subject = subject_of(source)
    net = subject.network
    width = len(subject.columns) if subject.columns is not None else net.n_inputs
    if width != 2:
        raise ValueError(
            f"a decision boundary needs a model with 2 input features; this one has "
            f"{width} — train on two columns (e.g. --ignore the others)"
        )
    if subject.categorical:
        raise ValueError(
            f"a decision boundary needs 2 numeric features; {subject.categorical[0]!r} holds "
            "categories, which no axis can show — train on two numeric columns"
        )
    if not net.is_classifier:
        raise ValueError(
            "a decision boundary needs a classifier (one sigmoid output or softmax outputs); "
            f"this model's output is {net.layers[-1].activation.name} × {net.n_outputs}"
        )
