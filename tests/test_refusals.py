"""Wrong numbers without an error, and the messages that replace them (issue 13 §3 and §6).

Each case here gave a wrong answer or an unhelpful message in round 1 (/work/before).
"""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import Dense, DivergedError, GradientDescent, Network
from glassnet.metrics import get_metric, subset_accuracy
from glassnet.training import class_sample_weights


def multilabel_net() -> Network:
    return Network([Dense(3, 3, "sigmoid")], cost="binary_crossentropy", seed=0)


def test_multilabel_accuracy_is_scikit_learns_subset_accuracy() -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    y = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 0]], dtype=float)
    a = np.array([[0.9, 0.2, 0.8], [0.1, 0.7, 0.3], [0.6, 0.8, 0.1], [0.4, 0.1, 0.2]])
    expected = sklearn_metrics.accuracy_score(y.astype(int), (a >= 0.5).astype(int))
    assert subset_accuracy(y, a) == expected == 0.75
    # round 1 compared argmaxes of multi-hot rows: 1.0 here
    assert get_metric("accuracy", multilabel=True)(y, a) == 0.75


def test_fit_logs_subset_accuracy_for_several_sigmoid_outputs() -> None:
    X = np.eye(3)
    y = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=float)
    net = multilabel_net()
    net.set_weights([np.array([[3, 3, -3], [-3, 3, 3], [3, -3, -3]]), np.zeros(3)])
    # a rate of ~0 keeps the weights still, so the logged accuracy is of these outputs:
    # rows 0 and 1 right, row 2 wrong in its last label (an argmax would call it right)
    history = net.fit(X, y, epochs=1, metrics=["accuracy"], optimizer=GradientDescent(1e-300))
    assert history["accuracy"] == [pytest.approx(2 / 3)]


def test_multilabel_class_weight_matches_scikit_learn() -> None:
    class_weight = pytest.importorskip("sklearn.utils.class_weight")
    y = np.array([[1, 0], [1, 1], [0, 1], [1, 1], [1, 0]], dtype=float)
    expected = class_weight.compute_sample_weight("balanced", y.astype(int))
    assert np.allclose(class_sample_weights(y, "balanced", multilabel=True), expected)
    per_output = [{0: 1.0, 1: 3.0}, {0: 2.0, 1: 1.0}]
    expected = class_weight.compute_sample_weight(per_output, y.astype(int))
    assert np.allclose(class_sample_weights(y, per_output, multilabel=True), expected)
    with pytest.raises(ValueError, match="a list of 2 dicts"):
        class_sample_weights(y, {1: 2.0}, multilabel=True)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_predict_refuses_non_finite_rows_naming_row_and_column(bad: float) -> None:
    net = Network([Dense(3, 1, "sigmoid")], cost="binary_crossentropy", seed=0)
    X = np.zeros((4, 3))
    X[2, 1] = bad
    with pytest.raises(ValueError, match=r"X has a non-finite value .* at row 2, column 1"):
        net.predict(X)  # round 1: class 0
    with pytest.raises(ValueError, match=r"at row 2, column 1"):
        net.predict_outputs(X)


def test_a_huge_finite_input_is_refused_not_scored() -> None:
    net = Network(
        [Dense(2, 2, "relu", weights=1.0), Dense(2, 3, "softmax", weights=[[1, 2, 3], [3, 2, 1]])],
        "categorical_crossentropy",
    )
    X = np.array([[0.5, 0.5], [1e308, 1e308]])
    with pytest.raises(ValueError, match=r"row 1 of X gives a non-finite output") as caught:
        net.predict(X)  # round 1: NaN outputs, argmax class 0
    assert "\n" not in str(caught.value) and "scale the inputs" in str(caught.value)


def test_the_one_d_hint_is_short_and_works() -> None:
    net = Network([Dense(3, 1, "identity")], seed=0)
    with pytest.raises(ValueError) as caught:
        net.predict(np.zeros(300_000))
    message = str(caught.value)
    # round 1 printed the whole array back (900,000 characters) as [[...]]
    assert len(message) < 200
    assert "one sample → reshape(1, -1), one feature → reshape(-1, 1)" in message
    assert net.predict(np.zeros(3).reshape(1, -1)).shape == (1, 1)


def test_integer_labels_for_a_softmax_network_say_one_hot_encode() -> None:
    net = Network([Dense(2, 3, "softmax")], "categorical_crossentropy", seed=0)
    with pytest.raises(ValueError, match=r"one-hot encode the labels .* np.eye\(3\)\[labels\]"):
        net.fit(np.zeros((4, 2)), np.array([0, 1, 2, 1]), epochs=1)


def test_float32_overflow_of_an_input_names_the_input_not_divergence() -> None:
    net = Network([Dense(2, 1, "identity")], seed=0, dtype="float32")
    X = np.array([[1.0, 2.0], [3.0, 1e39]])
    for call in (lambda: net.fit(X, np.zeros(2), epochs=1), lambda: net.predict(X)):
        with pytest.raises(ValueError, match=r"X has the value 1e\+39 at row 1, column 1, "
                           r"beyond float32's range"):  # fmt: skip
            call()
    assert not issubclass(ValueError, DivergedError)


def test_poisson_refuses_negative_counts() -> None:
    net = Network([Dense(2, 1, "exp")], cost="poisson", seed=0)
    with pytest.raises(ValueError, match=r"poisson cost needs targets >= 0"):
        net.fit(np.zeros((2, 2)), np.array([1.0, -1.0]), epochs=1)
