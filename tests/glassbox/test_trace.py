"""trace: the article's step-1 numbers exactly, and every recorded number consistent."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from glassnet import SGD, Adam, Dense, GradientDescent, Network, article
from glassnet.activations import get_activation
from glassnet.datasets import jobs
from glassnet.glassbox import trace
from glassnet.glassbox.trace import check_steps

DATA = jobs()


def article_loop(epochs: int) -> list[dict[str, np.ndarray]]:
    """The article's own NumPy loop, line for line: the oracle trace must agree with."""
    inputs, outputs = DATA.X, DATA.y
    weights = np.array([[0.5], [0.5], [0.5]])
    bias = np.array([[0.2]])
    record = []
    for _ in range(epochs):
        prediction = np.dot(inputs, weights) + bias
        activated_val = 1 / (1 + np.exp(-prediction))
        error = activated_val - outputs
        sigmoid_der_prediction = activated_val * (1 - activated_val)
        der_cost_w = np.dot(inputs.T, sigmoid_der_prediction * error)
        der_cost_b = sigmoid_der_prediction * error
        weights = weights - 0.1 * der_cost_w
        bias = bias - 0.1 * np.sum(der_cost_b, axis=0, keepdims=True)
        record.append(
            {
                "z": prediction,
                "a": activated_val,
                "error": error,
                "grad_weights": der_cost_w,
                "grad_bias": np.sum(der_cost_b, axis=0),
                "weights": weights,
                "bias": bias[0],
            }
        )
    return record


def test_step_one_is_the_issues_numbers_to_1e_12() -> None:
    step = trace(article.network(), DATA.X, DATA.y, steps=[1], optimizer=article.optimizer())[1]
    layer = step.layers[0]
    expected = {
        "z": [1.2, 0.7, 0.7, 1.2],
        "a": [0.7685247834990175, 0.6681877721681662, 0.6681877721681662, 0.7685247834990175],
        "grad_weights": [-0.11474519658942414, 0.1069676767036849, -0.08235630832608108],
        "grad_bias": [-0.0077775198857392355],
        "weights": [0.5114745196589424, 0.4893032323296315, 0.5082356308326081],
        "bias": [0.20077775198857392],
    }
    for name, values in expected.items():
        np.testing.assert_allclose(getattr(layer, name).ravel(), values, rtol=0, atol=1e-12)
    a = np.array(expected["a"])
    assert step.cost == pytest.approx(0.5 * np.sum((a - DATA.y[:, 0]) ** 2), abs=1e-12)
    assert layer.error is not None
    np.testing.assert_allclose(layer.error.ravel(), a - DATA.y[:, 0], atol=1e-12)
    np.testing.assert_array_equal(layer.inputs, DATA.X)
    np.testing.assert_array_equal(layer.update_weights, 0.1 * layer.grad_weights)


def test_agrees_with_the_articles_own_loop_over_many_steps() -> None:
    chosen = [1, 2, 3, 50, 400]
    result = trace(article.network(), DATA.X, DATA.y, steps=chosen, optimizer=GradientDescent(0.1))
    oracle = article_loop(400)
    assert [s.step for s in result.steps] == chosen
    for step in result.steps:
        layer = step.layers[0]
        for name, value in oracle[step.step - 1].items():
            np.testing.assert_allclose(getattr(layer, name), value, rtol=1e-12, atol=1e-13)


def test_step_5000_is_the_trained_network_and_the_network_is_left_alone() -> None:
    net = article.network()
    result = trace(net, DATA.X, DATA.y, steps=[5000], optimizer=article.optimizer())
    trained = article.trained_network()
    np.testing.assert_array_equal(result[5000].layers[0].weights, trained.layers[0].weights)
    np.testing.assert_array_equal(result[5000].layers[0].bias, trained.layers[0].bias)
    np.testing.assert_array_equal(net.layers[0].weights, np.full((3, 1), 0.5))
    np.testing.assert_array_equal(net.layers[0].bias, [0.2])
    assert net.optimizer is None


def test_keep_training_continues_like_fit() -> None:
    net = article.network()
    trace(net, DATA.X, DATA.y, steps=[10], optimizer=GradientDescent(0.1), keep_training=True)
    reference = article.network()
    reference.fit(DATA.X, DATA.y, epochs=10, optimizer=GradientDescent(0.1))
    np.testing.assert_array_equal(net.layers[0].weights, reference.layers[0].weights)


def test_default_optimizer_is_the_articles_plain_descent() -> None:
    result = trace(article.network(), DATA.X, DATA.y)
    assert result.plain_descent and result.learning_rate == 0.1
    assert result.optimizer.startswith("GradientDescent")


def three_layers(seed: int = 0) -> Network:
    return Network(
        [Dense(3, 5, "tanh"), Dense(5, 4, "relu", l2=0.01), Dense(4, 1, "sigmoid")],
        cost="binary_crossentropy",
        seed=seed,
    )


