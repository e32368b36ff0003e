"""The network: the article's numbers exactly, gradients against finite differences, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from glassnet import Dense, GradientDescent, Network
from glassnet.activations import ACTIVATIONS
from glassnet.datasets import jobs
from tests.conftest import numerical_gradient, relative_error

ARTICLE_WEIGHTS = [3.4060369676610347, -2.6711678969340755, 5.691613980699549]
ARTICLE_BIAS = -0.06513092927302165
ARTICLE_OUTPUTS = [0.9982759475133801, 0.6614445222142281, 0.4837230212384422]
QUESTIONS = np.array([[1, 1, 1], [1, 1, 0], [0, 0, 0]])


def article_loop(costs: list[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The article's own code, with only its typos fixed: the oracle for glassnet's numbers.
    ``costs`` gets each epoch's cost as the fixed listing prints it."""
    inputs = np.array([[0, 1, 1], [1, 0, 0], [0, 1, 0], [1, 0, 1]])
    outputs = np.array([[1], [1], [0], [1]])
    weights = np.array([[0.5], [0.5], [0.5]])
    bias = np.array([[0.2]])
    for _ in range(5000):
        activated_val = 1 / (1 + np.exp(-(np.dot(inputs, weights) + bias)))
        error = activated_val - outputs
        if costs is not None:
            costs.append(float(0.5 * np.sum(error**2)))
        sigmoid_der_prediction = activated_val * (1 - activated_val)
        weights -= 0.1 * np.dot(inputs.T, sigmoid_der_prediction * error)
        bias -= 0.1 * np.sum(sigmoid_der_prediction * error, axis=0, keepdims=True)
    return weights, bias


def test_the_article_network_exactly() -> None:
    X, y = jobs()
    net = Network([Dense(3, 1, activation="sigmoid", weights=0.5, bias=0.2)], cost="sse")
    history = net.fit(X, y, epochs=5000, optimizer=GradientDescent(learning_rate=0.1))
    layer = net.layers[0]
    assert layer.weights.shape == (3, 1) and layer.bias.shape == (1,)
    assert np.allclose(layer.weights[:, 0], ARTICLE_WEIGHTS, rtol=0, atol=1e-9)
    assert layer.bias[0] == pytest.approx(ARTICLE_BIAS, abs=1e-9)
    assert np.allclose(net.feedforward(QUESTIONS)[:, 0], ARTICLE_OUTPUTS, rtol=0, atol=1e-9)
    assert np.array_equal(net.predict(QUESTIONS), [1, 1, 0])
    assert len(history.cost) == 5000
    assert history.cost[0] == pytest.approx(0.5 * np.sum((net_at_start_outputs() - y) ** 2))
    assert history.cost[-1] < history.cost[0]
    # and the article's own loop agrees, so the expected numbers are not just copied; its
    # costs to the last bit (summed as a dot product, a third of them differed in it)
    costs: list[float] = []
    weights, bias = article_loop(costs)
    assert history.cost == costs
    assert np.allclose(weights[:, 0], ARTICLE_WEIGHTS, atol=1e-9)
    assert bias[0, 0] == pytest.approx(ARTICLE_BIAS, abs=1e-9)


def net_at_start_outputs() -> np.ndarray:
    X, _ = jobs()
    return 1 / (1 + np.exp(-(X @ np.full((3, 1), 0.5) + 0.2)))


# the output activation must suit the cost: cross-entropies need outputs in (0, 1)
OUTPUTS_FOR_COST = {
    "sse": sorted(ACTIVATIONS),
    "mse": sorted(ACTIVATIONS),
    "binary_crossentropy": ["sigmoid", "softmax"],
    "categorical_crossentropy": ["softmax", "sigmoid"],
    "poisson": ["exp"],
}
CASES = [(cost, out) for cost, outs in OUTPUTS_FOR_COST.items() for out in outs]


