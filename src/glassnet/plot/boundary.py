"""The decision boundary of a two-feature classifier, over its data points."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import glassnet.plot.subject as names
from glassnet._types import Array
from glassnet.metrics import predicted_classes
from glassnet.plot.style import (
    CLASS_COLORS,
    axes_for,
    finish,
    font,
    font_families,
    lighter,
    require_matplotlib,
    root,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

Extent = tuple[float, float, float, float]


def points(subject: names.Subject, X: Any, y: Any, resolution: Any) -> tuple[Array, Array | None]:
    """``X`` as a float (n, 2) array of finite raw values and ``y`` as class indices (or None).

    Raises ValueError naming what is wrong: ``resolution``, ``X``'s shape or values, ``y``.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2; got {resolution!r}")
    try:
        points = np.array(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            "X must hold numbers: an (n_samples, 2) array of the two features"
        ) from None
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            f"X must be (n_samples, 2), one column per feature; got shape {points.shape}"
        )
    if points.shape[0] == 0:
        raise ValueError("X has no rows; a boundary is drawn over at least one point")
    if not np.isfinite(points).all():
        row = int(np.argwhere(~np.isfinite(points))[0, 0])
        raise ValueError(f"X row {row} is not finite; drop or fill it before drawing")
    labels = None if y is None else names.class_indices(subject, y)
    if labels is not None and labels.shape[0] != points.shape[0]:
        raise ValueError(f"y has {labels.shape[0]} rows but X has {points.shape[0]}")
    return points, labels


def _grid(X: Array, resolution: int) -> tuple[Extent, Array]:
    """The extent around ``X`` (10% margin) and the (resolution², 2) pixel centres in it."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = np.where(high > low, 0.1 * (high - low), 0.5)
    low, high = low - pad, high + pad
    centres = [
        low[k] + (np.arange(resolution) + 0.5) * (high[k] - low[k]) / resolution for k in range(2)
    ]
    gx, gy = np.meshgrid(*centres)
    extent = (float(low[0]), float(high[0]), float(low[1]), float(high[1]))
    return extent, np.column_stack([gx.ravel(), gy.ravel()])


def _cell_centres(extent: Extent, resolution: int) -> tuple[Array, Array]:
    """The x and y of the grid cells' centres, where the outputs were computed."""
    gx = np.linspace(extent[0], extent[1], resolution * 2 + 1)[1::2]
    gy = np.linspace(extent[2], extent[3], resolution * 2 + 1)[1::2]
    return gx, gy


def _draw_probability(
    fig: Figure | SubFigure,
    axes: Axes,
    probability: Array,
    extent: Extent,
    colors: list[str],
    bar_label: str | None,
) -> None:
    """Two classes: the probability of the second as a two-colour image, 0.5 as the line."""
    from matplotlib.colors import LinearSegmentedColormap

    shades = [lighter(colors[0], 0.45), (1.0, 1.0, 1.0), lighter(colors[1], 0.45)]
    two = LinearSegmentedColormap.from_list("glassnet_two_classes", shades)
    image = axes.imshow(
        probability,
        extent=extent,
        origin="lower",
        cmap=two,
        vmin=0.0,
        vmax=1.0,
        aspect="auto",
        interpolation="nearest",
        gid="regions",
    )
    if probability.min() < 0.5 <= probability.max():
        gx, gy = _cell_centres(extent, probability.shape[0])
        contour = axes.contour(gx, gy, probability, levels=[0.5], colors="black", linewidths=1.5)
        contour.set_gid("boundary")
    if bar_label is not None:
        bar = root(fig).colorbar(image, ax=axes, shrink=0.85)
        bar.set_label(bar_label, **font())


def _draw_regions(axes: Axes, predicted: Array, extent: Extent, colors: list[str]) -> None:
    """More classes: each pixel in its predicted class's light colour, borders in black."""
    from matplotlib.colors import ListedColormap

    k = len(colors)
    many = ListedColormap([lighter(c, 0.6) for c in colors])
    axes.imshow(
        predicted,
        extent=extent,
        origin="lower",
        cmap=many,
        vmin=-0.5,
        vmax=k - 0.5,
        aspect="auto",
        interpolation="nearest",
        gid="regions",
    )
    if predicted.min() != predicted.max():
        gx, gy = _cell_centres(extent, predicted.shape[0])
        levels = np.arange(k - 1) + 0.5
        contour = axes.contour(gx, gy, predicted, levels=levels, colors="black", linewidths=1.2)
        contour.set_gid("boundary")


