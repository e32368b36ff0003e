"""``python -m glassnet``."""

from glassnet.cli import console

console()
