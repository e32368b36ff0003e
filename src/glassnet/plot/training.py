"""Training as pictures: the boundary and the weights every few epochs, as a GIF or a sheet."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import glassnet.plot.subject as names
from glassnet._types import Array
from glassnet.callbacks import Callback
from glassnet.model import one_hot
from glassnet.plot.boundary import plot_boundary, points
from glassnet.plot.network import plot_network
from glassnet.plot.style import (
    ANIMATION_FORMATS,
    FIGURE_FORMATS,
    check_out_path,
    finish,
    new_figure,
    require_matplotlib,
)
from glassnet.serialization import write_atomically

if TYPE_CHECKING:
    from matplotlib.figure import Figure, SubFigure

    from glassnet.history import Logs

MAX_FRAMES = {"gif": 200, "sheet": 24}
"""The most pictures ``plot_training`` draws: frames of a GIF, panels of a sheet."""

Frame = tuple[int, float, list[Array]]
"""(epoch, cost, the weights and biases then)."""


class _Snapshots(Callback):
    """Keep the weights and cost every ``every`` epochs of one ``fit``, and after the last."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.frames: list[Frame] = []
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


def _picture_kind(
    out: str | Path | None, epochs: Any, every: Any, fit_options: dict[str, Any]
) -> str:
    """ "gif" or "sheet", after checking every argument that needs no training."""
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
    return kind


def _train(
    subject: names.Subject,
    X: Array,
    labels: Array,
    epochs: int,
    every: int,
    fit_options: dict[str, Any],
) -> list[Frame]:
    """Train the subject's network in place, keeping a frame before and every few epochs."""
    net = subject.network
    X_model = subject.encode(X.copy())
    targets = one_hot(labels, net.n_outputs, net.dtype)
    snapshots = _Snapshots(every)
    frames = [(0, net.cost(X_model, targets), net.get_weights())]
    history = net.fit(X_model, targets, epochs=epochs, callbacks=[snapshots], **fit_options)
    if history.interrupted:
        # fit stops at a Ctrl-C and keeps what it learnt; a replay cut short is no picture
        # of the training asked for: stop here, before anything is drawn or written
        raise KeyboardInterrupt
    return frames + snapshots.frames


def _draw_frame(
    target: Figure | SubFigure,
    subject: names.Subject,
    X: Array,
    labels: Array,
    frame: Frame,
    scale: float,
    resolution: int,
    *,
    big: bool,
) -> None:
    """One picture: the boundary beside (big) or above (small) the weights at ``frame``."""
    epoch, cost, weights = frame
    subject.network.set_weights(weights)
    boundary, network = (
        target.subplots(1, 2, width_ratios=(1.0, 1.1))
        if big
        else target.subplots(2, 1, height_ratios=(1.0, 0.8))
    )
    plot_boundary(
        subject,
        X,
        labels,
        resolution=resolution,
        colorbar=False,
        title="",
        ax=boundary,
        point_size=None if big else 10.0,
    )
    plot_network(subject, weight_scale=scale, show_values=False, show_labels=big, ax=network)
    if not big:
        boundary.get_legend().remove()
        boundary.set_xlabel("")
        boundary.set_ylabel("")
        boundary.tick_params(labelsize=6)
    target.suptitle(f"epoch {epoch}: cost {cost:.4g}", fontsize=11 if big else 8)


def plot_training(
    source: Any,
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
    """Training as pictures: train a network and draw its boundary and weights every few epochs.

    ``source`` is a ``Network`` or a ``Model`` of two raw features; its network is trained in
    place (``fit(..., epochs=epochs, **fit_options)``) on ``X`` through a ``Model``'s
    preprocessing (a bare ``Network`` takes ``X`` as given), and ``y`` as class labels,
    class indices, 0/1 or one-hot. A picture is taken before the first epoch, after
    every ``every``-th epoch and after the last.

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
    require_matplotlib()
    subject = names.subject_of(source)
    names.check_boundary_model(subject)
    kind = _picture_kind(out, epochs, every, fit_options)
    X_raw, labels = points(subject, X, y, resolution)
    if labels is None:
        raise ValueError("plot_training needs y, the classes to train on")
    net = subject.network
    frames = _train(subject, X_raw, labels, epochs, every, fit_options)
    trained = net.get_weights()
    scale = max(float(np.abs(w).max()) for _, _, ws in frames for w in ws[::2]) or 1.0
    try:
        if kind == "gif":
            from matplotlib.animation import PillowWriter

            fig = new_figure(10.0, 4.6)
            writer = PillowWriter(fps=fps)
            # drawn into a folder of its own, then put in place whole: an existing ``out``
            # keeps its old animation when the drawing stops half-way (Ctrl-C)
            with tempfile.TemporaryDirectory() as folder:
                draft = Path(folder) / "training.gif"
                with writer.saving(fig, str(draft), dpi=96):
                    for frame in frames:
                        fig.clear()
                        _draw_frame(fig, subject, X_raw, labels, frame, scale, resolution, big=True)
                        writer.grab_frame()
                write_atomically(str(out), draft.read_bytes())
            return fig
        rows = math.ceil(len(frames) / 4)
        columns = math.ceil(len(frames) / rows)
        fig = new_figure(2.6 * columns, 4.0 * rows)
        cells = np.atleast_1d(fig.subfigures(rows, columns, squeeze=False).ravel())
        for cell, frame in zip(cells, frames, strict=False):
            _draw_frame(cell, subject, X_raw, labels, frame, scale, resolution, big=False)
        return finish(fig, out)
    finally:
        net.set_weights(trained)
