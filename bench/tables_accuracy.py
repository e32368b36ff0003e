"""Held-out score of ``glassnet train`` with no options against scikit-learn's pipeline.

The comparison issue 10 sets: a table as a CSV file, split into a train and a test file
(25 % of the rows, stratified for classes, split seeds 0..2). glassnet: ``glassnet train
train.csv --target T --seed S --out M`` with no other option, then ``glassnet evaluate M
test.csv``. scikit-learn: ``ColumnTransformer`` (numbers: ``SimpleImputer(add_indicator=
True)`` + ``StandardScaler``; text: ``SimpleImputer(strategy="most_frequent")`` +
``OneHotEncoder(handle_unknown="ignore")``) + ``MLPClassifier``/``MLPRegressor`` with their
defaults and ``random_state=S``, fitted on the same train file and scored on the same test
file (accuracy, or R² for a regression). The tables are the ones scikit-learn ships
(breast_cancer, iris, wine, diabetes; the class labels written as words), plus a table this
file makes with text columns and missing cells (``penguins``-like), so nothing is
downloaded.

Run: ``python -m bench.tables_accuracy`` (a few minutes on 2 cores; prints a markdown
table of means over splits × seeds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

SPLITS = (0, 1, 2)
SEEDS = (0, 1, 2)


def _tables() -> dict[str, tuple[Any, str, str]]:
    """name → (pandas DataFrame, target column, task)."""
    import pandas as pd
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine

    tables: dict[str, tuple[Any, str, str]] = {}
    for name, loader in (("breast_cancer", load_breast_cancer), ("iris", load_iris),
                         ("wine", load_wine)):  # fmt: skip
        data = loader(as_frame=True)
        frame = data.frame.copy()
        frame["target"] = np.asarray(data.target_names)[data.target]
        tables[name] = (frame, "target", "classification")
    diabetes = load_diabetes(as_frame=True, scaled=False).frame
    tables["diabetes"] = (diabetes, "target", "regression")
    rng = np.random.default_rng(0)
    n = 400
    kind = rng.choice(["Adelie", "Chinstrap", "Gentoo"], n)
    bill = np.where(kind == "Adelie", 39.0, np.where(kind == "Gentoo", 47.0, 49.0))
    mass = np.where(kind == "Gentoo", 5000.0, 3700.0) + rng.normal(0, 300, n)
    island = np.where(kind == "Gentoo", "Biscoe", rng.choice(["Dream", "Torgersen"], n))
    frame = pd.DataFrame({
        "bill_mm": (bill + rng.normal(0, 2.5, n)).round(1),
        "mass_g": mass.round(0),
        "island": island,
        "sex": rng.choice(["male", "female"], n),
        "species": kind,
    })  # fmt: skip
    frame.loc[rng.random(n) < 0.05, "bill_mm"] = np.nan
    frame.loc[rng.random(n) < 0.05, "sex"] = np.nan
    tables["penguins (made)"] = (frame, "species", "classification")
    return tables


def _sklearn_score(train: Any, test: Any, target: str, task: str, seed: int) -> float:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X = train.drop(columns=[target])
    from pandas.api.types import is_numeric_dtype

    text = [c for c in X.columns if not is_numeric_dtype(X[c])]
    numbers = [c for c in X.columns if c not in text]
    columns = ColumnTransformer([
        ("numbers", make_pipeline(SimpleImputer(add_indicator=True), StandardScaler()), numbers),
        ("text", make_pipeline(SimpleImputer(strategy="most_frequent"),
                               OneHotEncoder(handle_unknown="ignore")), text),
    ])  # fmt: skip
    model = MLPClassifier if task == "classification" else MLPRegressor
    pipeline = make_pipeline(columns, model(random_state=seed))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's "not converged" at 200 iterations
        pipeline.fit(X, train[target])
    return float(pipeline.score(test.drop(columns=[target]), test[target]))


def _glassnet_score(folder: Path, target: str, task: str, seed: int) -> float:
    model = folder / "m.safetensors"
    glassnet = [sys.executable, "-m", "glassnet"]
    train = [*glassnet, "train", folder / "train.csv", "--target", target, "--seed", str(seed)]
    subprocess.run([*train, "--out", model], check=True, capture_output=True)
    result = subprocess.run([*glassnet, "evaluate", model, folder / "test.csv", "--json"],
                            check=True, capture_output=True, text=True)  # fmt: skip
    report = json.loads(result.stdout)
    return float(report["accuracy"] if task == "classification" else report["r2"])


def main() -> int:
    from sklearn.model_selection import train_test_split

    print(f"load average at start: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| table | rows | metric | glassnet train | scikit-learn pipeline | difference |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for table, (frame, target, task) in _tables().items():
            ours, theirs = [], []
            for split in SPLITS:
                stratify = frame[target] if task == "classification" else None
                train, test = train_test_split(frame, test_size=0.25, random_state=split,
                                               stratify=stratify)  # fmt: skip
                train.to_csv(folder / "train.csv", index=False)
                test.to_csv(folder / "test.csv", index=False)
                for seed in SEEDS:
                    ours.append(_glassnet_score(folder, target, task, seed))
                    theirs.append(_sklearn_score(train, test, target, task, seed))
            metric = "accuracy" if task == "classification" else "R²"
            a, b = float(np.mean(ours)), float(np.mean(theirs))
            print(f"| {table} | {len(frame)} | {metric} | {a:.4f} | {b:.4f} | "
                  f"{100 * (a - b):+.1f} points |", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
