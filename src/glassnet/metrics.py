"""Scores of a network's outputs against the truth, in the network's own encoding.

``y`` and ``a`` are (n_samples, n_outputs): one column of 0/1 for a sigmoid output, one-hot
columns for softmax, values for a regression.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassnet._types import Array


def accuracy(y: Array, a: Array) -> float:
    """Fraction of samples whose predicted class is the true one.

    One output column: the class is ``output >= 0.5``; several: the largest output.
    """
    if a.shape[1] == 1:
        return float(np.mean((a[:, 0] >= 0.5) == (y[:, 0] >= 0.5)))
    return float(np.mean(a.argmax(axis=1) == y.argmax(axis=1)))


def mean_absolute_error(y: Array, a: Array) -> float:
    """Mean over all elements of |a − y|."""
    return float(np.mean(np.abs(a - y)))


METRICS: dict[str, Callable[[Array, Array], float]] = {
    "accuracy": accuracy,
    "mae": mean_absolute_error,
}
"""Metrics by the name ``fit(metrics=[...])`` accepts."""


def get_metric(metric: str | Callable[[Array, Array], float]) -> Callable[[Array, Array], float]:
    """Return the metric function for a name (or pass a callable ``f(y, a)`` through)."""
    if callable(metric):
        return metric
    try:
        return METRICS[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}") from None
