"""The one array type alias shared by every module (kept apart so floors stay acyclic)."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
"""A floating-point NumPy array; shapes are given in each docstring."""

FLOAT_DTYPES = (np.dtype("float32"), np.dtype("float64"))
