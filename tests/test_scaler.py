"""``glassnet.preprocessing.Scaler``: the standardization of numeric columns and of a
regression's target (the column encoding around it is tested in test_preprocessing.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from glassnet.preprocessing import Scaler


@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=3, max_size=3), min_size=2, max_size=50))
@example(rows=[[0.0, 0.0, 0.0], [0.0, 5e-324, 0.0]])  # a spread that underflows: "too close
# to the float64 limit"
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
    inplace = X.copy()
    assert scaler.transform(inplace, inplace=True) is inplace
    np.testing.assert_array_equal(inplace, Z)


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


def test_scaler_errors() -> None:
    with pytest.raises(ValueError, match="not fitted"):
        Scaler().transform(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="3 columns but the scaler was fitted on 2"):
        Scaler().fit(np.ones((3, 2))).transform(np.zeros((2, 3)))
