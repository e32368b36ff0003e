"""The network: layers in a row, the cost at the end, feedforward and backpropagation.

``Network([Dense(3, 1, activation="sigmoid", weights=0.5, bias=0.2)], cost="sse")`` is the
article's network.  ``feedforward`` sends inputs forward layer by layer; ``backpropagate``
sends the cost's gradient back, leaving ``grad_weights`` and ``grad_bias`` in each layer;
``fit`` (from ``glassnet.training.TrainingMixin``) repeats both with an optimizer.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal, overload

import numpy as np

from glassnet._types import FLOAT_DTYPES, Array
from glassnet.callbacks import Callback
from glassnet.costs import Cost, get_cost
from glassnet.history import History
from glassnet.layers import Dense
from glassnet.metrics import predicted_classes
from glassnet.optimizers import Optimizer
from glassnet.training import TrainingMixin
from glassnet.validation import check_finite, check_fits_dtype, sample_weights, shown


def _as_2d(values: Any, dtype: np.dtype, what: str) -> Array:
    """Convert ``values`` to a 2-D array of ``dtype``, or say clearly why it can't be."""
    try:
        array = np.asarray(values)
        if array.dtype.kind == "f" and array.ndim == 2:
            # named here, a float64 value beyond float32's range is no mystery divergence
            check_fits_dtype(array, np.dtype(dtype), what)
        array = array.astype(dtype, copy=False)
    except (TypeError, ValueError) as error:
        if str(error).startswith(what + " has"):
            raise
        raise ValueError(f"{what} must be numeric; {str(error)[:200]}") from None
    if array.ndim != 2:
        one_d = ": one sample → reshape(1, -1), one feature → reshape(-1, 1)"
        raise ValueError(
            f"{what} must be 2-D (n_samples, n_columns); got shape {array.shape}"
            + (one_d if array.ndim == 1 else "")
        )
    return array


class NonFiniteOutputError(ValueError):
    """A row of inputs so large (say 1e308) that the network's outputs for it overflow.

    ``row`` and ``column`` (from 0) are the row and its largest input, for callers that
    name them in their own terms (a file's line, an encoded column's name).
    """

    def __init__(self, row: int, column: int, values: Array) -> None:
        self.row, self.column, self.value = row, column, float(values[column])
        super().__init__(
            f"row {row} of X gives a non-finite output: its values are too large for the "
            f"network (column {column} is {self.value:g}); scale the inputs to about ±1"
        )


