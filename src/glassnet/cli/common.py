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


def check_out_file(path: str, option: str = "--out") -> str:
    """Check before any work that a file can be written at ``path`` (given as ``option``).

    Raises UserError when its folder is missing ("create it first") or ``path`` is a folder.
    """
    import os

    from glassnet.serialization import check_writable

    try:
        return check_writable(path)
    except ValueError as error:
        fix = "" if os.path.isdir(path) else "; create it first or choose another path"
        raise UserError(f"{option}: {error}{fix}") from None
