"""``glassnet playground``: a local page to train the article's network, every number live.

Starts the playground's server on 127.0.0.1, prints the page's address (with the run's
token) and opens it in the browser; Ctrl-C stops it. The "this step" panel prints the
trace exactly as ``glassnet trace`` does, so the command hands its printer to the server.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
from typing import TYPE_CHECKING

from glassnet.cli.common import Terminated, UserError

if TYPE_CHECKING:
    from glassnet.glassbox import Trace
    from glassnet.network import Network

HELP = "open a page in the browser to train a network step by step, every number visible"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``[--port N] [--no-browser] [--lang en|ja]``."""
    parser.add_argument(
        "--port",
        type=int,
        default=8765,
        metavar="N",
        help="the port on 127.0.0.1 (default 8765; 0 picks a free one)",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="print the address but open no browser"
    )
    parser.add_argument(
        "--lang", choices=("en", "ja"), default="en", help="the page's language at first"
    )


def trace_text(net: Network, trace: Trace, title: str, lang: str, digits: int) -> str:
    """What ``glassnet trace`` prints for ``trace``, as one string."""
    from glassnet.cli.glassbox_common import print_trace

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        print_trace(net, trace, title, lang, digits)
    return buffer.getvalue()


def run(args: argparse.Namespace) -> int:
    """Serve the page until Ctrl-C; 0 when stopped that way."""
    if not 0 <= args.port <= 65535:
        raise UserError(f"--port must be from 0 to 65535 (0 picks a free port); got {args.port}")
    from glassnet.playground.server import make_server

    try:
        server = make_server(trace_text, port=args.port)
    except OSError as error:
        raise UserError(
            f"cannot listen on 127.0.0.1:{args.port} ({error.strerror}); choose another "
            "--port, or --port 0 for a free one"
        ) from None
    url = server.url(args.lang)
    if args.json:
        from glassnet.cli.common import print_json

        print_json({"url": url, "port": server.port})
    else:
        print(f"glassnet playground: {url}")
        print("press Ctrl-C to stop")
    sys.stdout.flush()
    if not args.no_browser:
        import threading
        import webbrowser

        # in a thread: a console browser (lynx, w3m) would block until it quits
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        server.serve_forever()
    except Terminated:  # kill or a closed terminal: 128 + the signal, as every command
        raise
    except KeyboardInterrupt:  # Ctrl-C is how a server is stopped: done, exit 0
        print("glassnet playground: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
