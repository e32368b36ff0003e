"""The network drawn: neurons as circles, one column per layer, every weight a line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import glassnet.plot.subject as names
from glassnet._types import Array
from glassnet.network import Network
from glassnet.plot.style import (
    NEGATIVE,
    POSITIVE,
    ZERO,
    axes_for,
    finish,
    font,
    lighter,
    require_matplotlib,
    root,
    short,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

_MARGIN = 0.6
"""Neuron spacings of room above and below the columns."""


@dataclass(frozen=True)
class _Geometry:
    """Where the neurons sit and how big everything is drawn, in data units and points."""

    positions: list[Array]  # (x, y) of every neuron, one (n, 2) array per column
    widest: int  # neurons in the tallest column
    scale: float  # the |weight| drawn at full width and colour
    step: float  # points between two neurons
    diameter: float  # a neuron's size, in points
    widest_line: float  # the width of a full-size weight, in points
    font: float  # the names' size, in points

    @property
    def top(self) -> float:
        """The y of the tallest column's top neuron (columns are centred on 0)."""
        return (self.widest - 1) / 2.0

    @property
    def pitch(self) -> float:
        """Points between two names, one above the other."""
        return 1.5 * self.font + 1.0

    @property
    def room(self) -> float:
        """The picture's height, in points."""
        return (self.widest + 2 * _MARGIN) * self.step


def _layout(net: Network) -> list[Array]:
    """(x, y) of every neuron, one (n, 2) array per column: inputs, then each layer.

    Columns are 1 apart and neurons 1 apart, each column centred on y = 0.
    """
    sizes = [net.n_inputs] + [layer.n_out for layer in net.layers]
    return [
        np.column_stack([np.full(n, float(i)), (n - 1) / 2.0 - np.arange(n, dtype=float)])
        for i, n in enumerate(sizes)
    ]


def _canvas(
    net: Network, ax: Axes | None, weight_scale: float | None
) -> tuple[Figure | SubFigure, Axes, _Geometry]:
    """The axes to draw on (a new figure sized to the network when ``ax`` is None) and the
    sizes that fit the room it gives each neuron."""
    positions = _layout(net)
    widest = max(len(column) for column in positions)
    largest = max(float(np.abs(layer.weights).max()) for layer in net.layers)
    scale = weight_scale if weight_scale is not None else largest
    if ax is None:
        spacing = float(np.clip(9.0 / widest, 0.05, 0.7))  # inches between two neurons
        height = spacing * (widest + 2 * _MARGIN) + 1.1
        fig, axes = axes_for(None, 2.2 * len(net.layers) + 3.4, height)
    else:
        fig, axes = ax.figure, ax
    box = axes.get_window_extent()
    step = min(box.height / (widest + 2 * _MARGIN), box.width / (len(net.layers) + 0.6))
    step *= 72.0 / root(fig).dpi
    geometry = _Geometry(
        positions=positions,
        widest=widest,
        scale=scale if scale > 0 else 1.0,
        step=step,
        diameter=float(np.clip(0.6 * step, 2.0, 30.0)),
        widest_line=float(np.clip(0.4 * step, 0.8, 5.0)),
        font=float(np.clip(0.45 * step, 5.0, 9.0)),
    )
    return fig, axes, geometry


def _draw_weights(axes: Axes, net: Network, g: _Geometry, show_values: bool) -> None:
    """One LineCollection per layer (gid "weights L"): colour = sign, width = size."""
    from matplotlib.collections import LineCollection

    n_weights = sum(layer.weights.size for layer in net.layers)
    for number, (layer, below, above) in enumerate(
        zip(net.layers, g.positions, g.positions[1:], strict=False), start=1
    ):
        segments = np.stack(
            [np.repeat(below, layer.n_out, axis=0), np.tile(above, (layer.n_in, 1))], axis=1
        )
        flat = layer.weights.reshape(-1)
        colors = np.where(flat > 0, POSITIVE, np.where(flat < 0, NEGATIVE, ZERO))
        widths = 0.3 + (g.widest_line - 0.3) * np.minimum(np.abs(flat) / g.scale, 1.0)
        axes.add_collection(
            LineCollection(
                list(segments),
                colors=list(colors),
                linewidths=widths,
                alpha=0.8 if n_weights <= 300 else 0.5,
                zorder=1,
                gid=f"weights {number}",
                capstyle="round",
            )
        )
        if show_values:
            # label each line where the lines are furthest apart: near the wider column
            along = 0.75 if layer.n_out > layer.n_in else 0.3
            for (start, end), value in zip(segments, flat, strict=True):
                x, y = start + along * (end - start)
                axes.text(
                    x,
                    y,
                    short(float(value)),
                    fontsize=g.font * 0.85,
                    ha="center",
                    va="center",
                    zorder=4,
                    color=POSITIVE if value >= 0 else NEGATIVE,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                )


def _draw_neurons(axes: Axes, net: Network, g: _Geometry, show_values: bool) -> None:
    """One scatter per column (gid "neurons L"), each neuron filled by its bias."""
    for column, xy in enumerate(g.positions):
        if column == 0:
            faces: list[Any] = ["white"] * len(xy)  # inputs have no bias
        else:
            bias = net.layers[column - 1].bias
            faces = [
                lighter(POSITIVE if b >= 0 else NEGATIVE, 1.0 - 0.6 * min(abs(b) / g.scale, 1.0))
                for b in map(float, bias)
            ]
            if show_values:
                for (x, y), b in zip(xy, bias, strict=True):
                    axes.text(
                        x,
                        y,
                        short(float(b)),
                        fontsize=g.font * 0.8,
                        ha="center",
                        va="center",
                        zorder=5,
                    )
        axes.scatter(
            xy[:, 0],
            xy[:, 1],
            s=g.diameter**2,
            c=faces,
            edgecolors="#333333",
            linewidths=min(1.0, g.diameter / 10),
            zorder=3,
            gid=f"neurons {column}",
        )


