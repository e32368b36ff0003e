"""Settings survive a description: get_config → getter gives the same object, and restoring
a network's config, weights, optimizer state and seed stream continues training bit for bit."""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

import numpy as np
import pytest

from glassnet import SGD, Adam, Dense, GradientDescent, Network
from glassnet.activations import ACTIVATIONS, LeakyReLU, get_activation
from glassnet.costs import COSTS, get_cost
from glassnet.optimizers import get_optimizer
from glassnet.schedules import ExponentialDecay, ReduceOnPlateau, StepDecay, get_schedule

NON_DEFAULT_OPTIMIZERS = [
    GradientDescent(0.3),
    SGD(0.02, momentum=0.8, nesterov=True),
    Adam(0.005, beta_1=0.8, beta_2=0.95, epsilon=1e-6),
]


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_activation_round_trips(name: str) -> None:
    activation = LeakyReLU(0.2) if name == "leaky_relu" else get_activation(name)
    config = json.loads(json.dumps(activation.get_config()))
    again = get_activation(config)
    assert type(again) is type(activation) and again.get_config() == config


def test_leaky_relu_keeps_its_slope() -> None:
    # the round-1 bug: a model file kept "leaky_relu" and loaded the default slope 0.01
    net = Network([Dense(2, 3, LeakyReLU(0.2)), Dense(3, 1, "identity")], seed=0)
    again = Network.from_config(json.loads(json.dumps(net.get_config())))
    assert again.layers[0].activation.negative_slope == 0.2  # type: ignore[attr-defined]
    again.set_weights(net.get_weights())
    X = np.array([[-1.0, -2.0], [1.0, -3.0]])
    assert np.array_equal(again.predict(X), net.predict(X))


@pytest.mark.parametrize("name", sorted(COSTS))
def test_every_cost_round_trips(name: str) -> None:
    config = json.loads(json.dumps(get_cost(name).get_config()))
    assert config == {"name": name} and type(get_cost(config)) is COSTS[name]


@pytest.mark.parametrize("optimizer", NON_DEFAULT_OPTIMIZERS, ids=repr)
def test_every_optimizer_round_trips(optimizer: Any) -> None:
    config = json.loads(json.dumps(optimizer.get_config()))
    again = get_optimizer(config)
    assert type(again) is type(optimizer) and again.get_config() == config
    assert repr(again) == repr(optimizer)


@pytest.mark.parametrize(
    "schedule",
    [StepDecay(3, 0.5), ExponentialDecay(0.9), ReduceOnPlateau("val_accuracy", 0.2, 4, 0.01, 1e-5)],
    ids=lambda s: type(s).__name__,
)
def test_every_schedule_round_trips(schedule: Any) -> None:
    config = json.loads(json.dumps(schedule.get_config()))
    again = get_schedule(config)
    assert type(again) is type(schedule) and again.get_config() == config


def test_a_network_config_holds_every_setting() -> None:
    net = Network(
        [Dense(3, 4, "tanh", weights="he", dropout=0.25, l2=0.01), Dense(4, 2, "softmax")],
        cost="categorical_crossentropy",
        dtype="float32",
    )
    config = net.get_config()
    assert json.loads(json.dumps(config)) == config
    assert config["cost"] == {"name": "categorical_crossentropy"} and config["dtype"] == "float32"
    assert config["layers"][0] == {
        "n_in": 3,
        "n_out": 4,
        "activation": {"name": "tanh"},
        "weights": "he",
        "bias": 0.0,
        "dropout": 0.25,
        "l2": 0.01,
    }
    again = Network.from_config(config)
    assert again.get_config() == config and repr(again) == repr(net)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: get_activation({"name": "leaky_relu", "slope": 2}), "does not take the settings"),
        (lambda: get_activation({"negative_slope": 2}), "a config dict with a 'name'"),
        (lambda: get_optimizer({"name": "adam", "beta_1": 1.5}), r"beta_1 must be in \[0, 1\)"),
        (lambda: get_cost({"name": "hinge"}), "unknown cost 'hinge'"),
        (lambda: Dense.from_config({"n_in": 2}), "a Dense config is a dict with n_in and n_out"),
        (lambda: Dense.from_config({"n_in": 2, "n_out": 1, "units": 3}), "has no units"),
        (lambda: Network.from_config({"layers": "x"}), "a list of 'layers'"),
        (
            lambda: Network.from_config({"layers": [{"n_in": 1, "n_out": 1, "activation": "x"}]}),
            "layer 0: unknown activation 'x'",
        ),
    ],
)
def test_bad_configs_are_refused_in_one_line(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message) as caught:
        make()
    assert "\n" not in str(caught.value)


