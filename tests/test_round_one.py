"""Model files written by round 1 give round 1's answers on every route of today's glassnet.

Round 1's ``glassnet train`` (format 1) kept the input scaling, the target scaling and the
class labels in ``net.metadata``; ``glassnet.load`` turns such a file into a ``Model``, which
alone holds preprocessing now (a bare ``Network``'s metadata is never read as a step).

tests/data/round_one_*.safetensors were written by round 1's code (the tree before this
change), and round_one_*_predicted.json is what its ``glassnet predict MODEL QUERY --json``
printed for round_one_*_query.csv:

- iris: three text classes, four raw columns (the query lists them in another order);
- diabetes: a regression on raw columns (ages, blood pressure…), its target standardized;
- binary: a sigmoid output with the integer labels 3 and 7, columns on scales 1 and 100.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import glassnet
from glassnet.model import Model
from tests.cli.conftest import run_cli

DATA = Path(__file__).parent / "data"
MODELS = ("iris", "diabetes", "binary")


def _files(name: str) -> tuple[Path, Path, list[Any]]:
    """The model file, its query and round 1's predictions for it."""
    predicted = json.loads((DATA / f"round_one_{name}_predicted.json").read_text())
    return (
        DATA / f"round_one_{name}.safetensors",
        DATA / f"round_one_{name}_query.csv",
        predicted["predictions"],
    )


def _assert_same(answers: list[Any], expected: list[Any]) -> None:
    """Labels exactly, probabilities and values to float64 rounding."""
    if isinstance(expected[0], dict):
        assert [a["prediction"] for a in answers] == [e["prediction"] for e in expected]
        for got, wanted in zip(answers, expected, strict=True):
            assert got["probabilities"] == pytest.approx(wanted["probabilities"], rel=1e-12)
    else:
        np.testing.assert_allclose(answers, expected, rtol=1e-12)


@pytest.mark.parametrize("name", MODELS)
def test_load_and_predict_give_round_ones_answers(name: str) -> None:
    path, query, expected = _files(name)
    model = glassnet.load(path)
    assert isinstance(model, Model)  # the metadata's scalings and classes became a Model
    if model.task == "classification":
        assert model.classes is not None
        probabilities = model.predict_proba(query)
        answers = [
            {
                "prediction": label,
                "probabilities": dict(zip(map(str, model.classes), row, strict=True)),
            }
            for label, row in zip(model.predict(query).tolist(), probabilities, strict=True)
        ]
        _assert_same(answers, expected)
    else:
        _assert_same(model.predict(query).tolist(), expected)


@pytest.mark.parametrize("name", MODELS)
def test_glassnet_predict_gives_round_ones_answers(name: str) -> None:
    path, query, expected = _files(name)
    result = run_cli("predict", path, query, "--json")
    assert result.returncode == 0, result.stderr
    _assert_same(json.loads(result.stdout)["predictions"], expected)


@pytest.mark.parametrize("name", MODELS)
def test_the_onnx_export_gives_round_ones_answers(name: str, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from glassnet.onnx import export, run

    path, query, expected = _files(name)
    model = glassnet.load(path)
    assert isinstance(model, Model) and model.feature_names_in_ is not None
    export(model, tmp_path / "m.onnx")
    columns = model.feature_names_in_  # the file takes them in training order
    with query.open(newline="") as handle:
        X = np.array([[float(row[c]) for c in columns] for row in csv.DictReader(handle)])
    outputs = run(tmp_path / "m.onnx", X)
    # the file computes in float32 (docs/onnx.md): 1e-5 of the answers, labels exactly
    if model.task == "classification":
        assert outputs["label"].tolist() == [e["prediction"] for e in expected]
        wanted = [list(e["probabilities"].values()) for e in expected]
        np.testing.assert_allclose(outputs["probabilities"], wanted, rtol=1e-5, atol=1e-5)
    else:
        np.testing.assert_allclose(outputs["variable"][:, 0], expected, rtol=1e-5)


def test_a_boundary_of_a_round_one_model_is_drawn_in_raw_units() -> None:
    pytest.importorskip("matplotlib")
    from glassnet.plot import plot_boundary

    path, query, expected = _files("binary")
    model = glassnet.load(path)
    with query.open(newline="") as handle:
        X = np.array([[float(row["a"]), float(row["b"])] for row in csv.DictReader(handle)])
    labels = [e["prediction"] for e in expected]
    # round 1's own labels are all right only when the grid goes through the file's scaling
    ax = plot_boundary(model, X, labels, resolution=20).axes[0]
    assert "100.0% of the points right" in ax.get_title()
