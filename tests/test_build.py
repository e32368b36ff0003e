"""glassnet.build: the one home of the task, initializer and optimizer rules; validation's
shared checks."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from glassnet import SGD, Adam, Dense, GradientDescent, Network, build
from glassnet.activations import ACTIVATIONS
from glassnet.build import (
    HIDDEN_ACTIVATIONS,
    OPTIMIZERS,
    TASKS,
    build_network,
    make_optimizer,
    output_and_cost,
)
from glassnet.optimizers import OPTIMIZERS as OPTIMIZER_CLASSES
from glassnet.validation import (
    check_finite,
    fraction,
    non_negative_number,
    positive_int,
    positive_number,
)


@pytest.mark.parametrize(
    ("task", "n_outputs", "expected"),
    [
        ("regression", 1, ("identity", "mse")),
        ("regression", 3, ("identity", "mse")),
        ("classification", 1, ("sigmoid", "binary_crossentropy")),
        ("classification", 4, ("softmax", "categorical_crossentropy")),
        ("multilabel", 3, ("sigmoid", "binary_crossentropy")),
        ("poisson", 1, ("exp", "poisson")),
    ],
)
def test_output_and_cost_follow_the_task(task: str, n_outputs: int, expected: tuple) -> None:
    assert output_and_cost(task, n_outputs) == expected


def test_choices_come_from_the_registries() -> None:
    assert set(HIDDEN_ACTIVATIONS) == set(ACTIVATIONS) - {"softmax", "exp"}
    assert OPTIMIZERS == tuple(OPTIMIZER_CLASSES) == ("gd", "sgd", "adam")
    assert set(TASKS) == {"regression", "classification", "multilabel", "poisson"}
    with pytest.raises(ValueError, match="task must be one of regression, classification"):
        output_and_cost("clustering", 1)


def test_every_layer_starts_from_glorot_weights_unless_asked() -> None:
    # scikit-learn's and Keras's start, relu included: the command line is held to MLP's
    # accuracy, and He weights trained worse on small tables (see DEFAULT_INITIALIZER)
    for activation in ("relu", "tanh"):
        net = build_network(30, 2, task="classification", hidden=(400,), activation=activation)
        for layer in net.layers:
            bound = np.sqrt(6.0 / (layer.n_in + layer.n_out))
            assert np.abs(layer.weights).max() <= bound
            assert np.abs(layer.weights).max() > 0.9 * bound  # uniform up to the bound
    he = build_network(30, 2, task="classification", hidden=(400,), weights="he")
    assert np.abs(he.layers[0].weights).max() > np.sqrt(6.0 / 430)


def test_build_network_is_the_hand_built_one() -> None:
    built = build_network(4, 3, task="classification", hidden=(8, 5), l2=0.01, seed=7)
    by_hand = Network(
        [
            Dense(4, 8, "relu", l2=0.01),
            Dense(8, 5, "relu", l2=0.01),
            Dense(5, 3, "softmax", l2=0.01),
        ],
        cost="categorical_crossentropy",
        seed=7,
    )
    assert built.get_config() == by_hand.get_config()
    assert np.array_equal(built.parameter_vector, by_hand.parameter_vector)


def test_build_network_overrides() -> None:
    net = build_network(
        2, 1, task="regression", activation="tanh", output="sigmoid", cost="sse", dtype="float32"
    )
    assert [layer.activation.name for layer in net.layers] == ["sigmoid"]
    assert net.cost_function.name == "sse" and net.dtype == np.float32
    poisson = build_network(2, 1, task="poisson", hidden=(3,), activation="tanh")
    assert poisson.get_config()["layers"][0]["weights"] == "glorot"
    assert poisson.layers[-1].activation.name == "exp" and poisson.cost_function.name == "poisson"


def test_a_network_too_big_for_memory_is_refused_before_allocating() -> None:
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"a network of [\d,]+ parameters needs about") as e:
            build_network(10, 2, task="classification", hidden=(100_000, 100_000, 100_000))
        assert tracemalloc.get_traced_memory()[1] < 10_000_000
    finally:
        tracemalloc.stop()
    assert "\n" not in str(e.value) and "use fewer or smaller hidden layers" in str(e.value)


def test_the_memory_limit_is_this_machines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "physical_memory", lambda: 1_000_000)
    # 4·100 + 100 + 100·2 + 2 parameters, five float64 copies: 28 KB fits, 100x that does not
    build_network(4, 2, task="classification", hidden=(100,))
    with pytest.raises(ValueError, match="this machine has"):
        build_network(4, 2, task="classification", hidden=(2000, 100))


def test_make_optimizer_by_name() -> None:
    sgd = make_optimizer("sgd", 0.1)
    assert isinstance(sgd, SGD) and sgd.momentum == 0.9 and sgd.nesterov
    assert make_optimizer("sgd", 0.1, momentum=0.5, nesterov=False).momentum == 0.5
    assert isinstance(make_optimizer("gd", 0.5), GradientDescent)
    adam = make_optimizer("adam", 0.01, beta_1=0.8)
    assert isinstance(adam, Adam) and adam.beta_1 == 0.8 and adam.learning_rate == 0.01
    with pytest.raises(ValueError, match="optimizer must be one of gd, sgd, adam; got 'rmsprop'"):
        make_optimizer("rmsprop", 0.1)
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        make_optimizer("adam", -1.0)


@pytest.mark.parametrize(
    ("check", "value", "message"),
    [
        (positive_int, 0, "n must be a positive integer; got 0"),
        (positive_int, True, "n must be a positive integer; got True"),
        (positive_int, 2.0, "n must be a positive integer; got 2.0"),
        (positive_number, float("nan"), "n must be a positive number; got nan"),
        (non_negative_number, -1, "n must be a non-negative number; got -1"),
        (fraction, 1.0, r"n must be in \[0, 1\); got 1.0"),
        (positive_int, list(range(100_000)), r"got \[0, 1, 2, .*…$"),
    ],
)
def test_shared_checks_say_what_in_one_short_line(check, value, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message) as caught:
        check(value, "n")
    assert len(str(caught.value)) < 120


def test_shared_checks_return_the_clean_value() -> None:
    assert positive_int(np.int64(3), "n") == 3 and type(positive_int(np.int64(3), "n")) is int
    assert fraction(0, "n") == 0.0 and positive_number(2, "n") == 2.0


def test_check_finite_names_the_first_bad_entry_and_passes_huge_finite_ones() -> None:
    # the fast path sums each block; a sum that overflows must not be mistaken for a NaN
    check_finite(np.array([[1e308, 1e308], [1e308, 1.0]]), "X")
    values = np.ones((70_000, 3))
    values[66_000, 2], values[69_000, 0] = np.inf, -np.inf
    with pytest.raises(ValueError, match=r"X has a non-finite value inf at row 66000, column 2"):
        check_finite(values, "X")
