"""GlassClassifier and GlassRegressor: scikit-learn's contract, and MLP's numbers."""

from __future__ import annotations

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("sklearn")

from sklearn.datasets import (
    load_breast_cancer,
    load_iris,
    make_classification,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from glassnet import Network
from glassnet.sklearn import GlassClassifier, GlassRegressor
from tests.cli.conftest import run_cli

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@parametrize_with_checks(
    [
        GlassClassifier(),
        GlassRegressor(),
        GlassClassifier(categorical_features="from_dtype"),
        GlassRegressor(categorical_features="from_dtype"),
    ]
)
def test_sklearn_estimator_checks(estimator, check):  # type: ignore[no-untyped-def]
    check(estimator)


def _iris():  # type: ignore[no-untyped-def]
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _cancer():  # type: ignore[no-untyped-def]
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _regression(n_targets: int = 1):  # type: ignore[no-untyped-def]
    X, y = make_regression(200, 5, n_targets=n_targets, noise=1.0, random_state=0)
    return X, y / 100.0


def _assert_same_weights(ours, theirs, atol: float) -> None:  # type: ignore[no-untyped-def]
    assert len(ours.coefs_) == len(theirs.coefs_)
    for mine, reference in zip(
        ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_, strict=True
    ):
        np.testing.assert_allclose(mine, reference, rtol=0, atol=atol)


# ----- the same numbers as scikit-learn's MLP ------------------------------------------------
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
@pytest.mark.parametrize(
    "settings",
    [
        {"solver": "adam"},
        {"solver": "sgd", "learning_rate_init": 0.05},
        {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.05},
        {"solver": "sgd", "nesterovs_momentum": False, "momentum": 0.5},
    ],
)
def test_classifier_weights_equal_mlpclassifier(activation: str, settings: dict) -> None:
    X, y = _iris()
    params = dict(activation=activation, hidden_layer_sizes=(7, 5), random_state=3, max_iter=15)
    ours = GlassClassifier(**params, **settings).fit(X, y)
    theirs = MLPClassifier(**params, **settings).fit(X, y)
    _assert_same_weights(ours, theirs, atol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    assert ours.n_iter_ == theirs.n_iter_ == 15
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-12)


def test_adaptive_rate_and_stopping_rule_equal_mlp() -> None:
    X, y = _cancer()
    params = dict(
        solver="sgd",
        learning_rate="adaptive",
        learning_rate_init=0.05,
        n_iter_no_change=2,
        tol=1e-2,
        random_state=0,
        max_iter=60,
        hidden_layer_sizes=(10,),
    )
    ours, theirs = GlassClassifier(**params).fit(X, y), MLPClassifier(**params).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ < 60  # stopped by the rule, not by max_iter
    _assert_same_weights(ours, theirs, atol=1e-12)


def test_binary_sample_weight_and_alpha_equal_mlp() -> None:
    X, y = _cancer()
    weights = np.random.default_rng(0).random(len(y))
    params = dict(alpha=0.1, random_state=1, max_iter=10, hidden_layer_sizes=(8,))
    ours = GlassClassifier(**params).fit(X, y, sample_weight=weights)
    theirs = MLPClassifier(**params).fit(X, y, sample_weight=weights)
    _assert_same_weights(ours, theirs, atol=1e-12)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-12)


@pytest.mark.parametrize("n_targets", [1, 2])
def test_regressor_equals_mlpregressor(n_targets: int) -> None:
    X, y = _regression(n_targets)
    params = dict(random_state=0, max_iter=20, hidden_layer_sizes=(6,))
    ours, theirs = GlassRegressor(**params).fit(X, y), MLPRegressor(**params).fit(X, y)
    _assert_same_weights(ours, theirs, atol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-12)
    assert ours.predict(X).shape == theirs.predict(X).shape


@pytest.mark.parametrize("Ours, Theirs", [(GlassClassifier, MLPClassifier)])
def test_lbfgs_equals_mlp(Ours, Theirs) -> None:  # type: ignore[no-untyped-def]
    X, y = _iris()
    params = dict(solver="lbfgs", random_state=0, max_iter=20, hidden_layer_sizes=(5,))
    ours, theirs = Ours(**params).fit(X, y), Theirs(**params).fit(X, y)
    _assert_same_weights(ours, theirs, atol=1e-7)
    assert ours.n_iter_ == theirs.n_iter_
    assert len(ours.loss_curve_) == ours.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-9)
    assert not hasattr(ours, "partial_fit")


def test_lbfgs_regressor_fits() -> None:
    X, y = _regression()
    reg = GlassRegressor(solver="lbfgs", random_state=0, max_iter=500).fit(X, y)
    assert reg.score(X, y) > 0.99


@pytest.mark.parametrize("data", [_cancer, _iris])
def test_early_stopping_equals_mlp_and_keeps_the_best_epoch(data) -> None:  # type: ignore[no-untyped-def]
    X, y = data()
    params = dict(early_stopping=True, random_state=1, hidden_layer_sizes=(10,), tol=1e-3)
    ours, theirs = GlassClassifier(**params).fit(X, y), MLPClassifier(**params).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ < 200
    np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_)
    _assert_same_weights(ours, theirs, atol=1e-12)
    assert ours.best_loss_ is None
    assert ours.best_validation_score_ == max(ours.validation_scores_)
    assert ours.validation_loss_curve_ is not None
    assert len(ours.validation_loss_curve_) == len(ours.loss_curve_) == ours.n_iter_
    assert all(np.isfinite(ours.validation_loss_curve_))
    history = ours.network_.history  # kept in a saved model, for glassnet info and plots
    assert history["cost"] == ours.loss_curve_
    assert history["val_cost"] == ours.validation_loss_curve_
    assert history["val_accuracy"] == ours.validation_scores_