def _draw_points(
    axes: Axes,
    X: Array,
    labels: Array,
    wrong: Array,
    size: float,
    colors: list[str],
    classes: list[str],
    target: str,
) -> None:
    """Each class's points in its colour (gid "points C"), wrong ones ringed (gid "wrong")."""
    for c, color in enumerate(colors):
        mine = labels == c
        if mine.any():
            axes.scatter(
                X[mine, 0],
                X[mine, 1],
                s=size,
                color=color,
                edgecolors="white",
                lw=0.6 if size >= 15 else 0.25,
                label=classes[c],
                gid=f"points {c}",
                zorder=3,
            )
    if wrong.any():
        axes.scatter(
            X[wrong, 0],
            X[wrong, 1],
            s=size * 2.5,
            facecolors="none",
            edgecolors="black",
            lw=1.0 if size >= 15 else 0.6,
            label=f"wrong ({int(wrong.sum())})",
            gid="wrong",
            zorder=4,
        )
    legend = axes.legend(
        title=target, loc="best", framealpha=0.85, prop={"family": list(font_families())}
    )
    legend.get_title().set_fontfamily(list(font_families()))


def plot_boundary(
    source: Any,
    X: Any,
    y: Any = None,
    *,
    resolution: int = 200,
    feature_names: Sequence[str] | None = None,
    class_names: Sequence[Any] | None = None,
    colorbar: bool = True,
    point_size: float | None = None,
    title: str | None = None,
    out: str | Path | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The decision boundary of a two-feature classifier, over its data points.

    Parameters
    ----------
    source : a ``Network``, a ``Model`` or a fitted ``GlassClassifier``, of two raw features.
    X : (n_samples, 2) the points, in the raw units of the data: the grid goes through a
        ``Model``'s preprocessing before the network sees it, so the axes show the original
        values (a bare ``Network`` sees the grid as it is).
    y : the points' classes: class labels (such as 3 and 7, when the source knows its
        classes), class indices, 0/1 or one-hot rows; None draws the points in grey.
    resolution : pixels per side of the predicted-class picture.
    feature_names, class_names : names to use instead of the source's.
    colorbar : for two classes, add a bar for the probability of the second class.
    point_size : the points' area in points² (default: smaller the more points there are).
    title, out, ax : as in ``plot_loss``.

    The background is an image (gid "regions") with one pixel per grid point: for two
    classes the network's probability of class 1, else the predicted class index; the
    boundary itself is a black contour (gid "boundary"), where the probability is 0.5.
    Points the network gets wrong are ringed in black (gid "wrong").
    """
    require_matplotlib()
    subject = names.subject_of(source)
    names.check_boundary_model(subject)
    X, labels = points(subject, X, y, resolution)
    net = subject.network
    k = names.n_classes(subject)
    colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(k)]
    classes = names.class_names(subject, class_names)
    target = names.target_name(subject)

    fig, axes = axes_for(ax, 6.4, 5.0)
    extent, grid = _grid(X, resolution)
    outputs = net.predict_outputs(subject.encode(grid))
    shape = (resolution, resolution)
    if k == 2 and net.n_outputs == 1:
        bar = f"P({target} = {classes[1]})" if colorbar else None
        _draw_probability(fig, axes, outputs[:, 0].reshape(shape), extent, colors, bar)
    else:
        _draw_regions(axes, predicted_classes(outputs).reshape(shape), extent, colors)

    size = point_size if point_size is not None else float(np.clip(5000 / X.shape[0], 8, 50))
    if labels is None:
        axes.scatter(X[:, 0], X[:, 1], s=size, c="#555555", edgecolors="white", lw=0.5)
    else:
        wrong = predicted_classes(net.predict_outputs(subject.encode(X.copy()))) != labels
        _draw_points(axes, X, labels, wrong, size, colors, classes, target)
    axes.set_xlim(extent[0], extent[1])
    axes.set_ylim(extent[2], extent[3])
    features = names.column_names(subject, feature_names)
    axes.set_xlabel(features[0], **font())
    axes.set_ylabel(features[1], **font())
    if title is None:
        title = "decision boundary"
        if labels is not None:
            title += f": {1.0 - float(np.mean(wrong)):.1%} of the points right"
    axes.set_title(title, **font())
    return finish(root(fig), out)
