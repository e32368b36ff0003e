"""The hot paths held to plain, formula-shaped twins.

glassnet's arithmetic is written for speed (in place, fused, one flat parameter vector);
each twin here is the same formula written the way the article and a textbook write it,
and each test holds the fast code to its twin. ARCHITECTURE.md ("Where the math lives")
links every one of the article's ideas to its line in src/ and to the test here; the last
test checks that those links still point at those lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from glassnet import SGD, Adam, Dense, GradientDescent, Network
from glassnet.activations import get_activation
from glassnet.costs import get_cost

ROOT = Path(__file__).resolve().parent.parent
RNG = np.random.default_rng(0)
Z = RNG.normal(scale=3.0, size=(5, 4))
GRAD_A = RNG.normal(size=(5, 4))


# ----- activations: a = f(z) and δ = f'(z) · dC/da ----------------------------------------
def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


TWINS_BACKWARD = {
    "sigmoid": lambda z, a, g: a * (1 - a) * g,
    "tanh": lambda z, a, g: (1 - a**2) * g,
    "relu": lambda z, a, g: np.where(z > 0, 1.0, 0.0) * g,
    "leaky_relu": lambda z, a, g: np.where(z > 0, 1.0, 0.01) * g,
    "identity": lambda z, a, g: g,
    "exp": lambda z, a, g: np.exp(z) * g,
}


def test_sigmoid_is_one_over_one_plus_exp_minus_z() -> None:
    assert np.array_equal(get_activation("sigmoid")(Z.copy()), sigmoid(Z))


@pytest.mark.parametrize("name", sorted(TWINS_BACKWARD))
def test_backward_is_the_derivative_times_the_error(name: str) -> None:
    activation = get_activation(name)
    a = activation(Z.copy())
    expected = TWINS_BACKWARD[name](Z, a, GRAD_A)
    np.testing.assert_allclose(activation.backward(Z, a, GRAD_A), expected, rtol=1e-14)


def test_softmax_backward_is_its_jacobian_times_the_error() -> None:
    activation = get_activation("softmax")
    a = activation(Z.copy())
    rows = []
    for a_row, g_row in zip(a, GRAD_A, strict=True):
        jacobian = np.diag(a_row) - np.outer(a_row, a_row)  # da_i/dz_j = a_i (δ_ij − a_j)
        rows.append(jacobian @ g_row)
    np.testing.assert_allclose(activation.backward(Z, a, GRAD_A), np.array(rows), atol=1e-15)


# ----- costs: C and dC/da -----------------------------------------------------------------
A = RNG.uniform(0.05, 0.95, size=(6, 3))
Y = (RNG.uniform(size=(6, 3)) > 0.5).astype(float)
N, COUNT = A.shape[0], A.size

TWINS_COST = {
    "sse": (lambda a, y: 0.5 * np.sum((a - y) ** 2), lambda a, y: a - y),
    "mse": (lambda a, y: np.mean((a - y) ** 2), lambda a, y: 2 * (a - y) / COUNT),
    "binary_crossentropy": (
        lambda a, y: -np.mean(y * np.log(a) + (1 - y) * np.log(1 - a)),
        lambda a, y: (a - y) / (a * (1 - a)) / COUNT,
    ),
    "categorical_crossentropy": (
        lambda a, y: -np.sum(y * np.log(a)) / N,
        lambda a, y: -y / a / N,
    ),
    "poisson": (
        lambda a, y: np.sum(np.where(y > 0, y * np.log(np.where(y > 0, y, 1) / a), 0) - y + a) / N,
        lambda a, y: (1 - y / a) / N,
    ),
}


@pytest.mark.parametrize("name", sorted(TWINS_COST))
def test_each_cost_and_its_gradient(name: str) -> None:
    cost, gradient = get_cost(name), TWINS_COST[name]
    assert cost(A, Y) == pytest.approx(gradient[0](A, Y), rel=1e-14)
    np.testing.assert_allclose(cost.gradient(A, Y), gradient[1](A, Y), rtol=1e-14)
    value, grad = cost.value_and_gradient(A, Y)
    assert value == pytest.approx(gradient[0](A, Y), rel=1e-14)
    np.testing.assert_allclose(grad, gradient[1](A, Y), rtol=1e-14)


@pytest.mark.parametrize(
    ("name", "count"),
    [("binary_crossentropy", COUNT), ("categorical_crossentropy", N), ("poisson", N)],
)
def test_the_fused_output_delta_is_a_minus_y_over_the_count(name: str, count: int) -> None:
    # sigmoid + BCE, softmax + CCE, exp + poisson: dC/dz = (a − y) / count
    np.testing.assert_allclose(get_cost(name).fused_delta(A, Y), (A - Y) / count, rtol=1e-15)


# ----- one layer: feedforward and backpropagation ----------------------------------------
def feedforward(inputs: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """推測結果' = input x weight + bias, neuron by neuron; then 推測結果 = sigmoid(推測結果')."""
    n_samples, n_in = inputs.shape
    z = np.zeros((n_samples, weights.shape[1]))
    for i in range(n_samples):
        for j in range(weights.shape[1]):
            z[i, j] = sum(inputs[i, k] * weights[k, j] for k in range(n_in)) + bias[j]
    return sigmoid(z)


def backpropagate(
    inputs: np.ndarray, delta: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dC/dw[k, j] = Σ_i inputs[i, k] · δ[i, j];  dC/db[j] = Σ_i δ[i, j];
    dC/d(inputs)[i, k] = Σ_j δ[i, j] · w[k, j]."""
    n_samples, n_in = inputs.shape
    n_out = delta.shape[1]
    grad_w = np.array(
        [[sum(inputs[i, k] * delta[i, j] for i in range(n_samples)) for j in range(n_out)]
         for k in range(n_in)]
    )  # fmt: skip
    grad_b = np.array([sum(delta[i, j] for i in range(n_samples)) for j in range(n_out)])
    grad_in = np.array(
        [[sum(delta[i, j] * weights[k, j] for j in range(n_out)) for k in range(n_in)]
         for i in range(n_samples)]
    )  # fmt: skip
    return grad_w, grad_b, grad_in