def test_early_stopping_regressor_scores_r2() -> None:
    X, y = _regression()
    reg = GlassRegressor(early_stopping=True, random_state=0, max_iter=300).fit(X, y)
    assert reg.validation_scores_ is not None and len(reg.validation_scores_) == reg.n_iter_
    assert reg.best_validation_score_ > 0.9


def test_early_stopping_too_small_validation_set() -> None:
    X, y = np.arange(12.0).reshape(6, 2), np.array([0, 1] * 3)
    with pytest.raises(ValueError, match=r"validation_fraction=0\.1 of the 6 samples"):
        GlassClassifier(early_stopping=True, validation_fraction=0.1).fit(X, y)


# ----- partial_fit and warm_start ----------------------------------------------------------
def test_partial_fit_equals_mlp_partial_fit() -> None:
    X, y = _iris()
    ours, theirs = GlassClassifier(random_state=0), MLPClassifier(random_state=0)
    for start in range(0, 150, 50):
        rows = slice(start, start + 50)
        ours.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
        theirs.partial_fit(X[rows], y[rows], classes=[0, 1, 2])
    _assert_same_weights(ours, theirs, atol=1e-12)
    assert ours.n_iter_ == 1 and ours.t_ == 150 and len(ours.loss_curve_) == 3


def test_training_goes_on_after_pickling() -> None:
    X, y = _regression()
    reg = GlassRegressor(hidden_layer_sizes=(5,), random_state=0).partial_fit(X, y)
    copy = pickle.loads(pickle.dumps(reg))
    reg.partial_fit(X, y)
    copy.partial_fit(X, y)
    _assert_same_weights(copy, reg, atol=0.0)
    assert copy.coefs_[0] is copy.network_.layers[0].weights


def test_partial_fit_needs_classes_first() -> None:
    X, y = _iris()
    with pytest.raises(ValueError, match="classes must be passed"):
        GlassClassifier().partial_fit(X, y)
    clf = GlassClassifier().partial_fit(X[:10], y[:10], classes=[0, 1, 2])
    assert clf.classes_.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match=r"classes \[7\]"):
        clf.partial_fit(X[:2], [0, 7])
    with pytest.raises(ValueError, match="early_stopping"):
        GlassClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_lowers_the_loss() -> None:
    X, y = _regression()
    reg = GlassRegressor(random_state=0)
    for _ in range(30):
        reg.partial_fit(X, y)
    assert reg.loss_curve_[-1] < reg.loss_curve_[0] / 2


def test_warm_start_continues_as_mlp_does() -> None:
    X, y = _iris()
    params = dict(warm_start=True, random_state=0, max_iter=5, hidden_layer_sizes=(6,))
    ours, theirs = GlassClassifier(**params), MLPClassifier(**params)
    for _ in range(3):
        ours.fit(X, y)
        theirs.fit(X, y)
    _assert_same_weights(ours, theirs, atol=1e-12)
    assert len(ours.loss_curve_) == 15
    network = ours.network_
    ours.fit(X, y)
    assert ours.network_ is network  # the same network, trained further
    ours.set_params(warm_start=False).fit(X, y)
    assert ours.network_ is not network
    with pytest.raises(ValueError, match=r"previous call to fit. Previously got \[0 1 2\]"):
        ours.set_params(warm_start=True).fit(X[:100], y[:100])


def test_exactly_half_is_the_second_class() -> None:
    # glassnet's one rule (metrics.predicted_classes): p >= 0.5 is the second class, as
    # net.predict, glassnet predict and the ONNX file say; softmax ties go to the first
    X, y = _cancer()
    clf = GlassClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y + 5)
    for array in clf.coefs_ + clf.intercepts_:
        array[:] = 0.0  # every output is sigmoid(0) = 0.5
    assert clf.predict_proba(X[:2]).tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert clf.predict(X[:2]).tolist() == [6, 6]
    assert clf.network_.predict(X[:2]).tolist() == [1, 1]
    X, y = _iris()
    clf = GlassClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)
    for array in clf.coefs_ + clf.intercepts_:
        array[:] = 0.0
    assert clf.predict(X[:2]).tolist() == [0, 0]
    Y = np.column_stack([y == 2, y == 1]).astype(int)
    multilabel = GlassClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, Y)
    for array in multilabel.coefs_ + multilabel.intercepts_:
        array[:] = 0.0
    assert multilabel.predict(X[:2]).tolist() == [[1, 1], [1, 1]]


def test_parameters_are_mlps_written_once() -> None:
    from glassnet.sklearn import _GlassPerceptron

    # each estimator's __init__ spells its parameters once (scikit-learn reads them from
    # there); the shared base class has none of its own
    assert "__init__" not in vars(_GlassPerceptron)
    for ours, theirs, extra in [
        (GlassClassifier(), MLPClassifier(), {"class_weight": None, "categorical_features": None}),
        (GlassRegressor(), MLPRegressor(), {"categorical_features": None}),
    ]:
        assert ours.get_params() == {**theirs.get_params(), **extra}
    clf = GlassClassifier((7,), "tanh", alpha=0.5, class_weight="balanced", max_fun=9)
    assert (clf.hidden_layer_sizes, clf.activation, clf.alpha) == ((7,), "tanh", 0.5)
    assert (clf.class_weight, clf.max_fun) == ("balanced", 9)


