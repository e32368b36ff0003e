"""Pictures of a network: its cost per epoch, its weights, its decision boundary, its training.

An optional adapter (floor 5): matplotlib is imported inside each function, figures are
drawn on matplotlib's Agg canvas (no window, no global ``pyplot`` state), and without
matplotlib every function raises an ImportError naming ``pip install 'glassnet[plot]'``.

Every function draws a ``Network``, a ``Model`` (``glassnet.load`` of a model file with
preprocessing) or a fitted ``GlassClassifier`` / ``GlassRegressor`` alike, returns a
``matplotlib.figure.Figure`` and, given ``out``, also saves it there (the format follows the
extension: .png, .svg, .pdf; ``plot_training`` also writes .gif).

Colours: a positive weight is blue, a negative one red, and a line's width grows with the
weight's size; classes are purple, green, orange, … in the order of the model's classes.

One module per figure: ``loss``, ``network``, ``boundary``, ``training``; ``style`` holds the
shared look and ``subject`` reads what a picture needs from a network, model or estimator.
"""

from __future__ import annotations

from glassnet.plot.boundary import plot_boundary
from glassnet.plot.loss import plot_loss
from glassnet.plot.network import plot_network
from glassnet.plot.style import (
    ANIMATION_FORMATS,
    CLASS_COLORS,
    FIGURE_FORMATS,
    NEGATIVE,
    POSITIVE,
    ZERO,
    check_out_path,
)
from glassnet.plot.subject import check_boundary_model, class_indices
from glassnet.plot.training import MAX_FRAMES, plot_training, snapshot_epochs

__all__ = [
    "ANIMATION_FORMATS",
    "CLASS_COLORS",
    "FIGURE_FORMATS",
    "MAX_FRAMES",
    "NEGATIVE",
    "POSITIVE",
    "ZERO",
    "check_boundary_model",
    "check_out_path",
    "class_indices",
    "plot_boundary",
    "plot_loss",
    "plot_network",
    "plot_training",
    "snapshot_epochs",
]
