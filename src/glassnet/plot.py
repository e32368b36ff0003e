"""Pictures of a network: its cost per epoch, its weights, its decision boundary, its training.

An optional adapter (floor 5): matplotlib is imported inside each function, figures are
drawn on matplotlib's Agg canvas (no window, no global ``pyplot`` state), and without
matplotlib every function raises an ImportError naming ``pip install 'glassnet[plot]'``.

Each function returns a ``matplotlib.figure.Figure`` and, given ``out``, also saves it there
(the format follows the extension: .png, .svg, .pdf; ``plot_training`` also writes .gif).

Colours: a positive weight is blue, a negative one red, and a line's width grows with the
weight's size; classes are purple, green, orange, … in the order of ``net.metadata["classes"]``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from glassnet._types import Array
from glassnet.data import model_inputs, one_hot
from glassnet.metrics import predicted_classes
from glassnet.network import Network
from glassnet.serialization import check_writable
from glassnet.training import Callback, History, Logs

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

POSITIVE = "#2166ac"
"""Colour of a positive weight or bias (blue)."""
NEGATIVE = "#b2182b"
"""Colour of a negative weight or bias (red)."""
ZERO = "#999999"
"""Colour of a weight that is exactly 0."""
CLASS_COLORS = (
    "#762a83",
    "#1b7837",
    "#e08214",
    "#2d8fbf",
    "#c51b7d",
    "#8c510a",
    "#4d4d4d",
    "#01665e",
)
"""Colours of the classes, in order (purple and green for two: safe for colour blindness)."""

FIGURE_FORMATS = (".png", ".svg", ".pdf")
"""Extensions a still picture can be saved as."""
ANIMATION_FORMATS = (".gif",)
"""Extensions ``plot_training`` writes as an animation."""
MAX_FRAMES = {"gif": 200, "sheet": 24}
"""The most pictures ``plot_training`` draws: frames of a GIF, panels of a sheet."""

# fonts that draw Japanese and Chinese names, tried after DejaVu Sans when installed
_CJK_FONTS = (
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "IPAexGothic",
    "IPAGothic",
    "TakaoGothic",
    "Hiragino Sans",
    "Yu Gothic",
    "MS Gothic",
    "Source Han Sans JP",
    "WenQuanYi Zen Hei",
)
_DPI = 120


# ----- shared plumbing ---------------------------------------------------------------------
def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(
            "glassnet's plots need matplotlib and pillow: pip install 'glassnet[plot]'"
        ) from None


def _new_figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas, so nothing touches pyplot's global state."""
    _require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    # a little more room at the edges than matplotlib's default, so names never touch them
    fig = Figure(
        figsize=(width, height), dpi=_DPI, layout=ConstrainedLayoutEngine(w_pad=0.1, h_pad=0.08)
    )
    FigureCanvasAgg(fig)
    return fig


def check_out_path(out: str | Path, formats: Sequence[str] = FIGURE_FORMATS) -> Path:
    """Return ``out`` as a Path after checking its extension and that its folder exists.

    Raises ValueError with the fix, so a caller can check before any long work.
    """
    path = Path(out)
    if path.suffix.lower() not in formats:
        raise ValueError(
            f"{path}: cannot tell the picture format from {path.suffix or 'no extension'!r}; "
            f"end the file name with {', '.join(formats)}"
        )
    try:
        check_writable(path)
    except ValueError as error:
        fix = "" if path.is_dir() else "; create it first or choose another path"
        raise ValueError(f"{error}{fix}") from None
    return path


def _finish(fig: Figure, out: str | Path | None) -> Figure:
    if out is not None:
        fig.savefig(check_out_path(out), dpi=_DPI)
    return fig


