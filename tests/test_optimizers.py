"""Optimizers: each step against its formula written out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import SGD, Adam, Dense, GradientDescent, Network
from glassnet.optimizers import get_optimizer


def _grads(rng: np.random.Generator, steps: int) -> list[np.ndarray]:
    return [rng.normal(size=5) for _ in range(steps)]


def test_gradient_descent_step() -> None:
    p = np.array([1.0, -2.0])
    GradientDescent(learning_rate=0.1).update([p], [np.array([0.5, 1.0])])
    assert np.allclose(p, [0.95, -2.1])


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_matches_pytorch_formula(nesterov: bool) -> None:
    rng = np.random.default_rng(0)
    opt = SGD(learning_rate=0.05, momentum=0.9, nesterov=nesterov)
    p = rng.normal(size=5)
    ref, v = p.copy(), np.zeros(5)
    for g in _grads(rng, 6):
        opt.update([p], [g])
        v = 0.9 * v + g
        ref -= 0.05 * (g + 0.9 * v if nesterov else v)
    assert np.allclose(p, ref, rtol=1e-13)


def test_adam_matches_the_paper() -> None:
    rng = np.random.default_rng(1)
    opt = Adam(learning_rate=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-7)
    p = rng.normal(size=5)
    ref, m, v = p.copy(), np.zeros(5), np.zeros(5)
    for t, g in enumerate(_grads(rng, 7), start=1):
        opt.update([p], [g])
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        step = 0.01 * np.sqrt(1 - 0.99**t) / (1 - 0.8**t)
        ref -= step * m / (np.sqrt(v) + 1e-7)
    assert np.allclose(p, ref, rtol=1e-13)
    assert opt.iterations == 7


def test_second_fit_continues_the_optimizer_state() -> None:
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=(20, 1))

    def make() -> Network:
        return Network([Dense(3, 4, "tanh"), Dense(4, 1, "identity")], seed=5)

    once, twice = make(), make()
    once.fit(X, y, epochs=10, optimizer=Adam(0.01), shuffle=False)
    opt = Adam(0.01)
    twice.fit(X, y, epochs=4, optimizer=opt, shuffle=False)
    twice.fit(X, y, epochs=6, shuffle=False)  # same optimizer, same moments
    assert twice.optimizer is opt and opt.iterations == 10
    for a, b in zip(once.get_weights(), twice.get_weights(), strict=True):
        assert np.allclose(a, b, rtol=1e-12)
    assert twice.history is not None and len(twice.history.cost) == 10
    assert twice.history.epoch == list(range(1, 11))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: GradientDescent(learning_rate=0), r"learning_rate must be a positive number"),
        (lambda: SGD(momentum=1.5), r"momentum must be in \[0, 1\)"),
        (lambda: SGD(nesterov=True), r"nesterov=True needs a momentum > 0"),
        (lambda: Adam(beta_1=1.0), r"beta_1 must be in \[0, 1\)"),
        (lambda: get_optimizer("rmsprop"), r"unknown optimizer 'rmsprop'"),
    ],
)
def test_bad_settings_are_refused(make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        make()


def test_scale_velocity_rescales_the_momentum() -> None:
    opt = SGD(learning_rate=0.1, momentum=0.5)
    opt.scale_velocity(3.0)  # before any step: nothing to scale
    p = np.zeros(2)
    opt.update([p], [np.array([1.0, 2.0])])
    opt.scale_velocity(2.0)
    opt.update([p], [np.zeros(2)])
    # second step: v = 0.5 · (2 · [1, 2]) = [1, 2]
    assert np.allclose(p, -0.1 * np.array([1.0, 2.0]) - 0.1 * np.array([1.0, 2.0]))