class Network(TrainingMixin):
    """A feedforward neural network: ``Dense`` layers in a row and a cost.

    Parameters
    ----------
    layers : the layers, first to last; each layer's ``n_in`` must equal the ``n_out`` of
        the one before.
    cost : "sse", "mse", "binary_crossentropy", "categorical_crossentropy" or a ``Cost``.
    seed : int or ``numpy.random.Generator``: drives every named initializer and is the
        default for shuffling and dropout in ``fit``, so one seed gives the same numbers on
        every machine.
    dtype : "float64" (default) or "float32": the dtype of every weight and computation.
    """

    def __init__(
        self,
        layers: Sequence[Dense],
        cost: str | Cost = "mse",
        seed: int | np.random.Generator | None = None,
        dtype: str | np.dtype = "float64",
    ) -> None:
        self.layers = list(layers)
        if not self.layers:
            raise ValueError("a Network needs at least one layer, e.g. [Dense(3, 1)]")
        for i, layer in enumerate(self.layers):
            if not isinstance(layer, Dense):
                raise ValueError(f"layer {i} must be a Dense layer; got {layer!r}")
        for i, (below, above) in enumerate(zip(self.layers, self.layers[1:], strict=False)):
            if below.n_out != above.n_in:
                raise ValueError(
                    f"layer {i + 1} ({above!r}) takes {above.n_in} inputs but layer {i} "
                    f"({below!r}) gives {below.n_out}; make them equal"
                )
        if self.layers[-1].dropout:
            raise ValueError("the output layer cannot have dropout; put it on a hidden layer")
        self.cost_function = get_cost(cost)
        self.dtype = np.dtype(dtype)
        if self.dtype not in FLOAT_DTYPES:
            raise ValueError(f"dtype must be 'float32' or 'float64'; got {shown(dtype)}")
        self.rng = np.random.default_rng(seed)
        for layer in self.layers:
            layer.build(self.rng, self.dtype)
        self._pack()
        self.optimizer: Optimizer | None = None
        self.schedule: Callback | None = None
        """The learning-rate schedule the last ``fit`` used; saved with the optimizer, so
        after ``load`` a ``fit(..., callbacks=[net.schedule])`` continues it."""
        self.history: History | None = None
        self.stop_training = False
        self.metadata: dict[str, Any] = {}
        """JSON-able facts saved with the model: feature, target and class names, and any
        of your own. Preprocessing is not read from here: a ``Model`` holds it."""

    # ----- description ----------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Every setting, JSON-able: ``{"layers": [Dense configs], "cost": {...},
        "dtype": "float64"}``. ``Network.from_config`` rebuilds the architecture."""
        return {
            "layers": [layer.get_config() for layer in self.layers],
            "cost": self.cost_function.get_config(),
            "dtype": self.dtype.name,
        }

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], seed: int | np.random.Generator | None = None
    ) -> Network:
        """The network ``get_config`` described, with fresh weights (drawn from ``seed``);
        the caller then ``set_weights``."""
        if not isinstance(config, Mapping) or not isinstance(config.get("layers"), list):
            raise ValueError(
                f"a Network config is a dict with a list of 'layers'; got {shown(config)}"
            )
        unknown = sorted(set(config) - {"layers", "cost", "dtype"})
        if unknown:
            raise ValueError(
                f"a Network config has no {', '.join(map(str, unknown))}; its keys are "
                "layers, cost, dtype"
            )
        layers = []
        for i, layer in enumerate(config["layers"]):
            try:
                layers.append(Dense.from_config(layer))
            except ValueError as error:
                raise ValueError(f"layer {i}: {error}") from None
        return cls(
            layers, config.get("cost", "mse"), seed=seed, dtype=config.get("dtype", "float64")
        )

    # ----- shape facts ----------------------------------------------------------------
    @property
    def n_inputs(self) -> int:
        """Number of input features."""
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        """Number of output neurons."""
        return self.layers[-1].n_out

    @property
    def is_multilabel(self) -> bool:
        """Whether the outputs are several independent sigmoid labels (multi-label)."""
        return self.layers[-1].activation.name == "sigmoid" and self.n_outputs > 1

    @property
    def n_params(self) -> int:
        """Number of trainable numbers (weights and biases) in all layers."""
        return sum(layer.n_params for layer in self.layers)

    def initialize(self, seed: int | np.random.Generator | None = None) -> None:
        """Draw every layer's weights and bias anew (from ``seed``, or the network's rng)."""
        if seed is not None:
            self.rng = np.random.default_rng(seed)
        for layer in self.layers:
            layer.build(self.rng, self.dtype, reinitialize=True)
        self._pack()
        if self.optimizer is not None:
            self.optimizer.reset()

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickle and deepcopy copy each view as an array of its own: gather them again
        self.__dict__.update(state)
        self._pack()

    def _pack(self) -> None:
        """Put every weight and bias in one flat vector, and every gradient in another.

        Each layer's ``weights``, ``bias``, ``grad_weights`` and ``grad_bias`` become views
        into them, so an optimizer step, a finiteness check or a snapshot of the whole
        network is one NumPy call instead of one per array.
        """
        self.parameter_vector = np.empty(self.n_params, dtype=self.dtype)
        self.gradient_vector = np.zeros(self.n_params, dtype=self.dtype)
        offset = 0
        for layer in self.layers:
            views = []
            for shape in ((layer.n_in, layer.n_out), (layer.n_out,)):
                size = int(np.prod(shape))
                views.append(
                    (
                        self.parameter_vector[offset : offset + size].reshape(shape),
                        self.gradient_vector[offset : offset + size].reshape(shape),
                    )
                )
                offset += size
            (weights, grad_weights), (bias, grad_bias) = views
            layer.bind(weights, bias, grad_weights, grad_bias, self)

    def get_weights(self) -> list[Array]:
        """Copies of every parameter: ``[W1, b1, W2, b2, ...]``."""
        return [p.copy() for layer in self.layers for p, _ in layer.parameters()]

    def set_weights(self, values: Sequence[Any]) -> None:
        """Set every parameter from a list as ``get_weights`` returns it."""
        if len(values) != 2 * len(self.layers):
            raise ValueError(
                f"expected {2 * len(self.layers)} arrays (weights and bias per layer); "
                f"got {len(values)}"
            )
        for layer, weights, bias in zip(self.layers, values[::2], values[1::2], strict=True):
            layer.weights = weights
            layer.bias = bias

    # ----- input checks at the boundary -------------------------------------------------
    def check_inputs(self, X: Any, keep_float_dtype: bool = False) -> Array:
        """Return ``X`` as a (n_samples, n_inputs) array of the network's dtype.

        With ``keep_float_dtype``, a float32 or float64 array (a memmap too) comes back as it
        is, uncopied: the training loop casts each batch instead of the whole data.
        """
        floating = isinstance(X, np.ndarray) and X.dtype in FLOAT_DTYPES and X.ndim == 2
        inputs = X if keep_float_dtype and floating else _as_2d(X, self.dtype, "X")
        if inputs.shape[1] != self.n_inputs:
            raise ValueError(
                f"X has {inputs.shape[1]} columns but the network takes {self.n_inputs} inputs "
                f"({self.layers[0]!r}); pass an array of shape (n_samples, {self.n_inputs})"
            )
        return inputs

    def check_targets(self, y: Any, n_samples: int) -> Array:
        """Return ``y`` as a (n_samples, n_outputs) array; a 1-D ``y`` fits one output."""
        y_array = np.asarray(y)
        if y_array.ndim == 1 and self.n_outputs == 1:
            y_array = y_array.reshape(-1, 1)
        elif y_array.ndim == 1 and self.layers[-1].activation.name in ("softmax", "sigmoid"):
            raise ValueError(
                f"y holds one label per row but the network has {self.n_outputs} outputs; "
                f"one-hot encode the labels to shape (n_samples, {self.n_outputs}), e.g. "
                f"np.eye({self.n_outputs})[labels]"
            )
        y_array = _as_2d(y_array, self.dtype, "y")
        if y_array.shape[0] != n_samples:
            raise ValueError(
                f"y has {y_array.shape[0]} rows but X has {n_samples}; "
                "give one target row per sample"
            )
        if y_array.shape[1] != self.n_outputs:
            hint = " (one-hot encode the classes)" if self.n_outputs > 1 else ""
            raise ValueError(
                f"y has {y_array.shape[1]} columns but the network has {self.n_outputs} "
                f"outputs{hint}; pass an array of shape (n_samples, {self.n_outputs})"
            )
        return y_array

    def check_sample_weight(self, sample_weight: Any, n_samples: int) -> Array | None:
        """Return ``sample_weight`` as a (n_samples,) array of the network's dtype, or None."""
        return (
            None if sample_weight is None else sample_weights(sample_weight, n_samples, self.dtype)
        )

    # ----- feedforward ----------------------------------------------------------------
    @overload
    def feedforward(
        self, X: Any, *, return_all: Literal[False] = ..., training: bool = ...
    ) -> Array: ...

    @overload
    def feedforward(
        self, X: Any, *, return_all: Literal[True], training: bool = ...
    ) -> list[Array]: ...

    def feedforward(
        self, X: Any, *, return_all: bool = False, training: bool = False
    ) -> Array | list[Array]:
        """Send ``X`` : (n_samples, n_inputs) through every layer.

        Returns the output activations (n_samples, n_outputs), or with ``return_all`` the
        list ``[X, a_1, ..., a_L]`` of every layer's activations. ``training`` turns dropout
        on. Each layer keeps its ``inputs``, ``z`` and ``a`` for backpropagation.
        """
        a = self.check_inputs(X)
        if not return_all:
            return self.forward(a, training=training)
        activations = [a]
        for layer in self.layers:
            a = layer.feedforward(a, training, self.rng)
            activations.append(a)
        return activations

    def forward(self, a: Array, *, training: bool = False) -> Array:
        """``feedforward`` unchecked: ``a`` must already be (n_samples, n_inputs) of the
        network's dtype. The training loop's path (checks once, then calls this per batch)."""
        for layer in self.layers:
            a = layer.feedforward(a, training, self.rng)
        return a

    # ----- cost and backpropagation -------------------------------------------------------
    def penalty(self) -> float:
        """The L2 terms of every layer, part of the cost."""
        return sum(layer.penalty() for layer in self.layers)

    def cost(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """The cost of the network's outputs for ``X`` against ``y`` (plus any L2 penalty)."""
        a = self.feedforward(X)
        y = self.check_targets(y, a.shape[0])
        sample_weight = self.check_sample_weight(sample_weight, a.shape[0])
        return self.cost_function(a, y, sample_weight) + self.penalty()

    def cost_and_output_delta(
        self, y: Array, sample_weight: Array | None = None
    ) -> tuple[float, Array]:
        """After a feedforward: the cost (without penalty) and dC/dz of the output layer.

        The delta is fused, ``(a − y) / count``, when the output activation and the cost
        allow it (sigmoid + binary cross-entropy, softmax + categorical cross-entropy).
        """
        last = self.layers[-1]
        assert last.a is not None and last.z is not None
        cost = self.cost_function
        if cost.fused_activation == last.activation.name:
            return cost.value_and_fused_delta(last.a, y, sample_weight)
        value, grad_a = cost.value_and_gradient(last.a, y, sample_weight)
        return value, last.delta_from(grad_a)

    def backpropagate(self, y: Array, sample_weight: Array | None = None) -> float:
        """After a feedforward, store every layer's ``delta``, ``grad_weights``, ``grad_bias``.

        ``y`` : (n_samples, n_outputs), already checked. Returns the cost of that
        feedforward (without penalty), which the way back computes anyway.
        """
        cost, delta = self.cost_and_output_delta(y, sample_weight)
        for i in range(len(self.layers) - 1, -1, -1):
            grad_inputs = self.layers[i].backpropagate(delta, need_input_gradient=i > 0)
            if grad_inputs is not None:
                delta = self.layers[i - 1].delta_from(grad_inputs)
        return cost

    def gradients(self, X: Any, y: Any, sample_weight: Any = None) -> list[tuple[Array, Array]]:
        """The gradient of ``cost(X, y)``: one ``(grad_weights, grad_bias)`` pair per layer.

        A pure computation: no weight changes, and the pairs are copies.
        """
        a = self.feedforward(X)
        self.backpropagate(
            self.check_targets(y, a.shape[0]),
            self.check_sample_weight(sample_weight, a.shape[0]),
        )
        return [
            (layer.grad_weights.copy(), layer.grad_bias.copy())  # type: ignore[union-attr]
            for layer in self.layers
        ]

    # ----- prediction -------------------------------------------------------------------
    @property
    def is_classifier(self) -> bool:
        """Whether the outputs are class probabilities: one sigmoid output, or softmax."""
        name = self.layers[-1].activation.name
        return name == "softmax" or (name == "sigmoid" and self.n_outputs == 1)

    def predict(self, X: Any, batch_size: int | None = 65536) -> Array:
        """The network's answer for each row of ``X`` : (n_samples, n_inputs).

        - a classifier (one sigmoid output, or softmax): the class index, shape (n_samples,),
          as ``predicted_classes`` decides it;
        - otherwise the output values (n_samples, n_outputs), e.g. a regression.

        Rows go through in chunks of ``batch_size`` so memory stays bounded.
        """
        outputs = self.predict_outputs(X, batch_size)
        return predicted_classes(outputs) if self.is_classifier else outputs

    def predict_outputs(self, X: Any, batch_size: int | None = 65536) -> Array:
        """The output activations for ``X``, computed in chunks of ``batch_size`` rows.

        Raises
        ------
        ValueError : ``X`` has a NaN or infinite value (row and column named), or a row so
            large (say 1e308) that its outputs are not finite numbers.
        """
        X = self.check_inputs(X)
        check_finite(X, "X")
        # huge inputs overflow on their way through; the check below says so in words
        with np.errstate(over="ignore", invalid="ignore"):
            if batch_size is None or X.shape[0] <= batch_size:
                out = self.forward(X)
            else:
                out = np.empty((X.shape[0], self.n_outputs), dtype=self.dtype)
                for start in range(0, X.shape[0], batch_size):
                    out[start : start + batch_size] = self.forward(X[start : start + batch_size])
        with np.errstate(over="ignore", invalid="ignore"):
            total = float(np.add.reduce(out, axis=None))
        if not math.isfinite(total) and not np.isfinite(out).all():
            row = int(np.argwhere(~np.isfinite(out))[0][0])
            raise NonFiniteOutputError(row, int(np.argmax(np.abs(X[row]))), X[row])
        return out

    # ----- how it looks ---------------------------------------------------------------
    def clear_values(self) -> None:
        """Forget every layer's kept values (``Dense.clear_values``), e.g. to let go of the
        large input a ``predict`` or a validation pass last fed forward."""
        for layer in self.layers:
            layer.clear_values()

    def __repr__(self) -> str:
        inner = "".join(f"\n    {layer!r}," for layer in self.layers)
        return (
            f"Network([{inner}\n], cost={self.cost_function.name!r}, dtype={self.dtype.name!r})"
            f"  # {self.n_params} parameters"
        )

    def _repr_html_(self) -> str:
        head = html.escape(
            f"Network: {len(self.layers)} layers, cost={self.cost_function.name}, "
            f"{self.n_params} parameters"
        )
        return (
            f"<div><p><b>{head}</b></p>"
            + "".join(layer._repr_html_() for layer in self.layers)
            + "</div>"
        )