@functools.lru_cache(maxsize=1)
def _font_families() -> tuple[str, ...]:
    """DejaVu Sans, then any installed font that draws Japanese (glyph by glyph fallback)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    return ("DejaVu Sans", *(name for name in _CJK_FONTS if name in installed))


@functools.cache
def _covered(char: str) -> bool:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    for family in _font_families():
        path = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
        if FT2Font(path).get_char_index(ord(char)):
            return True
    return False


def _label(name: Any, fallback: str) -> str:
    """``name`` when the installed fonts can draw every character of it, else ``fallback``.

    Without a Japanese font, 数学 would come out as empty boxes; "x1" says more.
    """
    text = str(name)
    if all(char.isspace() or _covered(char) for char in text):
        return text
    return fallback


def _font() -> dict[str, Any]:
    """Keyword arguments that let a text fall back to a Japanese font when one is installed."""
    return {"fontfamily": list(_font_families())}


def _axes(ax: Axes | None, width: float, height: float) -> tuple[Figure | SubFigure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig = _new_figure(width, height)
    return fig, fig.add_subplot()


def _root(fig: Figure | SubFigure) -> Figure:
    """The top-level Figure of a (sub)figure."""
    return fig.figure if fig.figure is not None else fig


def _lighter(color: str, amount: float) -> tuple[float, float, float]:
    """``color`` mixed with white: ``amount`` 0 keeps it, 1 makes it white."""
    from matplotlib.colors import to_rgb

    rgb = np.array(to_rgb(color))
    r, g, b = rgb + (1.0 - rgb) * amount
    return (float(r), float(g), float(b))


def _short(value: float) -> str:
    """A number in at most five characters with its sign: +0.50, −3.4, +12."""
    size = abs(value)
    text = f"{size:.2f}" if size < 10 else f"{size:.3g}" if size < 1000 else f"{size:.0e}"
    return ("−" if value < 0 else "+") + text


# ----- what a network's metadata says ----------------------------------------------------
def _n_classes(net: Network) -> int:
    return 2 if net.n_outputs == 1 else net.n_outputs


def _feature_names(net: Network, names: Sequence[str] | None) -> list[str]:
    given = names if names is not None else net.metadata.get("feature_names")
    fallback = [f"x{i + 1}" for i in range(net.n_inputs)]
    if given is None or len(given) != net.n_inputs:
        return fallback
    return [_label(name, default) for name, default in zip(given, fallback, strict=True)]


def _class_names(net: Network, names: Sequence[Any] | None) -> list[str]:
    given = names if names is not None else net.metadata.get("classes")
    fallback = [str(k) for k in range(_n_classes(net))]
    if given is None or len(given) != len(fallback):
        return fallback
    return [_label(name, default) for name, default in zip(given, fallback, strict=True)]


def _target_name(net: Network) -> str:
    return _label(net.metadata.get("target_name") or "y", "y")


def _output_names(net: Network, names: Sequence[str] | None) -> list[str]:
    if names is not None:
        return [_label(n, f"y{j + 1}") for j, n in enumerate(names)]
    target = _target_name(net)
    last = net.layers[-1].activation.name
    if last == "softmax":
        return _class_names(net, None)
    if last == "sigmoid" and net.n_outputs == 1:
        return [f"P({target} = {_class_names(net, None)[1]})"]
    if net.n_outputs == 1:
        return [target]
    return [f"{target} {j + 1}" for j in range(net.n_outputs)]


def class_indices(net: Network, y: Any) -> Array:
    """The class index of each sample from ``y`` as 0/1, class indices or one-hot rows."""
    given = np.asarray(y)
    if given.ndim == 2 and given.shape[1] > 1:
        labels = given.argmax(axis=1)
    else:
        labels = np.rint(given.reshape(-1)).astype(np.int64)
    k = _n_classes(net)
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(
            f"y holds class {int(labels.max())} but the network has {k} classes (0..{k - 1}); "
            "pass class indices, 0/1 or one-hot rows"
        )
    indices: Array = labels.astype(np.int64)
    return indices


def check_boundary_model(net: Network) -> None:
    """Raise ValueError unless ``net`` is a classifier of two features (a boundary can show)."""
    if net.n_inputs != 2:
        raise ValueError(
            f"a decision boundary needs a model with 2 input features; this one has "
            f"{net.n_inputs} — train on two columns (e.g. --ignore the others)"
        )
    if not net.is_classifier:
        raise ValueError(
            "a decision boundary needs a classifier (one sigmoid output or softmax outputs); "
            f"this model's output is {net.layers[-1].activation.name} × {net.n_outputs}"
        )


# ----- the loss curve -------------------------------------------------------------------
def _history(
    source: Network | History | Mapping[str, Sequence[float]],
) -> tuple[list[int], dict[str, list[float]]]:
    if isinstance(source, Network):
        stored = source.history
        if stored is None or not len(stored):
            raise ValueError("this network has no training history; train it first (net.fit)")
        return list(stored.epoch), dict(stored.history)
    if isinstance(source, History):
        return list(source.epoch), dict(source.history)
    series = {key: list(map(float, values)) for key, values in source.items() if key != "epoch"}
    n = len(series.get("cost", []))
    epochs = [int(e) for e in source.get("epoch", range(1, n + 1))]
    return epochs, series


def plot_loss(
    source: Network | History | Mapping[str, Sequence[float]],
    *,
    log_scale: bool = False,
    title: str | None = None,
    out: str | Path | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The training cost (and validation cost, when recorded) of every epoch.

    Parameters
    ----------
    source : a trained ``Network`` (its ``history``), a ``History``, or a mapping with
        "cost" and optionally "val_cost" and "epoch" lists.
    log_scale : draw the cost on a logarithmic axis (small late improvements stay visible).
    title : the axes title; default "cost per epoch".
    out : save the picture there too.
    ax : draw on this Axes instead of a new figure.

    The lines have the gids "cost" and "val_cost"; the best validation epoch is marked.
    """
    epochs, series = _history(source)
    if not series.get("cost"):
        raise ValueError("the history has no 'cost' values to draw")
    fig, axes = _axes(ax, 6.4, 4.0)
    cost_name = source.cost_function.name if isinstance(source, Network) else "cost"
    marker = "o" if len(epochs) < 30 else None
    axes.plot(
        epochs,
        series["cost"],
        color=POSITIVE,
        marker=marker,
        ms=3,
        lw=1.8,
        label="training",
        gid="cost",
    )
    if series.get("val_cost"):
        val = series["val_cost"]
        axes.plot(
            epochs,
            val,
            color=CLASS_COLORS[2],
            marker=marker,
            ms=3,
            lw=1.8,
            label="validation",
            gid="val_cost",
        )
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
    return _finish(_root(fig), out)


