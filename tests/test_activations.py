"""Activations: values, derivatives against finite differences, stability at extremes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from glassnet.activations import ACTIVATIONS, get_activation
from tests.conftest import numerical_gradient, relative_error

NAMES = sorted(ACTIVATIONS)


def _z(rows: int, cols: int) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float64, (rows, cols), elements=st.floats(-3, 3))


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_backward_matches_finite_differences(name: str, data: st.DataObject) -> None:
    rows, cols = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    z = data.draw(_z(rows, cols))
    # keep relu-like kinks away from the finite-difference step
    if name in ("relu", "leaky_relu"):
        z = np.where(np.abs(z) < 1e-3, 0.5, z)
    grad_a = np.random.default_rng(0).normal(size=z.shape)
    act = get_activation(name)
    a = act(z.copy())
    analytic = act.backward(z, a, grad_a)
    numeric = numerical_gradient(lambda: float(np.sum(act(z.copy()) * grad_a)), z, eps=1e-5)
    assert relative_error(analytic, numeric) < 1e-7


def test_known_values() -> None:
    z = np.array([[-1.0, 0.0, 2.0]])
    assert np.allclose(get_activation("sigmoid")(z.copy()), 1 / (1 + np.exp(-z)))
    assert np.allclose(get_activation("tanh")(z), np.tanh(z))
    assert np.array_equal(get_activation("relu")(z), [[0.0, 0.0, 2.0]])
    assert np.allclose(get_activation("leaky_relu")(z), [[-0.01, 0.0, 2.0]])
    assert np.array_equal(get_activation("identity")(z), z)
    e = np.exp(z)
    assert np.allclose(get_activation("softmax")(z), e / e.sum())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", NAMES)
def test_extreme_inputs_stay_finite_without_warnings(name: str, dtype: str) -> None:
    # pytest turns RuntimeWarning (overflow in exp) into an error
    z = np.array([[-1000.0, 1000.0, 0.0], [1e3, 1e3, -1e3]], dtype=dtype)
    act = get_activation(name)
    a = act(z.copy())
    assert a.dtype == np.dtype(dtype)
    assert np.all(np.isfinite(a))
    assert np.all(np.isfinite(act.backward(z, a, np.ones_like(z))))


def test_sigmoid_limits() -> None:
    a = get_activation("sigmoid")(np.array([[-1000.0, 1000.0]]))
    assert a[0, 0] == pytest.approx(0.0, abs=1e-300)
    assert a[0, 1] == 1.0


@given(arrays(np.float64, (5, 4), elements=st.floats(-1e3, 1e3)))
def test_softmax_rows_sum_to_one(z: np.ndarray) -> None:
    a = get_activation("softmax")(z)
    assert np.allclose(a.sum(axis=1), 1.0)
    assert np.all(a >= 0.0)


def test_unknown_activation_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown activation 'sigmoidd'.*sigmoid.*relu"):
        get_activation("sigmoidd")
