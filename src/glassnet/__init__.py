"""glassnet: a neural network in pure NumPy where every number is visible."""

from glassnet.activations import Activation
from glassnet.costs import Cost
from glassnet.layers import Dense
from glassnet.network import Network
from glassnet.optimizers import SGD, Adam, GradientDescent, Optimizer
from glassnet.training import Callback, DivergedError, EarlyStopping, History

__version__ = "0.1.0"

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
    "Network",
    "Optimizer",
    "__version__",
]