def test_changing_the_sgd_rate_keeps_scikit_learns_steps() -> None:
    from glassnet.optimizers import SGD
    from glassnet.sklearn import _set_learning_rate

    optimizer = SGD(0.1, momentum=0.9)
    _set_learning_rate(optimizer, 0.1)  # no step yet: nothing to rescale, no error
    params, grads = [np.ones(3), np.ones(2)], [np.full(3, 2.0), np.full(2, 4.0)]
    optimizer.update(params, grads)  # velocity [4, 4], step 0.1·4
    _set_learning_rate(optimizer, 0.05)  # scikit-learn keeps steps: the velocity doubles
    assert optimizer.learning_rate == 0.05
    optimizer.update(params, grads)
    # v = 0.9·8 + 4 = 11.2, a step of 0.05·11.2: scikit-learn's 0.9·(0.1·4) + 0.05·4
    np.testing.assert_allclose(params[1], 1.0 - 0.1 * 4 - 0.05 * 11.2)


# ----- glassnet's additions ------------------------------------------------------------------
def test_network_is_the_estimator() -> None:
    pd = pytest.importorskip("pandas")
    X, y = _iris()
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = GlassClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(frame, labels)
    net = clf.network_
    assert isinstance(net, Network)
    assert [layer.activation.name for layer in net.layers] == ["relu", "softmax"]
    assert all(c is layer.weights for c, layer in zip(clf.coefs_, net.layers, strict=True))
    assert all(b is layer.bias for b, layer in zip(clf.intercepts_, net.layers, strict=True))
    assert net.metadata["classes"] == ["setosa", "versicolor", "virginica"]
    assert net.metadata["feature_names"] == ["sl", "sw", "pl", "pw"]
    assert clf.feature_names_in_.tolist() == ["sl", "sw", "pl", "pw"]
    np.testing.assert_allclose(clf.predict_proba(frame), net.feedforward(X))
    clf.coefs_[0][:] = 0.0  # writing the estimator's arrays writes the network's
    assert not net.layers[0].weights.any()


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_network_cost_is_the_reported_loss(task: str) -> None:
    # as the estimators' docstrings say: with lbfgs and no sample weights, network_.cost is
    # loss_ for one label per sample; a regressor's loss_ halves the squared error
    params = dict(solver="lbfgs", alpha=0.5, max_iter=30, random_state=0)
    if task == "regression":
        X, y = _regression()
        reg = GlassRegressor(**params).fit(X, y)
        net = reg.network_
        assert (net.cost(X, y) + net.penalty()) / 2 == pytest.approx(reg.loss_, rel=1e-9)
        return
    X, y = _cancer() if task == "binary" else _iris()
    clf = GlassClassifier(**params).fit(X, y)
    Y = y.reshape(-1, 1) if task == "binary" else np.eye(3)[y]
    assert clf.network_.penalty() > 0.01  # the L2 term is part of both
    assert clf.network_.cost(X, Y) == pytest.approx(clf.loss_, rel=1e-9)


@pytest.mark.parametrize("solver, batch_size, expected", [("adam", 50, 50), ("sgd", 1000, 569),
                                                          ("lbfgs", 50, 569)])  # fmt: skip
def test_network_keeps_alpha_over_the_batch_size(
    solver: str, batch_size: int, expected: int
) -> None:
    # training moves l2 with each batch's weight sum; after fit it is alpha / batch size (all
    # rows for lbfgs, batch_size clipped to the rows), whatever the sample weights, as
    # glassnet train stores it, so the saved file and a later network_.fit keep that penalty
    X, y = _cancer()
    params = dict(solver=solver, alpha=0.1, batch_size=batch_size, max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # batch_size=1000 is clipped to 569
        clf = GlassClassifier(**params, hidden_layer_sizes=(4,))
        clf.fit(X, y, sample_weight=np.full(len(y), 3.0))
    assert [layer.l2 for layer in clf.network_.layers] == [0.1 / expected] * 2
    plain = GlassClassifier(**params, hidden_layer_sizes=(4,), early_stopping=solver != "lbfgs")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        plain.fit(X, y)  # early stopping: the last batch was the validation set's
    n_train = round(len(y) * 0.9)
    assert plain.network_.layers[0].l2 == 0.1 / (
        min(batch_size, n_train) if solver != "lbfgs" else len(y)
    )


def test_class_weight_dict_equals_sample_weight() -> None:
    X, y = _iris()
    params = dict(max_iter=10, random_state=0, hidden_layer_sizes=(5,))
    by_class = GlassClassifier(class_weight={0: 1.0, 1: 3.0, 2: 0.5}, **params).fit(X, y)
    by_sample = GlassClassifier(**params).fit(X, y, sample_weight=np.array([1.0, 3.0, 0.5])[y])
    _assert_same_weights(by_class, by_sample, atol=1e-12)


def test_class_weight_balanced_helps_the_rare_class() -> None:
    X, y = make_classification(600, 6, weights=[0.95], class_sep=0.5, flip_y=0.0, random_state=0)
    recall = {}
    for class_weight in (None, "balanced"):
        clf = GlassClassifier(class_weight=class_weight, max_iter=300, random_state=0).fit(X, y)
        recall[class_weight] = float(np.mean(clf.predict(X[y == 1]) == 1))
    assert recall["balanced"] > recall[None] + 0.1
    with pytest.raises(ValueError, match="balanced"):
        GlassClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1])


