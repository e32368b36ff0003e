"""The loss curve: the training (and validation) cost of every epoch."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet.history import History
from glassnet.plot.style import CLASS_COLORS, POSITIVE, axes_for, finish, root
from glassnet.plot.subject import subject_of

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _history(source: Any) -> tuple[list[int], dict[str, list[float]], str]:
    """(epochs, {series name: values}, the cost's name) of any source ``plot_loss`` takes."""
    if isinstance(source, History):
        return list(source.epoch), dict(source.history), "cost"
    if isinstance(source, Mapping):
        series = {key: list(map(float, values)) for key, values in source.items() if key != "epoch"}
        n = len(series.get("cost", []))
        epochs = [int(e) for e in source.get("epoch", range(1, n + 1))]
        return epochs, series, "cost"
    net = subject_of(source).network
    stored = net.history
    if stored is None or not len(stored):
        raise ValueError("this network has no training history; train it first (net.fit)")
    return list(stored.epoch), dict(stored.history), net.cost_function.name


def plot_loss(
    source: Any,
    *,
    log_scale: bool = False,
    title: str | None = None,
    out: str | Path | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The training cost (and validation cost, when recorded) of every epoch.

    Parameters
    ----------
    source : a trained ``Network``, a ``Model`` or a fitted ``GlassClassifier`` /
        ``GlassRegressor`` (their network's ``history``), a ``History``, or a mapping with
        "cost" and optionally "val_cost" and "epoch" lists.
    log_scale : draw the cost on a logarithmic axis (small late improvements stay visible).
    title : the axes title; default "cost per epoch".
    out : save the picture there too.
    ax : draw on this Axes instead of a new figure.

    The lines have the gids "cost" and "val_cost"; the best validation epoch is marked.
    """
    epochs, series, cost_name = _history(source)
    if not series.get("cost"):
        raise ValueError("the history has no 'cost' values to draw")
    fig, axes = axes_for(ax, 6.4, 4.0)
    marker = "o" if len(epochs) < 30 else None
    for key, color, name in (
        ("cost", POSITIVE, "training"),
        ("val_cost", CLASS_COLORS[2], "validation"),
    ):
        if series.get(key):
            axes.plot(
                epochs, series[key], color=color, marker=marker, ms=3, lw=1.8, label=name, gid=key
            )
    if series.get("val_cost"):
        val = series["val_cost"]
        best = int(np.argmin(val))
        axes.plot(
            [epochs[best]],
            [val[best]],
            "o",
            color="black",
            ms=6,
            gid="best",
            label=f"best validation (epoch {epochs[best]})",
            zorder=3,
        )
    if log_scale:
        axes.set_yscale("log")
    axes.set_xlabel("epoch")
    axes.set_ylabel(f"cost ({cost_name})" + (", log scale" if log_scale else ""))
    axes.set_title(title if title is not None else "cost per epoch")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(frameon=False)
    return finish(root(fig), out)
