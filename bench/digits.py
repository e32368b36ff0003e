"""scikit-learn's digits: 64-128-10 relu, softmax + categorical cross-entropy, Adam 1e-3,
batch 200, 200 epochs, 25% held out (stratified, seed 0), standardized on the training part.

Contenders: ``glassnet-f64``, ``glassnet-f32``, ``sklearn`` (``MLPClassifier`` with
``alpha=0``, ``tol=0`` and ``n_iter_no_change`` above ``max_iter`` so it runs all 200
epochs, float64 as it is used) and ``torch`` (float32, a shuffled index per epoch and
slices, no ``DataLoader``: the fastest plain PyTorch loop). Each child reports the training
time (the median of ``repeats`` fits on fresh networks, after one warm-up fit) and the
held-out accuracy of the last fit.

Run one by hand: ``python -m bench.digits --contender glassnet-f32``.
"""

from __future__ import annotations

import argparse
import warnings
from typing import Any

import numpy as np

from bench.common import Result, child_main, median, rss_mib, threads, timed

HIDDEN = 128
EPOCHS = 200
BATCH_SIZE = 200
LEARNING_RATE = 1e-3
SEED = 0


def load(dtype: Any = np.float64) -> tuple[Any, Any, Any, Any]:
    """Standardized ``X_train, X_test`` and integer labels ``y_train, y_test``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=SEED, stratify=y
    )
    mean = X_train.mean(axis=0)
    scale = X_train.std(axis=0)
    scale[scale == 0.0] = 1.0  # constant pixels stay 0 instead of dividing by 0
    X_train = ((X_train - mean) / scale).astype(dtype)
    X_test = ((X_test - mean) / scale).astype(dtype)
    return X_train, X_test, y_train, y_test


def _repeats(args: argparse.Namespace) -> int:
    return 2 if args.quick else 5


def _glassnet(dtype: str) -> Any:
    def contender(args: argparse.Namespace) -> Result:
        from glassnet import Adam, Dense, Network

        X_train, X_test, y_train, y_test = load(dtype)
        onehot = np.eye(10, dtype=dtype)[y_train]
        base_rss = rss_mib()

        def train() -> Any:
            net = Network(
                [Dense(64, HIDDEN, activation="relu"), Dense(HIDDEN, 10, activation="softmax")],
                cost="categorical_crossentropy",
                seed=SEED,
                dtype=dtype,
            )
            net.fit(
                X_train,
                onehot,
                epochs=EPOCHS,
                batch_size=BATCH_SIZE,
                optimizer=Adam(learning_rate=LEARNING_RATE),
            )
            return net

        return _measure(args, train, lambda net: net.predict(X_test), y_test, base_rss)

    return contender


def _sklearn(args: argparse.Namespace) -> Result:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    X_train, X_test, y_train, y_test = load()
    base_rss = rss_mib()

    def train() -> Any:
        model = MLPClassifier(
            hidden_layer_sizes=(HIDDEN,),
            activation="relu",
            solver="adam",
            alpha=0.0,
            batch_size=BATCH_SIZE,
            learning_rate_init=LEARNING_RATE,
            max_iter=EPOCHS,
            tol=0.0,
            n_iter_no_change=EPOCHS + 1,
            random_state=SEED,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        assert model.n_iter_ == EPOCHS
        return model

    return _measure(args, train, lambda model: model.predict(X_test), y_test, base_rss)


def _torch(args: argparse.Namespace) -> Result:
    import torch

    torch.set_num_threads(threads())
    torch.manual_seed(SEED)
    X_train, X_test, y_train, y_test = load(np.float32)
    Xt = torch.from_numpy(X_train)
    yt = torch.from_numpy(y_train.astype(np.int64))
    base_rss = rss_mib()

    def train() -> Any:
        model = torch.nn.Sequential(
            torch.nn.Linear(64, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 10)
        )
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        loss_fn = torch.nn.CrossEntropyLoss()
        n = Xt.shape[0]
        for _ in range(EPOCHS):
            order = torch.randperm(n)
            for start in range(0, n, BATCH_SIZE):
                idx = order[start : start + BATCH_SIZE]
                optimizer.zero_grad(set_to_none=True)
                loss = loss_fn(model(Xt[idx]), yt[idx])
                loss.backward()
                optimizer.step()
        return model

    def predict(model: Any) -> Any:
        with torch.no_grad():
            return model(torch.from_numpy(X_test)).argmax(dim=1).numpy()

    return _measure(args, train, predict, y_test, base_rss)


def _measure(
    args: argparse.Namespace, train: Any, predict: Any, y_test: Any, base: float
) -> Result:
    train()  # warm-up
    seconds = []
    model = None
    for _ in range(_repeats(args)):
        elapsed, model = timed(train)
        seconds.append(elapsed)
    accuracy = float(np.mean(predict(model) == y_test))
    return {
        "seconds": median(seconds),
        "repeats_seconds": seconds,
        "accuracy": accuracy,
        "rss_before_fit_mib": round(base, 1),
    }


CONTENDERS = {
    "glassnet-f64": _glassnet("float64"),
    "glassnet-f32": _glassnet("float32"),
    "sklearn": _sklearn,
    "torch": _torch,
}
# every contender loads the data with scikit-learn
REQUIRES = {
    "glassnet-f64": "sklearn",
    "glassnet-f32": "sklearn",
    "sklearn": "sklearn",
    "torch": "torch",
}
BASELINE = "sklearn"

if __name__ == "__main__":
    raise SystemExit(child_main(CONTENDERS))