def _net(seed: int) -> Network:
    return Network(
        [Dense(4, 8, "relu", weights="he", dropout=0.2), Dense(8, 1, "sigmoid")],
        cost="binary_crossentropy",
        seed=seed,
    )


def _restored(net: Network) -> Network:
    """A fresh network holding only what a model file holds: configs, arrays and numbers."""
    config = json.loads(json.dumps(net.get_config()))
    assert net.optimizer is not None
    optimizer_config = json.loads(json.dumps(net.optimizer.get_config()))
    state = {
        key: value.copy() if isinstance(value, np.ndarray) else value
        for key, value in net.optimizer.get_state().items()
    }
    rng_state = json.loads(json.dumps(net.rng.bit_generator.state))
    copy = Network.from_config(config, seed=123)
    copy.set_weights(net.get_weights())
    copy.optimizer = get_optimizer(optimizer_config)
    copy.optimizer.set_state(state)
    copy.rng.bit_generator.state = rng_state
    return copy


@pytest.mark.parametrize("optimizer", NON_DEFAULT_OPTIMIZERS, ids=repr)
def test_restoring_then_fitting_continues_bit_for_bit(optimizer: Any) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 4))
    y = (X[:, :1] - X[:, 1:2] > 0).astype(float)
    net = _net(seed=1)
    net.fit(X, y, epochs=3, batch_size=16, optimizer=optimizer)
    copy = _restored(net)
    net.fit(X, y, epochs=4, batch_size=16)
    copy.fit(X, y, epochs=4, batch_size=16)
    assert np.array_equal(copy.parameter_vector, net.parameter_vector)
    assert copy.optimizer is not None and net.optimizer is not None
    assert copy.optimizer.iterations == net.optimizer.iterations


def test_state_names_its_arrays_flat() -> None:
    opt = Adam(0.01)
    params = [np.zeros(3), np.zeros((2, 2))]
    opt.update(params, [np.ones(3), np.ones((2, 2))])
    assert sorted(opt.get_state()) == ["m.0", "m.1", "t", "v.0", "v.1"]
    momentum = SGD(0.1, momentum=0.9)
    momentum.update([np.zeros(2)], [np.ones(2)])
    assert sorted(momentum.get_state()) == ["t", "velocity.0"]
    assert GradientDescent(0.1).get_state() == {"t": 0}
    with pytest.raises(ValueError, match=r"Adam state has no velocity.0; it holds t, m.N, v.N"):
        opt.set_state({"t": 1, "velocity.0": np.zeros(2)})


def test_a_restored_schedule_continues_its_rates() -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 4)), (rng.uniform(size=(20, 1)) > 0.5).astype(float)
    net, schedule = _net(seed=2), StepDecay(2, 0.5)
    net.fit(X, y, epochs=3, optimizer=SGD(0.1), callbacks=[schedule])
    copy = _restored(net)
    copy.history = deepcopy(net.history)  # epochs count on from the saved history
    again = get_schedule(json.loads(json.dumps(schedule.get_config())))
    again.set_state(json.loads(json.dumps(schedule.get_state())))
    rates = net.fit(X, y, epochs=3, callbacks=[schedule])["learning_rate"]
    assert (
        copy.fit(X, y, epochs=3, callbacks=[again])["learning_rate"]
        == rates
        == [0.05, 0.025, 0.025]
    )
    assert np.array_equal(copy.parameter_vector, net.parameter_vector)
    with pytest.raises(ValueError, match="StepDecay state has no wait"):
        again.set_state({"wait": 1})


def test_reduce_on_plateau_reports_its_best_and_wait() -> None:
    plateau = ReduceOnPlateau(patience=3)
    plateau.set_state({"best": 0.5, "wait": 2})
    assert plateau.get_state() == {"best": 0.5, "wait": 2}
