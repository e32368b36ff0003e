"""Building a network from a task and a few choices: the one home of these rules.

The command line, the estimators, the playground and the plots all build through here, so
"two classes → one sigmoid neuron with binary cross-entropy" or "every layer starts from
Glorot weights unless asked otherwise" is written once:

- ``output_and_cost(task, n_outputs)``: the output activation and cost a task calls for;
- ``build_network(...)``: the ``Network``, refused in one line before allocating when its
  parameters cannot fit in this machine's memory;
- ``make_optimizer(name, learning_rate)``: "gd", "sgd" (momentum 0.9, Nesterov) or "adam";
- ``HIDDEN_ACTIVATIONS``, ``OPTIMIZERS``, ``TASKS``: the choices, read from the registries.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from glassnet.activations import ACTIVATIONS, Activation, get_activation
from glassnet.layers import Dense
from glassnet.network import Network
from glassnet.optimizers import OPTIMIZERS as _OPTIMIZER_CLASSES
from glassnet.optimizers import Optimizer, get_optimizer
from glassnet.validation import (
    choice,
    non_negative_number,
    physical_memory,
    positive_int,
    positive_number,
)

_TASK_RULES: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    # task: ((activation, cost) for one output, (activation, cost) for several)
    "regression": (("identity", "mse"), ("identity", "mse")),
    "classification": (
        ("sigmoid", "binary_crossentropy"),
        ("softmax", "categorical_crossentropy"),
    ),
    "multilabel": (("sigmoid", "binary_crossentropy"), ("sigmoid", "binary_crossentropy")),
    "poisson": (("exp", "poisson"), ("exp", "poisson")),
}

TASKS: tuple[str, ...] = tuple(_TASK_RULES)
"""What a network can be built for: classification, regression, multilabel, poisson."""

_OUTPUT_ONLY = ("softmax", "exp")
"""Output links, not hidden-layer activations: softmax spreads one unit of probability over
the outputs, exp is the log link of counts."""

HIDDEN_ACTIVATIONS: tuple[str, ...] = tuple(
    name for name in ACTIVATIONS if name not in _OUTPUT_ONLY
)
"""The activations that suit a hidden layer: every registered one but the output links
(softmax, exp)."""

OPTIMIZERS: tuple[str, ...] = tuple(_OPTIMIZER_CLASSES)
"""The optimizers ``make_optimizer`` knows by name."""

DEFAULT_INITIALIZER = "glorot"
"""Every layer's first weights unless the caller names others: Glorot, as scikit-learn's
MLP and Keras's Dense start, relu layers too. He weights for relu trained worse on small
tables here (iris, 120 rows, 200 Adam epochs: 0.85 held-out accuracy against Glorot's 0.89
and scikit-learn's 0.90), and the command line is held to scikit-learn's MLP."""

_COPIES = 5
"""Float arrays of the parameter count that training holds: the weights, their gradients
and up to three of the optimizer's (Adam: two moments and scratch space)."""


def output_and_cost(task: str, n_outputs: int) -> tuple[str, str]:
    """The output activation and cost for ``task`` with ``n_outputs`` outputs.

    "regression" → (identity, mse); "classification" with 1 output → (sigmoid,
    binary_crossentropy), with more → (softmax, categorical_crossentropy); "multilabel" →
    (sigmoid, binary_crossentropy); "poisson" → (exp, poisson).
    """
    choice(task, "task", TASKS)
    one, several = _TASK_RULES[task]
    return one if positive_int(n_outputs, "n_outputs") == 1 else several


def check_fits_in_memory(sizes: Sequence[int], dtype: Any) -> None:
    """Refuse, in one line, layer ``sizes`` whose training arrays exceed this machine's memory.

    Counted with Python integers before anything is allocated, so ``--hidden 100000,100000``
    costs a message, not a swap storm.
    """
    n_params = sum((a + 1) * b for a, b in pairwise(sizes))
    needed = n_params * np.dtype(dtype).itemsize * _COPIES
    memory = physical_memory()
    if memory is not None and needed > memory:
        raise ValueError(
            f"a network of {n_params:,} parameters needs about {needed / 2**30:,.1f} GiB to "
            f"train, but this machine has {memory / 2**30:,.1f} GiB; use fewer or smaller "
            "hidden layers"
        )


def build_network(
    n_inputs: int,
    n_outputs: int,
    *,
    task: str,
    hidden: Sequence[int] = (),
    activation: str | dict[str, Any] | Activation = "relu",
    output: str | None = None,
    cost: str | None = None,
    weights: str | None = None,
    l2: float = 0.0,
    seed: int | np.random.Generator | None = None,
    dtype: str = "float64",
) -> Network:
    """A fully connected network for ``task``: inputs → ``hidden`` layers → outputs.

    Parameters
    ----------
    n_inputs, n_outputs : the sizes of the input and output layers.
    task : one of ``TASKS``; picks the output activation and cost (``output_and_cost``).
    hidden : neurons per hidden layer, e.g. (16, 16); () for none.
    activation : the hidden layers' activation (a name, a config dict or an object).
    output, cost : override the task's output activation and cost.
    weights : every layer's initializer ("glorot", "he"); None is ``DEFAULT_INITIALIZER``.
    l2 : L2 penalty strength of every layer.
    seed : an int or a ``numpy.random.Generator`` the weights are drawn from.
    dtype : "float64" or "float32".

    Raises
    ------
    ValueError : a bad choice, or a network whose parameters cannot fit in memory (before
        anything is allocated).
    """
    sizes = [positive_int(n_inputs, "n_inputs")]
    sizes += [positive_int(size, "each hidden layer size") for size in hidden]
    sizes.append(positive_int(n_outputs, "n_outputs"))
    default_output, default_cost = output_and_cost(task, n_outputs)
    hidden_activation = get_activation(activation)
    l2 = non_negative_number(l2, "l2")
    if np.dtype(dtype) not in (np.dtype("float32"), np.dtype("float64")):
        raise ValueError(f"dtype must be 'float32' or 'float64'; got {dtype!r}")
    check_fits_in_memory(sizes, dtype)
    init = weights or DEFAULT_INITIALIZER
    layers = [
        Dense(a, b, hidden_activation.get_config(), weights=init, l2=l2)
        for a, b in pairwise(sizes[:-1])
    ]
    layers.append(Dense(sizes[-2], sizes[-1], output or default_output, weights=init, l2=l2))
    return Network(layers, cost=cost or default_cost, seed=seed, dtype=dtype)


def make_optimizer(name: str, learning_rate: float, **settings: Any) -> Optimizer:
    """The optimizer ``name`` stands for: "adam", "sgd" (momentum 0.9 with Nesterov unless
    ``settings`` say otherwise) or "gd"; ``settings`` go to its constructor."""
    choice(name, "optimizer", OPTIMIZERS)
    learning_rate = positive_number(learning_rate, "learning_rate")
    if name == "sgd":
        settings = {"momentum": 0.9, "nesterov": True, **settings}
    return get_optimizer({"name": name, "learning_rate": learning_rate, **settings})
