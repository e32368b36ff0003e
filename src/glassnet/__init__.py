"""glassnet: a neural network in pure NumPy where every number is visible.

The public names are imported on first use (PEP 562), so ``glassnet --help`` starts
without loading NumPy; ``from glassnet import Network`` works as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "Activation": "glassnet.activations",
    "Callback": "glassnet.callbacks",
    "Cost": "glassnet.costs",
    "Dense": "glassnet.layers",
    "DivergedError": "glassnet.training",
    "EarlyStopping": "glassnet.callbacks",
    "GradientDescent": "glassnet.optimizers",
    "History": "glassnet.history",
    "Network": "glassnet.network",
    "Optimizer": "glassnet.optimizers",
    "SGD": "glassnet.optimizers",
    "Adam": "glassnet.optimizers",
    "load": "glassnet.serialization",
    "Model": "glassnet.model",
    "Preprocessor": "glassnet.preprocessing",
    "save": "glassnet.serialization",
}

__all__ = [
    "SGD",
    "Activation",
    "Adam",
    "Callback",
    "Cost",
    "Dense",
    "DivergedError",
    "EarlyStopping",
    "GradientDescent",
    "History",
    "Model",
    "Network",
    "Optimizer",
    "Preprocessor",
    "__version__",
    "load",
    "save",
]

if TYPE_CHECKING:
    from glassnet.activations import Activation
    from glassnet.callbacks import Callback, EarlyStopping
    from glassnet.costs import Cost
    from glassnet.history import History
    from glassnet.layers import Dense
    from glassnet.model import Model
    from glassnet.network import Network
    from glassnet.optimizers import SGD, Adam, GradientDescent, Optimizer
    from glassnet.preprocessing import Preprocessor
    from glassnet.serialization import load, save
    from glassnet.training import DivergedError


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    raise AttributeError(f"module 'glassnet' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
