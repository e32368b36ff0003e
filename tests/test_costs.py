"""Costs: reductions as glassnet.costs defines them, gradients, fused deltas, stability."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from glassnet.activations import get_activation
from glassnet.costs import COSTS, get_cost
from tests.conftest import numerical_gradient, relative_error

A = np.array([[0.2, 0.7], [0.9, 0.4], [0.5, 0.1]])
Y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]])


def test_reductions_match_the_definitions() -> None:
    assert get_cost("sse")(A, Y) == pytest.approx(0.5 * np.sum((A - Y) ** 2))
    assert get_cost("mse")(A, Y) == pytest.approx(np.mean((A - Y) ** 2))
    bce = -np.mean(Y * np.log(A) + (1 - Y) * np.log(1 - A))
    assert get_cost("binary_crossentropy")(A, Y) == pytest.approx(bce)
    p = A / A.sum(axis=1, keepdims=True)
    cce = -np.mean(np.sum(Y * np.log(p), axis=1))
    assert get_cost("categorical_crossentropy")(p, Y) == pytest.approx(cce)


@pytest.mark.parametrize("name", sorted(COSTS))
@given(seed=st.integers(0, 10_000), weighted=st.booleans())
def test_gradient_matches_finite_differences(name: str, seed: int, weighted: bool) -> None:
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.05, 0.95, size=(4, 3))
    y = np.eye(3)[rng.integers(0, 3, size=4)]
    w = rng.uniform(0.1, 2.0, size=4) if weighted else None
    cost = get_cost(name)
    numeric = numerical_gradient(lambda: cost(a, y, w), a)
    assert relative_error(cost.gradient(a, y, w), numeric) < 1e-7
    value, grad = cost.value_and_gradient(a, y, w)
    assert value == pytest.approx(cost(a, y, w), rel=1e-12)
    assert np.allclose(grad, cost.gradient(a, y, w), rtol=1e-12)


@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy"])
@given(seed=st.integers(0, 10_000), weighted=st.booleans())
def test_fused_delta_equals_the_chain_rule(name: str, seed: int, weighted: bool) -> None:
    rng = np.random.default_rng(seed)
    cost = get_cost(name)
    assert cost.fused_activation is not None
    act = get_activation(cost.fused_activation)
    z = rng.normal(size=(5, 3))
    y = np.eye(3)[rng.integers(0, 3, size=5)]
    w = rng.uniform(0.1, 2.0, size=5) if weighted else None
    a = act(z.copy())
    chained = act.backward(z, a, cost.gradient(a, y, w))
    assert np.allclose(cost.fused_delta(a, y, w), chained, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["binary_crossentropy", "categorical_crossentropy"])
def test_extreme_logits_give_finite_cost_and_delta(name: str, dtype: str) -> None:
    cost = get_cost(name)
    assert cost.fused_activation is not None
    act = get_activation(cost.fused_activation)
    z = np.array([[1e3, -1e3, 0.0], [-1e3, 1e3, 1e3]], dtype=dtype)
    y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=dtype)
    a = act(z.copy())
    value, delta = cost.value_and_fused_delta(a, y)
    assert np.isfinite(value) and value > 10  # confidently wrong costs a lot, finitely
    assert np.all(np.isfinite(delta))
    assert np.all(np.isfinite(cost.gradient(a, y)))


def test_sample_weights_scale_terms_and_keep_the_sample_count() -> None:
    cost = get_cost("mse")
    w = np.array([1.0, 0.0, 2.0])
    expected = np.sum(w[:, None] * (A - Y) ** 2) / A.size
    assert cost(A, Y, w) == pytest.approx(expected)
    assert cost(A, Y, np.ones(3)) == pytest.approx(cost(A, Y))


def test_unknown_cost_names_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown cost 'mae'.*sse.*mse"):
        get_cost("mae")


def test_exp_and_poisson_step_as_scikit_learns_poisson_regressor() -> None:
    # MLPRegressor(loss="poisson"): an exp output, half the Poisson deviance, delta a − y
    neural_network = pytest.importorskip("sklearn.neural_network")
    import warnings

    from glassnet import Dense, GradientDescent, Network

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.poisson(2.0, size=30).astype(float)
    model = neural_network.MLPRegressor(
        hidden_layer_sizes=(3,), activation="tanh", loss="poisson", solver="sgd", alpha=0.0,
        momentum=0.0, batch_size=30, learning_rate_init=0.05, shuffle=False, max_iter=1,
        random_state=0,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one iteration does not converge, on purpose
        model.fit(X, y)
        start = [model.coefs_[0], model.intercepts_[0], model.coefs_[1], model.intercepts_[1]]
        net = Network([Dense(4, 3, "tanh"), Dense(3, 1, "exp")], cost="poisson")
        net.set_weights([p.copy() for p in start])
        model.partial_fit(X, y)  # one full-batch gradient step
    net.fit(X, y, epochs=1, optimizer=GradientDescent(0.05))
    after = [model.coefs_[0], model.intercepts_[0], model.coefs_[1], model.intercepts_[1]]
    for ours, theirs in zip(net.get_weights(), after, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
