"""``gradcheck``: backpropagation's gradient against central differences, parameter by parameter.

For each weight and bias ``p`` the numerical derivative is
``(C(p + eps) − C(p − eps)) / (2·eps)``, and the two are compared by the relative error

    |backprop − numeric| / max(|backprop|, |numeric|, floor)

A central difference cannot resolve a derivative more finely than the round-off of the
cost, about 1e-16·|C| / eps ≈ 1e-10 for eps = 1e-6; the ``floor`` (default 1e-4) keeps a
gradient that is zero, or nearly, from turning that round-off into a huge relative error:
below the floor the comparison is absolute, in units of the floor.  In float64 a correct
backpropagation then scores about 1e-10 to 1e-6 and a wrong formula 1e-3 or more, so the
default tolerance 1e-5 separates them.
float32 is far too coarse for differences this small, so a float32 network is checked
through a float64 copy (with a warning).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet._types import Array
from glassnet.layers import Dense
from glassnet.network import Network


@dataclass
class LayerCheck:
    """The comparison for one layer (``layer`` counts from 1).

    ``weights_error`` and ``bias_error`` are the worst relative errors of that layer's
    weights and biases; ``worst`` names the worst parameter: which array, its index, the
    backpropagated and the numerical derivative.
    """

    layer: int
    weights_error: float
    bias_error: float
    n_checked: int
    worst: dict[str, Any] = field(default_factory=dict)

    @property
    def max_relative_error(self) -> float:
        """The worst relative error in this layer."""
        return max(self.weights_error, self.bias_error)

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the errors, the count checked and the worst parameter."""
        return {
            "layer": self.layer,
            "max_relative_error": self.max_relative_error,
            "weights_max_relative_error": self.weights_error,
            "bias_max_relative_error": self.bias_error,
            "n_checked": self.n_checked,
            "worst": self.worst,
        }


@dataclass
class GradcheckResult:
    """The whole check: the worst relative error overall and per layer, and the verdict."""

    max_relative_error: float
    tolerance: float
    eps: float
    floor: float
    layers: list[LayerCheck]

    @property
    def passed(self) -> bool:
        """Whether every parameter's relative error is within the tolerance."""
        return self.max_relative_error <= self.tolerance

    def to_dict(self) -> dict[str, Any]:
        """``{"max_relative_error", "passed", "tolerance", "eps", "floor", "layers"}``."""
        return {
            "max_relative_error": self.max_relative_error,
            "passed": self.passed,
            "tolerance": self.tolerance,
            "eps": self.eps,
            "floor": self.floor,
            "layers": [layer.to_dict() for layer in self.layers],
        }


def relative_error(backprop: Array, numeric: Array, floor: float) -> Array:
    """``|backprop − numeric| / max(|backprop|, |numeric|, floor)``, element by element.

    Where either derivative is NaN (a step ``eps`` so small that ``p ± eps`` rounds back
    to ``p``, or a cost that is NaN) nothing was compared: the error is infinite, a failure.
    """
    scale = np.maximum(np.maximum(np.abs(backprop), np.abs(numeric)), floor)
    error = np.abs(backprop - numeric) / scale
    return np.asarray(np.where(np.isnan(error), np.inf, error))


def float64_copy(net: Network) -> Network:
    """The same layers, weights and cost in float64 (``net`` itself is left alone)."""
    layers = [
        Dense(
            layer.n_in,
            layer.n_out,
            activation=layer.activation,
            weights=layer.weights.astype(np.float64),
            bias=layer.bias.astype(np.float64),
            dropout=layer.dropout,
            l2=layer.l2,
        )
        for layer in net.layers
    ]
    return Network(layers, cost=net.cost_function, dtype="float64")


def _numeric_derivatives(
    net: Network, param: Array, indices: Array, X: Array, y: Array, sw: Any, eps: float
) -> Array:
    """Central differences of the cost for the entries of ``param`` at flat ``indices``."""
    flat = param.reshape(-1)  # a view: writing into it moves the network's parameter
    out = np.empty(len(indices))
    for k, i in enumerate(indices):
        original = flat[i]
        flat[i] = original + eps
        up = flat[i]
        cost_up = net.cost(X, y, sw)
        flat[i] = original - eps
        down = flat[i]
        cost_down = net.cost(X, y, sw)
        flat[i] = original
        # divide by the step actually taken, which rounding may have changed (to 0 when
        # eps is below the spacing of floats at p: then 0/0, a NaN the comparison fails)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[k] = np.divide(cost_up - cost_down, up - down)
    return out