def _name_column(
    axes: Axes, names: list[str], xy: Array, dx: float, side: str, g: _Geometry
) -> None:
    """Each name beside its neuron when there is room; else fanned out with a thin line to
    each neuron when the picture is tall enough; else none (too many to read)."""
    if g.step >= g.pitch:
        offsets, lead = [0.0] * len(names), None
    elif len(names) * g.pitch <= g.room:
        offsets = [
            ((len(names) - 1) / 2.0 - j) * g.pitch - y * g.step for j, y in enumerate(xy[:, 1])
        ]
        dx, lead = 3.0 * dx, {"arrowstyle": "-", "lw": 0.4, "color": "#999999"}
    else:
        return
    for name, (x, y), dy in zip(names, xy, offsets, strict=True):
        axes.annotate(
            name,
            (x, y),
            xytext=(dx, dy),
            textcoords="offset points",
            ha=side,
            va="center",
            fontsize=g.font,
            arrowprops=lead,
            **font(),
        )


def _name_layers(axes: Axes, net: Network, g: _Geometry, gap: float) -> None:
    """ "inputs", "hidden 1 · relu", …, "output · sigmoid" above the columns."""
    heads = ["inputs"] + [
        f"{'output' if i == len(net.layers) else f'hidden {i}'} · {layer.activation.name}"
        for i, layer in enumerate(net.layers, start=1)
    ]
    for head, xy in zip(heads, g.positions, strict=True):
        axes.annotate(
            head,
            (xy[0, 0], g.top),
            xytext=(0, gap + 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=max(g.font, 7.0),
            color="#333333",
        )


def _legend(axes: Axes, g: _Geometry, show_values: bool) -> None:
    """What the colours and widths mean, under the picture."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=POSITIVE, lw=3, label="positive weight / bias"),
        Line2D([], [], color=NEGATIVE, lw=3, label="negative weight / bias"),
    ]
    note = "width ∝ |weight|" + ("; number in a neuron = its bias" if show_values else "")
    size = max(g.font, 7.0)
    axes.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncols=2,
        frameon=False,
        fontsize=size,
        title=note,
        title_fontsize=size,
    )


def plot_network(
    source: Any,
    *,
    feature_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    weight_scale: float | None = None,
    show_values: bool | None = None,
    show_labels: bool = True,
    title: str | None = None,
    out: str | Path | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The network drawn: neurons as circles, one column per layer, every weight a line.

    A line's colour is its weight's sign (blue positive, red negative) and its width grows
    with the weight's size; each neuron's fill shows its bias the same way (white for the
    inputs, which have none). Inputs are named as the network sees them (a ``Model``'s
    encoded inputs, such as ``island=Biscoe`` and ``age (missing)``; a network's
    ``metadata["feature_names"]``) and outputs from the classes and target when known. Big
    networks get a tall picture with small neurons and thin lines, but still every weight.
    When the neurons are too close for a name beside each, a narrow column's names (4 inputs
    of a 4→100→3 network) are fanned out with a thin line to each neuron; a column with more
    names than the picture's height holds (a 100-output layer) stays unnamed.

    Parameters
    ----------
    source : a ``Network``, a ``Model`` or a fitted ``GlassClassifier`` / ``GlassRegressor``.
    feature_names, output_names : names to use instead of the source's.
    weight_scale : the |weight| drawn at full width and full colour (default: the largest);
        give the same value to several pictures to compare them.
    show_values : write each bias in its neuron and each weight on its line (default: when
        the network is small enough to read them).
    show_labels : name the inputs, outputs and layers.
    title, out, ax : as in ``plot_loss``.

    Each layer's weights are one ``LineCollection`` with gid "weights L" (L from 1), whose
    segment ``i * n_out + j`` joins input ``i`` to neuron ``j``; each column of neurons is
    one scatter with gid "neurons L" (L = 0 for the inputs), one point per neuron.
    """
    require_matplotlib()
    subject = names.subject_of(source)
    net = subject.network
    fig, axes, g = _canvas(net, ax, weight_scale)
    if show_values is None:
        show_values = g.widest <= 8 and sum(layer.weights.size for layer in net.layers) <= 40
    _draw_weights(axes, net, g, show_values)
    _draw_neurons(axes, net, g, show_values)
    if show_labels:
        gap = g.diameter / 2 + 4  # points from a neuron's centre to its name
        inputs = names.input_names(subject, feature_names)
        outputs = names.output_names(subject, output_names)
        _name_column(axes, inputs, g.positions[0], -gap, "right", g)
        _name_column(axes, outputs, g.positions[-1], gap, "left", g)
        _name_layers(axes, net, g, gap)
        _legend(axes, g, show_values)
    axes.set_xlim(-0.3, len(net.layers) + 0.3)
    axes.set_ylim(-g.top - _MARGIN, g.top + _MARGIN)
    axes.axis("off")
    if title is not None:
        axes.set_title(title, **font())
    return finish(root(fig), out)
