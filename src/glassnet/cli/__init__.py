"""The ``glassnet`` command: one subcommand per module of this package.

Each command module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``, and imports anything heavy inside ``run`` so ``glassnet --help``
stays fast. A user error (bad file, bad value) prints one line on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import importlib
import os
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from glassnet.cli.common import (
    Terminated,
    UserError,
    discard,
    is_number,
    keep_freed_memory,
)

COMMANDS = {
    "demo": "glassnet.cli.demo",
    "train": "glassnet.cli.train",
    "predict": "glassnet.cli.predict",
    "evaluate": "glassnet.cli.evaluate",
    "trace": "glassnet.cli.trace",
    "gradcheck": "glassnet.cli.gradcheck",
    "explain": "glassnet.cli.explain",
    "plot": "glassnet.cli.plot",
    "export": "glassnet.cli.export",
    "info": "glassnet.cli.info",
    "playground": "glassnet.cli.playground",
}
"""Subcommand name → module, in the order ``--help`` lists them."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line, as every other user error is."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    from glassnet import __version__

    parser = _Parser(
        prog="glassnet",
        description="A neural network where every number is visible.",
    )
    parser.add_argument("--version", action="version", version=f"glassnet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        command.add_argument(
            "--json", action="store_true", help="print one JSON document on stdout"
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 check failed, 2 user error)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        _take_late_values(parser, args, extra)
    if args.command is None:
        parser.print_help(sys.stderr)  # a usage mistake: not the command's output
        return 2
    if sys.stdout is None:  # started with stdout closed (`glassnet ... >&-`): discard it
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        # a terminal that cannot show a character (PYTHONIOENCODING=ascii, é in a label)
        # gets it escaped: printing must never fail a command whose work is done
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    keep_freed_memory()
    _stop_on_termination()
    try:
        status: int = args.run(args)
    except BrokenPipeError:
        # the reader (e.g. `head`) went away; nothing left to say, and nothing left to
        # flush at exit either (Python would print a traceback of its own then)
        discard(sys.stdout)
        return 0
    except UserError as error:
        # one line, whatever a file name in it holds (a newline is shown as \n)
        shown = str(error).replace("\r", "\\r").replace("\n", "\\n")
        print(f"glassnet {args.command}: error: {shown}", file=sys.stderr)
        return 2
    except ImportError as error:
        # an optional extra (matplotlib, onnx, ...) is missing: its message says what to install
        print(f"glassnet {args.command}: error: {error}", file=sys.stderr)
        return 2
    except MemoryError as error:
        # a size no check foresaw (a network's activations, say): the work is too big for
        # this machine, which is the user's to change; files are written atomically
        if os.environ.get("GLASSNET_DEBUG"):
            raise
        detail = str(error).splitlines()[0] if str(error) else "out of memory"
        print(
            f"glassnet {args.command}: error: not enough memory ({detail}); ask for less: "
            "fewer or narrower hidden layers, a smaller --batch-size, fewer rows or epochs",
            file=sys.stderr,
        )
        return 2
    except (ValueError, OSError, FloatingPointError, OverflowError) as error:
        # (BrokenPipeError, an OSError, is above)
        # a bad value or file reaches here as a library error: one line, no traceback,
        # unless GLASSNET_DEBUG asks for the whole story
        if os.environ.get("GLASSNET_DEBUG"):
            raise
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        if isinstance(error, OSError) and error.errno == errno.ENOSPC and not error.filename:
            # standard output on a full disk (``> /dev/full``): no file of ours is named
            message = (
                f"the output could not be written ({error.strerror}); free some space, or "
                "send it elsewhere"
            )
        print(f"glassnet {args.command}: error: {message}", file=sys.stderr)
        return 2
    except Terminated as stop:
        with contextlib.suppress(KeyboardInterrupt):
            print(f"glassnet {args.command}: {stop.name}, stopped", file=sys.stderr)
        return 128 + stop.number
    except KeyboardInterrupt:
        # the same Ctrl-C may be raised a second time (polars passes it on as well)
        with contextlib.suppress(KeyboardInterrupt):
            print(f"glassnet {args.command}: interrupted", file=sys.stderr)
        return 130
    return status


def _stop_on_termination() -> None:
    """Turn SIGTERM and SIGHUP into ``Terminated`` (by default they end the process at
    once, leaving a half-written temporary file behind)."""

    def stop(number: int, frame: object) -> None:
        raise Terminated(number)

    for number in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(number) is signal.SIG_DFL:  # one the caller chose is kept
            signal.signal(number, stop)


def _take_late_values(
    parser: argparse.ArgumentParser, args: argparse.Namespace, extra: list[str]
) -> None:
    """Values typed after an option (``glassnet explain M --top 2 Dream 40``): argparse
    ends a list of positional values at the first option and calls the rest unknown. They
    join the command's list (explain's values, trace's paths), in order; anything else
    left over is the usage mistake argparse would report."""
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command = subparsers.choices.get(args.command) if args.command else None
    lists = [
        action.dest
        for action in (command._actions if command is not None else [])
        if action.nargs in ("*", "+") and not action.option_strings
    ]
    options = [text for text in extra if text.startswith("-") and not is_number(text)]
    if not lists or options:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    getattr(args, lists[0]).extend(extra)


def console() -> NoReturn:
    """The ``glassnet`` program (``python -m glassnet`` too): ``main``, then exit with its
    status. Once the command has finished, Ctrl-C is ignored: a late one would otherwise
    break into Python's shutdown with a traceback, after the work was done."""
    try:
        status = main()
    except KeyboardInterrupt:  # a Ctrl-C on the way out of main: the command was stopped
        status = 130
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(status)
