"""Held-out accuracy: glassnet against scikit-learn's ``MLPClassifier``, same network, same run.

On scikit-learn's digits, breast_cancer and iris: 25% held out (stratified, split seeds
0..4), standardized with the training part's mean and deviation. Both contenders train
one hidden layer of 100 relu units with Adam (learning rate 1e-3, betas 0.9/0.999, ε 1e-8),
batches of min(200, n_train), shuffled each epoch, exactly 200 epochs (``tol=0`` and
``n_iter_no_change`` above ``max_iter`` keep scikit-learn from stopping early), and the
same output and cost: one sigmoid unit with binary cross-entropy for two classes, softmax
with categorical cross-entropy for more.

The L2 penalty, mapped exactly: scikit-learn adds ``0.5·alpha·ΣW² / n_batch`` to each
batch's mean loss (all weight matrices, no biases), so each weight's gradient gains
``alpha·W / n_batch``. glassnet's ``Dense(l2=λ)`` adds ``½·λ·ΣW²`` and ``λ·W``, so
``λ = alpha / batch_size`` on every layer gives the same updates. (scikit-learn divides by
the actual batch length, so on each epoch's last, shorter batch its penalty is a little
stronger; with alpha = 1e-4 that is far below the noise between seeds.)

What differs, on purpose: the initial numbers (each library's own Glorot-uniform draw from
its own generator; scikit-learn also draws the biases, glassnet starts them at 0), so the
comparison is between the two libraries as a user gets them.

Run: ``python -m bench.accuracy`` (prints a markdown table; ``--json`` for the numbers).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

HIDDEN = 100
EPOCHS = 200
ALPHA = 1e-4
LEARNING_RATE = 1e-3
SEEDS = (0, 1, 2, 3, 4)
DATASETS = ("digits", "breast_cancer", "iris")
TOLERANCE_POINTS = 0.5
"""glassnet's mean accuracy may be at most this many points below scikit-learn's."""


def split(name: str, seed: int) -> tuple[Any, Any, Any, Any]:
    """Standardized float64 ``X_train, X_test`` and integer labels, 25% held out."""
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=seed, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def sklearn_accuracy(X_train: Any, X_test: Any, y_train: Any, y_test: Any, seed: int) -> float:
    """Held-out accuracy of ``MLPClassifier`` after exactly ``EPOCHS`` epochs."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(
        hidden_layer_sizes=(HIDDEN,),
        activation="relu",
        solver="adam",
        alpha=ALPHA,
        batch_size=min(200, len(X_train)),
        learning_rate_init=LEARNING_RATE,
        max_iter=EPOCHS,
        tol=0.0,
        n_iter_no_change=EPOCHS + 1,
        shuffle=True,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    assert model.n_iter_ == EPOCHS, model.n_iter_
    return float(np.mean(model.predict(X_test) == y_test))


def glassnet_accuracy(X_train: Any, X_test: Any, y_train: Any, y_test: Any, seed: int) -> float:
    """Held-out accuracy of the same network in glassnet."""
    from glassnet import Adam, Dense, Network

    batch_size = min(200, len(X_train))
    l2 = ALPHA / batch_size  # see the module docstring
    n_classes = int(y_train.max()) + 1
    if n_classes == 2:
        output = Dense(HIDDEN, 1, activation="sigmoid", l2=l2)
        cost = "binary_crossentropy"
        targets = y_train.reshape(-1, 1).astype(np.float64)
    else:
        output = Dense(HIDDEN, n_classes, activation="softmax", l2=l2)
        cost = "categorical_crossentropy"
        targets = np.eye(n_classes)[y_train]
    net = Network(
        [Dense(X_train.shape[1], HIDDEN, activation="relu", l2=l2), output], cost=cost, seed=seed
    )
    net.fit(
        X_train,
        targets,
        epochs=EPOCHS,
        batch_size=batch_size,
        optimizer=Adam(learning_rate=LEARNING_RATE),
        shuffle=True,
    )
    return float(np.mean(net.predict(X_test) == y_test))


CONTENDERS = {"glassnet": glassnet_accuracy, "sklearn": sklearn_accuracy}


def compare(
    datasets: Sequence[str] = DATASETS, seeds: Sequence[int] = SEEDS
) -> list[dict[str, Any]]:
    """Per dataset: each contender's accuracies and fit seconds per seed, in alternating order."""
    rows = []
    for name in datasets:
        scores: dict[str, list[float]] = {c: [] for c in CONTENDERS}
        seconds: dict[str, list[float]] = {c: [] for c in CONTENDERS}
        for seed in seeds:
            data = split(name, seed)
            order = list(CONTENDERS) if seed % 2 == 0 else list(reversed(CONTENDERS))
            for contender in order:
                start = time.perf_counter()
                scores[contender].append(CONTENDERS[contender](*data, seed))
                seconds[contender].append(time.perf_counter() - start)
        rows.append({"dataset": name, "accuracy": scores, "seconds": seconds})
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """The comparison as a markdown table: mean ± deviation in percent, and the verdict."""
    lines = [
        "| dataset | glassnet accuracy % | scikit-learn accuracy % | difference (points) "
        "| target (≥ −0.5) | glassnet fit s | scikit-learn fit s |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        ours, theirs = row["accuracy"]["glassnet"], row["accuracy"]["sklearn"]
        diff = 100 * (statistics.mean(ours) - statistics.mean(theirs))
        lines.append(
            f"| {row['dataset']} | {_pm(ours)} | {_pm(theirs)} | {diff:+.2f} | "
            f"{'met' if diff >= -TOLERANCE_POINTS else 'NOT met'} | "
            f"{statistics.median(row['seconds']['glassnet']):.3f} | "
            f"{statistics.median(row['seconds']['sklearn']):.3f} |"
        )
    return "\n".join(lines)


def _pm(values: list[float]) -> str:
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{100 * statistics.mean(values):.2f} ± {100 * spread:.2f}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the comparison; print the markdown table (or ``--json``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--seeds", type=int, default=len(SEEDS), help="seeds 0..N-1 (5)")
    args = parser.parse_args(argv)
    rows = compare(args.datasets, range(args.seeds))
    if args.json:
        print(json.dumps({"rows": rows, "markdown": markdown(rows)}))
    else:
        print(markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
