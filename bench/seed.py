"""The seed article's network, 5000 epochs of full-batch gradient descent, four ways.

- ``glassnet``: ``Network([Dense(3, 1, "sigmoid", weights=0.5, bias=0.2)], cost="sse")`` and
  ``fit(..., optimizer=GradientDescent(0.1))``, the way the README shows it;
- ``numpy-raw``: the article's own loop with only its typos fixed (``epochs`` → ``epoch``,
  ``activate`` → ``sigmoid``, ``learning_rate`` → ``lr``), integer inputs as printed;
- ``torch-manual``: the same arithmetic on float64 tensors, gradients written by hand;
- ``torch-autograd``: ``loss.backward()`` and ``torch.optim.SGD``, float64.

Each child runs its contender ``repeats`` times and reports the median µs per epoch and the
final weights, so the parent can check that every contender computed the article's numbers.

Run one by hand: ``python -m bench.seed --contender glassnet``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.common import Result, child_main, median, threads, timed

EPOCHS = 5000
LEARNING_RATE = 0.1
ARTICLE_WEIGHTS = [3.4060369676610347, -2.6711678969340755, 5.691613980699549]
ARTICLE_BIAS = -0.06513092927302165
INPUTS = [[0, 1, 1], [1, 0, 0], [0, 1, 0], [1, 0, 1]]
OUTPUTS = [[1], [1], [0], [1]]


def _numpy_raw() -> Any:
    # the article's code, typos fixed, nothing else changed
    inputs = np.array(INPUTS)
    outputs = np.array(OUTPUTS)
    weights = np.array([[0.5], [0.5], [0.5]])
    bias = np.array([[0.2]])
    lr = 0.1
    epoch = EPOCHS

    def sigmoid(x: Any) -> Any:
        return 1 / (1 + np.exp(-x))

    for _ in range(epoch):
        prediction = np.dot(inputs, weights) + bias
        activated_val = sigmoid(prediction)
        error = activated_val - outputs
        sigmoid_der_prediction = activated_val * (1 - activated_val)
        der_cost_w = np.dot(inputs.T, sigmoid_der_prediction * error)
        der_cost_b = sigmoid_der_prediction * error
        weights -= lr * der_cost_w
        bias -= lr * np.sum(der_cost_b, axis=0, keepdims=True)
    return weights.ravel(), float(bias[0, 0])


def _glassnet() -> Any:
    from glassnet import Dense, GradientDescent, Network

    X = np.array(INPUTS, dtype=np.float64)
    y = np.array(OUTPUTS, dtype=np.float64)
    net = Network([Dense(3, 1, activation="sigmoid", weights=0.5, bias=0.2)], cost="sse")
    net.fit(X, y, epochs=EPOCHS, optimizer=GradientDescent(learning_rate=LEARNING_RATE))
    return net.layers[0].weights.ravel(), float(net.layers[0].bias[0])


def _torch_manual() -> Any:
    import torch

    inputs = torch.tensor(INPUTS, dtype=torch.float64)
    outputs = torch.tensor(OUTPUTS, dtype=torch.float64)
    weights = torch.full((3, 1), 0.5, dtype=torch.float64)
    bias = torch.full((1, 1), 0.2, dtype=torch.float64)
    for _ in range(EPOCHS):
        activated = torch.sigmoid(inputs @ weights + bias)
        delta = activated * (1 - activated) * (activated - outputs)
        weights -= LEARNING_RATE * (inputs.T @ delta)
        bias -= LEARNING_RATE * delta.sum(dim=0, keepdim=True)
    return weights.numpy().ravel(), float(bias[0, 0])


def _torch_autograd() -> Any:
    import torch

    inputs = torch.tensor(INPUTS, dtype=torch.float64)
    outputs = torch.tensor(OUTPUTS, dtype=torch.float64)
    weights = torch.full((3, 1), 0.5, dtype=torch.float64, requires_grad=True)
    bias = torch.full((1,), 0.2, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([weights, bias], lr=LEARNING_RATE)
    for _ in range(EPOCHS):
        optimizer.zero_grad()
        cost = 0.5 * ((torch.sigmoid(inputs @ weights + bias) - outputs) ** 2).sum()
        cost.backward()
        optimizer.step()
    return weights.detach().numpy().ravel(), float(bias.detach()[0])


def _torch_setup() -> None:
    import torch

    torch.set_num_threads(threads())


def _measure(run: Callable[[], Any], args: argparse.Namespace) -> Result:
    repeats = 3 if args.quick else 7
    run()  # warm-up: first calls load code paths and caches
    seconds = []
    weights: Any = None
    bias = 0.0
    for _ in range(repeats):
        elapsed, (weights, bias) = timed(run)
        seconds.append(elapsed)
    error = max(
        float(np.max(np.abs(np.asarray(weights) - ARTICLE_WEIGHTS))), abs(bias - ARTICLE_BIAS)
    )
    return {
        "us_per_epoch": median(seconds) / EPOCHS * 1e6,
        "repeats_us_per_epoch": [s / EPOCHS * 1e6 for s in seconds],
        "max_error_vs_article": error,
    }


def _contender(
    run: Callable[[], Any], torch: bool = False
) -> Callable[[argparse.Namespace], Result]:
    def contender(args: argparse.Namespace) -> Result:
        if torch:
            _torch_setup()
        return _measure(run, args)

    return contender


CONTENDERS = {
    "glassnet": _contender(_glassnet),
    "numpy-raw": _contender(_numpy_raw),
    "torch-manual": _contender(_torch_manual, torch=True),
    "torch-autograd": _contender(_torch_autograd, torch=True),
}
REQUIRES = {"torch-manual": "torch", "torch-autograd": "torch"}
BASELINE = "numpy-raw"

if __name__ == "__main__":
    raise SystemExit(child_main(CONTENDERS))
