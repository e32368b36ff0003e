"""``trace``: run training steps and keep every number of the chosen ones.

One step is what the article's loop does once: feedforward the whole table, the cost,
backpropagation, and one update of every weight and bias.  For each chosen step ``trace``
keeps, layer by layer, the inputs, ``z = inputs·W + b``, ``a = activation(z)``, the error
``a − y`` (output layer), ``delta = ∂C/∂z``, ``∂C/∂W``, ``∂C/∂b``, the update and the
weights and bias before and after it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from glassnet._types import Array
from glassnet.network import Network
from glassnet.optimizers import SGD, GradientDescent, Optimizer, get_optimizer


def _plain(value: Array | None) -> Any:
    return None if value is None else value.tolist()


@dataclass
class LayerStep:
    """One layer's numbers in one training step (shapes for n samples, n_in → n_out).

    ``inputs`` (n, n_in); ``z``, ``a``, ``delta`` (n, n_out); ``error`` = a − y (n, n_out)
    on the output layer, None on hidden layers; ``grad_weights``, ``update_weights``,
    ``weights_before``, ``weights`` (n_in, n_out); ``grad_bias``, ``update_bias``,
    ``bias_before``, ``bias`` (n_out,).  ``weights = weights_before − update_weights``:
    for plain gradient descent the update is exactly learning rate × gradient, for other
    optimizers it is the change the optimizer made.  ``layer`` counts from 1.  With
    dropout, ``a`` is after that step's random mask, as backpropagation saw it.
    """

    layer: int
    activation: str
    inputs: Array
    z: Array
    a: Array
    error: Array | None
    delta: Array
    grad_weights: Array
    grad_bias: Array
    update_weights: Array
    update_bias: Array
    weights_before: Array
    bias_before: Array
    weights: Array
    bias: Array

    def to_dict(self) -> dict[str, Any]:
        """The numbers as nested lists of floats (``error`` None on hidden layers)."""
        out: dict[str, Any] = {"layer": self.layer, "activation": self.activation}
        for name in (
            "inputs",
            "z",
            "a",
            "error",
            "delta",
            "grad_weights",
            "grad_bias",
            "update_weights",
            "update_bias",
            "weights_before",
            "bias_before",
            "weights",
            "bias",
        ):
            out[name] = _plain(getattr(self, name))
        return out


@dataclass
class Step:
    """One training step: its number (from 1), the cost before its update, every layer."""

    step: int
    cost: float
    layers: list[LayerStep]

    def to_dict(self) -> dict[str, Any]:
        """``{"step", "cost", "layers": [...]}``."""
        return {
            "step": self.step,
            "cost": self.cost,
            "layers": [layer.to_dict() for layer in self.layers],
        }


@dataclass
class Trace:
    """The chosen steps of a training run, with the settings that produced them."""

    steps: list[Step]
    targets: Array
    cost_function: str
    optimizer: str
    learning_rate: float
    plain_descent: bool
    """True when each update is exactly learning rate × gradient (plain gradient descent)."""

    def to_dict(self) -> dict[str, Any]:
        """``{"steps": [...]}`` and the settings: cost, optimizer, learning rate, targets."""
        return {
            "cost_function": self.cost_function,
            "optimizer": self.optimizer,
            "learning_rate": self.learning_rate,
            "plain_descent": self.plain_descent,
            "targets": self.targets.tolist(),
            "steps": [step.to_dict() for step in self.steps],
        }

    def __getitem__(self, step: int) -> Step:
        """The traced step numbered ``step`` (not its position)."""
        for recorded in self.steps:
            if recorded.step == step:
                return recorded
        raise KeyError(f"step {step} was not traced; traced: {[s.step for s in self.steps]}")


def check_steps(steps: int | Iterable[int]) -> list[int]:
    """Return the step numbers sorted and unique, or say which one is not a positive integer."""
    if isinstance(steps, (int, np.integer)):
        steps = [int(steps)]
    chosen = []
    for step in steps:
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
            raise ValueError(f"steps are counted from 1; got {step!r}")
        chosen.append(int(step))
    if not chosen:
        raise ValueError("choose at least one step to trace, e.g. steps=[1]")
    return sorted(set(chosen))


def _is_plain_descent(optimizer: Optimizer) -> bool:
    return type(optimizer) is GradientDescent or (
        type(optimizer) is SGD and optimizer.momentum == 0.0
    )


def _record(
    net: Network, step: int, cost: float, y: Array, before: list[Array], optimizer: Optimizer
) -> Step:
    """Read the numbers the step left in each layer (the update changed only W and b)."""
    plain = _is_plain_descent(optimizer)
    layers = []
    last = len(net.layers) - 1
    for i, layer in enumerate(net.layers):
        assert layer.inputs is not None and layer.z is not None and layer.a is not None
        assert layer.delta is not None
        assert layer.grad_weights is not None and layer.grad_bias is not None
        w_before, b_before = before[2 * i], before[2 * i + 1]
        if plain:
            # the very product GradientDescent subtracts, so weights_before − update is
            # bit for bit the weights after
            update_w = optimizer.learning_rate * layer.grad_weights
            update_b = optimizer.learning_rate * layer.grad_bias
        else:
            update_w = w_before - layer.weights
            update_b = b_before - layer.bias
        layers.append(
            LayerStep(
                layer=i + 1,
                activation=layer.activation.name,
                inputs=layer.inputs.copy(),
                z=layer.z.copy(),
                a=layer.a.copy(),
                error=layer.a - y if i == last else None,
                delta=layer.delta.copy(),
                grad_weights=layer.grad_weights.copy(),
                grad_bias=layer.grad_bias.copy(),
                update_weights=update_w,
                update_bias=update_b,
                weights_before=w_before,
                bias_before=b_before,
                weights=layer.weights.copy(),
                bias=layer.bias.copy(),
            )
        )
    return Step(step=step, cost=float(cost), layers=layers)


def trace(
    net: Network,
    X: Any,
    y: Any,
    steps: int | Iterable[int] = (1,),
    optimizer: Optimizer | str | None = None,
    *,
    keep_training: bool = False,
) -> Trace:
    """Train ``net`` for ``max(steps)`` full-batch steps and record the chosen ones.

    Parameters
    ----------
    net : the network, as it is now (step 1 starts from its current weights).
    X : (n_samples, n_inputs) inputs; y : (n_samples, n_outputs) targets.
    steps : step numbers to record, counted from 1 (or one number); 5000 runs 5000
        updates.
    optimizer : an ``Optimizer`` or "gd", "sgd", "adam"; None takes the network's own
        optimizer, or else plain gradient descent at learning rate 0.1 (the article's).
    keep_training : keep the trained weights and optimizer state in ``net`` afterwards;
        by default the network is put back as it was, so tracing changes nothing.

    Returns
    -------
    Trace : ``trace.steps[k].layers[i]`` holds layer ``i + 1``'s numbers of that step;
    ``trace[1]`` is step 1.  ``trace.to_dict()`` is plain JSON-able data.
    """
    chosen = check_steps(steps)
    X = net.check_inputs(X)
    if X.shape[0] == 0:  # the cost of no rows is 0/0 (a ZeroDivisionError)
        raise ValueError("X has no rows; trace needs at least one sample")
    y = net.check_targets(y, X.shape[0])
    if optimizer is None:
        optimizer = net.optimizer if net.optimizer is not None else GradientDescent(0.1)
    opt = get_optimizer(optimizer)
    saved = (net.get_weights(), net.optimizer, copy.deepcopy(net.rng))
    if not keep_training:
        # the caller's optimizer keeps its state too: train with a copy of it
        opt = copy.deepcopy(opt)
    recorded = []
    wanted = set(chosen)
    try:
        for step in range(1, chosen[-1] + 1):
            before = net.get_weights() if step in wanted else []
            cost = net.train_on_batch(X, y, optimizer=opt)
            if step in wanted:
                recorded.append(_record(net, step, cost, y, before, opt))
    finally:
        if not keep_training:
            net.set_weights(saved[0])
            net.optimizer, net.rng = saved[1], saved[2]
    return Trace(
        steps=recorded,
        targets=y.copy(),
        cost_function=net.cost_function.name,
        optimizer=repr(opt),
        learning_rate=opt.learning_rate,
        plain_descent=_is_plain_descent(opt),
    )