@given(scale=st.floats(0.01, 100.0))
def test_scaling_every_sample_weight_changes_nothing(scale: float) -> None:
    X, y = _iris()
    # alpha=0: the L2 term is divided by the weight sum, so it does change with the scale.
    # sgd: a step is linear in the gradient, so rounding stays at rounding's size.
    params = dict(solver="sgd", alpha=0.0, max_iter=3, random_state=0, hidden_layer_sizes=(4,))
    plain = GlassClassifier(**params, batch_size=40).fit(X, y)
    scaled = GlassClassifier(**params, batch_size=40)
    scaled.fit(X, y, sample_weight=np.full(len(y), scale))
    _assert_same_weights(plain, scaled, atol=1e-12)


@given(counts=st.lists(st.integers(0, 3), min_size=30, max_size=30).filter(lambda c: sum(c) > 1))
def test_integer_weights_equal_repeated_rows(counts: list[int]) -> None:
    X, y = _regression()
    X, y = X[:30], y[:30]
    params = dict(solver="sgd", alpha=0.01, max_iter=3, random_state=0, hidden_layer_sizes=(4,))
    weighted = GlassRegressor(**params).fit(X, y, sample_weight=counts)
    repeated = GlassRegressor(**params).fit(np.repeat(X, counts, 0), np.repeat(y, counts))
    _assert_same_weights(weighted, repeated, atol=1e-12)


def test_leaky_relu_is_offered() -> None:
    X, y = _iris()
    clf = GlassClassifier(activation="leaky_relu", max_iter=300, random_state=0).fit(X, y)
    assert clf.network_.layers[0].activation.name == "leaky_relu"
    assert clf.score(X, y) > 0.9


def test_multilabel_and_multioutput() -> None:
    X, y = make_classification(200, 6, random_state=0)
    Y = np.column_stack([y, 1 - y, X[:, 0] > 0]).astype(int)
    clf = GlassClassifier(max_iter=300, random_state=0).fit(X, Y)
    assert clf.out_activation_ == "logistic" and clf.n_outputs_ == 3
    assert clf.predict(X).shape == (200, 3) and clf.score(X, Y) > 0.8
    X, y = _regression(3)
    reg = GlassRegressor(solver="lbfgs", random_state=0).fit(X, y)
    assert reg.predict(X).shape == (200, 3) and reg.score(X, y) > 0.95


def test_sparse_input_gives_the_dense_answer() -> None:
    sparse = pytest.importorskip("scipy.sparse")
    X, y = _iris()
    X[X < 0] = 0.0
    params = dict(max_iter=10, random_state=0, hidden_layer_sizes=(5,))
    dense = GlassClassifier(**params).fit(X, y)
    csr = GlassClassifier(**params).fit(sparse.csr_matrix(X), y)
    _assert_same_weights(dense, csr, atol=1e-12)
    np.testing.assert_allclose(csr.predict_proba(sparse.csr_matrix(X)), dense.predict_proba(X))


def test_verbose_prints_each_iteration(capsys) -> None:  # type: ignore[no-untyped-def]
    X, y = _iris()
    GlassClassifier(verbose=True, max_iter=2).fit(X, y)
    assert "Iteration 2, loss = " in capsys.readouterr().out


def test_convergence_warning_names_the_user_line() -> None:
    X, y = _iris()
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\)") as record:
        GlassClassifier(max_iter=2).fit(X, y)
    assert record[0].filename == __file__


@pytest.mark.parametrize(
    "params, message",
    [
        ({"activation": "softplus"}, "activation must be one of identity, logistic"),
        ({"solver": "newton"}, "solver must be one of lbfgs, sgd, adam; got 'newton'"),
        ({"alpha": -1.0}, r"alpha must be a non-negative number; got -1.0"),
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes must hold positive integers"),
        ({"max_iter": 0}, "max_iter must be a positive integer; got 0"),
        ({"max_iter": True}, "max_iter must be a positive integer; got True"),
        ({"momentum": 1.5}, r"momentum must be in \[0, 1\); got 1.5"),
        ({"learning_rate_init": 0.0}, "learning_rate_init must be a positive number; got 0.0"),
        ({"batch_size": "big"}, "batch_size must be a positive integer; got 'big'"),
        ({"categorical_features": "auto"}, "categorical_features must be one of from_dtype"),
    ],
)
def test_bad_parameters_say_what_is_wrong(params: dict, message: str) -> None:
    X, y = _iris()
    with pytest.raises(ValueError, match=message):
        GlassClassifier(**params).fit(X, y)


def _counts(n_targets: int = 1):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    rates = np.exp(X[:, :n_targets] * 0.5 + 0.3)
    return X, rng.poisson(rates).astype(float).squeeze()


@pytest.mark.parametrize("n_targets", [1, 2])
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_poisson_loss_equals_mlpregressor(solver: str, n_targets: int) -> None:
    X, y = _counts(n_targets)
    params = dict(
        loss="poisson", solver=solver, random_state=0, max_iter=15, hidden_layer_sizes=(6,)
    )
    if solver == "sgd":
        params["learning_rate_init"] = 0.01
    ours, theirs = GlassRegressor(**params).fit(X, y), MLPRegressor(**params).fit(X, y)
    assert ours.out_activation_ == theirs.out_activation_ == "exp"
    _assert_same_weights(ours, theirs, atol=1e-10)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-10)
    if solver != "lbfgs":  # MLPRegressor keeps no loss curve for L-BFGS
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-10)
    assert ours.network_.cost_function.name == "poisson"


