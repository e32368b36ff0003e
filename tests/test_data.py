"""``glassnet.data``: the target helpers, the scaler, and reading models saved by 0.1.

Reading tables is tested in test_table.py, the column encoding in test_preprocessing.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from glassnet.data import (
    DataError,
    Scaler,
    class_probabilities,
    decode_outputs,
    detect_task,
    encode_labels,
    find_classes,
    model_inputs,
    one_hot,
    read_for_model,
)


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# ----- the target ----------------------------------------------------------------------------
def test_detect_task_rule() -> None:
    assert detect_task(np.array(["yes", "no"])) == "classification"
    assert detect_task(np.array([0.0, 1.0, 2.0, 1.0])) == "classification"
    assert detect_task(np.arange(21.0)) == "regression"  # more than 20 whole values
    assert detect_task(np.arange(20.0)) == "classification"
    assert detect_task(np.array([0.5, 1.0])) == "regression"


def test_classes_and_encoding() -> None:
    assert find_classes(np.array([3.0, 1.0, 3.0]), "f", "y") == [1, 3]
    assert find_classes(np.array(["b", "a", "b"]), "f", "y") == ["a", "b"]
    with pytest.raises(DataError, match="only one class"):
        find_classes(np.array(["a", "a"]), "f", "y")
    index = encode_labels(np.array(["b", "c", "a", "c"]), ["a", "b", "c"], "f", "y")
    np.testing.assert_array_equal(index, [1, 2, 0, 2])
    np.testing.assert_array_equal(encode_labels(np.array([3.0, 1.0]), [1, 3], "f", "y"), [1, 0])
    with pytest.raises(DataError, match="'zebra', which is not one of the model's classes"):
        encode_labels(np.array(["a", "zebra"]), ["a", "b"], "f", "y")
    np.testing.assert_array_equal(one_hot(np.array([1, 0]), 1), [[1], [0]])
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(one_hot(np.array([1, 0]), 2), [[0, 1], [1, 0]])
    np.testing.assert_allclose(class_probabilities(np.array([[0.25]])), [[0.75, 0.25]])


def test_decode_outputs() -> None:
    meta = {"task": "classification", "classes": ["a", "b"]}
    answers, probabilities = decode_outputs(meta, np.array([[0.2], [0.5], [0.9]]))
    np.testing.assert_array_equal(answers, [0, 1, 1])
    assert probabilities is not None and probabilities.shape == (3, 2)
    meta = {"task": "regression", "target_scaler": {"mean": [10.0], "scale": [2.0]}}
    values, none = decode_outputs(meta, np.array([[0.0], [1.5]]))
    np.testing.assert_allclose(values, [10.0, 13.0])
    assert none is None


# ----- scaling ---------------------------------------------------------------------------------
@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3), min_size=2, max_size=50))
def test_scaler_standardizes_and_survives_constant_columns(rows: list[list[float]]) -> None:
    X = np.array(rows)
    X[:, 2] = 7.0  # a constant column
    scaler = Scaler().fit(X, chunk_rows=7)
    np.testing.assert_allclose(scaler.mean, X.mean(axis=0), rtol=1e-9, atol=1e-6)
    Z = scaler.transform(X)
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z[:, 2], 0.0)
    assert scaler.scale is not None and scaler.scale[2] == 1.0
    varied = X.std(axis=0) > 1e-6 * np.maximum(np.abs(X.mean(axis=0)), 1)
    np.testing.assert_allclose(Z[:, varied].std(axis=0), 1.0, rtol=1e-6)
    again = Scaler.from_dict(scaler.to_dict())
    np.testing.assert_array_equal(again.transform(X), Z)
    inplace = X.copy()
    assert scaler.transform(inplace, inplace=True) is inplace


def test_scaler_keeps_tiny_columns_and_scales_huge_ones_without_overflow() -> None:
    rng = np.random.default_rng(0)
    tiny = rng.uniform(0.0, 2e-13, 200)  # spread 1e-13 around 1e-13: a real feature
    huge = 10.0 ** rng.uniform(154, 300, 200)  # squares overflow float64
    signed = rng.normal(size=200) * 1e300
    X = np.column_stack([tiny, huge, signed, np.full(200, 1.7e308), np.zeros(200)])
    scaler = Scaler().fit(X, chunk_rows=64)
    assert scaler.scale is not None and np.isfinite(scaler.scale).all()
    assert (scaler.scale > 0).all()
    size = np.abs(X[:, :3]).max(axis=0)  # NumPy's own std would overflow on these
    np.testing.assert_allclose(scaler.scale[:3], (X[:, :3] / size).std(axis=0) * size, rtol=1e-9)
    Z = scaler.transform(X)
    np.testing.assert_allclose(Z[:, :3].std(axis=0), 1.0, rtol=1e-9)
    np.testing.assert_array_equal(Z[:, 3:], 0.0)  # constant columns: scale 1, all zero
    with pytest.raises(ValueError, match="column 'edge' has values too close to the float64"):
        Scaler().fit(np.array([[1.0, 1.7e308], [2.0, -1.7e308], [3.0, -1.7e308]]),
                     names=["a", "edge"])  # fmt: skip


def test_scaler_errors() -> None:
    with pytest.raises(ValueError, match="not fitted"):
        Scaler().transform(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="3 columns but the scaler was fitted on 2"):
        Scaler().fit(np.ones((3, 2))).transform(np.zeros((2, 3)))


def test_read_for_model_reads_a_01_models_columns_by_name(tmp_path: Path) -> None:
    path = write(tmp_path / "p.csv", "b,extra,a,label\n2,x,1,yes\n4,y,3,no\n")
    meta = {"feature_names": ["a", "b"], "target_name": "label", "scaler": {"mean": [1.0, 2.0],
            "scale": [2.0, 2.0]}}  # fmt: skip
    read = read_for_model(path, meta, need_target=True)
    np.testing.assert_array_equal(read.X, [[1, 2], [3, 4]])
    assert read.y is not None and read.y.tolist() == ["yes", "no"]
    np.testing.assert_array_equal(model_inputs(meta, read.X), [[0, 0], [1, 1]])
    with pytest.raises(DataError, match=r"p.csv, line 3, column 'b': 'oops' is not a number"):
        read_for_model(write(path, "a,b,label\n1,2,yes\n1,oops,no\n"), meta, need_target=True)
    with pytest.raises(DataError, match="needs the columns b"):
        read_for_model(write(path, "a,label\n1,2\n"), meta, need_target=True)
    with pytest.raises(DataError, match="does not name its feature"):
        read_for_model(path, {}, need_target=True)
