"""``glassnet.save`` / ``glassnet.load``: safetensors model files, checked and atomic."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from safetensors import safe_open
from safetensors.numpy import save_file

import glassnet
from glassnet import Dense, Network, serialization


def trained(dtype: str = "float64") -> Network:
    net = Network(
        [
            Dense(3, 4, "tanh", dropout=0.25, l2=0.01),
            Dense(4, 2, "relu"),
            Dense(2, 3, "softmax"),
        ],
        cost="categorical_crossentropy",
        seed=0,
        dtype=dtype,
    )
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = np.eye(3)[rng.integers(0, 3, 30)]
    net.metadata = {
        "feature_names": ["数学", "英語", "物理"],
        "target_name": "仕事",
        "classes": ["a", "b", "c"],
        "task": "classification",
        "scaler": {"mean": [0.0, 1.0, 2.0], "scale": [1.0, 1.0, 1.0]},
    }
    net.fit(X, y, epochs=4, batch_size=8, validation_split=0.2)
    return net


def test_round_trip_is_exact(tmp_path: Path) -> None:
    net = trained()
    path = tmp_path / "m.safetensors"
    glassnet.save(net, path)
    again = glassnet.load(path)
    assert [repr(layer) for layer in again.layers] == [repr(layer) for layer in net.layers]
    for a, b in zip(net.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert again.cost_function.name == "categorical_crossentropy"
    assert again.metadata == net.metadata
    assert net.history is not None and again.history is not None
    assert again.history.epoch == net.history.epoch == [1, 2, 3, 4]
    assert again.history.history == net.history.history
    X = np.random.default_rng(1).normal(size=(5, 3))
    np.testing.assert_array_equal(again.feedforward(X), net.feedforward(X))


def test_float32_round_trip(tmp_path: Path) -> None:
    net = trained("float32")
    glassnet.save(net, tmp_path / "m.safetensors")
    again = glassnet.load(tmp_path / "m.safetensors")
    assert again.dtype == np.float32
    assert again.layers[0].weights.dtype == np.float32
    for a, b in zip(net.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_file_is_plain_safetensors(tmp_path: Path) -> None:
    path = tmp_path / "m.safetensors"
    net = trained()
    glassnet.save(net, path)
    with safe_open(str(path), framework="numpy") as f:
        assert sorted(f.keys()) == sorted(
            f"layer{i}.{part}" for i in range(3) for part in ("weights", "bias")
        )
        np.testing.assert_array_equal(f.get_tensor("layer1.weights"), net.layers[1].weights)
        document = json.loads(f.metadata()["glassnet"])
    assert document["format"] == "glassnet-model"
    assert document["format_version"] == serialization.FORMAT_VERSION
    assert document["glassnet_version"] == glassnet.__version__
    assert document["layers"][0] == {
        "n_in": 3, "n_out": 4, "activation": "tanh", "dropout": 0.25, "l2": 0.01,
    }  # fmt: skip
    assert document["metadata"]["classes"] == ["a", "b", "c"]
    assert serialization.read_document(path) == document
    assert b"pickle" not in path.read_bytes() and b"\x80\x04\x95" not in path.read_bytes()


def test_atomic_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.safetensors"
    path.write_bytes(b"old contents")

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        glassnet.save(trained(), path)
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["m.safetensors"]  # no temporary file left behind


def test_save_refuses_missing_folder_and_folders(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        glassnet.save(trained(), tmp_path / "no" / "m.safetensors")
    with pytest.raises(ValueError, match="is a folder"):
        glassnet.save(trained(), tmp_path)


def test_a_nan_cost_in_the_history_saves(tmp_path: Path) -> None:
    net = trained()
    assert net.history is not None
    net.history.history["cost"][-1] = float("nan")
    glassnet.save(net, tmp_path / "m.safetensors")
    again = glassnet.load(tmp_path / "m.safetensors")
    assert again.history is not None and np.isnan(again.history.cost[-1])


def craft(path: Path, document: dict | None, tensors: dict[str, np.ndarray]) -> Path:
    metadata = None if document is None else {"glassnet": json.dumps(document)}
    save_file(tensors, str(path), metadata=metadata)
    return path


def test_load_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.safetensors"
    net = trained()
    glassnet.save(net, good)
    raw = good.read_bytes()
    document = serialization.describe(net)
    tensors = {f"layer{i}.{p}": np.asarray(getattr(layer, p)) for i, layer in enumerate(net.layers)
               for p in ("weights", "bias")}  # fmt: skip
    missing = dict(tensors)
    del missing["layer2.bias"]
    wrong = dict(tensors, **{"layer1.weights": np.zeros((2, 4))})
    newer = dict(document, format_version=99)
    cases = {
        tmp_path / "none.safetensors": "no such model file",
        tmp_path: "is a folder",
        tmp_path / "short": ("not a safetensors", raw[:5]),
        tmp_path / "cut-header": ("truncated", raw[:40]),
        tmp_path / "cut-data": ("truncated", raw[:-8]),
        tmp_path / "text": ("not a safetensors", b"name,age\nann,3\n" * 10),
        tmp_path / "json": ("not a safetensors", b"\x02\x00\x00\x00\x00\x00\x00\x00[]"),
    }
    for path, expected in cases.items():
        if isinstance(expected, tuple):
            expected, content = expected
            path.write_bytes(content)
        with pytest.raises(ValueError, match=expected):
            glassnet.load(path)
    crafted = {
        "foreign": (None, tensors, "not a glassnet model"),
        "other": ({"format": "something"}, tensors, "not a glassnet model"),
        "newer": (newer, tensors, "format version 99"),
        "missing": (document, missing, "'layer2.bias' is missing"),
        "shape": (document, wrong, r"'layer1.weights' has shape \(2, 4\), but layer 1 needs"),
    }  # fmt: skip
    for name, (doc, arrays, expected) in crafted.items():
        path = craft(tmp_path / f"{name}.safetensors", doc, arrays)
        with pytest.raises(ValueError, match=expected):
            glassnet.load(path)


def _crafted(tmp_path: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    """A model file of ``trained()`` whose document and tensors ``change`` has edited."""
    net = trained()
    document = serialization.describe(net)
    tensors = {
        f"layer{i}.{part}": np.array(getattr(layer, part))
        for i, layer in enumerate(net.layers)
        for part in ("weights", "bias")
    }
    change(document, tensors)
    return craft(tmp_path / f"{name}.safetensors", document, tensors)


def _meta(key: str, value):  # type: ignore[no-untyped-def]
    return lambda document, tensors: document["metadata"].__setitem__(key, value)


CONTRADICTIONS = {
    # trained(): 3 inputs, a 3-unit softmax output, classes a, b, c
    "four-classes": (
        _meta("classes", ["a", "b", "c", "d"]),
        r"lists 4 classes but the network has 3 softmax output unit\(s\) \(2 classes need 1 "
        r"sigmoid output, k > 2 classes k softmax outputs\)",
    ),
    "two-classes": (_meta("classes", ["a", "b"]), "lists 2 classes but the network has 3"),
    "features": (_meta("feature_names", ["x", "y"]), "names 2 features but the network has 3"),
    "scaler-length": (
        _meta("scaler", {"mean": [0.0, 1.0], "scale": [1.0, 1.0]}),
        "its scaler has 2 means and 2 scales but the network has 3 inputs",
    ),
    "scaler-null": (
        _meta("scaler", {"mean": [0.0, None, 2.0], "scale": [1.0, 1.0, 1.0]}),
        "its scaler has a mean or scale that is not a finite number",
    ),
    "scaler-zero": (
        _meta("scaler", {"mean": [0.0, 1.0, 2.0], "scale": [1.0, 0.0, 1.0]}),
        "its scaler divides input 2 by 0.0; scales must be > 0",
    ),
    "scaler-shape": (_meta("scaler", [1, 2]), "its scaler must hold a list 'mean'"),
    "target-scaler": (
        _meta("target_scaler", {"mean": [float("inf")], "scale": [1.0]}),
        "its target_scaler has a mean or scale that is not a finite number",
    ),
    "nan-weights": (
        lambda document, tensors: tensors["layer1.weights"].__setitem__((0, 0), np.nan),
        r"the file has non-finite weights \(NaN or infinity in 'layer1.weights'",
    ),
    "inf-bias": (
        lambda document, tensors: tensors["layer0.bias"].__setitem__(2, -np.inf),
        r"the file has non-finite weights \(NaN or infinity in 'layer0.bias'",
    ),
}


@pytest.mark.parametrize("name", CONTRADICTIONS)
def test_load_refuses_metadata_that_contradicts_the_tensors(tmp_path: Path, name: str) -> None:
    change, message = CONTRADICTIONS[name]
    path = _crafted(tmp_path, name, change)
    with pytest.raises(ValueError) as error:
        glassnet.load(path)
    text = str(error.value)
    assert re.search(message, text), text
    assert text.startswith(f"{path}: ") and text.endswith("save the model again")
    assert "\n" not in text


@pytest.mark.parametrize(
    "name, where, value, message",
    [
        ("activation", "layers", "swish", "layer 1: unknown activation 'swish'"),
        ("cost", "cost", "hinge", "unknown cost 'hinge'"),
        ("dtype", "dtype", "int8", "dtype must be 'float32' or 'float64'"),
    ],
)
def test_errors_from_inside_the_file_name_it(
    tmp_path: Path, name: str, where: str, value: str, message: str
) -> None:
    def change(document, tensors):  # type: ignore[no-untyped-def]
        if where == "layers":
            document["layers"][1]["activation"] = value
        else:
            document[where] = value

    path = _crafted(tmp_path, name, change)
    with pytest.raises(ValueError, match=f"^{re.escape(str(path))}: {message}"):
        glassnet.load(path)


def test_consistent_metadata_loads(tmp_path: Path) -> None:
    # one sigmoid output with two classes, several sigmoid outputs with one class per label,
    # a scaling per input and per output: all as glassnet train and the estimators write them
    binary = Network([Dense(2, 1, "sigmoid")], seed=0)
    binary.metadata = {"classes": ["no", "yes"], "feature_names": ["a", "b"],
                       "scaler": {"mean": [1.0, 2.0], "scale": [0.5, 3.0]}}  # fmt: skip
    labels = Network([Dense(2, 3, "sigmoid")], seed=0)
    labels.metadata = {"classes": [0, 1, 2], "feature_names": None}
    regression = Network([Dense(2, 1, "identity")], seed=0)
    regression.metadata = {"task": "regression", "target_scaler": {"mean": [5.0], "scale": [2.0]}}
    for i, net in enumerate((binary, labels, regression)):
        glassnet.save(net, tmp_path / f"{i}.safetensors")
        assert glassnet.load(tmp_path / f"{i}.safetensors").metadata == net.metadata


@pytest.mark.filterwarnings("ignore::UserWarning")  # lbfgs's ConvergenceWarning, 20 iterations
def test_save_takes_a_fitted_estimator(tmp_path: Path) -> None:
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier, GlassRegressor

    X = np.random.default_rng(0).normal(size=(40, 3))
    for Estimator, y in ((GlassClassifier, X[:, 0] > 0), (GlassRegressor, X.sum(axis=1))):
        est = Estimator(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=20, random_state=0)
        est.fit(X, y)
        path = tmp_path / f"{Estimator.__name__}.safetensors"
        glassnet.save(est, path)  # saves est.network_ (before: AttributeError)
        net = glassnet.load(path)
        np.testing.assert_array_equal(net.feedforward(X), est.network_.feedforward(X))
        assert net.metadata == est.network_.metadata
        assert net.metadata["estimator"] == Estimator.__name__
        with pytest.raises(ValueError, match=f"save needs a fitted {Estimator.__name__}: call fit"):
            glassnet.save(Estimator(), tmp_path / "unfitted.safetensors")
    with pytest.raises(TypeError, match=r"save needs a glassnet Network .*; got dict"):
        glassnet.save({"weights": [1.0]}, tmp_path / "dict.safetensors")
    assert not (tmp_path / "unfitted.safetensors").exists()
