"""gradcheck: passes on correct backpropagation, fails on a wrong gradient, touches nothing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from glassnet import Dense, Network, article
from glassnet.activations import Sigmoid
from glassnet.costs import SSE
from glassnet.datasets import jobs, moons
from glassnet.glassbox import gradcheck
from glassnet.glassbox.gradcheck import relative_error

DATA = jobs()


class ForgetfulSigmoid(Sigmoid):
    """A sigmoid whose derivative forgets the (1 − a) factor: a classic slip."""

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        return a * grad_a


class SlightlyWrongSSE(SSE):
    """A cost 1 % larger than ½·Σ(a − y)², whose gradient is still that of SSE: a subtle slip."""

    def __call__(self, a: np.ndarray, y: np.ndarray, sample_weight: object = None) -> float:
        return 1.01 * super().__call__(a, y, sample_weight)  # type: ignore[arg-type]

    def value_and_gradient(
        self, a: np.ndarray, y: np.ndarray, sample_weight: object = None
    ) -> tuple[float, np.ndarray]:
        return self(a, y, sample_weight), self.gradient(a, y, sample_weight)  # type: ignore[arg-type]


def three_layers(seed: int = 0, cost: str = "categorical_crossentropy") -> Network:
    return Network(
        [Dense(2, 6, "tanh"), Dense(6, 5, "sigmoid", l2=0.01), Dense(5, 3, "softmax")],
        cost=cost,
        seed=seed,
    )


def moons3() -> tuple[np.ndarray, np.ndarray]:
    data = moons(60, seed=1)
    labels = (data.X[:, 0] > 0.5).astype(int) + data.y[:, 0].astype(int)
    return data.X, np.eye(3)[labels]


def test_the_articles_network_passes_with_tiny_errors() -> None:
    result = gradcheck(article.network(), DATA.X, DATA.y)
    assert result.passed
    assert result.max_relative_error < 1e-8
    assert len(result.layers) == 1 and result.layers[0].n_checked == 4
    worst = result.layers[0].worst
    assert worst["backprop"] == pytest.approx(worst["numeric"], rel=1e-8)
    trained = gradcheck(article.trained_network(), DATA.X, DATA.y)
    assert trained.passed and trained.max_relative_error < 1e-6


def test_a_three_layer_model_passes() -> None:
    X, Y = moons3()
    result = gradcheck(three_layers(), X, Y)
    assert result.passed, result.to_dict()
    assert [layer.layer for layer in result.layers] == [1, 2, 3]
    assert [layer.n_checked for layer in result.layers] == [18, 35, 18]
    assert result.max_relative_error == max(layer.max_relative_error for layer in result.layers)


def test_a_derivative_missing_a_factor_fails_in_every_layer_below_it() -> None:
    net = Network([Dense(3, 4, ForgetfulSigmoid()), Dense(4, 1, "sigmoid")], cost="sse", seed=0)
    result = gradcheck(net, DATA.X, DATA.y)
    assert not result.passed
    assert result.layers[0].max_relative_error > 1e-2  # the broken layer
    assert result.layers[1].max_relative_error < 1e-6  # the layer above it is still right


def test_a_gradient_one_percent_off_fails() -> None:
    net = Network([Dense(3, 1, "sigmoid", weights=0.5, bias=0.2)], cost=SlightlyWrongSSE())
    result = gradcheck(net, DATA.X, DATA.y)
    assert not result.passed
    assert result.max_relative_error == pytest.approx(0.01 / 1.01, rel=1e-3)
    assert result.to_dict()["passed"] is False


def test_the_network_is_left_exactly_as_it_was() -> None:
    X, Y = moons3()
    net = three_layers()
    before = net.get_weights()
    gradcheck(net, X, Y)
    for old, new in zip(before, net.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_float32_is_checked_through_a_float64_copy() -> None:
    net = Network(
        [Dense(3, 2, "tanh"), Dense(2, 1, "sigmoid")], cost="mse", seed=3, dtype="float32"
    )
    with pytest.warns(UserWarning, match="float64 copy"):
        result = gradcheck(net, DATA.X, DATA.y)
    assert result.passed
    assert net.dtype == np.float32 and net.layers[0].weights.dtype == np.float32


def test_max_per_layer_checks_a_sample() -> None:
    X, Y = moons3()
    result = gradcheck(three_layers(), X, Y, max_per_layer=4)
    assert [layer.n_checked for layer in result.layers] == [4 + 4, 4 + 4, 4 + 3]
    assert result.passed


def test_max_per_layer_bounds_the_cost_evaluations_biases_included(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each checked parameter costs two evaluations of the cost; a wide layer's biases are
    sampled too, so the work is bounded by max_per_layer, not by the layers' widths."""
    net = Network([Dense(2, 300, "tanh"), Dense(300, 1, "sigmoid")], cost="mse", seed=0)
    calls: list[int] = []
    original = Network.cost

    def counting(self: Network, *args: Any, **kwargs: Any) -> float:
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Network, "cost", counting)
    X, Y = moons3()
    result = gradcheck(net, X, Y[:, :1], max_per_layer=5)
    assert [layer.n_checked for layer in result.layers] == [5 + 5, 5 + 1]
    assert len(calls) == 2 * (5 + 5 + 5 + 1)
    assert result.passed


def test_relative_error_definition() -> None:
    floor = 1e-4
    # large gradients: plain relative error
    assert relative_error(np.array([2.0]), np.array([1.0]), floor)[0] == 0.5
    # both zero: no error; tiny ones compared in units of the floor
    assert relative_error(np.array([0.0]), np.array([0.0]), floor)[0] == 0.0
    assert relative_error(np.array([1e-12]), np.array([0.0]), floor)[0] == pytest.approx(1e-8)


@given(seed=st.integers(0, 1000), cost=st.sampled_from(["mse", "sse", "binary_crossentropy"]))
def test_random_networks_pass(seed: int, cost: str) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(8, 3))
    y = (rng.random((8, 2)) > 0.5).astype(float)
    net = Network(
        [Dense(3, 4, "tanh"), Dense(4, 3, "leaky_relu", l2=0.1), Dense(3, 2, "sigmoid")],
        cost=cost,
        seed=seed,
    )
    assert gradcheck(net, X, y).passed


@pytest.mark.parametrize(
    "kwargs", [{"eps": 0.0}, {"tolerance": -1.0}, {"floor": 0.0}, {"max_per_layer": 0}]
)
def test_bad_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        gradcheck(article.network(), DATA.X, DATA.y, **kwargs)  # type: ignore[arg-type]


def test_a_diverged_network_fails_the_check_without_overflow_warnings() -> None:
    # weights of 1e83 (a network that diverged in the playground): the cost overflowed in
    # np.dot, and the warning (an error under the page's server tests) lost the answer
    net = Network([Dense(2, 16, "relu"), Dense(16, 1, "identity")], seed=0)
    for layer in net.layers:
        layer.weights = np.full_like(layer.weights, 1e83)
    X, y = np.ones((4, 2)), np.ones((4, 1))
    result = gradcheck(net, X, y)  # warnings are errors in this suite
    assert not result.passed and not np.isfinite(result.max_relative_error)