# ----- the network drawn ----------------------------------------------------------------
def _layout(net: Network) -> list[Array]:
    """(x, y) of every neuron, one (n, 2) array per column: inputs, then each layer.

    Columns are 1 apart and neurons 1 apart, each column centred on y = 0.
    """
    sizes = [net.n_inputs] + [layer.n_out for layer in net.layers]
    return [
        np.column_stack([np.full(n, float(i)), (n - 1) / 2.0 - np.arange(n, dtype=float)])
        for i, n in enumerate(sizes)
    ]


def plot_network(
    net: Network,
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
    inputs, which have none). Inputs are named from ``net.metadata["feature_names"]`` and
    outputs from ``"classes"`` / ``"target_name"`` when present. Big networks get a tall
    picture with small neurons and thin lines, but still every weight. When the neurons are
    too close for a name beside each, a narrow column's names (4 inputs of a 4→100→3
    network) are fanned out with a thin line to each neuron; a column with more names than
    the picture's height holds (a 100-output layer) stays unnamed.

    Parameters
    ----------
    feature_names, output_names : names to use instead of the metadata's.
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
    _require_matplotlib()
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    positions = _layout(net)
    widest = max(len(column) for column in positions)
    n_weights = sum(layer.weights.size for layer in net.layers)
    if show_values is None:
        show_values = widest <= 8 and n_weights <= 40
    largest = max(float(np.abs(layer.weights).max()) for layer in net.layers)
    scale = weight_scale if weight_scale is not None else largest
    scale = scale if scale > 0 else 1.0
    top = (widest - 1) / 2.0
    margin = 0.6  # neuron spacings of room above and below the columns
    if ax is None:
        spacing = float(np.clip(9.0 / widest, 0.05, 0.7))  # inches between two neurons
        fig, axes = _axes(None, 2.2 * len(net.layers) + 3.4, spacing * (widest + 2 * margin) + 1.1)
    else:
        fig, axes = ax.figure, ax
    # sizes in points follow the room the axes give each neuron
    box = axes.get_window_extent()
    step = min(box.height / (widest + 2 * margin), box.width / (len(net.layers) + 0.6))
    step *= 72.0 / _root(fig).dpi
    diameter = float(np.clip(0.6 * step, 2.0, 30.0))
    widest_line = float(np.clip(0.4 * step, 0.8, 5.0))
    font = float(np.clip(0.45 * step, 5.0, 9.0))
    pitch = 1.5 * font + 1.0  # points between two names, one above the other
    room = (widest + 2 * margin) * step  # the height of the picture, in points

    for number, (layer, below, above) in enumerate(
        zip(net.layers, positions, positions[1:], strict=False), start=1
    ):
        segments = np.stack(
            [np.repeat(below, layer.n_out, axis=0), np.tile(above, (layer.n_in, 1))], axis=1
        )
        flat = layer.weights.reshape(-1)
        colors = np.where(flat > 0, POSITIVE, np.where(flat < 0, NEGATIVE, ZERO))
        widths = 0.3 + (widest_line - 0.3) * np.minimum(np.abs(flat) / scale, 1.0)
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
                    _short(float(value)),
                    fontsize=font * 0.85,
                    ha="center",
                    va="center",
                    zorder=4,
                    color=POSITIVE if value >= 0 else NEGATIVE,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                )

    for column, xy in enumerate(positions):
        if column == 0:
            faces: list[Any] = ["white"] * len(xy)
        else:
            bias = net.layers[column - 1].bias
            faces = [
                _lighter(POSITIVE if b >= 0 else NEGATIVE, 1.0 - 0.6 * min(abs(b) / scale, 1.0))
                for b in map(float, bias)
            ]
            if show_values:
                for (x, y), b in zip(xy, bias, strict=True):
                    axes.text(
                        x,
                        y,
                        _short(float(b)),
                        fontsize=font * 0.8,
                        ha="center",
                        va="center",
                        zorder=5,
                    )
        axes.scatter(
            xy[:, 0],
            xy[:, 1],
            s=diameter**2,
            c=faces,
            edgecolors="#333333",
            linewidths=min(1.0, diameter / 10),
            zorder=3,
            gid=f"neurons {column}",
        )

    gap = diameter / 2 + 4  # points from a neuron's centre to its name
    if show_labels:
        named = [
            (_feature_names(net, feature_names), positions[0], -gap, "right"),
            (_output_names(net, output_names), positions[-1], gap, "left"),
        ]
        for names, xy, dx, side in named:
            if step >= pitch:  # each name beside its neuron
                offsets, lead = [0.0] * len(names), None
            elif len(names) * pitch <= room:  # fanned out, a thin line to each neuron
                offsets = [
                    ((len(names) - 1) / 2.0 - j) * pitch - y * step for j, y in enumerate(xy[:, 1])
                ]
                dx, lead = 3.0 * dx, {"arrowstyle": "-", "lw": 0.4, "color": "#999999"}
            else:
                continue  # too many to read: the column stays unnamed
            for name, (x, y), dy in zip(names, xy, offsets, strict=True):
                axes.annotate(
                    name,
                    (x, y),
                    xytext=(dx, dy),
                    textcoords="offset points",
                    ha=side,
                    va="center",
                    fontsize=font,
                    arrowprops=lead,
                    **_font(),
                )
        heads = ["inputs"] + [
            f"{'output' if i == len(net.layers) else f'hidden {i}'} · {layer.activation.name}"
            for i, layer in enumerate(net.layers, start=1)
        ]
        for head, xy in zip(heads, positions, strict=True):
            axes.annotate(
                head,
                (xy[0, 0], top),
                xytext=(0, gap + 4),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=max(font, 7.0),
                color="#333333",
            )
        handles = [
            Line2D([], [], color=POSITIVE, lw=3, label="positive weight / bias"),
            Line2D([], [], color=NEGATIVE, lw=3, label="negative weight / bias"),
        ]
        note = "width ∝ |weight|" + ("; number in a neuron = its bias" if show_values else "")
        axes.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=2,
            frameon=False,
            fontsize=max(font, 7.0),
            title=note,
            title_fontsize=max(font, 7.0),
        )
    axes.set_xlim(-0.3, len(net.layers) + 0.3)
    axes.set_ylim(-top - margin, top + margin)
    axes.axis("off")
    if title is not None:
        axes.set_title(title, **_font())
    return _finish(_root(fig), out)