def _targets(cost: str, rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    if cost in ("binary_crossentropy", "categorical_crossentropy"):
        return np.eye(k)[rng.integers(0, k, size=n)]
    if cost == "poisson":
        return rng.poisson(1.0, size=(n, k)).astype(float)
    return rng.normal(size=(n, k))


# exp is the output link of a count regression; stacked as a hidden layer it makes
# exp(exp(...)) values too large for central differences to resolve
@pytest.mark.parametrize("hidden", sorted(set(ACTIVATIONS) - {"exp"}))
@pytest.mark.parametrize(("cost", "output"), CASES)
@settings(max_examples=15)
@given(depth=st.integers(1, 3), seed=st.integers(0, 2**16), weighted=st.booleans())
def test_gradients_match_finite_differences(
    hidden: str, cost: str, output: str, depth: int, seed: int, weighted: bool
) -> None:
    rng = np.random.default_rng(seed)
    sizes = [int(s) for s in rng.integers(1, 5, size=depth + 1)]
    if output == "softmax" or cost == "categorical_crossentropy":
        sizes[-1] = max(2, sizes[-1])
    layers = [
        Dense(sizes[i], sizes[i + 1], activation=hidden if i < depth - 1 else output)
        for i in range(depth)
    ]
    net = Network(layers, cost=cost, seed=seed)
    n = int(rng.integers(1, 6))
    X = rng.normal(size=(n, sizes[0]))
    y = _targets(cost, rng, n, sizes[-1])
    w = rng.uniform(0.2, 2.0, size=n) if weighted else None
    # relu's kink: nudge any pre-activation that sits too close to 0 for central differences
    for layer in net.layers:
        layer.bias += 0.01
    analytic = net.gradients(X, y, w)
    # central differences carry round-off of about 1e-16·|C| / 1e-6, so a gradient far
    # smaller than the cost is compared against that floor instead of its own tiny size
    floor = 1e-3 * max(1.0, abs(net.cost(X, y, w)))
    for layer, (gw, gb) in zip(net.layers, analytic, strict=True):
        for param, grad in ((layer.weights, gw), (layer.bias, gb)):
            # a cost near log(0) (a softmax output of 4e-5 under binary cross-entropy)
            # loses digits to cancellation, which a step of 1e-6 magnifies past 1e-6; a
            # step of 1e-4 has ~1e-8 truncation error instead: the closer of the two counts
            error = min(
                relative_error(
                    grad, numerical_gradient(lambda: net.cost(X, y, w), param, eps), floor
                )
                for eps in (1e-6, 1e-4)
            )
            assert error < 1e-6


def test_gradients_include_the_l2_penalty_and_change_nothing() -> None:
    rng = np.random.default_rng(1)
    net = Network([Dense(3, 4, "tanh", l2=0.3), Dense(4, 1, "identity", l2=0.1)], seed=1)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    before = net.get_weights()
    grads = net.gradients(X, y)
    for layer, (gw, _) in zip(net.layers, grads, strict=True):
        assert relative_error(gw, numerical_gradient(lambda: net.cost(X, y), layer.weights)) < 1e-6
    for old, new in zip(before, net.get_weights(), strict=True):
        assert np.array_equal(old, new)


def test_seed_gives_the_same_numbers_and_float32_computes_in_float32() -> None:
    def make(dtype: str) -> Network:
        return Network(
            [Dense(4, 8, "relu", weights="he"), Dense(8, 3, "softmax")],
            cost="categorical_crossentropy",
            seed=42,
            dtype=dtype,
        )

    a, b = make("float64"), make("float64")
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        assert np.array_equal(wa, wb)
    net32 = make("float32")
    X = np.random.default_rng(0).normal(size=(10, 4))
    y = np.eye(3)[np.arange(10) % 3]
    net32.fit(X, y, epochs=3, batch_size=4)
    assert all(p.dtype == np.float32 for p in net32.get_weights())
    assert net32.feedforward(X).dtype == np.float32
    assert all(g.dtype == np.float32 for pair in net32.gradients(X, y) for g in pair)
    assert np.allclose(net32.feedforward(X[:2]), a.feedforward(X[:2]), atol=0.2)


def test_layer_arrays_are_views_of_the_flat_vectors_and_assignable() -> None:
    net = Network([Dense(2, 3, "tanh"), Dense(3, 1, "sigmoid")], seed=0)
    net.layers[0].weights = np.ones((2, 3))
    assert np.array_equal(net.parameter_vector[:6], np.ones(6))
    net.layers[1].bias = [0.25]
    assert net.parameter_vector[-1] == 0.25
    with pytest.raises(ValueError, match=r"weights must have shape \(2, 3\); got .*\(3, 2\)"):
        net.layers[0].weights = np.ones((3, 2))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Dense(3, 1, weights=np.ones((2, 1))),
            r"weights must have shape \(3, 1\); got an array of shape \(2, 1\)",
        ),
        (
            lambda: Dense(3, 1, activation="sigmoidd"),
            r"unknown activation 'sigmoidd'; choose one of",
        ),
        (
            lambda: Network([Dense(3, 1)], cost="crossentropy"),
            r"unknown cost 'crossentropy'; choose one of",
        ),
        (
            lambda: Network([Dense(3, 4), Dense(5, 1)]),
            r"layer 1 .* takes 5 inputs but layer 0 .* gives 4",
        ),
        (lambda: Dense(0, 1), r"n_in must be a positive integer; got 0"),
        (lambda: Dense(3, 1, weights="orthogonal"), r"unknown initializer 'orthogonal'"),
        (lambda: Network([Dense(3, 1)], dtype="float16"), r"dtype must be 'float32' or 'float64'"),
    ],
)
def test_construction_errors_name_what_was_given_and_expected(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        make()


def test_data_shape_errors_name_what_was_given_and_expected() -> None:
    net = Network([Dense(3, 1, weights=0.5, bias=0.2)], cost="sse")
    X, y = jobs()
    with pytest.raises(ValueError, match=r"X has 2 columns but the network takes 3 inputs"):
        net.feedforward(X[:, :2])
    with pytest.raises(ValueError, match=r"y has 3 rows but X has 4"):
        net.fit(X, y[:3], epochs=1)
    with pytest.raises(ValueError, match=r"X must be 2-D .* got shape \(3,\)"):
        net.predict([1, 1, 1])
    with pytest.raises(ValueError, match=r"X must be numeric"):
        net.feedforward([["a", "b", "c"]])
    with pytest.raises(ValueError, match=r"X has a non-finite value nan at row 1, column 2"):
        net.fit(np.array([[0, 0, 0], [0, 0, np.nan]]), [0, 1], epochs=1)
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(4,\)"):
        net.fit(X, y, sample_weight=[1, 2], epochs=1)


def test_predict_by_output_kind_and_in_chunks() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(25, 2))
    clf = Network([Dense(2, 3, "softmax")], cost="categorical_crossentropy", seed=0)
    assert np.array_equal(clf.predict(X), clf.feedforward(X).argmax(axis=1))
    reg = Network([Dense(2, 2, "identity")], seed=0)
    assert np.allclose(reg.predict(X, batch_size=7), reg.feedforward(X))
    assert reg.predict(X).shape == (25, 2)


