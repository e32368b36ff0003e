"""What every command shares: the user-error type and JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any


class UserError(Exception):
    """A mistake in what the user asked for: reported in one line, exit status 2."""


def print_json(document: Any) -> None:
    """Print one JSON document on stdout (UTF-8 kept readable, floats at full precision)."""
    from glassnet.serialization import to_jsonable  # here: `glassnet --help` skips NumPy

    json.dump(to_jsonable(document), sys.stdout, ensure_ascii=False, indent=2, allow_nan=False)
    sys.stdout.write("\n")
