"""Shared test fixtures and the finite-difference oracle every gradient test checks against."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
from hypothesis import settings

# CI draws the same examples on every run (a red CI should mean a regression, not a new
# random draw); a developer's run keeps exploring fresh ones
settings.register_profile("dev", deadline=None, max_examples=40)
settings.register_profile("ci", deadline=None, max_examples=40, derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar ``f()`` with respect to ``x`` (changed, then restored)."""
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-12) -> float:
    """Normwise relative error max|a − b| / max(max|a|, max|b|): near 0 when gradients agree.

    Normwise, because an entry that is almost 0 has no meaningful relative error of its own.
    """
    scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(b))), floor)
    return float(np.max(np.abs(a - b))) / scale
