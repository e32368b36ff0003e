"""Scores of a network's outputs against the truth, in the network's own encoding.

``y`` and ``a`` are (n_samples, n_outputs): one column of 0/1 for a sigmoid output, one-hot
columns for softmax, values for a regression.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from glassnet._types import Array


def predicted_classes(outputs: Array) -> Array:
    """The class index of each row of a classifier's outputs : (n_samples, n_outputs).

    One column (a sigmoid): class 1 when the output is >= 0.5, else 0. Several (softmax):
    the largest output, the first one on a tie. Returns (n_samples,) int64.
    """
    classes: Array = (
        (outputs[:, 0] >= 0.5) if outputs.shape[1] == 1 else outputs.argmax(axis=1)
    ).astype(np.int64)
    return classes


def accuracy(y: Array, a: Array) -> float:
    """Fraction of samples whose predicted class (``predicted_classes``) is the true one."""
    return float(np.mean(predicted_classes(a) == predicted_classes(y)))


def subset_accuracy(y: Array, a: Array) -> float:
    """Multi-label accuracy: the fraction of samples whose every label is right.

    ``y`` is multi-hot (n_samples, n_labels) and each output ``a`` >= 0.5 predicts its
    label: scikit-learn's ``accuracy_score`` on indicator matrices (subset accuracy).
    """
    return float(np.mean(np.all((a >= 0.5) == (y >= 0.5), axis=1)))


def mean_absolute_error(y: Array, a: Array) -> float:
    """Mean over all elements of |a − y|."""
    return float(np.mean(np.abs(a - y)))


METRICS: dict[str, Callable[[Array, Array], float]] = {
    "accuracy": accuracy,
    "mae": mean_absolute_error,
}
"""Metrics by the name ``fit(metrics=[...])`` accepts."""


def get_metric(
    metric: str | Callable[[Array, Array], float], multilabel: bool = False
) -> Callable[[Array, Array], float]:
    """Return the metric function for a name (or pass a callable ``f(y, a)`` through).

    With ``multilabel`` (several sigmoid outputs), "accuracy" is ``subset_accuracy``.
    """
    if callable(metric):
        return metric
    if multilabel and metric == "accuracy":
        return subset_accuracy
    try:
        return METRICS[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}") from None


# ----- scores in label space (class indices or target values), for evaluate -------------
def confusion_matrix(true: Array, predicted: Array, n_classes: int) -> Array:
    """(n_classes, n_classes) counts: row = true class index, column = predicted index."""
    pairs = np.asarray(true, dtype=np.int64) * n_classes + np.asarray(predicted, dtype=np.int64)
    return np.bincount(pairs, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def precision_recall_f1(matrix: Array) -> tuple[Array, Array, Array, Array]:
    """Per-class precision, recall, F1 and support from a confusion matrix.

    A class never predicted has precision 0; a class never present has recall 0 (as
    scikit-learn's ``zero_division=0``).
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    hits = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    support = matrix.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(hits), where=both > 0)
    return precision, recall, f1, support.astype(np.int64)


def _scaled(true: Array, predicted: Array) -> tuple[Array, Array, float]:
    """Both arrays, divided by their largest magnitude only when squares could overflow.

    Values up to 1e100 are left as they are, so ordinary scores are computed exactly as
    scikit-learn computes them; beyond, dividing by a scale above 1 cannot overflow.
    """
    true = np.asarray(true, dtype=np.float64)
    predicted = np.asarray(predicted, dtype=np.float64)
    both = np.concatenate([np.abs(true).ravel(), np.abs(predicted).ravel()])
    scale = float(both.max()) if both.size else 1.0
    if not 1e100 < scale < np.inf:
        return true, predicted, 1.0
    return true / scale, predicted / scale, scale


def mean_squared_error(true: Array, predicted: Array) -> float:
    """Mean of (predicted − true)² over all elements (inf when it exceeds float64)."""
    true, predicted, scale = _scaled(true, predicted)
    diff = predicted - true
    with np.errstate(over="ignore"):
        return float(np.mean(diff * diff)) * scale * scale


def r2_score(true: Array, predicted: Array) -> float:
    """Coefficient of determination 1 − SS_res / SS_tot (1 is perfect, 0 is the mean).

    A constant ``true`` gives 1.0 for a perfect fit and 0.0 otherwise, as scikit-learn.
    """
    # the ratio is the same in any unit, and the scaled squares stay finite
    true, predicted, _ = _scaled(true, predicted)
    residual = float(np.sum((true - predicted) ** 2))
    total = float(np.sum((true - true.mean(axis=0)) ** 2))
    if total == 0.0:
        return 1.0 if residual == 0.0 else 0.0
    return 1.0 - residual / total
