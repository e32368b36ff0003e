"""Drop-in parity: ``GlassClassifier`` against scikit-learn's ``MLPClassifier``, same parameters.

Each contender is used as a user would: ``make_pipeline(StandardScaler(), estimator)``, on
scikit-learn's iris, breast_cancer and digits, 25% held out (stratified, split seeds 0..4),
with ``random_state`` equal to the split seed. Three parameter sets: the defaults, a tuned
Adam set (two tanh layers, early stopping) and a tuned L-BFGS set. The table gives each
library's mean held-out accuracy over the five seeds, the difference in points, and the
mean fit time. The run fails (exit status 1) if any difference exceeds 1 point.

Run: ``python -m bench.sklearn_parity`` (``--json`` for the numbers; ``--seeds 2`` for a
quicker pass).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

from sklearn.datasets import load_breast_cancer, load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from glassnet.sklearn import GlassClassifier

DATASETS: dict[str, Callable[..., Any]] = {
    "iris": load_iris,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
}

SETTINGS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "tuned adam": {
        "hidden_layer_sizes": (64, 32),
        "activation": "tanh",
        "alpha": 1e-3,
        "learning_rate_init": 3e-3,
        "max_iter": 500,
        "early_stopping": True,
        "validation_fraction": 0.15,
        "n_iter_no_change": 20,
    },
    "tuned lbfgs": {"solver": "lbfgs", "hidden_layer_sizes": (50,), "alpha": 1e-2, "max_iter": 400},
}

CONTENDERS = {"MLPClassifier": MLPClassifier, "GlassClassifier": GlassClassifier}
LIMIT_POINTS = 1.0


def held_out_accuracy(
    estimator: type, dataset: str, params: dict[str, Any], seed: int
) -> tuple[float, float]:
    """(held-out accuracy in %, fit seconds) of one pipeline on one split."""
    X, y = DATASETS[dataset](return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    pipe = make_pipeline(StandardScaler(), estimator(**params, random_state=seed))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    return 100.0 * float(pipe.score(X_test, y_test)), seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="split seeds 0..N-1 (5)")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args(argv)

    rows = []
    for setting, params in SETTINGS.items():
        for dataset in DATASETS:
            row: dict[str, Any] = {"dataset": dataset, "setting": setting}
            for name, estimator in CONTENDERS.items():
                runs = [
                    held_out_accuracy(estimator, dataset, params, seed)
                    for seed in range(args.seeds)
                ]
                row[name] = statistics.mean(score for score, _ in runs)
                row[name + " s"] = statistics.mean(seconds for _, seconds in runs)
            row["difference"] = row["GlassClassifier"] - row["MLPClassifier"]
            rows.append(row)

    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(
            f"Held-out accuracy (%), mean of split seeds 0..{args.seeds - 1}; "
            "Pipeline(StandardScaler, estimator)\n"
        )
        print(
            "| dataset | parameters | MLPClassifier | GlassClassifier | difference (points) "
            "| fit s (sklearn / glassnet) |"
        )
        print("| --- | --- | ---: | ---: | ---: | ---: |")
        for row in rows:
            print(
                f"| {row['dataset']} | {row['setting']} | {row['MLPClassifier']:.2f} "
                f"| {row['GlassClassifier']:.2f} | {row['difference']:+.2f} "
                f"| {row['MLPClassifier s']:.2f} / {row['GlassClassifier s']:.2f} |"
            )
        print(
            "\nParameter sets: "
            + "; ".join(f"{k}: {v or 'scikit-learn defaults'}" for k, v in SETTINGS.items())
        )
    worst = max(abs(row["difference"]) for row in rows)
    return 0 if worst <= LIMIT_POINTS else 1


if __name__ == "__main__":
    raise SystemExit(main())