def test_repr_shows_the_architecture_and_html_the_weights() -> None:
    net = Network([Dense(3, 1, activation="sigmoid", weights=0.5, bias=0.2)], cost="sse")
    assert "Dense(3, 1, activation='sigmoid')" in repr(net)
    assert "4 parameters" in repr(net)
    page = net._repr_html_()
    assert page.count("<td>0.5</td>") == 3 and "<td>0.2</td>" in page


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_copied_network_still_trains_its_own_layers(how: str) -> None:
    import copy
    import pickle

    X, y = jobs()
    net = Network([Dense(3, 2, "tanh"), Dense(2, 1, "sigmoid")], cost="sse", seed=0)
    twin = pickle.loads(pickle.dumps(net)) if how == "pickle" else copy.deepcopy(net)
    before = twin.cost(X, y)
    twin.fit(X, y, epochs=50, optimizer=GradientDescent(0.5))
    assert twin.cost(X, y) < before
    assert np.shares_memory(twin.layers[0].weights, twin.parameter_vector)
    assert net.cost(X, y) == pytest.approx(before)


def test_html_of_a_big_layer_is_cut_to_a_corner() -> None:
    layer = Network([Dense(64, 32, "relu")], seed=0).layers[0]
    page = layer._repr_html_()
    assert page.count("<td>") < 120 and "…" in page and "64×32" in page
    assert f"<td>{layer.weights[0, 0]:.4g}</td>" in page


def test_a_layer_belongs_to_one_network() -> None:
    layer = Dense(3, 1)
    Network([layer], seed=0)
    with pytest.raises(ValueError, match="already belongs to another Network"):
        Network([layer], seed=1)


def test_assigning_an_initializer_name_is_refused_for_the_seed_s_sake() -> None:
    net = Network([Dense(3, 2)], seed=0)
    with pytest.raises(ValueError, match=r"use net.initialize\(seed\)"):
        net.layers[0].weights = "glorot"
    net.initialize(7)
    again = Network([Dense(3, 2)], seed=7)
    assert np.array_equal(net.layers[0].weights, again.layers[0].weights)


def test_clear_values_lets_go_of_the_last_input() -> None:
    # a chunked predict leaves the first layer holding a view of the last chunk, and with
    # it the caller's whole array
    import weakref

    net = Network([Dense(3, 4, activation="tanh"), Dense(4, 1, activation="sigmoid")], seed=0)
    X = np.random.default_rng(0).normal(size=(50, 3))
    net.fit(X, (X[:, 0] > 0).astype(float).reshape(-1, 1), epochs=1, batch_size=10)
    net.predict_outputs(X, batch_size=20)
    alive = weakref.ref(X)
    del X
    assert alive() is not None
    net.clear_values()
    assert alive() is None
    assert all(layer.inputs is None and layer.a is None for layer in net.layers)
    assert net.layers[0].grad_weights is not None  # the gradients stay
