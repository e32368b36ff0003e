"""``glassnet predict`` (being built)."""

from __future__ import annotations

import argparse

from glassnet.cli.common import UserError

HELP = "(being built)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options yet."""


def run(args: argparse.Namespace) -> int:
    """Not available yet."""
    raise UserError("glassnet predict is not available yet")
