"""Initial weights and biases: a constant (the article: 0.5 and 0.2), Glorot or He.

Every random initializer draws from the ``numpy.random.Generator`` it is given, which the
``Network`` seeds, so one seed gives the same numbers on every run and machine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Union

import numpy as np

from glassnet._types import Array

Initializer = Callable[[np.random.Generator, int, int, tuple[int, ...]], Array]
"""``(rng, fan_in, fan_out, shape) -> float64 array of that shape``."""

InitSpec = Union[float, int, str, dict[str, Any], "np.typing.ArrayLike"]
"""What ``Dense(weights=..., bias=...)`` accepts: a number, an array, a name or its config."""


def glorot(rng: np.random.Generator, fan_in: int, fan_out: int, shape: tuple[int, ...]) -> Array:
    """Glorot/Xavier uniform: U(−√(6/(fan_in+fan_out)), +√(6/(fan_in+fan_out)))."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def he(rng: np.random.Generator, fan_in: int, fan_out: int, shape: tuple[int, ...]) -> Array:
    """He/Kaiming normal: N(0, 2/fan_in), suited to relu layers."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=shape)


def zeros(rng: np.random.Generator, fan_in: int, fan_out: int, shape: tuple[int, ...]) -> Array:
    """All zeros (the usual bias)."""
    return np.zeros(shape)


INITIALIZERS: dict[str, Initializer] = {
    "glorot": glorot,
    "xavier": glorot,
    "he": he,
    "kaiming": he,
    "zeros": zeros,
}
"""Every initializer by the name ``Dense(weights=..., bias=...)`` accepts."""


def initializer_config(spec: InitSpec) -> str | float:
    """The JSON-able part of ``spec`` that ``initialize`` rebuilds: a name or a constant.

    An array is described by "zeros": the array itself travels as the weights
    (``Network.get_weights``), which ``Network.from_config``'s caller sets afterwards.
    """
    if isinstance(spec, dict):
        return str(spec["name"])
    if isinstance(spec, str):
        return spec
    if np.isscalar(spec):
        return float(spec)  # type: ignore[arg-type]
    return "zeros"


def get_initializer(name: str | dict[str, Any], what: str, shape: tuple[int, ...]) -> Initializer:
    """The initializer ``name`` (or ``{"name": ...}``) calls, or a ValueError listing them."""
    key = name.get("name") if isinstance(name, dict) else name
    try:
        return INITIALIZERS[key]  # type: ignore[index]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown initializer {name!r} for {what}; use a number, an array of shape "
            f"{shape}, or one of {', '.join(INITIALIZERS)}"
        ) from None


def initialize(
    spec: InitSpec,
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    rng: np.random.Generator,
    dtype: np.dtype,
    what: str = "weights",
) -> Array:
    """Return a new array of ``shape`` and ``dtype`` made from ``spec``.

    Parameters
    ----------
    spec : a number (every entry that constant), an array of exactly ``shape``, or a name
        from ``INITIALIZERS`` (or its config ``{"name": ...}``).
    shape : the parameter's shape, e.g. ``(n_in, n_out)`` for weights.
    fan_in, fan_out : the layer's input and output sizes, which scale the random ones.
    rng : the generator random initializers draw from.
    dtype : float32 or float64.
    what : "weights" or "bias", to name the parameter in error messages.
    """
    if isinstance(spec, (str, dict)):
        return get_initializer(spec, what, shape)(rng, fan_in, fan_out, shape).astype(dtype)
    if np.isscalar(spec):
        return np.full(shape, spec, dtype=dtype)
    try:
        values = np.array(spec, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(
            f"{what} must be a number, an array of shape {shape} or an initializer name; "
            f"got {spec!r}"
        ) from None
    if values.shape != shape:
        # a bias given as a column (n_out, 1) or row (1, n_out), as the article writes it
        if what == "bias" and values.size == shape[0]:
            return values.reshape(shape)
        raise ValueError(f"{what} must have shape {shape}; got an array of shape {values.shape}")
    return values