def test_poisson_loss_refuses_negative_targets() -> None:
    X, y = _counts()
    y[7] = -1.0
    with pytest.raises(ValueError, match=r"loss='poisson' needs targets >= 0.*at row 7"):
        GlassRegressor(loss="poisson").fit(X, y)


def test_multilabel_partial_fit_equals_mlp() -> None:
    # the labels are the columns of y; classes lists their indices (it failed with "The
    # object was not fitted with multilabel input")
    X, Y = make_multilabel_classification(60, n_classes=4, random_state=0)
    ours = GlassClassifier(solver="sgd", hidden_layer_sizes=(8,), random_state=0)
    theirs = MLPClassifier(solver="sgd", hidden_layer_sizes=(8,), random_state=0)
    for start in range(0, 60, 20):
        ours.partial_fit(X[start : start + 20], Y[start : start + 20], classes=[0, 1, 2, 3])
        theirs.partial_fit(X[start : start + 20], Y[start : start + 20], classes=[0, 1, 2, 3])
    assert ours.classes_.tolist() == [0, 1, 2, 3] and ours.out_activation_ == "logistic"
    _assert_same_weights(ours, theirs, atol=1e-12)
    assert ours.predict(X).shape == (60, 4)
    with pytest.raises(ValueError, match=r"4 label columns, so classes must be"):
        GlassClassifier(solver="sgd").partial_fit(X, Y, classes=[0, 1])


def test_multilabel_class_weight_is_the_product_over_labels() -> None:
    X, Y = make_multilabel_classification(80, n_classes=3, random_state=1)
    per_label = [{0: 1.0, 1: 2.0}, {0: 0.5, 1: 1.0}, {0: 1.0, 1: 4.0}]
    weights = np.prod([[d[v] for d, v in zip(per_label, row, strict=True)] for row in Y], axis=1)
    params = dict(max_iter=10, random_state=0, hidden_layer_sizes=(5,))
    by_label = GlassClassifier(class_weight=per_label, **params).fit(X, Y)
    by_sample = GlassClassifier(**params).fit(X, Y, sample_weight=weights)
    _assert_same_weights(by_label, by_sample, atol=1e-12)
    with pytest.raises(ValueError, match=r"multilabel \(3 label columns\), so class_weight"):
        GlassClassifier(class_weight={0: 1.0, 1: 2.0}, **params).fit(X, Y)


