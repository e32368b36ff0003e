"""The seed article's network, its settings and its three questions, in one place.

The article (a Japanese introduction to weight, bias, feedforward, cost and
backpropagation) trains 3 inputs → 1 sigmoid output, weights 0.5, bias 0.2, with 5000
epochs of full-batch gradient descent at learning rate 0.1 on the ``jobs`` table, then asks
about three students. ``demo``, ``trace`` and ``explain`` all start from here.
"""

from __future__ import annotations

from glassnet.datasets import jobs
from glassnet.layers import Dense
from glassnet.network import Network
from glassnet.optimizers import GradientDescent

LEARNING_RATE = 0.1
EPOCHS = 5000
QUESTIONS = [[1.0, 1.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]]
"""All passed; physics failed; all failed."""

VERDICTS = {
    "en": ("does not find a job", "finds a job"),
    "ja": ("仕事が見つからない", "仕事が見つかる"),
}
"""The verdict for output < 0.5 and >= 0.5, in English and in the article's words."""


def network() -> Network:
    """The article's untrained network: weights 0.5, bias 0.2, sigmoid, cost ½·Σ(a − y)²."""
    return Network([Dense(3, 1, activation="sigmoid", weights=0.5, bias=0.2)], cost="sse")


def optimizer() -> GradientDescent:
    """The article's plain gradient descent at learning rate 0.1."""
    return GradientDescent(learning_rate=LEARNING_RATE)


def trained_network() -> Network:
    """The article's network after its 5000 epochs on the jobs table."""
    net = network()
    data = jobs()
    net.fit(data.X, data.y, epochs=EPOCHS, optimizer=optimizer())
    return net
