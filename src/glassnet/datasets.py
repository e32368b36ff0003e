"""Small built-in datasets: the article's table, XOR, and 2-D generators (moons, circles).

Each returns a ``Dataset``: ``X`` (n_samples, n_features), ``y`` (n_samples, n_outputs)
ready for a ``Network``, and the names of the columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from glassnet._types import Array


@dataclass(frozen=True)
class Dataset:
    """A table of inputs ``X`` and targets ``y`` with the names of their columns."""

    X: Array
    y: Array
    feature_names: list[str]
    target_name: str
    names_ja: dict[str, str] = field(default_factory=dict)
    """Japanese names of the columns, where the source has them."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        """Unpack as ``X, y = dataset``."""
        return iter((self.X, self.y))


def jobs() -> Dataset:
    """The article's table: math, english, physics exam passed (1) or failed (0) → job found.

    | student | math 数学 | english 英語 | physics 物理 | job 仕事 |
    |---------|-----------|--------------|--------------|----------|
    | A       | 0         | 1            | 1            | 1        |
    | B       | 1         | 0            | 0            | 1        |
    | C       | 0         | 1            | 0            | 0        |
    | D       | 1         | 0            | 1            | 1        |
    """
    X = np.array([[0, 1, 1], [1, 0, 0], [0, 1, 0], [1, 0, 1]], dtype=np.float64)
    y = np.array([[1], [1], [0], [1]], dtype=np.float64)
    return Dataset(
        X,
        y,
        ["math", "english", "physics"],
        "job",
        {"math": "数学", "english": "英語", "physics": "物理", "job": "仕事"},
    )


def xor() -> Dataset:
    """The four rows of exclusive or: no network without a hidden layer can learn it."""
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return Dataset(X, y, ["x1", "x2"], "xor")


def moons(n_samples: int = 200, noise: float = 0.1, seed: int | None = 0) -> Dataset:
    """Two interleaving half circles in 2-D, labelled 0 and 1 (as scikit-learn's)."""
    rng = np.random.default_rng(seed)
    n_top = n_samples // 2
    n_bottom = n_samples - n_top
    t_top = np.linspace(0.0, np.pi, n_top)
    t_bottom = np.linspace(0.0, np.pi, n_bottom)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_top), np.sin(t_top)]),
            np.column_stack([1.0 - np.cos(t_bottom), 0.5 - np.sin(t_bottom)]),
        ]
    )
    X += rng.normal(0.0, noise, size=X.shape)
    y = np.concatenate([np.zeros(n_top), np.ones(n_bottom)])[:, None]
    return Dataset(X, y, ["x1", "x2"], "class")


def circles(
    n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0
) -> Dataset:
    """A small circle (class 1) inside a large one (class 0) in 2-D."""
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor must be in (0, 1); got {factor!r}")
    rng = np.random.default_rng(seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    t_outer = np.linspace(0.0, 2 * np.pi, n_outer, endpoint=False)
    t_inner = np.linspace(0.0, 2 * np.pi, n_inner, endpoint=False)
    X = np.concatenate(
        [
            np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
            factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)]),
        ]
    )
    X += rng.normal(0.0, noise, size=X.shape)
    y = np.concatenate([np.zeros(n_outer), np.ones(n_inner)])[:, None]
    return Dataset(X, y, ["x1", "x2"], "class")
