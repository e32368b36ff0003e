"""The playground's built-in tables: the article's, XOR, moons, circles, spiral, blobs, a curve.

Each is small, seeded and two-dimensional where it can be (so the page can draw the
decision boundary), and comes as a ``PlayData``: the network's inputs ``X`` (n, n_features),
its targets ``y`` (n, n_outputs), the task, and the names the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from glassnet import datasets
from glassnet._types import Array

N_POINTS = 200
"""Rows of every generated table (moons, circles, spiral, blobs): the benchmark's size."""

BUILTIN = ("article", "xor", "moons", "circles", "spiral", "blobs", "curve")
"""The datasets the page lists, in its order; an uploaded table is called "upload"."""


@dataclass
class PlayData:
    """One table as the network sees it.

    ``X`` (n, n_features) and ``y`` (n, n_outputs): 0/1 for one class column, one-hot rows
    for several classes, values for a regression. ``classes`` names the classes (None for a
    regression); ``labels`` (n,) is each row's class index or target value, for drawing.
    ``extra`` holds what an upload needs to be saved as a model (its preprocessing).
    """

    name: str
    X: Array
    y: Array
    task: str
    feature_names: list[str]
    target_name: str
    classes: list[Any] | None
    names_ja: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> Array:
        """Each row's class index (classification) or target value (regression), (n,)."""
        if self.task == "regression":
            return self.y[:, 0]
        if self.y.shape[1] == 1:
            return self.y[:, 0].astype(np.int64)
        index: Array = self.y.argmax(axis=1)
        return index


def spiral(n_samples: int = N_POINTS, noise: float = 0.2, seed: int = 0) -> tuple[Array, Array]:
    """Two interleaved spiral arms (classes 0 and 1), about ±1 across: ``(X, y)``."""
    rng = np.random.default_rng(seed)
    n_half = n_samples // 2
    t = np.concatenate([np.linspace(0.0, 1.0, n_half), np.linspace(0.0, 1.0, n_samples - n_half)])
    arm = np.concatenate([np.zeros(n_half), np.ones(n_samples - n_half)])
    angle = 1.75 * t * 2 * np.pi + np.pi * arm
    X = np.column_stack([t * np.sin(angle), t * np.cos(angle)])
    X += rng.normal(0.0, noise * 0.1, size=X.shape)
    return X, arm[:, None]


def blobs(n_samples: int = N_POINTS, seed: int = 0) -> tuple[Array, Array]:
    """Three Gaussian blobs, one class each: ``(X, one-hot y (n, 3))``."""
    rng = np.random.default_rng(seed)
    centres = np.array([[-1.0, -0.6], [1.0, -0.6], [0.0, 1.0]])
    label = np.arange(n_samples) % 3
    X = centres[label] + rng.normal(0.0, 0.35, size=(n_samples, 2))
    return X, np.eye(3)[label]


def curve(n_samples: int = 100, seed: int = 0) -> tuple[Array, Array]:
    """A regression curve, y = sin(2x) + x/2 plus a little noise, x in [−2, 2]: ``(X, y)``."""
    rng = np.random.default_rng(seed)
    x = np.linspace(-2.0, 2.0, n_samples)
    y = np.sin(2.0 * x) + 0.5 * x + rng.normal(0.0, 0.1, size=n_samples)
    return x[:, None], y[:, None]


def builtin(name: str) -> PlayData:
    """The built-in table ``name`` (one of ``BUILTIN``), always drawn from seed 0."""
    xy = ["x1", "x2"]
    if name == "article":
        jobs = datasets.jobs()
        return PlayData(
            name,
            jobs.X,
            jobs.y,
            "classification",
            jobs.feature_names,
            jobs.target_name,
            [0, 1],
            jobs.names_ja,
        )
    if name == "xor":
        data = datasets.xor()
        return PlayData(name, data.X, data.y, "classification", xy, "xor", [0, 1])
    if name == "moons":
        data = datasets.moons(N_POINTS, seed=0)
        return PlayData(name, data.X, data.y, "classification", xy, "class", [0, 1])
    if name == "circles":
        data = datasets.circles(N_POINTS, seed=0)
        return PlayData(name, data.X, data.y, "classification", xy, "class", [0, 1])
    if name == "spiral":
        X, y = spiral()
        return PlayData(name, X, y, "classification", xy, "arm", [0, 1])
    if name == "blobs":
        X, y = blobs()
        return PlayData(name, X, y, "classification", xy, "blob", [0, 1, 2])
    if name == "curve":
        X, y = curve()
        return PlayData(name, X, y, "regression", ["x"], "y", None)
    raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(BUILTIN)}")
