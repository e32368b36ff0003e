"""``glassnet.Model``: preprocessing + network + labels answer from raw rows, on every route."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from glassnet import Model, Preprocessor, load, save
from glassnet.build import build_network
from glassnet.model import (
    class_probabilities,
    detect_task,
    encode_labels,
    find_classes,
    label_key,
    labels_from_text,
    one_hot,
)
from glassnet.table import DataError
from tests.cli.conftest import run_cli

TABLE = {
    "bill": [39.1, None, 40.3, 36.7, 50.3, 48.9, 45.0, 47.5],
    "island": ["Biscoe", "Dream", None, "Biscoe", "Torgersen", "Dream", "Dream", "Biscoe"],
}


def classifier(classes: list[object], seed: int = 0) -> Model:
    pre = Preprocessor().fit(TABLE)
    n_out = 1 if len(classes) == 2 else len(classes)
    net = build_network(
        len(pre.feature_names_out_), n_out, task="classification", hidden=[4], seed=seed
    )
    return Model(net, pre, task="classification", target="species", classes=classes)


@pytest.mark.parametrize(
    "classes",
    [["Adelie", "Gentoo", "Chinstrap"], [3, 7, 9], [2**70, -(2**64), 5], [0.5, 1.5], ["x", 1]],
)
def test_labels_round_trip_exactly_through_the_config(classes: list[object]) -> None:
    model = classifier(classes)
    config = json.loads(json.dumps(model.get_config()))
    again = Model.from_config(config, model.network)
    assert again.classes == classes
    assert [type(c) for c in again.classes] == [type(c) for c in classes]
    predicted = again.predict(TABLE)
    assert predicted.tolist() == model.predict(TABLE).tolist()
    assert set(predicted.tolist()) <= set(classes)
    probabilities = model.predict_proba(TABLE)
    assert probabilities.shape == (8, len(classes))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    # the largest probability; with two classes (one sigmoid output) a tie is class 1
    index = probabilities[:, 1] >= 0.5 if len(classes) == 2 else probabilities.argmax(axis=1)
    assert predicted.tolist() == [classes[int(i)] for i in index]


def test_regression_answers_in_the_target_units_and_encode_target_inverts_decode() -> None:
    pre = Preprocessor().fit(TABLE)
    net = build_network(len(pre.feature_names_out_), 1, task="regression", seed=0)
    model = Model(net, pre, task="regression", target="mass", target_mean=4000.0,
                  target_scale=500.0)  # fmt: skip
    outputs = model.network.predict_outputs(model.transform(TABLE))
    np.testing.assert_allclose(model.predict(TABLE), outputs[:, 0] * 500.0 + 4000.0)
    y = np.array([3500.0, 4200.0])
    np.testing.assert_allclose(model.encode_target(y), [[-1.0], [0.4]])
    np.testing.assert_allclose(model.decode(model.encode_target(y)), y)
    with pytest.raises(ValueError, match="needs a classifier"):
        model.predict_proba(TABLE)


def test_a_bare_model_takes_arrays_and_refuses_a_wrong_width() -> None:
    net = build_network(3, 3, task="classification", seed=0)
    model = Model(net, task="classification")
    assert model.predict(np.zeros((2, 3))).tolist() in ([0, 0], [1, 1], [2, 2])
    assert model.feature_names_out_ == ["x0", "x1", "x2"]
    with pytest.raises(ValueError, match="reshape"):
        model.predict(np.zeros(3))


def test_inconsistent_models_are_refused() -> None:
    pre = Preprocessor().fit(TABLE)
    net = build_network(len(pre.feature_names_out_), 3, task="classification", seed=0)
    with pytest.raises(ValueError, match="2 class labels for a network of 3 outputs"):
        Model(net, pre, task="classification", classes=["a", "b"])
    with pytest.raises(ValueError, match="distinct"):
        Model(net, pre, task="classification", classes=[1, 1.0, 2])
    with pytest.raises(ValueError, match="task must be one of"):
        Model(net, pre, task="clustering")
    with pytest.raises(ValueError, match="makes 6 inputs but the network takes 2"):
        Model(build_network(2, 3, task="classification"), pre, task="classification")
    with pytest.raises(ValueError, match="classes must be a list"):
        Model.from_config({"task": "classification", "classes": [[1]]}, net)


def test_target_helpers() -> None:
    assert labels_from_text(["1", "-2", "18446744073709551617"]) == [1, -2, 2**64 + 1]
    assert labels_from_text(["1", "2.5"]) == [1.0, 2.5]
    assert labels_from_text(["Nan", "Li", "Infinity"]) == ["Nan", "Li", "Infinity"]
    assert detect_task(["Nan", "Li"]) == "classification"
    assert detect_task([0, 1, 2, 1]) == "classification"
    assert detect_task(list(range(21))) == "regression"  # more than MAX_AUTO_CLASSES values
    assert detect_task(np.arange(20.0)) == "classification"
    assert detect_task([0.5, 1.0]) == "regression"
    assert label_key(5) == label_key(5.0) == label_key("5") == "5"
    assert find_classes([2**70, 3, 2**70], "f", "y") == [3, 2**70]
    with pytest.raises(DataError, match=r"12000 different values in 12000 rows.*identifier"):
        find_classes([f"id{i}" for i in range(12_000)], "f", "y")
    with pytest.raises(DataError, match="f, data row 2: the target 'y' is 'zebra'"):
        encode_labels(["a", "zebra"], ["a", "b"], "f", "y")


def test_labels_become_class_indices_and_network_targets() -> None:
    assert find_classes(np.array([3.0, 1.0, 3.0]), "f", "y") == [1, 3]  # whole floats as int
    assert find_classes(np.array(["b", "a", "b"]), "f", "y") == ["a", "b"]
    with pytest.raises(DataError, match=r"^f: the target 'y' has only one class \(a\)"):
        find_classes(np.array(["a", "a"]), "f", "y")
    index = encode_labels(np.array(["b", "c", "a", "c"]), ["a", "b", "c"], "f", "y")
    np.testing.assert_array_equal(index, [1, 2, 0, 2])
    np.testing.assert_array_equal(encode_labels(np.array([3.0, 1.0]), [1, 3], "f", "y"), [1, 0])
    # one sigmoid output: a 0/1 column, and its probability p becomes the two columns 1 - p, p
    np.testing.assert_array_equal(one_hot(np.array([1, 0]), 1), [[1], [0]])
    np.testing.assert_array_equal(one_hot(np.array([1, 0]), 2), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_allclose(class_probabilities(np.array([[0.25]])), [[0.75, 0.25]])
    softmax = np.array([[0.2, 0.3, 0.5]])
    assert class_probabilities(softmax) is softmax


@given(st.lists(st.integers(-(2**80), 2**80), min_size=2, max_size=6, unique=True))
def test_any_integer_labels_survive_json(labels: list[int]) -> None:
    classes = find_classes(labels, "f", "y")
    assert json.loads(json.dumps(classes)) == sorted(labels)
    np.testing.assert_array_equal(encode_labels(labels, classes, "f", "y"),
                                  [classes.index(v) for v in labels])  # fmt: skip


def test_every_route_gives_the_same_answer(tmp_path: Path) -> None:
    """The CLI's predict, and load(path).predict on the raw rows, agree label for label."""
    rng = np.random.default_rng(0)
    n = 120
    species = rng.integers(0, 3, n)
    with (tmp_path / "train.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["", "bill", "island", "species"])
        for i in range(n):
            bill = "NA" if i % 11 == 0 else f"{40 + 4 * species[i] + rng.normal():.2f}"
            island = ["Biscoe", "Dream", "Torgersen"][(species[i] + i % 2) % 3]
            writer.writerow([i + 1, bill, island, [3, 7, 2**70][species[i]]])
    query = tmp_path / "query.csv"
    query.write_text("bill,island\n,Mars\n44.5,Dream\n52,\n")
    out = tmp_path / "m.safetensors"
    trained = run_cli("train", tmp_path / "train.csv", "--target", "species", "--epochs", "30",
                      "--seed", "0", "--out", out)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    cli = json.loads(run_cli("predict", out, query, "--json").stdout)
    loaded = load(out)
    assert isinstance(loaded, Model)
    python = loaded.predict(query).tolist()
    assert [p["prediction"] for p in cli["predictions"]] == python
    assert cli["missing_filled"] == {"bill": 1, "island": 1} and cli["unseen_categories"] == {
        "island": 1
    }
    save(loaded, tmp_path / "again.safetensors")
    assert load(tmp_path / "again.safetensors").predict(query).tolist() == python  # type: ignore[union-attr]


def test_answers_come_a_block_at_a_time_and_match_the_whole_matrix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Model.outputs encodes and feeds forward a few rows at a time (a 1M-row table's
    # matrix is never whole); every row's answer is the one the whole matrix gives
    import glassnet.model

    rng = np.random.default_rng(3)
    table = {
        "bill": [None if rng.random() < 0.1 else float(v) for v in rng.normal(45, 5, 50)],
        "island": [["Biscoe", "Dream", None, "Mars"][i] for i in rng.integers(0, 4, 50)],
    }
    model = classifier(["a", "b", "c"])
    whole = model.network.predict_outputs(model.transform(table))
    counts = model.preprocessor.transform_counts_  # type: ignore[union-attr]
    monkeypatch.setattr(glassnet.model, "OUTPUT_BLOCK_ROWS", 7)
    np.testing.assert_array_equal(model.outputs(table), whole)
    assert model.preprocessor.transform_counts_ == counts  # type: ignore[union-attr]
    assert counts["unseen"] == {"island": table["island"].count("Mars")}


def test_a_row_whose_outputs_overflow_is_named_by_its_data_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import glassnet.model

    pre = Preprocessor().fit({"x": [0.0, 1.0, 2.0, 3.0], "y": [1.0, 0.0, 1.0, 0.0]})
    net = build_network(2, 1, task="regression", hidden=[], seed=0)
    net.set_weights([np.full((2, 1), 1e300), np.zeros(1)])
    model = Model(net, pre, task="regression", target="t")
    monkeypatch.setattr(glassnet.model, "OUTPUT_BLOCK_ROWS", 2)
    with pytest.raises(DataError, match=r"^data row 4: .*input 'y' is 1e\+10 after scaling"):
        model.outputs({"x": [0.0, 1.0, 2.0, 1.0], "y": [0.0, 0.0, 0.0, 5e9 + 0.5]})


def test_a_config_without_its_task_is_a_regression_unless_it_has_classes() -> None:
    # an edited file without "task" loaded a regression as a classifier: explain crashed
    net = build_network(2, 1, task="regression", hidden=[3], seed=0)
    assert Model.from_config({"target_mean": [1.0], "target_scale": [2.0]}, net).task == (
        "regression"
    )
    net = build_network(2, 2, task="classification", hidden=[3], seed=0)
    assert Model.from_config({"classes": ["a", "b"]}, net).task == "classification"


def test_a_target_scaling_of_the_wrong_length_says_how_many_it_needs() -> None:
    # "target_scale needs 1 or 1 numbers; got 3"
    net = build_network(2, 1, task="regression", hidden=[3], seed=0)
    with pytest.raises(ValueError, match=r"target_scale needs 1 number \(one per output\); got 3"):
        Model(net, task="regression", target_scale=[1.0, 2.0, 3.0])


def test_an_input_that_scales_to_inf_is_named_by_row_and_input() -> None:
    # a scale near 0 in an edited model file: "X has a non-finite value inf at row 0,
    # column 0; remove or impute it" named neither the file's row nor the input
    pre = Preprocessor().fit({"a": [1.0, 2.0, 3.0], "b": [3.0, 1.0, 2.0]})
    config = pre.get_config()
    config["columns"][1]["scale"] = 5e-324
    net = build_network(2, 1, task="regression", hidden=[3], seed=0)
    model = Model(net, Preprocessor.from_config(config), task="regression")
    with pytest.raises(DataError, match=r"data row 2: the model's input 'b' is inf after scaling"):
        model.predict({"a": [1.0, 2.0], "b": [float(config["columns"][1]["mean"]), 9.0]})
