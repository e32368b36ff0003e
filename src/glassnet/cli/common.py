"""What every command shares: the user-error type and JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any


class UserError(Exception):
    """A mistake in what the user asked for: reported in one line, exit status 2."""


def to_jsonable(value: Any) -> Any:
    """Turn NumPy arrays and scalars (nested in dicts and lists) into plain JSON values."""
    import numpy as np  # here, not at the top: `glassnet --help` should not load NumPy

    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def print_json(document: Any) -> None:
    """Print one JSON document on stdout (UTF-8 kept readable, floats at full precision)."""
    json.dump(to_jsonable(document), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