def _layer() -> tuple[Dense, np.ndarray]:
    layer = Dense(4, 3, "sigmoid", weights=RNG.normal(size=(4, 3)), bias=RNG.normal(size=3))
    return layer, RNG.normal(size=(5, 4))


def test_dense_feedforward_is_inputs_times_weights_plus_bias() -> None:
    layer, inputs = _layer()
    expected = feedforward(inputs, layer.weights, layer.bias)
    np.testing.assert_allclose(layer.feedforward(inputs), expected, rtol=1e-14)


@pytest.mark.parametrize("n_out", [1, 3])
def test_dense_backpropagate_sums_inputs_times_delta(n_out: int) -> None:
    layer = Dense(4, n_out, "sigmoid", weights=RNG.normal(size=(4, n_out)), bias=0.0)
    inputs = RNG.normal(size=(5, 4))
    layer.feedforward(inputs)
    delta = RNG.normal(size=(5, n_out))
    grad_inputs = layer.backpropagate(delta)
    grad_w, grad_b, grad_in = backpropagate(inputs, delta, layer.weights)
    np.testing.assert_allclose(layer.grad_weights, grad_w, rtol=1e-13)  # type: ignore[arg-type]
    np.testing.assert_allclose(layer.grad_bias, grad_b, rtol=1e-13)  # type: ignore[arg-type]
    np.testing.assert_allclose(grad_inputs, grad_in, rtol=1e-13)  # type: ignore[arg-type]


def test_the_article_step_is_delta_then_w_minus_lr_gradient() -> None:
    # the article's network, one full-batch step with its own formulas
    inputs = np.array([[0, 1, 1], [1, 0, 0], [0, 1, 0], [1, 0, 1]], dtype=float)
    outputs = np.array([[1], [1], [0], [1]], dtype=float)
    net = Network([Dense(3, 1, "sigmoid", weights=0.5, bias=0.2)], cost="sse")
    net.fit(inputs, outputs, epochs=1, optimizer=GradientDescent(0.1))
    weights, bias = np.full((3, 1), 0.5), np.array([0.2])
    a = feedforward(inputs, weights, bias)
    delta = a * (1 - a) * (a - outputs)  # δ = sigmoid'(z) · error
    grad_w, grad_b, _ = backpropagate(inputs, delta, weights)
    np.testing.assert_allclose(net.layers[0].weights, weights - 0.1 * grad_w, rtol=1e-15)
    np.testing.assert_allclose(net.layers[0].bias, bias - 0.1 * grad_b, rtol=1e-15)


# ----- optimizers: w -= lr · dC/dw, and its refinements ----------------------------------
def test_gradient_descent_is_w_minus_lr_times_the_gradient() -> None:
    w, g = RNG.normal(size=6), RNG.normal(size=6)
    expected = w - 0.1 * g
    GradientDescent(0.1).update([w], [g])
    assert np.array_equal(w, expected)


def test_momentum_and_adam_follow_their_papers() -> None:
    w, gradients = RNG.normal(size=4), [RNG.normal(size=4) for _ in range(5)]
    sgd_w, adam_w = w.copy(), w.copy()  # updated in place by glassnet
    w_sgd, w_adam = w.copy(), w.copy()  # by the formulas
    velocity, m, v = np.zeros(4), np.zeros(4), np.zeros(4)
    sgd, adam = SGD(0.05, momentum=0.9), Adam(0.01)
    for t, g in enumerate(gradients, start=1):
        sgd.update([sgd_w], [g])
        adam.update([adam_w], [g])
        velocity = 0.9 * velocity + g  # v = μ·v + g;  w -= lr·v
        w_sgd = w_sgd - 0.05 * velocity
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g**2
        m_hat, v_hat = m / (1 - 0.9**t), v / (1 - 0.999**t)
        w_adam = w_adam - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(sgd_w, w_sgd, rtol=1e-13)
    # the efficient form folds ε differently (ε·√(1−β₂ᵗ)): equal to ~1e-7 relative
    np.testing.assert_allclose(adam_w, w_adam, rtol=1e-6)


# ----- ARCHITECTURE.md points at these lines --------------------------------------------
LINK = re.compile(r"\[[^\]]+\]\((src/glassnet/[\w/]+\.py)#L(\d+)\)\s*\|\s*`([^`]+)`")


def test_where_the_math_lives_links_point_at_their_lines() -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text[text.index("## Where the math lives") :]
    links = LINK.findall(section)
    assert len(links) >= 8
    for path, line, code in links:
        source = [text.strip() for text in (ROOT / path).read_text(encoding="utf-8").splitlines()]
        now = [str(i) for i, text in enumerate(source, start=1) if text == code.strip()]
        assert source[int(line) - 1] == code.strip(), (
            f"ARCHITECTURE.md: {path}:{line} is not `{code}`; it is now on line {' or '.join(now)}"
        )
    for test in re.findall(r"tests/test_formulas\.py::(\w+)", section):
        assert test in globals(), f"ARCHITECTURE.md names {test}, which is not in this file"
