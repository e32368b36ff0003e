"""The shared argument checks: each returns the clean value or raises a one-line ValueError.

Every layer of glassnet (the engine, the estimators, the command line) checks its settings
through these, so one mistake reads the same wherever it is made, and a hostile value (a
900,000-character list, a bool where a count belongs) never makes the message huge.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from glassnet._types import Array

T = TypeVar("T")

_SHOWN = 60
"""The most characters of a bad value that a message quotes."""


def shown(value: Any) -> str:
    """``repr(value)`` cut to a readable length, for error messages."""
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _is_int(value: Any) -> bool:
    # bool is an int to Python, but True epochs or layers is a mistake, not 1
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def positive_int(value: Any, name: str) -> int:
    """``value`` as an int >= 1, or ValueError "NAME must be a positive integer; got …"."""
    if not _is_int(value) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {shown(value)}")
    return int(value)


def non_negative_int(value: Any, name: str) -> int:
    """``value`` as an int >= 0."""
    if not _is_int(value) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {shown(value)}")
    return int(value)


def _real(value: Any, name: str, what: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.number)):
        raise ValueError(f"{name} must be {what}; got {shown(value)}")
    return float(value)


def positive_number(value: Any, name: str) -> float:
    """``value`` as a finite float > 0 (a learning rate, an epsilon)."""
    number = _real(value, name, "a positive number")
    if not (number > 0.0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a positive number; got {shown(value)}")
    return number


def non_negative_number(value: Any, name: str) -> float:
    """``value`` as a finite float >= 0 (an L2 strength, a min_delta)."""
    number = _real(value, name, "a non-negative number")
    if not (number >= 0.0 and math.isfinite(number)):
        raise ValueError(f"{name} must be a non-negative number; got {shown(value)}")
    return number


def fraction(value: Any, name: str) -> float:
    """``value`` as a float in [0, 1) (a dropout rate, a momentum, a validation split)."""
    number = _real(value, name, "a number in [0, 1)")
    if not 0.0 <= number < 1.0:
        raise ValueError(f"{name} must be in [0, 1); got {shown(value)}")
    return number


def open_fraction(value: Any, name: str) -> float:
    """``value`` as a float in (0, 1) (a reduction factor)."""
    number = _real(value, name, "a number in (0, 1)")
    if not 0.0 < number < 1.0:
        raise ValueError(f"{name} must be in (0, 1); got {shown(value)}")
    return number


def choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``, else ValueError listing them."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}; got {shown(value)}")
    return value


def from_spec(spec: Any, registry: Mapping[str, Callable[..., T]], base: type[T], kind: str) -> T:
    """The object a name, a config dict or an instance describes.

    Parameters
    ----------
    spec : an instance of ``base`` (returned as it is), a registry name such as "relu",
        or a config dict ``{"name": ..., **settings}`` as ``get_config()`` returns.
    registry : name → class (or factory) taking the settings as keyword arguments.
    base : the class every result is an instance of.
    kind : "activation", "cost", … to name the thing in messages.
    """
    if isinstance(spec, base):
        return spec
    if isinstance(spec, str):
        name, settings = spec, {}
    elif isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
        settings = {key: value for key, value in spec.items() if key != "name"}
        name = spec["name"]
    else:
        raise ValueError(
            f"{kind} must be a name, a config dict with a 'name', or a {base.__name__}; "
            f"got {shown(spec)}"
        )
    if name not in registry:
        raise ValueError(f"unknown {kind} {shown(name)}; choose one of {', '.join(registry)}")
    try:
        return registry[name](**settings)
    except TypeError:
        raise ValueError(
            f"{kind} {name!r} does not take the settings {', '.join(map(str, settings))}"
        ) from None


def sample_weights(values: Any, n_samples: int, dtype: np.dtype) -> Array:
    """``values`` as a fresh (n_samples,) array of ``dtype``: one finite, non-negative
    weight per sample, or ValueError saying which rule it breaks."""
    weights = np.array(values, dtype=dtype)  # a copy: the caller's array stays as it is
    if weights.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per sample; "
            f"got shape {weights.shape}"
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError("sample_weight must be finite and non-negative")
    return weights


def first_non_finite(values: Array, chunk_rows: int = 65536) -> tuple[int, int] | None:
    """(row, column) of the first NaN or infinite entry of ``values`` : (n_samples,
    n_columns), or None; searched in chunks so no large mask is allocated."""
    for start in range(0, values.shape[0], chunk_rows):
        block = values[start : start + chunk_rows]
        # a sum is finite when every term is (one pass, nothing allocated); only a
        # non-finite sum, or one that overflowed, needs the entry-by-entry look
        with np.errstate(over="ignore", invalid="ignore"):
            total = float(np.add.reduce(block, axis=None)) if block.dtype.kind == "f" else 0.0
        if math.isfinite(total):
            continue
        bad = ~np.isfinite(block)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            return start + int(row), int(col)
    return None


def check_finite(values: Array, what: str, chunk_rows: int = 65536) -> None:
    """Raise a ValueError naming the first NaN or infinite entry (row and column, from 0).

    ``values`` : (n_samples, n_columns); checked in chunks (``first_non_finite``).
    """
    found = first_non_finite(values, chunk_rows)
    if found is not None:
        row, col = found
        raise ValueError(
            f"{what} has a non-finite value {values[row, col]} at row {row}, "
            f"column {col}; remove or impute it"
        )


def check_fits_dtype(values: Array, dtype: np.dtype, what: str) -> None:
    """Raise a ValueError naming the first finite entry too large for ``dtype``.

    A float64 1e39 becomes inf in float32: named here, it is an input problem, not the
    training divergence it would otherwise look like.
    """
    if values.dtype.kind != "f" or values.dtype.itemsize <= dtype.itemsize:
        return  # a narrower float always fits
    limit = float(np.finfo(dtype).max)
    for start in range(0, values.shape[0], 65536):
        block = values[start : start + 65536]
        big = np.abs(block) > limit
        if big.any():
            row, col = np.argwhere(big)[0]
            raise ValueError(
                f"{what} has the value {block[row, col]:g} at row {start + row}, column {col}, "
                f"beyond {dtype.name}'s range (±{limit:.3g}); scale the inputs or use "
                "dtype='float64'"
            )


def physical_memory() -> int | None:
    """This machine's memory in bytes (None where the system does not say): what a network
    or an encoded table is checked against before it is allocated."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):
        return None