# ----- the decision boundary ------------------------------------------------------------
def _grid(X: Array, resolution: int) -> tuple[tuple[float, float, float, float], Array]:
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


def plot_boundary(
    net: Network,
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
    X : (n_samples, 2) the points, in the raw units of the data: when
        ``net.metadata["scaler"]`` exists the grid is standardized with it before the
        network sees it, so the axes show the original values.
    y : the points' classes (indices, 0/1 or one-hot); None draws the points in grey.
    resolution : pixels per side of the predicted-class picture.
    feature_names, class_names : names to use instead of the metadata's.
    colorbar : for two classes, add a bar for the probability of the second class.
    point_size : the points' area in points² (default: smaller the more points there are).
    title, out, ax : as in ``plot_loss``.

    The background is an image (gid "regions") with one pixel per grid point: for two
    classes the network's probability of class 1, else the predicted class index; the
    boundary itself is a black contour (gid "boundary"), where the probability is 0.5.
    Points the network gets wrong are ringed in black (gid "wrong").
    """
    _require_matplotlib()
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap

    check_boundary_model(net)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2; got {resolution!r}")
    X = net.check_inputs(X)
    if X.shape[0] == 0:
        raise ValueError("X has no rows; a boundary is drawn over at least one point")
    labels = None if y is None else class_indices(net, y)
    if labels is not None and labels.shape[0] != X.shape[0]:
        raise ValueError(f"y has {labels.shape[0]} rows but X has {X.shape[0]}")
    k = _n_classes(net)
    colors = [CLASS_COLORS[c % len(CLASS_COLORS)] for c in range(k)]
    names = _class_names(net, class_names)
    features = _feature_names(net, feature_names)

    fig, axes = _axes(ax, 6.4, 5.0)
    extent, grid = _grid(X, resolution)
    outputs = net.predict_outputs(model_inputs(net.metadata, grid))
    shape = (resolution, resolution)
    # the centres of the grid's cells, where the outputs were computed
    gx = np.linspace(extent[0], extent[1], resolution * 2 + 1)[1::2]
    gy = np.linspace(extent[2], extent[3], resolution * 2 + 1)[1::2]
    if k == 2 and net.n_outputs == 1:
        probability = outputs[:, 0].reshape(shape)
        shades = [_lighter(colors[0], 0.45), (1.0, 1.0, 1.0), _lighter(colors[1], 0.45)]
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
            contour = axes.contour(
                gx, gy, probability, levels=[0.5], colors="black", linewidths=1.5
            )
            contour.set_gid("boundary")
        if colorbar:
            bar = _root(fig).colorbar(image, ax=axes, shrink=0.85)
            bar.set_label(f"P({_target_name(net)} = {names[1]})", **_font())
    else:
        predicted = predicted_classes(outputs).reshape(shape)
        many = ListedColormap([_lighter(c, 0.6) for c in colors])
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
            contour = axes.contour(
                gx, gy, predicted, levels=np.arange(k - 1) + 0.5, colors="black", linewidths=1.2
            )
            contour.set_gid("boundary")

    size = point_size if point_size is not None else float(np.clip(5000 / X.shape[0], 8, 50))
    if labels is None:
        axes.scatter(X[:, 0], X[:, 1], s=size, c="#555555", edgecolors="white", lw=0.5)
    else:
        for c in range(k):
            mine = labels == c
            if mine.any():
                axes.scatter(
                    X[mine, 0],
                    X[mine, 1],
                    s=size,
                    color=colors[c],
                    edgecolors="white",
                    lw=0.6 if size >= 15 else 0.25,
                    label=names[c],
                    gid=f"points {c}",
                    zorder=3,
                )
        wrong = net.predict(model_inputs(net.metadata, X.copy())) != labels
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
            title=_target_name(net),
            loc="best",
            framealpha=0.85,
            prop={"family": list(_font_families())},
        )
        legend.get_title().set_fontfamily(list(_font_families()))
    axes.set_xlim(extent[0], extent[1])
    axes.set_ylim(extent[2], extent[3])
    axes.set_xlabel(features[0], **_font())
    axes.set_ylabel(features[1], **_font())
    if title is None:
        title = "decision boundary"
        if labels is not None:
            title += f": {1.0 - float(np.mean(wrong)):.1%} of the points right"
    axes.set_title(title, **_font())
    return _finish(_root(fig), out)


# ----- training as pictures -------------------------------------------------------------
class _Snapshots(Callback):
    """Keep the weights and cost every ``every`` epochs of one ``fit``, and after the last."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.frames: list[tuple[int, float, list[Array]]] = []
        self._first = 0
        self._last: tuple[int, float] | None = None

    def on_epoch_end(self, epoch: int, logs: Logs) -> None:
        self._first = self._first or epoch
        done = epoch - self._first + 1
        self._last = (done, logs["cost"])
        if done % self.every == 0:
            self.frames.append((done, logs["cost"], self.network.get_weights()))

    def on_train_end(self, logs: Logs) -> None:
        if self._last is not None and (not self.frames or self.frames[-1][0] != self._last[0]):
            self.frames.append((*self._last, self.network.get_weights()))


def snapshot_epochs(epochs: int, every: int) -> list[int]:
    """The epochs ``plot_training`` draws: 0 (before training), every ``every``-th, the last."""
    taken = list(range(0, epochs + 1, every))
    return taken if taken[-1] == epochs else [*taken, epochs]


def plot_training(
    net: Network,
    X: Any,
    y: Any,
    *,
    epochs: int = 100,
    every: int = 10,
    out: str | Path | None = None,
    fps: int = 4,
    resolution: int = 80,
    **fit_options: Any,
) -> Figure:
    """Training as pictures: train ``net`` and draw its boundary and weights every few epochs.

    ``net`` is trained in place (``net.fit(..., epochs=epochs, **fit_options)``) on ``X``
    standardized by ``net.metadata["scaler"]`` when there is one, and ``y`` as class
    indices, 0/1 or one-hot. A picture is taken before the first epoch, after every
    ``every``-th epoch and after the last.

    Parameters
    ----------
    X : (n_samples, 2) raw inputs of a two-feature classifier; y : their classes.
    epochs, every : how long to train, and how often to take a picture.
    out : a .gif gets an animation (one frame per picture, ``fps`` a second); .png, .svg
        or .pdf a sheet of small multiples; None returns the sheet without saving it.
    resolution : pixels per side of each boundary picture.
    fit_options : passed to ``net.fit`` (optimizer, batch_size, …).

    Returns the figure: the sheet, or for a GIF the figure showing the last frame. The
    pictures are at most ``MAX_FRAMES["gif"]`` frames or ``MAX_FRAMES["sheet"]`` panels.
    """
    _require_matplotlib()
    check_boundary_model(net)
    for name, value in (("epochs", epochs), ("every", every)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    kind = "gif" if out is not None and Path(out).suffix.lower() == ".gif" else "sheet"
    if out is not None:
        check_out_path(out, FIGURE_FORMATS + ANIMATION_FORMATS)
    n_pictures = len(snapshot_epochs(epochs, every))
    if n_pictures > MAX_FRAMES[kind]:
        raise ValueError(
            f"{epochs} epochs with a picture every {every} make {n_pictures} pictures; a "
            f"{'GIF' if kind == 'gif' else 'sheet'} takes at most {MAX_FRAMES[kind]} — "
            f"take one every {math.ceil(epochs / (MAX_FRAMES[kind] - 2))} epochs or more"
        )
    for key in ("callbacks", "validation_split", "validation_data"):
        if key in fit_options:
            raise ValueError(f"plot_training does not take {key}; it trains on all of X")
    X_raw = net.check_inputs(X)
    labels = class_indices(net, y)
    X_model = model_inputs(net.metadata, X_raw.copy())
    targets = one_hot(labels, net.n_outputs, net.dtype)
    snapshots = _Snapshots(every)
    frames = [(0, net.cost(X_model, targets), net.get_weights())]
    net.fit(X_model, targets, epochs=epochs, callbacks=[snapshots], **fit_options)
    frames += snapshots.frames
    trained = net.get_weights()
    scale = max(float(np.abs(w).max()) for _, _, ws in frames for w in ws[::2]) or 1.0

    def draw(target: Figure | SubFigure, frame: tuple[int, float, list[Array]], big: bool) -> None:
        epoch, cost, weights = frame
        net.set_weights(weights)
        boundary, network = (
            target.subplots(1, 2, width_ratios=(1.0, 1.1))
            if big
            else target.subplots(2, 1, height_ratios=(1.0, 0.8))
        )
        plot_boundary(
            net,
            X_raw,
            labels,
            resolution=resolution,
            colorbar=False,
            title="",
            ax=boundary,
            point_size=None if big else 10.0,
        )
        plot_network(net, weight_scale=scale, show_values=False, show_labels=big, ax=network)
        if not big:
            boundary.get_legend().remove()
            boundary.set_xlabel("")
            boundary.set_ylabel("")
            boundary.tick_params(labelsize=6)
        target.suptitle(f"epoch {epoch}: cost {cost:.4g}", fontsize=11 if big else 8)

    try:
        if kind == "gif":
            from matplotlib.animation import PillowWriter

            fig = _new_figure(10.0, 4.6)
            writer = PillowWriter(fps=fps)
            with writer.saving(fig, str(out), dpi=96):
                for frame in frames:
                    fig.clear()
                    draw(fig, frame, big=True)
                    writer.grab_frame()
            return fig
        rows = math.ceil(len(frames) / 4)
        columns = math.ceil(len(frames) / rows)
        fig = _new_figure(2.6 * columns, 4.0 * rows)
        cells = np.atleast_1d(fig.subfigures(rows, columns, squeeze=False).ravel())
        for cell, frame in zip(cells, frames, strict=False):
            draw(cell, frame, big=False)
        return _finish(fig, out)
    finally:
        net.set_weights(trained)