@pytest.mark.parametrize(
    "fit, message",
    [
        # scikit-learn's own words, which its test suite matches, then the fix
        (
            lambda: GlassRegressor().fit(np.full((5, 2), 1e308), np.arange(5.0)),
            "Solver produced non-finite parameter weights.* scale it",
        ),
        (
            lambda: GlassRegressor(early_stopping=True).fit(np.ones((2, 3)), [1.0, 2.0]),
            "The validation set is too small",
        ),
        (
            lambda: GlassClassifier(early_stopping=True).fit(np.ones((4, 2)), [0, 0, 0, 1]),
            r"Classes with too few members are: \['True'\]",
        ),
    ],
)
def test_messages_are_scikit_learns(fit, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow on the way to inf
        fit()


# ----- in scikit-learn's machinery -------------------------------------------------------------
def test_pipeline_and_parallel_grid_search() -> None:
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), GlassClassifier(random_state=0))
    grid = {
        "glassclassifier__hidden_layer_sizes": [(2,), (20,)],
        "glassclassifier__alpha": [1e-4, 1],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        parallel = GridSearchCV(pipe, grid, cv=3, n_jobs=2).fit(X, y)
        serial = GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(X, y)
    assert parallel.best_params_ == serial.best_params_
    np.testing.assert_allclose(
        parallel.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert parallel.best_params_["glassclassifier__hidden_layer_sizes"] == (20,)
    assert parallel.best_score_ > 0.8


@pytest.mark.parametrize("Estimator", [GlassClassifier, GlassRegressor])
def test_glassnet_predict_answers_a_csv_with_a_saved_estimator(tmp_path, Estimator) -> None:  # type: ignore[no-untyped-def]
    import json

    import glassnet

    pd = pytest.importorskip("pandas")
    X, y = _iris()
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    if Estimator is GlassClassifier:
        target = pd.Series(np.array(["setosa", "versicolor", "virginica"])[y], name="species")
    else:
        target = pd.Series(X[:, 3] * 2.0, name="width2")
    est = Estimator(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=50, random_state=0)
    est.fit(frame, target)
    assert est.network_.metadata["target_name"] == target.name
    glassnet.save(est, tmp_path / "model.safetensors")
    frame.iloc[:7].to_csv(tmp_path / "rows.csv", index=False)
    done = run_cli("predict", "model.safetensors", "rows.csv", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["target"] == target.name and answer["rows"] == 7
    if Estimator is GlassClassifier:
        labels = [row["prediction"] for row in answer["predictions"]]
        assert labels == est.predict(frame.iloc[:7]).tolist()
    else:
        np.testing.assert_allclose(answer["predictions"], est.predict(frame.iloc[:7]), rtol=1e-12)


def test_target_name_defaults_to_prediction() -> None:
    X, y = _iris()
    clf = GlassClassifier(hidden_layer_sizes=(3,), max_iter=2, random_state=0).fit(X, y)
    assert clf.network_.metadata["target_name"] == "prediction"


def test_save_and_load_the_network(tmp_path) -> None:  # type: ignore[no-untyped-def]
    serialization = pytest.importorskip("glassnet.serialization")
    X, y = _iris()
    clf = GlassClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0).fit(X, y)
    path = tmp_path / "iris.safetensors"
    serialization.save(clf.network_, path)
    net = serialization.load(path)
    np.testing.assert_array_equal(net.feedforward(X), clf.predict_proba(X))
    assert net.metadata["classes"] == [0, 1, 2]


def test_import_without_sklearn_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "try:\n    import glassnet.sklearn\n"
        "except ImportError as e:\n    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'glassnet[sklearn]'" in out.stdout


# ----- to_model(): the estimator as a glassnet Model, on every route ---------------------------
def test_a_saved_classifier_answers_with_its_own_labels(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import glassnet

    X, y = _iris()
    labels = np.array([3, 7, 9])[y]
    clf = GlassClassifier(hidden_layer_sizes=(5,), max_iter=200, random_state=0).fit(X, labels)
    model = clf.to_model()
    assert model.network is clf.network_ and model.classes == [3, 7, 9]
    glassnet.save(clf, tmp_path / "iris.safetensors")
    loaded = glassnet.load(tmp_path / "iris.safetensors")
    assert isinstance(loaded, glassnet.Model) and loaded.task == "classification"
    answers = loaded.predict(X)
    assert set(answers.tolist()) == {3, 7, 9}  # not the indices 0, 1, 2
    np.testing.assert_array_equal(answers, clf.predict(X))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("kind", ["multilabel", "multioutput", "poisson", "text labels"])
def test_to_model_round_trips_through_a_file(tmp_path, kind: str) -> None:  # type: ignore[no-untyped-def]
    import glassnet

    if kind == "multilabel":
        X, y = make_multilabel_classification(80, n_classes=3, random_state=0)
        est = GlassClassifier(hidden_layer_sizes=(6,), max_iter=50, random_state=0).fit(X, y)
    elif kind == "text labels":
        X, y = _cancer()
        labels = np.array(["benign", "malignant"])[y]
        est = GlassClassifier(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(X, labels)
    elif kind == "multioutput":
        X, y = _regression(3)
        est = GlassRegressor(hidden_layer_sizes=(6,), max_iter=50, random_state=0).fit(X, y)
    else:
        X, y = _counts(2)
        est = GlassRegressor(loss="poisson", max_iter=50, random_state=0).fit(X, y)
    model = est.to_model()
    assert model.task == {"multioutput": "regression", "text labels": "classification"}.get(
        kind, kind
    )
    glassnet.save(est, tmp_path / "model.safetensors")
    loaded = glassnet.load(tmp_path / "model.safetensors")
    for answers in (model.predict(X), loaded.predict(X)):
        np.testing.assert_array_equal(answers, est.predict(X))
    if kind == "multilabel":
        np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_to_model_refuses_a_one_class_classifier() -> None:
    X, _ = _iris()
    clf = GlassClassifier(hidden_layer_sizes=(2,), max_iter=5).fit(X, np.zeros(len(X), int))
    with pytest.raises(ValueError, match="fitted on one class only"):
        clf.to_model()


def test_to_model_needs_a_fitted_estimator() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        GlassRegressor().to_model()


# ----- categorical_features="from_dtype": a DataFrame as it comes -----------------------------
def _penguins(n: int = 240):  # type: ignore[no-untyped-def]
    """A pandas table with text, category and bool columns and missing cells."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "mass": rng.normal(4.2, 0.8, n),
            "island": rng.choice(["Biscoe", "Dream", "Torgersen", None], n),
            "sex": pd.Categorical(rng.choice(["male", "female"], n)),
            "tagged": rng.choice([True, False], n),
            # the text "NA" is missing, as glassnet train and pandas.read_csv read it
            "note": rng.choice(["NA", "ok", "checked"], n),
        }
    )
    frame.loc[::13, "mass"] = np.nan
    heavy = frame["mass"].fillna(4.2) > 4.4
    species = np.where(frame["island"] == "Dream", "Chinstrap", "Adelie")
    species = np.where(heavy & (frame["sex"] == "male"), "Gentoo", species)
    return frame, pd.Series(species, name="species")


@pytest.mark.parametrize("Estimator", [GlassClassifier, GlassRegressor])
def test_from_dtype_trains_on_text_columns_and_missing_cells(tmp_path, Estimator) -> None:  # type: ignore[no-untyped-def]
    import glassnet

    frame, species = _penguins()
    dream = (frame["island"] == "Dream").astype(float)
    target = species if Estimator is GlassClassifier else frame["mass"].fillna(4.0) + dream
    est = Estimator(
        categorical_features="from_dtype",
        hidden_layer_sizes=(8,),
        solver="lbfgs",
        max_iter=300,
        random_state=0,
    ).fit(frame, target)
    assert est.feature_names_in_.tolist() == ["mass", "island", "sex", "tagged", "note"]
    names = est.preprocessor_.feature_names_out_
    assert names[:2] == ["mass", "mass (missing)"]
    assert {"island=Dream", "island=(missing)", "sex=male", "tagged=true", "note=(missing)"} <= set(
        names
    )
    assert "note=NA" not in names
    assert est.network_.n_inputs == len(names) == len(est.network_.metadata["feature_names"])
    assert est.score(frame, target) > 0.8
    # rows with missing cells and an island never seen in training still get answers
    query = frame.iloc[:4].copy()
    query.loc[query.index[0], "island"] = "Atlantis"
    query.loc[query.index[1], "mass"] = np.nan
    answers = est.predict(query)
    assert len(answers) == 4
    glassnet.save(est, tmp_path / "penguins.safetensors")
    loaded = glassnet.load(tmp_path / "penguins.safetensors")
    np.testing.assert_array_equal(loaded.predict(query), answers)
    np.testing.assert_array_equal(est.to_model().predict(query), answers)


def test_from_dtype_reads_polars_as_pandas() -> None:
    pl = pytest.importorskip("polars")
    frame, species = _penguins()
    params = dict(categorical_features="from_dtype", max_iter=30, random_state=0)
    on_pandas = GlassClassifier(**params).fit(frame, species)
    on_polars = GlassClassifier(**params).fit(pl.from_pandas(frame), species)
    assert on_polars.preprocessor_.get_config() == on_pandas.preprocessor_.get_config()
    np.testing.assert_array_equal(
        on_polars.predict_proba(pl.from_pandas(frame)), on_pandas.predict_proba(frame)
    )


def test_from_dtype_on_numbers_trains_as_after_a_standard_scaler() -> None:
    X, y = load_iris(return_X_y=True)
    params = dict(hidden_layer_sizes=(5,), max_iter=20, random_state=0)
    scaled = GlassClassifier(**params).fit(StandardScaler().fit_transform(X), y)
    from_dtype = GlassClassifier(categorical_features="from_dtype", **params).fit(X, y)
    _assert_same_weights(from_dtype, scaled, atol=1e-9)


def _grams(n: int = 300):  # type: ignore[no-untyped-def]
    """A penguin table as it comes: body mass in grams (~4000), text, missing cells."""
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    island = rng.choice(["Biscoe", "Dream", "Torgersen"], n)
    mass = rng.normal(4200.0, 800.0, n)
    flipper = rng.normal(200.0, 14.0, n)
    species = np.where(mass > 4400.0, "Gentoo", np.where(island == "Dream", "Chinstrap", "Adelie"))
    frame = pd.DataFrame({"island": island, "body_mass_g": mass, "flipper_length_mm": flipper})
    frame.loc[::17, "body_mass_g"] = np.nan  # a missing mass: its species is still known
    return frame, pd.Series(species, name="species")


def test_from_dtype_standardizes_numbers_as_its_report_says(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import glassnet

    frame, species = _grams()
    train, test = slice(0, 200), slice(200, None)
    clf = GlassClassifier(categorical_features="from_dtype", max_iter=500, random_state=0)
    clf.fit(frame[train], species[train])
    # unscaled, grams swamp the one-hot inputs and the test accuracy was about 0.7
    assert clf.score(frame[test], species[test]) > 0.9
    names = clf.preprocessor_.feature_names_out_
    encoded = clf.preprocessor_.transform(frame[train])
    for column in ("body_mass_g", "flipper_length_mm"):
        values = encoded[:, names.index(column)]
        assert values.mean() == pytest.approx(0.0, abs=1e-12)
        assert values.std() == pytest.approx(1.0, rel=1e-12)
    report = {name: detail for name, _, detail in clf.preprocessor_.report()}
    filled = frame["body_mass_g"][train].fillna(frame["body_mass_g"][train].median())
    assert report["body_mass_g"].startswith(
        f"standardized (mean {filled.mean():.4g}, scale {filled.std(ddof=0):.4g})"
    )
    glassnet.save(clf, tmp_path / "penguins.safetensors")
    loaded = glassnet.load(tmp_path / "penguins.safetensors")
    np.testing.assert_array_equal(loaded.predict(frame[test]), clf.predict(frame[test]))


@pytest.mark.parametrize("missing", [False, True])
def test_from_dtype_weights_encode_as_repeated_or_dropped_rows(missing: bool) -> None:
    frame, _ = _grams(40)
    if not missing:
        frame = frame.fillna(4000.0)
    counts = np.arange(40) % 4  # 0: the row is dropped, 3: it counts three times
    target = np.arange(40.0)
    fit = dict(categorical_features="from_dtype", max_iter=1)
    weighted = GlassRegressor(**fit).fit(frame, target, sample_weight=counts).preprocessor_
    repeated = frame.loc[frame.index.repeat(counts)]
    expected = GlassRegressor(**fit).fit(repeated, np.repeat(target, counts)).preprocessor_
    mine, theirs = weighted.get_config(), expected.get_config()
    assert [c["name"] for c in mine["columns"]] == [c["name"] for c in theirs["columns"]]
    for column, reference in zip(mine["columns"], theirs["columns"], strict=True):
        assert column == pytest.approx(reference, rel=1e-12)
    assert weighted.get_config()["columns"][1]["missing_indicator"] is missing


@pytest.mark.parametrize("Estimator", [GlassClassifier, GlassRegressor])
def test_text_columns_without_from_dtype_name_the_option(Estimator) -> None:  # type: ignore[no-untyped-def]
    frame, species = _grams(20)
    target = species if Estimator is GlassClassifier else np.arange(20.0)
    message = "could not convert string to float: '[A-Za-z]+'; for text or category columns "
    with pytest.raises(ValueError, match=f"^{message}pass categorical_features='from_dtype'$"):
        Estimator(max_iter=5).fit(frame, target)
    est = Estimator(max_iter=5).fit(frame[["body_mass_g"]].fillna(0.0), target)
    with pytest.raises(ValueError, match="categorical_features='from_dtype'"):
        est.predict(frame[["island"]].rename(columns={"island": "body_mass_g"}))


def test_from_dtype_mistakes_get_one_line() -> None:
    sparse = pytest.importorskip("scipy.sparse")
    X, y = _iris()
    with pytest.raises(TypeError, match="does not support sparse input"):
        GlassClassifier(categorical_features="from_dtype").fit(sparse.csr_matrix(X), y)
    frame, species = _penguins()
    clf = GlassClassifier(categorical_features="from_dtype", max_iter=5).fit(frame, species)
    with pytest.raises(ValueError, match="island"):
        clf.predict(frame.drop(columns="island"))


def test_every_route_gives_the_estimators_answers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    import glassnet

    frame, species = _penguins(120)
    labels = species.map({"Adelie": 3, "Chinstrap": 7, "Gentoo": 9}).rename("species")
    clf = GlassClassifier(
        categorical_features="from_dtype", solver="lbfgs", max_iter=100, random_state=0
    ).fit(frame, labels)
    glassnet.save(clf, tmp_path / "model.safetensors")
    frame.to_csv(tmp_path / "rows.csv", index=False)  # missing cells become empty ones
    done = run_cli("predict", "model.safetensors", "rows.csv", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    expected = clf.predict(frame).tolist()
    assert set(expected) <= {3, 7, 9}
    assert [row["prediction"] for row in json.loads(done.stdout)["predictions"]] == expected
    assert clf.to_model().predict(frame).tolist() == expected
    assert glassnet.load(tmp_path / "model.safetensors").predict(frame).tolist() == expected
    onnx = pytest.importorskip("glassnet.onnx")
    pytest.importorskip("onnxruntime")
    onnx.export(clf, tmp_path / "model.onnx")
    # an ONNX file takes each category as the text the model lists (docs/onnx.md)
    as_text = frame.assign(tagged=frame["tagged"].map({True: "true", False: "false"}))
    answers = onnx.run(tmp_path / "model.onnx", as_text)
    assert answers["label"].ravel().tolist() == expected
    np.testing.assert_allclose(answers["probabilities"], clf.predict_proba(frame), atol=1e-5)


def test_a_model_saved_from_an_estimator_reads_na_in_a_csv_as_missing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import glassnet

    # its preprocessing stored no missing markers, so glassnet predict refused the "NA"
    # cells of the very file pandas had read the DataFrame from
    frame, species = _penguins()
    path = tmp_path / "penguins.csv"
    frame.to_csv(path, index=False, na_rep="NA")
    est = GlassClassifier(categorical_features="from_dtype", max_iter=30, random_state=0)
    est.fit(frame, species)
    glassnet.save(est, tmp_path / "m.safetensors")
    result = run_cli("predict", tmp_path / "m.safetensors", path)
    assert result.returncode == 0, result.stderr
    answers = [line.split(",")[5] for line in result.stdout.splitlines()[1:]]
    assert answers == est.predict(frame).tolist()


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("hidden, threads", [((8,), {1}), ((1200,), {2})])
def test_estimators_run_blas_on_one_thread_only_while_the_products_are_small(
    monkeypatch: pytest.MonkeyPatch, solver: str, hidden: tuple[int, ...], threads: set[int]
) -> None:
    # as Network.fit does: 200 rows × 20 inputs × 8 units is far under the threshold;
    # × 1,200 units (4.8 M) is over it, for a batch of 200 and for all 200 rows alike
    from threadpoolctl import threadpool_info, threadpool_limits

    seen: list[int] = []
    loss = GlassRegressor._train_loss

    def recorded(self: GlassRegressor, *args: object) -> float:
        seen.extend(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
        return loss(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(GlassRegressor, "_train_loss", recorded)
    X = np.random.default_rng(0).normal(size=(200, 20))
    with threadpool_limits(2, user_api="blas"):
        if not [i for i in threadpool_info() if i["user_api"] == "blas"]:
            pytest.skip("NumPy's BLAS is not one threadpoolctl can see")
        reg = GlassRegressor(hidden, solver=solver, max_iter=2, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            reg.fit(X, X[:, 0])
        after = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
    assert seen and set(seen) == threads
    assert after == {2}


def test_a_classifier_of_boolean_labels_saves_and_loads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # "cannot save: model.classes[0] is true/false, not a class label (every setting must
    # be text, a number or true/false)"
    import glassnet

    X = np.random.default_rng(0).normal(size=(60, 2))
    y = X[:, 0] > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = GlassClassifier((4,), max_iter=20, random_state=0).fit(X, y)
    glassnet.save(clf, tmp_path / "b.safetensors")
    model = glassnet.load(tmp_path / "b.safetensors")
    assert model.classes == [False, True]
    np.testing.assert_array_equal(model.predict(X), clf.predict(X))


def test_from_dtype_takes_date_columns_as_categories(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a pandas datetime column: "DataError: column 'when' is a Datetime(time_unit='us',
    # time_zone=None) column, not numbers", where glassnet train and Preprocessor took it
    import glassnet

    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    days = ["2000-01-01", "2000-02-01", "2000-03-01 10:00:00"]
    X = pd.DataFrame(
        {"when": pd.to_datetime(rng.choice(days, 80), format="ISO8601"), "x": rng.normal(size=80)}
    )
    y = (X["x"] > 0).astype(int)
    clf = GlassClassifier(categorical_features="from_dtype", max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.preprocessor_.columns_[0]["role"] == "categorical"
    glassnet.save(clf, tmp_path / "m.safetensors")
    X.to_csv(tmp_path / "q.csv", index=False)
    loaded = glassnet.load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(loaded.predict_proba(tmp_path / "q.csv"), clf.predict_proba(X))
