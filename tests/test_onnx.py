"""ONNX export: onnxruntime gives glassnet's numbers, for every activation and a CSV model."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

from glassnet import Dense, Network  # noqa: E402
from glassnet.onnx import DEFAULT_OPSET, export, run, to_onnx  # noqa: E402

TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}
"""The issue's bound: onnxruntime (float32) vs glassnet (float64) for standardized inputs:
float32-exact N(0, 1) values here, and models trained from a CSV, whose graph scales the raw
columns itself. Large raw inputs differ by more (docs/onnx.md;
test_float32_arithmetic_on_raw_and_scaled_inputs)."""


def _run_in_memory(model_proto, X):  # type: ignore[no-untyped-def]
    session = onnxruntime.InferenceSession(
        model_proto.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(names, {"X": X.astype(np.float32)}), strict=True))


def _inputs(n_inputs: int, seed: int) -> np.ndarray:
    # float32 values, so glassnet (float64) and the file (float32) see the same inputs
    return np.random.default_rng(seed).normal(size=(64, n_inputs)).astype(np.float32)


def _scaling(mean: list[float], scale: list[float]):  # type: ignore[no-untyped-def]
    """A Preprocessor of numeric columns x1, x2, … that standardizes with ``mean``, ``scale``."""
    from glassnet.preprocessing import Preprocessor

    numeric = {"role": "numeric", "median": 0.0, "missing_indicator": False}
    columns = [
        {**numeric, "name": f"x{j + 1}", "mean": m, "scale": s}
        for j, (m, s) in enumerate(zip(mean, scale, strict=True))
    ]
    return Preprocessor.from_config({"columns": columns, "na_values": []})


@given(
    hidden=st.sampled_from(["identity", "sigmoid", "tanh", "relu", "leaky_relu"]),
    output=st.sampled_from(
        [("identity", 2), ("sigmoid", 1), ("softmax", 3), ("tanh", 1), ("exp", 1)]
    ),
    n_inputs=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_every_activation_gives_glassnets_outputs(
    hidden: str, output: tuple[str, int], n_inputs: int, seed: int
) -> None:
    activation, n_outputs = output
    net = Network(
        [
            Dense(n_inputs, 5, hidden, bias="glorot"),
            Dense(5, 4, hidden, bias="glorot"),
            Dense(4, n_outputs, activation, bias="glorot"),
        ],
        seed=seed,
    )
    X = _inputs(n_inputs, seed)
    outputs = _run_in_memory(to_onnx(net), X)
    expected = net.feedforward(X.astype(np.float64))
    if activation in ("identity", "tanh", "exp"):
        assert list(outputs) == ["variable"]
        np.testing.assert_allclose(outputs["variable"], expected, **TOLERANCE)
        return
    assert list(outputs) == ["label", "probabilities"]
    probabilities = np.hstack([1 - expected, expected]) if n_outputs == 1 else expected
    np.testing.assert_allclose(outputs["probabilities"], probabilities, **TOLERANCE)
    # labels agree except where two probabilities are too close for float32 to order
    top2 = np.sort(probabilities, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 1e-5
    np.testing.assert_array_equal(outputs["label"][clear], net.predict(X)[clear])


@pytest.mark.parametrize("opset", range(13, 22))
def test_every_supported_opset_runs(opset: int) -> None:
    from glassnet.model import Model

    net = Network([Dense(3, 4, "leaky_relu", bias="glorot"), Dense(4, 3, "softmax")], seed=opset)
    pre = _scaling([1.0, 2.0, 3.0], [2.0, 2.0, 2.0])
    model = Model(net, pre, task="classification", classes=["a", "b", "c"])
    proto = to_onnx(model, opset=opset)
    assert proto.opset_import[0].version == opset
    X = _inputs(3, opset)
    outputs = _run_in_memory(proto, X)
    expected = net.feedforward((X.astype(np.float64) - [1, 2, 3]) / 2)
    np.testing.assert_allclose(outputs["probabilities"], expected, **TOLERANCE)
    assert set(outputs["label"].tolist()) <= {"a", "b", "c"}


def test_a_networks_metadata_is_not_preprocessing() -> None:
    """A bare Network answers as ``Network.predict``, from its inputs as given: a "scaler",
    "target_scaler" or "classes" in its metadata (where round-1 files kept them) is the
    user's data, not a step. A Model brings preprocessing and labels (``glassnet.load``
    turns a round-1 file into one: tests/test_round_one.py)."""
    X = _inputs(2, 7)
    classifier = Network([Dense(2, 3, "softmax", bias="glorot")], seed=7)
    regressor = Network([Dense(2, 1, "identity", bias="glorot")], seed=7)
    for net in (classifier, regressor):
        net.metadata = {
            "feature_names": ["p", "q"],
            "classes": ["a", "b", "c"],
            "scaler": {"mean": [5.0, 5.0], "scale": [2.0, 2.0]},
            "target_scaler": {"mean": [10.0], "scale": [4.0]},
        }
    proto = to_onnx(classifier)
    assert not [node for node in proto.graph.node if node.op_type in ("Sub", "Div")]
    outputs = _run_in_memory(proto, X)
    expected = classifier.feedforward(X.astype(np.float64))
    np.testing.assert_allclose(outputs["probabilities"], expected, **TOLERANCE)
    assert outputs["label"].dtype == np.int64
    np.testing.assert_array_equal(outputs["label"], classifier.predict(X))
    outputs = _run_in_memory(to_onnx(regressor), X)
    expected = regressor.feedforward(X.astype(np.float64))
    np.testing.assert_allclose(outputs["variable"], expected, **TOLERANCE)


def test_float32_network_and_leaky_slope() -> None:
    net = Network(
        [Dense(3, 4, "leaky_relu", bias="glorot"), Dense(4, 2, "identity")],
        seed=1,
        dtype="float32",
    )
    net.layers[0].activation.negative_slope = 0.2  # type: ignore[attr-defined]
    X = _inputs(3, 1)
    outputs = _run_in_memory(to_onnx(net), X)
    np.testing.assert_allclose(outputs["variable"], net.feedforward(X), **TOLERANCE)


# ----- a model trained from a CSV, with its scaling ---------------------------------------------
def _write_csv(path, X, y, names):  # type: ignore[no-untyped-def]
    lines = [",".join([*names, "target"])]
    lines += [
        ",".join([*map(repr, row.tolist()), str(label)]) for row, label in zip(X, y, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_csv_model_with_its_scaling(tmp_path, task: str) -> None:  # type: ignore[no-untyped-def]
    import glassnet
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    # float32-exact columns on very different scales: the file must standardize them itself
    X = (rng.normal(size=(150, 3)) * [1.0, 50.0, 0.01] + [3.0, -200.0, 0.5]).astype(np.float32)
    if task == "classification":
        y = np.array(["low", "mid", "high"])[np.digitize(X[:, 1], [-230.0, -170.0])]
    else:
        y = np.round(X[:, 0] * 10 + X[:, 1] / 5, 3)
    csv, model, out = tmp_path / "table.csv", tmp_path / "m.safetensors", tmp_path / "m.onnx"
    _write_csv(csv, X.astype(np.float64), y, ["x", "y", "z"])
    train = ["train", str(csv), "--target", "target", "--hidden", "6,4", "--epochs", "30"]
    assert main([*train, "--activation", "tanh", "--out", str(model), "--seed", "0"]) == 0
    assert main(["export", str(model), str(out)]) == 0

    loaded = glassnet.load(model)  # a Model: the scaling (and classes) travel with it
    outputs = run(out, X)
    assert [i.name for i in onnx.load(out).graph.input] == ["X"]  # numbers only: one input
    if task == "classification":
        assert list(outputs) == ["label", "probabilities"]
        np.testing.assert_allclose(outputs["probabilities"], loaded.predict_proba(X), **TOLERANCE)
        np.testing.assert_array_equal(outputs["label"], loaded.predict(X))
    else:
        assert list(outputs) == ["variable"]
        np.testing.assert_allclose(outputs["variable"][:, 0], loaded.predict(X), **TOLERANCE)
    props = {p.key: p.value for p in onnx.load(out).metadata_props}
    assert props["feature_names"] == "x,y,z"


def test_cli_export_json(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from glassnet.cli import main
    from glassnet.model import Model
    from glassnet.serialization import save

    net = Network([Dense(2, 3, "relu"), Dense(3, 1, "sigmoid")], seed=0)
    save(Model(net, task="classification", classes=["no", "yes"]), tmp_path / "m.safetensors")
    capsys.readouterr()
    assert (
        main(["export", str(tmp_path / "m.safetensors"), str(tmp_path / "m.onnx"), "--json"]) == 0
    )
    facts = json.loads(capsys.readouterr().out)
    assert facts["outputs"] == ["label", "probabilities"]
    assert facts["inputs"] == [{"name": "X", "type": "float32", "shape": ["N", 2]}]
    assert facts["opset"] == DEFAULT_OPSET and facts["preprocessing_included"] is False
    assert facts["classes"] == ["no", "yes"]
    assert onnx.load(tmp_path / "m.onnx").opset_import[0].version == DEFAULT_OPSET
    assert (
        main(["export", str(tmp_path / "m.safetensors"), str(tmp_path / "x.onnx"), "--opset", "5"])
        == 2
    )
    assert "--opset must be between 13 and 21" in capsys.readouterr().err


def test_cli_export_refuses_to_overwrite_the_model(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    # before: `glassnet export m m` wrote the ONNX graph over the model file, at exit 0
    from glassnet.cli import main
    from glassnet.serialization import save

    path = tmp_path / "m.safetensors"
    save(Network([Dense(2, 1, "sigmoid")], seed=0), path)
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["export", str(path), str(path)]) == 2
    error = capsys.readouterr().err
    assert "is the file this command reads" in error and error.count("\n") == 1
    assert path.read_bytes() == before


# ----- a model with its preprocessing: categories and missing cells ----------------------------
def _penguins(n: int, seed: int) -> dict[str, list]:  # type: ignore[type-arg]
    """A small mixed table: numbers with missing cells, text categories with missing cells,
    a numeric-looking category, and a target."""
    rng = np.random.default_rng(seed)
    mass = rng.normal(4200.0, 800.0, n)
    island = rng.choice(["Biscoe", "Dream", "Torgersen", "Gentoo Bay"], n)
    return {
        "bill": [
            None if m else float(v)
            for m, v in zip(rng.random(n) < 0.15, rng.normal(44, 5, n), strict=True)
        ],
        "island": [None if m else str(v) for m, v in zip(rng.random(n) < 0.1, island, strict=True)],
        "year": rng.choice([2007, 2008, 2009], n).tolist(),
        "mass": mass.tolist(),
        "sex": rng.choice(["male", "female"], n).tolist(),
    }


def _preprocessor(table: dict[str, list], **options):  # type: ignore[no-untyped-def,type-arg]
    from glassnet.preprocessing import Preprocessor

    columns = {k: v for k, v in table.items() if k != "sex"}
    return Preprocessor().fit(columns, categorical=["year"], **options)


_QUERY = {
    # a missing number, a missing category, an unseen island, an unseen year, plain rows
    "bill": [None, 40.0, 50.0, 61.5, 39.0],
    "island": ["Biscoe", None, "Atlantis", "Dream", "Torgersen"],
    "year": [2007, 2008, 2009, 2031, 2008],
    "mass": [3000.0, 5100.0, 4100.0, 3900.0, 6000.0],
}


def _onnx_feeds(model_proto, table):  # type: ignore[no-untyped-def]
    """The graph's inputs for a dict of columns: numbers as float32 (NaN when missing),
    categories as text ("" when missing)."""
    kinds = {i.name: i.type.tensor_type.elem_type for i in model_proto.graph.input}
    feeds = {}
    for name, kind in kinds.items():
        cells = table[name]
        if kind == onnx.TensorProto.STRING:
            column = np.array(["" if c is None else str(c) for c in cells], dtype=object)
        else:
            column = np.array([np.nan if c is None else c for c in cells], dtype=np.float32)
        feeds[name] = column.reshape(-1, 1)
    return feeds


def _run_columns(model_proto, table):  # type: ignore[no-untyped-def]
    session = onnxruntime.InferenceSession(
        model_proto.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(names, _onnx_feeds(model_proto, table)), strict=True))


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_model_with_categories_and_missing_cells(task: str) -> None:
    from glassnet.model import Model

    table = _penguins(120, 0)
    pre = _preprocessor(table, max_categories=3)  # four islands: the rarest one is "(other)"
    width = len(pre.feature_names_out_)
    if task == "classification":
        net = Network([Dense(width, 6, "tanh", bias="glorot"), Dense(6, 3, "softmax")], seed=1)
        model = Model(net, pre, task=task, target="sex", classes=[3, 7, 9])
    else:
        net = Network([Dense(width, 6, "relu", bias="glorot"), Dense(6, 2)], seed=1)
        model = Model(
            net, pre, task=task, target="mass", target_mean=[40.0, -3.0], target_scale=[8.0, 0.5]
        )
    proto = to_onnx(model)
    # one input per raw column: float for numbers, text for categories, as skl2onnx does
    kinds = {i.name: i.type.tensor_type.elem_type for i in proto.graph.input}
    string, floats = onnx.TensorProto.STRING, onnx.TensorProto.FLOAT
    assert kinds == {"bill": floats, "island": string, "year": string, "mass": floats}
    for rows in (table, _QUERY):
        expected = model.transform(rows)
        outputs = _run_columns(proto, rows)
        assert np.isfinite(expected).all()
        if task == "classification":
            np.testing.assert_allclose(
                outputs["probabilities"], model.predict_proba(rows), **TOLERANCE
            )
            np.testing.assert_array_equal(outputs["label"], model.predict(rows))
        else:
            np.testing.assert_allclose(outputs["variable"], model.predict(rows), **TOLERANCE)


def test_encoded_inputs_are_the_preprocessors() -> None:
    # the graph's encoding, read out before the network: an identity network of one layer
    # whose weights are the identity matrix gives the encoded inputs as "variable"
    from glassnet.model import Model

    table = _penguins(80, 2)
    pre = _preprocessor(table, max_categories=3)
    width = len(pre.feature_names_out_)
    net = Network([Dense(width, width, "identity", weights=np.eye(width), bias=0.0)])
    proto = to_onnx(Model(net, pre, task="regression"))
    encoded = _run_columns(proto, _QUERY)["variable"]
    np.testing.assert_allclose(encoded, pre.transform(_QUERY), **TOLERANCE)
    names = pre.feature_names_out_
    assert "island=(other)" in names and "island=(missing)" in names and "bill (missing)" in names
    row = dict(zip(names, encoded[2], strict=True))  # "Atlantis" was never seen: "(other)"
    assert row["island=(other)"] == 1.0 and row["island=Dream"] == 0.0
    row = dict(zip(names, encoded[1], strict=True))  # a missing island: "(missing)"
    assert row["island=(missing)"] == 1.0 and row["island=(other)"] == 0.0
    row = dict(zip(names, encoded[3], strict=True))  # 2031, unseen, no "(other)": zeros
    assert [row[f"year={y}"] for y in (2007, 2008, 2009)] == [0.0, 0.0, 0.0]


def test_numbers_only_keep_one_input_and_fill_missing_cells() -> None:
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor

    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 3)) * [1.0, 100.0, 0.1] + [0.0, 500.0, 2.0]
    pre = Preprocessor().fit(X)
    net = Network([Dense(3, 4, "leaky_relu", bias="glorot"), Dense(4, 1, "sigmoid")], seed=0)
    model = Model(net, pre, task="classification", classes=["no", "yes"])
    proto = to_onnx(model)
    assert [i.name for i in proto.graph.input] == ["X"]
    query = X[:5].copy()
    query[0, 1] = np.nan  # a missing cell becomes the training median, as transform does
    outputs = _run_in_memory(proto, query)
    np.testing.assert_allclose(outputs["probabilities"], model.predict_proba(query), **TOLERANCE)


def test_a_one_input_file_takes_its_columns_from_a_table_by_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # handed the table the model was trained on, run() fed every column (64 for 61)
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor

    rng = np.random.default_rng(5)
    table = {
        "a": rng.normal(size=30).tolist(),
        "flat": [1.0] * 30,  # constant: ignored, not an input
        "b": (rng.normal(size=30) * 50).tolist(),
    }
    pre = Preprocessor().fit(table)
    net = Network([Dense(2, 3, "tanh"), Dense(3, 1, "sigmoid")], seed=0)
    model = Model(net, pre, task="classification", classes=["no", "yes"])
    export(model, tmp_path / "m.onnx")
    shuffled = {"b": table["b"], "extra": ["x"] * 30, "flat": table["flat"], "a": table["a"]}
    outputs = run(tmp_path / "m.onnx", shuffled)
    np.testing.assert_allclose(outputs["probabilities"], model.predict_proba(table), **TOLERANCE)
    # the words predict uses
    with pytest.raises(ValueError, match=r"needs the column b, which the data lacks"):
        run(tmp_path / "m.onnx", {"a": table["a"]})
    # a name with a comma in it (a quoted CSV header): the names are also kept as JSON
    commas = {"a,b": table["a"], "c": table["b"]}
    pre = Preprocessor().fit(commas)
    model = Model(net, pre, task="classification", classes=["no", "yes"])
    export(model, tmp_path / "c.onnx")
    outputs = run(tmp_path / "c.onnx", {"c": commas["c"], "a,b": commas["a,b"]})
    np.testing.assert_allclose(outputs["probabilities"], model.predict_proba(commas), **TOLERANCE)


def test_activation_settings_agree_with_the_model_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import glassnet
    from glassnet.activations import LeakyReLU

    net = Network(
        [Dense(3, 5, LeakyReLU(0.3), bias="glorot"), Dense(5, 2, "exp", bias="glorot")], seed=3
    )
    glassnet.save(net, tmp_path / "m.safetensors")
    loaded = glassnet.load(tmp_path / "m.safetensors")
    X = _inputs(3, 3)
    expected = net.feedforward(X.astype(np.float64))
    np.testing.assert_allclose(loaded.predict(X), expected, rtol=1e-12)
    outputs = _run_in_memory(to_onnx(loaded), X)
    np.testing.assert_allclose(outputs["variable"], expected, **TOLERANCE)


def test_labels_beyond_int64() -> None:
    from glassnet.model import Model

    X = _inputs(2, 5)
    net = Network([Dense(2, 1, "sigmoid", bias="glorot")], seed=5)
    huge = [2**63, 2**64 - 1]  # beyond int64: the file keeps them exactly as uint64
    model = Model(net, task="classification", classes=huge)
    labels = _run_in_memory(to_onnx(model), X)["label"]
    assert labels.dtype == np.uint64
    assert labels.tolist() == model.predict(X).tolist()
    with pytest.raises(
        ValueError, match=r"^cannot export: the class labels run from -1 to 9223372036854775808"
    ):
        to_onnx(Model(net, task="classification", classes=[-1, 2**63]))


def test_a_column_named_like_an_output_is_refused() -> None:
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor

    pre = Preprocessor().fit({"label": ["a", "b", "a"], "x": [1.0, 2.0, 3.0]})
    net = Network([Dense(len(pre.feature_names_out_), 1)], seed=0)
    with pytest.raises(ValueError, match="the column 'label' has the name of an ONNX output"):
        to_onnx(Model(net, pre, task="regression"))
    # columns named like the graph's own tensors ("X", "encoded", "classes") keep their names
    table = {
        "encoded": ["a", "b", "a", None],
        "X": [1.0, None, 3.0, 2.5],
        "classes": [0.5, 1.5, 2.5, 0.25],
    }
    pre = Preprocessor().fit(table)
    net = Network([Dense(len(pre.feature_names_out_), 2, "softmax")], seed=0)
    model = Model(net, pre, task="classification", classes=["p", "q"])
    proto = to_onnx(model)
    assert [i.name for i in proto.graph.input] == ["encoded", "X", "classes"]
    outputs = _run_columns(proto, table)
    np.testing.assert_allclose(outputs["probabilities"], model.predict_proba(table), **TOLERANCE)


# ----- estimators -------------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("labels", ["int", "str", "binary", "multilabel"])
def test_classifier_outputs_match_predict(labels: str) -> None:
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_iris

    from glassnet.sklearn import GlassClassifier

    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    target = {
        "int": y + 10,
        "str": np.array(["setosa", "versicolor", "virginica"])[y],
        "binary": y == 2,
        "multilabel": np.column_stack([y == 2, X[:, 0] > 6]).astype(int),
    }[labels]
    clf = GlassClassifier(hidden_layer_sizes=(8,), max_iter=100, random_state=0).fit(X, target)
    outputs = _run_in_memory(to_onnx(clf), X)
    np.testing.assert_allclose(outputs["probabilities"], clf.predict_proba(X), **TOLERANCE)
    np.testing.assert_array_equal(outputs["label"], clf.predict(X))
    # the labels' type too: a boolean target's were int64 0/1, not False/True (text is
    # text, held as objects or as NumPy strings)
    kinds = [{"U": "O"}.get(a.dtype.kind, a.dtype.kind) for a in (outputs["label"], clf.predict(X))]
    assert kinds[0] == kinds[1]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_outputs_match_predict(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassRegressor

    X = _inputs(4, 0)
    Y = np.column_stack([X.sum(axis=1), X[:, 0] * X[:, 1]])
    reg = GlassRegressor(activation="logistic", max_iter=50, random_state=0).fit(X, Y)
    export(reg, tmp_path / "reg.onnx")
    np.testing.assert_allclose(
        run(tmp_path / "reg.onnx", X)["variable"], reg.predict(X), **TOLERANCE
    )
    assert [p.name for p in tmp_path.iterdir()] == ["reg.onnx"]  # no temporary file left


# ----- errors -------------------------------------------------------------------------------------
def test_what_cannot_be_exported(tmp_path) -> None:  # type: ignore[no-untyped-def]
    net = Network([Dense(2, 1, "sigmoid")], seed=0)
    with pytest.raises(ValueError, match="opset must be between 13 and 21"):
        to_onnx(net, opset=9)
    with pytest.raises(TypeError, match="needs a glassnet Network"):
        to_onnx(object())
    with pytest.raises(ValueError, match="folder"):
        export(net, tmp_path / "missing" / "m.onnx")
    from glassnet.model import Model

    model = Model(net, task="classification", classes=["no", "yes"])
    model.classes = ["no", "yes", "maybe"]  # changed after Model checked them
    with pytest.raises(ValueError, match="lists 3 classes but has 1 outputs; give the Model"):
        to_onnx(model)
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier

    with pytest.raises(ValueError, match="needs a fitted GlassClassifier: call fit first"):
        to_onnx(GlassClassifier())


@pytest.mark.parametrize(
    "where, value, message",
    [
        ("scale", 1e300, r"the scaler's scale holds 1e\+300, which float32.*cannot hold"),
        ("mean", -1e39, r"the scaler's mean holds -1e\+39, which float32"),
        ("scale", 1e-50, r"the scaler's scale holds 1e-50, which float32.*rounds to 0"),
        ("weights", 5e38, r"layer 1's weights holds 5e\+38, which float32"),
        ("bias", np.nan, r"layer 1's bias holds nan, which is not a finite number"),
    ],
)
def test_values_float32_cannot_hold_are_refused(where: str, value: float, message: str) -> None:
    # before: a cast with "RuntimeWarning: overflow encountered in cast" and an infinity in
    # the file (the tests turn the warning into an error)
    from glassnet.model import Model

    net = Network([Dense(2, 3, "tanh"), Dense(3, 1, "sigmoid")], seed=0)
    scaling = {"mean": [0.0, 1.0], "scale": [1.0, 2.0]}
    if where in ("scale", "mean"):
        scaling[where][1] = value
    else:
        getattr(net.layers[1], where)[0] = value
    with pytest.raises(ValueError, match=message):
        to_onnx(Model(net, _scaling(**scaling), task="classification"))


def test_cli_export_refuses_a_scaler_float32_cannot_hold(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from glassnet.cli import main
    from glassnet.model import Model
    from glassnet.serialization import save

    net = Network([Dense(2, 1, "sigmoid")], seed=0)
    pre = _scaling([0.0, 0.0], [1.0, 1e300])
    save(Model(net, pre, task="classification", classes=["no", "yes"]), tmp_path / "m.safetensors")
    capsys.readouterr()
    assert main(["export", str(tmp_path / "m.safetensors"), str(tmp_path / "m.onnx")]) == 2
    error = capsys.readouterr().err
    assert "the scaler's scale holds 1e+300" in error and error.count("\n") == 1
    assert not (tmp_path / "m.onnx").exists()


def _labels(net: Network, classes: list, X: np.ndarray):  # type: ignore[no-untyped-def]
    from glassnet.model import Model

    model = Model(net, task="classification", classes=classes)
    return _run_in_memory(to_onnx(model), X)["label"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_labels_follow_predicted_classes_at_ties() -> None:
    # glassnet.metrics.predicted_classes: one sigmoid output at exactly 0.5 is class 1 (an
    # ArgMax over [1 − p, p] said class 0); a softmax tie is the first class; a multilabel
    # output at 0.5 is 1
    X = _inputs(3, 0)
    sigmoid = Network([Dense(3, 1, "sigmoid", weights="zeros")], seed=0)
    assert sigmoid.predict(X).tolist() == [1] * 64
    assert _labels(sigmoid, ["no", "yes"], X).tolist() == ["yes"] * 64
    assert _labels(sigmoid, [4, 7], X).tolist() == [7] * 64
    softmax = Network([Dense(3, 3, "softmax", weights="zeros")], seed=0)
    assert _labels(softmax, ["a", "b", "c"], X).tolist() == ["a"] * 64
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier

    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    for target in (Y[:, 0], Y):
        clf = GlassClassifier(hidden_layer_sizes=(2,), max_iter=3, random_state=0).fit(X, target)
        for array in clf.coefs_ + clf.intercepts_:
            array[:] = 0.0
        outputs = _run_in_memory(to_onnx(clf), X)
        np.testing.assert_array_equal(outputs["label"], clf.predict(X))
        assert np.all(outputs["label"] == 1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_float32_arithmetic_on_raw_and_scaled_inputs() -> None:
    # what docs/onnx.md states: standardized inputs agree within 1e-5; breast_cancer's raw
    # columns (up to ~4000) differ by more, and as much when glassnet gets X rounded to
    # float32, so the float32 arithmetic in the file is the cause, not only the input cast
    pytest.importorskip("sklearn")
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    from glassnet.sklearn import GlassClassifier

    X, y = load_breast_cancer(return_X_y=True)
    differences = {}
    for name, inputs in (("raw", X), ("scaled", StandardScaler().fit_transform(X))):
        clf = GlassClassifier(hidden_layer_sizes=(20,), random_state=3).fit(inputs, y)
        probabilities = _run_in_memory(to_onnx(clf), inputs)["probabilities"]
        rounded = inputs.astype(np.float32).astype(np.float64)
        differences[name] = [
            np.abs(probabilities - clf.predict_proba(given)).max() for given in (inputs, rounded)
        ]
    assert max(differences["scaled"]) < 1e-6
    raw, raw_rounded = differences["raw"]
    assert 1e-6 < raw < 5e-5 and 1e-6 < raw_rounded < 5e-5


def test_the_docs_example_runs(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("sklearn")
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "onnx.md").read_text(encoding="utf-8")
    code = text.split("```python\n")[1].split("```")[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "docs/onnx.md", "exec"), {})
    assert (tmp_path / "iris.onnx").is_file()


def test_missing_onnx_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['onnx'] = None\n"
        "from glassnet import Dense, Network\n"
        "from glassnet.onnx import to_onnx\n"
        "try:\n    to_onnx(Network([Dense(2, 1)]))\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'glassnet[onnx]'" in out.stdout


def test_a_dataframes_category_cells_reach_the_file_as_the_model_reads_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # onnx.run wrote True as "True" (the model's level is "true"), pandas' NA as "<NA>"
    # and the float 2.5e-05 as "2.5e-05" (the model's "0.000025"): up to 0.3 apart
    import warnings

    pd = pytest.importorskip("pandas")
    from glassnet.sklearn import GlassClassifier

    n = 120
    x = np.random.default_rng(0).normal(size=n)
    columns = {
        "bool": pd.Series([bool(i % 2) for i in range(n)]),
        "nullable": pd.array(
            [None if i % 3 == 0 else bool(i % 2) for i in range(n)], dtype="boolean"
        ),
        "string": pd.array([None if i % 3 == 0 else "uv"[i % 2] for i in range(n)], dtype="string"),
        "floats": pd.Categorical([[0.5, 2.5e-05, 1e-07][i % 3] for i in range(n)]),
    }
    for name, column in columns.items():
        X = pd.DataFrame({"x": x, "c": column})
        y = np.where(x + (np.arange(n) % 2) * 1.5 > 0.7, "P", "Q")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf = GlassClassifier((8,), max_iter=50, random_state=0,
                                  categorical_features="from_dtype").fit(X, y)  # fmt: skip
        export(clf, tmp_path / "c.onnx")
        result = run(tmp_path / "c.onnx", X)
        np.testing.assert_allclose(result["probabilities"], clf.predict_proba(X), **TOLERANCE,
                                   err_msg=name)  # fmt: skip


def test_the_file_is_fed_number_levels_and_refuses_bad_cells_as_the_model_does(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a level "5.0" given as 5.0 or "5" was unseen in the file (0.12 apart); a NaN or a
    # word among numbers, which predict refuses, was fed as a missing cell
    import warnings

    pd = pytest.importorskip("pandas")
    from glassnet.sklearn import GlassClassifier

    n = 90
    rating = np.array(["1.0", "2.0", "5.0"], dtype=object)[np.arange(n) % 3]
    X = pd.DataFrame({"x": np.random.default_rng(0).normal(size=n), "rating": rating})
    y = np.where((np.arange(n) % 3 == 2) | (X["x"] > 1), "P", "Q")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = GlassClassifier((8,), max_iter=50, random_state=0,
                              categorical_features="from_dtype").fit(X, y)  # fmt: skip
    export(clf, tmp_path / "r.onnx")
    for cells in ([5.0, 2.0, 1.0], ["5", "2", "1"]):
        query = pd.DataFrame({"x": [0.1, 0.2, 0.3], "rating": cells})
        np.testing.assert_allclose(run(tmp_path / "r.onnx", query)["probabilities"],
                                   clf.predict_proba(query), **TOLERANCE)  # fmt: skip
    bad = pd.DataFrame({"x": [0.1, np.inf], "rating": ["1.0", "2.0"]})
    with pytest.raises(ValueError, match="data row 2, column 'x'"):
        clf.predict_proba(bad)
    with pytest.raises(ValueError, match="data row 2, column 'x'"):
        run(tmp_path / "r.onnx", bad)


def test_the_file_is_fed_cells_read_with_the_models_own_missing_markers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # onnx.run read rows with the default markers: trained with --na-values=-999,missing,
    # "NA" (North America) is a level and -999 missing; the file was fed them the other way
    # round (probabilities 0.64 and 0.74 became 2e-6 and 0.03)
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor

    n = 40
    table = {
        "age": [str([23, 35, -999, 61][i % 4]) for i in range(n)],
        "region": [["NA", "EU", "missing"][i % 3] for i in range(n)],
    }
    pre = Preprocessor().fit(table, na_values=["-999", "missing"])
    assert "region=NA" in pre.feature_names_out_
    net = Network([Dense(len(pre.feature_names_out_), 2, "softmax")], seed=1)
    model = Model(net, pre, task="classification", classes=["a", "b"])
    export(model, tmp_path / "m.onnx")
    query = {"age": ["-999", "35"], "region": ["EU", "NA"]}
    np.testing.assert_allclose(run(tmp_path / "m.onnx", query)["probabilities"],
                               model.predict_proba(query), **TOLERANCE)  # fmt: skip


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_model_that_stores_only_column_names_exports_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # an estimator fitted on a DataFrame, saved and loaded: its file said nothing of its
    # columns, so run() refused a table with them in another order
    pd = pytest.importorskip("pandas")
    import glassnet
    from glassnet.sklearn import GlassClassifier

    X = pd.DataFrame({"a": np.linspace(-2, 2, 40), "b": np.tile([0.0, 5.0], 20), "c": 1.0})
    clf = GlassClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0)
    clf.fit(X, X["a"] > 0)
    glassnet.save(clf, tmp_path / "m.safetensors")
    export(glassnet.load(tmp_path / "m.safetensors"), tmp_path / "m.onnx")
    swapped = X[["c", "b", "a"]]
    np.testing.assert_allclose(run(tmp_path / "m.onnx", swapped)["probabilities"],
                               clf.predict_proba(X), **TOLERANCE)  # fmt: skip