def test_hidden_layers_and_adam_record_the_actual_change() -> None:
    net = three_layers()
    adam = Adam(0.05)
    start = net.get_weights()
    gradients = net.gradients(DATA.X, DATA.y)
    result = trace(net, DATA.X, DATA.y, steps=[1, 2, 3], optimizer=adam)
    assert adam.iterations == 0, "the caller's optimizer must keep its state"
    first = result[1]
    assert not result.plain_descent
    for i, layer in enumerate(first.layers):
        np.testing.assert_array_equal(layer.weights_before, start[2 * i])
        np.testing.assert_allclose(layer.grad_weights, gradients[i][0], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(
            layer.weights_before - layer.update_weights, layer.weights, rtol=0, atol=1e-15
        )
        # Adam's first step: rate·√(1−β₂)·g / (√(1−β₂)·|g| + ε), about the rate in size
        g, root = layer.grad_weights, np.sqrt(1 - 0.999)
        expected = 0.05 * root * g / (root * np.abs(g) + 1e-8)
        np.testing.assert_allclose(layer.update_weights, expected, rtol=1e-10, atol=1e-15)
    assert [layer.error is None for layer in first.layers] == [True, True, False]
    np.testing.assert_array_equal(first.layers[1].inputs, first.layers[0].a)
    for before, after in zip(result[3].layers, result[2].layers, strict=True):
        np.testing.assert_array_equal(before.weights_before, after.weights)
        np.testing.assert_array_equal(before.bias_before, after.bias)


@given(
    seed=st.integers(0, 10_000),
    hidden=st.integers(1, 6),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "identity"]),
    rate=st.floats(0.001, 1.0),
    momentum=st.sampled_from([0.0, 0.9]),
)
def test_every_recorded_number_follows_its_formula(
    seed: int, hidden: int, activation: str, rate: float, momentum: float
) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(7, 3))
    y = rng.normal(size=(7, 2))
    net = Network([Dense(3, hidden, activation), Dense(hidden, 2, "identity")], "mse", seed=seed)
    optimizer = SGD(rate, momentum=momentum)
    step = trace(net, X, y, steps=[2], optimizer=optimizer)[2]
    layers = step.layers
    close = {"rtol": 1e-12, "atol": 1e-13}
    for layer, act in zip(layers, [activation, "identity"], strict=True):
        z = layer.inputs @ layer.weights_before + layer.bias_before
        np.testing.assert_allclose(layer.z, z, **close)
        np.testing.assert_allclose(layer.a, get_activation(act)(layer.z.copy()), **close)
        np.testing.assert_allclose(layer.grad_weights, layer.inputs.T @ layer.delta, **close)
        np.testing.assert_allclose(layer.grad_bias, layer.delta.sum(axis=0), **close)
        if momentum == 0.0:
            # plain descent: the update is exactly rate × gradient, bit for bit
            np.testing.assert_array_equal(layer.update_weights, rate * layer.grad_weights)
            np.testing.assert_array_equal(
                layer.weights, layer.weights_before - layer.update_weights
            )
    out = layers[1]
    assert out.error is not None
    assert step.cost == pytest.approx(np.mean((out.a - y) ** 2), rel=1e-12)
    np.testing.assert_array_equal(out.error, out.a - y)
    np.testing.assert_allclose(out.delta, 2 * (out.a - y) / y.size, **close)


def test_to_dict_is_json_with_the_documented_keys() -> None:
    document = json.loads(json.dumps(trace(three_layers(), DATA.X, DATA.y, steps=[1, 2]).to_dict()))
    assert [s["step"] for s in document["steps"]] == [1, 2]
    layer = document["steps"][0]["layers"][2]
    for key in ("z", "a", "error", "delta", "grad_weights", "grad_bias", "weights", "bias"):
        assert key in layer
    assert document["steps"][0]["layers"][0]["error"] is None
    assert isinstance(document["steps"][0]["cost"], float)


@pytest.mark.parametrize("steps", [[0], [-1], [True], [], [1.5]])
def test_bad_steps_are_refused(steps: list[object]) -> None:
    with pytest.raises(ValueError, match="step"):
        check_steps(steps)  # type: ignore[arg-type]


def test_steps_are_sorted_and_unique_and_missing_ones_say_so() -> None:
    assert check_steps([5, 1, 5]) == [1, 5]
    assert check_steps(3) == [3]
    result = trace(article.network(), DATA.X, DATA.y, steps=[3, 1])
    with pytest.raises(KeyError, match="not traced"):
        result[2]


def test_bad_shapes_are_refused_before_training() -> None:
    with pytest.raises(ValueError, match="columns"):
        trace(article.network(), DATA.X[:, :2], DATA.y)


@pytest.mark.parametrize("check", ["trace", "gradcheck"])
def test_no_rows_is_a_value_error_saying_so(check: str) -> None:
    # the cost of no rows is 0/0: a ZeroDivisionError from deep inside
    from glassnet.glassbox import gradcheck

    net = Network([Dense(2, 1, "sigmoid")], seed=0)
    X, y = np.zeros((0, 2)), np.zeros((0, 1))
    with pytest.raises(ValueError, match=f"X has no rows; {check} needs at least one sample"):
        (trace if check == "trace" else gradcheck)(net, X, y)
