"""explain: the article's verdict term by term, and terms that add up to what the net computes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from glassnet import Dense, Network, article
from glassnet.activations import get_activation
from glassnet.datasets import jobs
from glassnet.glassbox import explain

DATA = jobs()


@pytest.fixture(scope="module")
def trained() -> Network:
    return article.trained_network()


def test_the_student_who_passed_everything_finds_a_job(trained: Network) -> None:
    path = explain(
        trained, [1, 1, 1], feature_names=DATA.feature_names, classes=article.VERDICTS["en"]
    )
    neuron = path.layers[0].neurons[0]
    assert [t.input for t in neuron.terms] == ["math", "english", "physics"]
    assert [t.x for t in neuron.terms] == [1.0, 1.0, 1.0]
    weights = [t.weight for t in neuron.terms]
    np.testing.assert_allclose(weights, [3.406037, -2.671168, 5.691614], atol=1e-6)
    assert neuron.bias == pytest.approx(-0.065131, abs=1e-6)
    assert neuron.a == pytest.approx(0.998276, abs=1e-6)
    assert path.outputs == [neuron.a]
    assert (path.prediction, path.verdict) == (1, "finds a job")


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ([1, 1, 1], "仕事が見つかる"),
        ([1, 1, 0], "仕事が見つかる"),
        ([0, 0, 0], "仕事が見つからない"),
    ],
)
def test_the_articles_three_questions_in_its_words(
    trained: Network, question: list[int], verdict: str
) -> None:
    path = explain(trained, question, classes=article.VERDICTS["ja"])
    assert path.verdict == verdict
    assert path.outputs[0] == pytest.approx(float(trained.feedforward([question])[0, 0]), abs=0)


def test_defaults_come_from_metadata_then_generic_names() -> None:
    net = Network([Dense(2, 3, "relu", weights=0.5), Dense(3, 3, "softmax")], seed=0)
    plain = explain(net, [1.0, 2.0])
    assert plain.feature_names == ["x1", "x2"]
    assert plain.verdict == f"class {plain.prediction}"
    assert [t.input for t in plain.layers[1].neurons[0].terms] == ["h1[0]", "h1[1]", "h1[2]"]
    net.metadata.update(feature_names=["width", "height"], classes=["cat", "dog", "owl"])
    named = explain(net, [1.0, 2.0])
    assert named.feature_names == ["width", "height"]
    assert named.verdict == ["cat", "dog", "owl"][int(np.argmax(named.outputs))]
    assert named.prediction == int(net.predict([[1.0, 2.0]])[0])


def test_a_regression_has_no_verdict() -> None:
    net = Network([Dense(2, 1, "identity", weights=[[2.0], [-1.0]], bias=0.5)])
    path = explain(net, [3.0, 4.0])
    assert path.prediction is None and path.verdict is None
    neuron = path.layers[0].neurons[0]
    assert [t.product for t in neuron.terms] == [6.0, -4.0]
    assert neuron.z == neuron.a == path.outputs[0] == 2.5


@given(
    seed=st.integers(0, 10_000),
    hidden=st.integers(1, 5),
    activation=st.sampled_from(["sigmoid", "tanh", "relu", "leaky_relu", "identity"]),
    x=st.lists(st.floats(-100, 100), min_size=3, max_size=3),
)
def test_terms_add_up_to_z_and_a_is_the_activation(
    seed: int, hidden: int, activation: str, x: list[float]
) -> None:
    net = Network([Dense(3, hidden, activation), Dense(hidden, 2, "softmax")], seed=seed)
    path = explain(net, x)
    for layer, act in zip(path.layers, [activation, "softmax"], strict=True):
        z = np.array([sum(t.product for t in n.terms) + n.bias for n in layer.neurons])
        recorded = np.array([n.z for n in layer.neurons])
        np.testing.assert_allclose(z, recorded, rtol=1e-12, atol=1e-9)
        for neuron in layer.neurons:
            assert all(t.product == t.weight * t.x for t in neuron.terms)
        a = np.array([n.a for n in layer.neurons])
        np.testing.assert_allclose(a, get_activation(act)(recorded[None, :])[0], rtol=1e-12)
    # the hidden layer's outputs are the next layer's inputs
    assert [t.x for t in path.layers[1].neurons[0].terms] == [n.a for n in path.layers[0].neurons]
    np.testing.assert_array_equal(path.outputs, net.feedforward([x])[0])


def test_to_dict_is_plain_json(trained: Network) -> None:
    document = json.loads(json.dumps(explain(trained, [0, 1, 1]).to_dict()))
    neuron = document["layers"][0]["neurons"][0]
    assert set(neuron) == {"neuron", "terms", "bias", "z", "a"}
    assert set(neuron["terms"][0]) == {"input", "x", "weight", "product"}
    assert document["prediction"] == 1


def test_bad_input_is_refused(trained: Network) -> None:
    with pytest.raises(ValueError, match="columns"):
        explain(trained, [1, 1])
    with pytest.raises(ValueError, match="one sample"):
        explain(trained, [[1, 1, 1], [0, 0, 0]])
    with pytest.raises(ValueError, match="feature names"):
        explain(trained, [1, 1, 1], feature_names=["a"])
    with pytest.raises(ValueError, match="classes"):
        explain(trained, [1, 1, 1], classes=["a", "b", "c"])


def test_a_model_explains_a_raw_row_with_its_encoding_and_labels() -> None:
    from glassnet import Model
    from glassnet.preprocessing import Preprocessor

    rows = {"island": ["Biscoe", "Dream", "Torgersen", "Dream"], "bill": [39.0, 46.0, 50.0, 41.0]}
    pre = Preprocessor().fit(rows)
    net = Network([Dense(len(pre.feature_names_out_), 1, "sigmoid")], seed=0)
    model = Model(net, pre, task="classification", target="sex", classes=[3, 7])
    path = explain(model, {"island": "Dream", "bill": 44.0})
    assert "island=Dream" in path.feature_names
    assert path.inputs[path.feature_names.index("island=Dream")] == 1.0
    assert path.answer in (3, 7) and path.verdict == str(path.answer)
    assert path.answer == model.predict({"island": ["Dream"], "bill": [44.0]})[0]
    # the raw columns' values in order are the same row
    assert explain(model, ["Dream", 44.0]).to_dict() == path.to_dict()


@pytest.mark.filterwarnings("ignore::UserWarning")  # lbfgs's ConvergenceWarning
def test_a_fitted_estimator_is_explained_as_its_model() -> None:
    pytest.importorskip("sklearn")
    from glassnet.sklearn import GlassClassifier, GlassRegressor

    X = np.random.default_rng(0).normal(size=(40, 2))
    clf = GlassClassifier(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=30, random_state=0)
    clf.fit(X, np.where(X[:, 0] > 0, 7, 3))
    path = explain(clf, X[0])
    assert path.answer == clf.predict(X[:1])[0] and path.answer in (3, 7)
    reg = GlassRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=30, random_state=0)
    reg.fit(X, 100 + 10 * X[:, 1])
    path = explain(reg, X[1])
    assert path.verdict is None
    assert path.answer == pytest.approx(reg.predict(X[1:2])[0])


def test_a_row_predict_refuses_is_refused_by_explain_too() -> None:
    # a model file whose scale is 1e-320: predict refused the row (its input -inf after
    # scaling), explain printed "output P(yes) = nan → no" and exited 0
    from glassnet.model import Model
    from glassnet.preprocessing import Preprocessor
    from glassnet.table import DataError

    pre = Preprocessor().fit({"a": [0.5, -1.0, 2.0, 0.1]})
    pre.columns_[0]["scale"] = 1e-320
    model = Model(Network([Dense(1, 1, "sigmoid")], seed=0), pre, task="classification",
                  classes=["no", "yes"])  # fmt: skip
    with pytest.raises(DataError, match="the model's input 'a' is -inf after scaling"):
        model.predict({"a": [-0.778]})
    with pytest.raises(DataError, match="the model's input 'a' is -inf after scaling"):
        explain(model, {"a": -0.778})
