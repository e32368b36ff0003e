"""What every command shares: the user-error type and JSON output."""

from __future__ import annotations

import json
import os
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


_ALLOCATOR_TUNED = False


def keep_freed_memory() -> None:
    """Let glibc keep freed blocks of a few MiB for reuse instead of returning them at once.

    For the commands that read CSV files: parsing one chunk makes some 40 temporary arrays
    of about 1 MiB. By default glibc maps each such block fresh from the kernel and gives it
    back when it is freed, so every chunk pays page faults for all of them: parsing runs 3×
    slower here. Raising the mmap and trim thresholds (4 MiB, 32 MiB) keeps those blocks in
    the heap; at most 32 MiB of freed memory is held. A process-wide setting, so the command
    line makes it and the library does not. Set once per process, on Linux with glibc, unless
    the user chose ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_`` already.
    """
    import ctypes

    global _ALLOCATOR_TUNED
    if _ALLOCATOR_TUNED or not sys.platform.startswith("linux"):
        return
    _ALLOCATOR_TUNED = True
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt  # glibc; musl has none
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    mallopt(m_mmap_threshold, 4 << 20)
    mallopt(m_trim_threshold, 32 << 20)
