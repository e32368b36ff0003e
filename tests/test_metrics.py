"""Metrics: the one classification rule and regression scores that stay finite."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet.metrics import accuracy, mean_squared_error, predicted_classes, r2_score


def test_one_rule_decides_the_class() -> None:
    assert predicted_classes(np.array([[0.5], [0.49], [0.9]])).tolist() == [1, 0, 1]
    assert predicted_classes(np.array([[0.2, 0.5, 0.3], [0.4, 0.4, 0.2]])).tolist() == [1, 0]
    assert accuracy(np.array([[1.0], [0.0]]), np.array([[0.7], [0.6]])) == 0.5


def test_regression_scores_survive_huge_targets() -> None:
    true = np.array([1e250, 2e250, 3e250])
    predicted = np.array([1.1e250, 1.9e250, 3e250])
    assert r2_score(true, predicted) == pytest.approx(1 - 0.02 / 2)
    assert mean_squared_error(true, predicted) == np.inf
    small = np.array([1.0, 2.0, 4.0])
    assert mean_squared_error(small, small + 1) == pytest.approx(1.0)
    assert r2_score(small, small) == 1.0


def test_regression_scores_of_tiny_values_are_plain() -> None:
    true, predicted = np.array([0.0, 2.2250738585072014e-308]), np.array([0.0, 1.0])
    assert mean_squared_error(true, predicted) == pytest.approx(0.5)
    assert r2_score(true, predicted) == 0.0  # the spread underflows: scikit-learn says 0 too