def n_checked_in(layer: Dense, max_per_layer: int | None) -> int:
    """How many of ``layer``'s parameters ``gradcheck`` checks with this ``max_per_layer``."""
    if max_per_layer is None:
        return int(layer.weights.size + layer.bias.size)
    return min(int(layer.weights.size), max_per_layer) + min(int(layer.bias.size), max_per_layer)


def gradcheck(
    net: Network,
    X: Any,
    y: Any,
    eps: float = 1e-6,
    tolerance: float = 1e-5,
    *,
    floor: float = 1e-4,
    sample_weight: Any = None,
    max_per_layer: int | None = None,
    seed: int = 0,
) -> GradcheckResult:
    """Compare ``net.gradients(X, y)`` with central differences of ``net.cost(X, y)``.

    Parameters
    ----------
    net : the network; its weights are perturbed one at a time and always put back.
    X : (n_samples, n_inputs); y : (n_samples, n_outputs).
    eps : the step of the central difference.
    tolerance : the largest relative error that passes.
    floor : the smallest denominator of the relative error (see the module docstring).
    sample_weight : (n_samples,) weights of the cost, if any.
    max_per_layer : check at most this many weights and at most this many biases per
        layer, each drawn at random from ``seed``; None checks every parameter. Each
        checked parameter costs two evaluations of the cost over all of ``X``.

    Returns
    -------
    GradcheckResult : ``max_relative_error``, ``passed``, and one ``LayerCheck`` per layer.
    """
    if not (eps > 0.0 and tolerance > 0.0 and floor > 0.0):
        raise ValueError(
            f"eps, tolerance and floor must be positive; got {eps!r}, {tolerance!r}, {floor!r}"
        )
    if max_per_layer is not None and max_per_layer < 1:
        raise ValueError(f"max_per_layer must be a positive integer; got {max_per_layer!r}")
    if net.dtype != np.float64:
        warnings.warn(
            f"the network is {net.dtype.name}, too coarse for central differences; "
            "checking a float64 copy of it",
            UserWarning,
            stacklevel=2,
        )
        net = float64_copy(net)
    X = net.check_inputs(X)
    if X.shape[0] == 0:  # the cost of no rows is 0/0 (a ZeroDivisionError)
        raise ValueError("X has no rows; gradcheck needs at least one sample")
    y = net.check_targets(y, X.shape[0])
    sw = net.check_sample_weight(sample_weight, X.shape[0])
    rng = np.random.default_rng(seed)
    # weights so large that the cost overflows (a network that diverged) give infinite
    # costs and gradients: the check fails on them and says so, without warnings
    with np.errstate(over="ignore", invalid="ignore"):
        backprop = net.gradients(X, y, sw)
        checks = []
        for number, (layer, grads) in enumerate(zip(net.layers, backprop, strict=True), start=1):
            errors = []
            worst: dict[str, Any] = {}
            worst_error = -1.0
            for name, param, grad in zip(
                ("weights", "bias"), (layer.weights, layer.bias), grads, strict=True
            ):
                indices = np.arange(param.size)
                if max_per_layer is not None and param.size > max_per_layer:
                    indices = np.sort(rng.choice(param.size, max_per_layer, replace=False))
                numeric = _numeric_derivatives(net, param, indices, X, y, sw, eps)
                analytic = grad.reshape(-1)[indices]
                error = relative_error(analytic, numeric, floor)
                errors.append(float(error.max()))
                k = int(error.argmax())
                if error[k] > worst_error:
                    worst_error = float(error[k])
                    worst = {
                        "parameter": name,
                        "index": [int(i) for i in np.unravel_index(indices[k], param.shape)],
                        "backprop": float(analytic[k]),
                        "numeric": float(numeric[k]),
                        "relative_error": worst_error,
                    }
            n_checked = n_checked_in(layer, max_per_layer)
            checks.append(LayerCheck(number, errors[0], errors[1], n_checked, worst))
    return GradcheckResult(
        max_relative_error=max(check.max_relative_error for check in checks),
        tolerance=float(tolerance),
        eps=float(eps),
        floor=float(floor),
        layers=checks,
    )
