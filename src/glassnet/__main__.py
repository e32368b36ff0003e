"""``python -m glassnet``."""

try:
    from glassnet.cli import console
except KeyboardInterrupt:  # Ctrl-C while the program was still being imported
    raise SystemExit(130) from None

console()
