"""The fully connected layer: weights, bias, feedforward and backpropagation of one layer.

Rows are samples, as in the article: ``inputs`` is (n_samples, n_in), ``weights`` is
(n_in, n_out), ``bias`` is (n_out,), and the layer computes ``z = inputs @ weights + bias``
then ``a = activation(z)``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np

from glassnet._types import FLOAT_DTYPES, Array
from glassnet.activations import Activation, get_activation
from glassnet.initializers import InitSpec, get_initializer, initialize, initializer_config
from glassnet.validation import fraction, non_negative_number, positive_int, shown

_CONFIG_KEYS = ("n_in", "n_out", "activation", "weights", "bias", "dropout", "l2")


class Dense:
    """A fully connected layer of ``n_out`` neurons, each seeing all ``n_in`` inputs.

    Parameters
    ----------
    n_in, n_out : number of inputs and of neurons.
    activation : a name from ``glassnet.activations.ACTIVATIONS``, its config dict
        (``{"name": "leaky_relu", "negative_slope": 0.2}``) or an ``Activation``.
    weights : a number (every weight that constant, the article's 0.5), an array of shape
        (n_in, n_out), or an initializer name ("glorot", "he"). Named initializers draw when
        the ``Network`` is built, from its seed.
    bias : the same choices, for shape (n_out,).
    dropout : fraction of this layer's outputs zeroed at random during training (inverted
        dropout: the rest are scaled by 1 / (1 − dropout), so prediction needs no change).
    l2 : L2 penalty strength: the cost gains ½·l2·Σ weights² and each weight's gradient
        gains l2·weight (biases are not penalised).

    After a feedforward the layer keeps ``inputs``, ``z`` and ``a``; after backpropagation
    ``delta`` (dC/dz), ``grad_weights`` and ``grad_bias``: every number, visible.
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str | dict[str, Any] | Activation = "sigmoid",
        weights: InitSpec = "glorot",
        bias: InitSpec = 0.0,
        *,
        dropout: float = 0.0,
        l2: float = 0.0,
    ) -> None:
        self.n_in = positive_int(n_in, "n_in")
        self.n_out = positive_int(n_out, "n_out")
        self.activation = get_activation(activation)
        self.dropout = fraction(dropout, "dropout")
        self.l2 = non_negative_number(l2, "l2")
        self.weights_init = weights
        self.bias_init = bias
        self._weights: Array | None = None
        self._bias: Array | None = None
        self.grad_weights: Array | None = None
        self.grad_bias: Array | None = None
        self.inputs: Array | None = None
        self.z: Array | None = None
        self.a: Array | None = None
        self.delta: Array | None = None
        self._mask: Array | None = None
        self._undropped: Array | None = None
        self._network: object | None = None
        if isinstance(weights, str):
            get_initializer(weights, "weights", (self.n_in, self.n_out))
        if isinstance(bias, str):
            get_initializer(bias, "bias", (self.n_out,))
        # constants need no generator, so the article's layer has its numbers at once
        if not isinstance(weights, str) and not isinstance(bias, str):
            self.build(np.random.default_rng(0), np.dtype("float64"))

    # ----- description ----------------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        """Every setting, JSON-able: n_in, n_out, the activation's config, the initializers
        (a name or a constant), dropout and l2. ``Dense.from_config`` rebuilds the layer."""
        return {
            "n_in": self.n_in,
            "n_out": self.n_out,
            "activation": self.activation.get_config(),
            "weights": initializer_config(self.weights_init),
            "bias": initializer_config(self.bias_init),
            "dropout": self.dropout,
            "l2": self.l2,
        }

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Dense:
        """The layer ``get_config`` described (weights drawn anew when it is built)."""
        if not isinstance(config, Mapping) or not {"n_in", "n_out"} <= config.keys():
            raise ValueError(f"a Dense config is a dict with n_in and n_out; got {shown(config)}")
        unknown = sorted(set(config) - set(_CONFIG_KEYS))
        if unknown:
            raise ValueError(
                f"a Dense config has no {', '.join(map(str, unknown))}; its keys are "
                f"{', '.join(_CONFIG_KEYS)}"
            )
        settings = dict(config)
        return cls(
            settings.pop("n_in"),
            settings.pop("n_out"),
            **{k: v for k, v in settings.items() if k in ("activation", "weights", "bias")},
            dropout=settings.get("dropout", 0.0),
            l2=settings.get("l2", 0.0),
        )

    # ----- parameters ---------------------------------------------------------------
    @property
    def weights(self) -> Array:
        """(n_in, n_out): ``weights[i, j]`` connects input ``i`` to neuron ``j``."""
        if self._weights is None:
            raise RuntimeError("this Dense layer is not built yet; put it in a Network first")
        return self._weights

    @weights.setter
    def weights(self, value: Any) -> None:
        self._weights = self._assign(self._weights, value, (self.n_in, self.n_out), "weights")

    @property
    def bias(self) -> Array:
        """(n_out,): one bias per neuron."""
        if self._bias is None:
            raise RuntimeError("this Dense layer is not built yet; put it in a Network first")
        return self._bias

    @bias.setter
    def bias(self, value: Any) -> None:
        self._bias = self._assign(self._bias, value, (self.n_out,), "bias")

    def _assign(
        self, current: Array | None, value: Any, shape: tuple[int, ...], what: str
    ) -> Array:
        if isinstance(value, str):
            # a random draw here would bypass the network's seed
            raise ValueError(
                f"assign {what} a number or an array; to draw them anew from the seed, "
                "use net.initialize(seed)"
            )
        dtype = current.dtype if current is not None else np.dtype("float64")
        new = initialize(value, shape, self.n_in, self.n_out, np.random.default_rng(), dtype, what)
        if current is None:
            return new
        # copy into the existing array so an optimizer's references stay valid
        np.copyto(current, new)
        return current

    @property
    def built(self) -> bool:
        """Whether the weights and bias exist."""
        return self._weights is not None

    @property
    def dtype(self) -> np.dtype:
        """The dtype of the weights, bias and every computation of this layer."""
        return self.weights.dtype

    @property
    def n_params(self) -> int:
        """Number of trainable numbers: n_in·n_out weights plus n_out biases."""
        return self.n_in * self.n_out + self.n_out

    def build(self, rng: np.random.Generator, dtype: np.dtype, reinitialize: bool = False) -> None:
        """Create the weights and bias (drawing named initializers from ``rng``) in ``dtype``.

        A built layer keeps its numbers (cast to ``dtype``) unless ``reinitialize`` is true.
        """
        dtype = np.dtype(dtype)
        if dtype not in FLOAT_DTYPES:
            raise ValueError(f"dtype must be float32 or float64; got {dtype}")
        shapes = ((self.n_in, self.n_out), (self.n_out,))
        if self._weights is None or self._bias is None or reinitialize:
            self._weights = initialize(
                self.weights_init, shapes[0], self.n_in, self.n_out, rng, dtype, "weights"
            )
            self._bias = initialize(
                self.bias_init, shapes[1], self.n_in, self.n_out, rng, dtype, "bias"
            )
        else:
            self._weights = np.ascontiguousarray(self._weights, dtype=dtype)
            self._bias = np.ascontiguousarray(self._bias, dtype=dtype)
        self.grad_weights = np.zeros(shapes[0], dtype=dtype)
        self.grad_bias = np.zeros(shapes[1], dtype=dtype)

    def bind(
        self,
        weights: Array,
        bias: Array,
        grad_weights: Array,
        grad_bias: Array,
        network: object | None = None,
    ) -> None:
        """Keep the parameters and their gradients in the given arrays, current values copied in.

        ``network`` passes views into its flat parameter and gradient vectors. A layer
        belongs to one network: a second one would leave the first training a stale copy.
        """
        if network is not None and self._network not in (None, network):
            raise ValueError(
                f"this {self!r} already belongs to another Network; create a new Dense "
                "layer (or copy.deepcopy the network) instead of sharing it"
            )
        self._network = network
        np.copyto(weights, self.weights)
        np.copyto(bias, self.bias)
        self._weights, self._bias = weights, bias
        self.grad_weights, self.grad_bias = grad_weights, grad_bias

    def parameters(self) -> list[tuple[Array, Array]]:
        """``[(weights, grad_weights), (bias, grad_bias)]``: what an optimizer updates."""
        assert self.grad_weights is not None and self.grad_bias is not None
        return [(self.weights, self.grad_weights), (self.bias, self.grad_bias)]

    def penalty(self) -> float:
        """The L2 term this layer adds to the cost: ½·l2·Σ weights²."""
        if self.l2 == 0.0:
            return 0.0
        flat = self.weights.ravel()
        return 0.5 * self.l2 * float(np.dot(flat, flat))

    # ----- feedforward and backpropagation -------------------------------------------
    def feedforward(
        self, inputs: Array, training: bool = False, rng: np.random.Generator | None = None
    ) -> Array:
        """Return ``a = activation(inputs @ weights + bias)`` : (n_samples, n_out).

        With ``training`` and a dropout rate, a fresh random mask (from ``rng``) zeroes a
        fraction of the outputs.
        """
        z = inputs @ self._weights
        z += self._bias
        a = self.activation(z)
        if training and self.dropout:
            assert rng is not None
            keep = 1.0 - self.dropout
            self._mask = (rng.random(a.shape) < keep).astype(a.dtype)
            self._mask /= keep
            # the activation's derivative needs the output before dropout
            self._undropped = a
            a = a * self._mask
        else:
            self._mask = None
        self.inputs, self.z, self.a = inputs, z, a
        return a

    def delta_from(self, grad_a: Array) -> Array:
        """Return this layer's ``delta = dC/dz`` from ``dC/da`` (through dropout, if any)."""
        assert self.z is not None and self.a is not None
        if self._mask is not None and self._undropped is not None:
            return self.activation.backward(self.z, self._undropped, grad_a * self._mask)
        return self.activation.backward(self.z, self.a, grad_a)

    def backpropagate(self, delta: Array, need_input_gradient: bool = True) -> Array | None:
        """Store ``grad_weights = inputs.T @ delta``, ``grad_bias = Σ delta`` (over samples).

        Parameters
        ----------
        delta : (n_samples, n_out), dC/dz of this layer.
        need_input_gradient : whether to return dC/d(inputs) = delta @ weights.T, which the
            layer below needs; the first layer skips it.
        """
        assert self.inputs is not None and self.grad_weights is not None
        assert self.grad_bias is not None
        self.delta = delta
        np.dot(self.inputs.T, delta, out=self.grad_weights)
        np.add.reduce(delta, axis=0, out=self.grad_bias)
        if self.l2:
            self.grad_weights += self.l2 * self.weights
        if need_input_gradient:
            weights_t = self._weights.T  # type: ignore[union-attr]
            # one neuron: the product has one term per entry, and a broadcast multiply gives
            # the same numbers several times faster than BLAS's one-column kernel
            grad_inputs: Array = delta * weights_t if self.n_out == 1 else delta @ weights_t
            return grad_inputs
        return None

    # ----- how it looks ---------------------------------------------------------------
    def clear_values(self) -> None:
        """Forget the last feedforward's and backpropagation's values (inputs, z, a, delta,
        dropout mask). ``inputs`` is the caller's array, or a view that keeps a whole table
        alive; the weights and their gradients stay."""
        self.inputs = self.z = self.a = self.delta = self._mask = self._undropped = None

    def __repr__(self) -> str:
        extras = "".join(
            f", {name}={value}"
            for name, value in (("dropout", self.dropout), ("l2", self.l2))
            if value
        )
        return f"Dense({self.n_in}, {self.n_out}, activation={self.activation.name!r}{extras})"

    def _repr_html_(self, max_cells: int = 8) -> str:
        """An HTML table of the weights (inputs × neurons) and biases, for Jupyter.

        A big layer shows its first ``max_cells`` rows and columns, then "…", so a notebook
        stays readable.
        """
        head = html.escape(repr(self))
        if not self.built:
            return f"<p><code>{head}</code> (not built)</p>"
        rows, cols = min(self.n_in, max_cells), min(self.n_out, max_cells)
        more_cols = "<td>…</td>" if cols < self.n_out else ""
        body = "".join(
            "<tr><th>in {}</th>{}{}</tr>".format(
                i, "".join(f"<td>{w:.4g}</td>" for w in self.weights[i, :cols]), more_cols
            )
            for i in range(rows)
        )
        if rows < self.n_in:
            body += f"<tr><th>…</th><td colspan='{cols + bool(more_cols)}'>…</td></tr>"
        bias = "".join(f"<td>{b:.4g}</td>" for b in self.bias[:cols]) + more_cols
        units = "".join(f"<th>out {j}</th>" for j in range(cols)) + (
            "<th>…</th>" if more_cols else ""
        )
        shape = f" ({self.n_in}×{self.n_out} weights)" if rows < self.n_in or more_cols else ""
        return (
            f"<p><code>{head}</code>{shape}</p><table><tr><th>weights</th>{units}</tr>{body}"
            f"<tr><th>bias</th>{bias}</tr></table>"
        )
