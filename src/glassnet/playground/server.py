"""The playground's local web server: the page, its assets, and the JSON API.

Built on the standard library's ``http.server`` (one learner, one machine: a threading
server is enough, and the playground needs no extra to install). Safety, as a local server
must have it:

- it binds 127.0.0.1 (``[::1]`` only if asked) and answers only requests whose Host header
  is ``127.0.0.1:PORT``, ``localhost:PORT`` or ``[::1]:PORT``, so a web page elsewhere
  cannot reach it through DNS rebinding;
- every ``/api/`` call needs the per-run token printed with the URL (query ``token=`` or
  header ``X-Glassnet-Token``), compared in constant time;
- request bodies need a Content-Length, are capped (``MAX_JSON`` for settings,
  ``MAX_UPLOAD`` for files) and read under a socket timeout;
- every bad request gets a 4xx answer ``{"error": "one line"}`` and the server keeps
  serving; an internal error's details (which may name files) go to the terminal only.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import sys
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from glassnet.playground.session import Session, TraceText
from glassnet.serialization import to_jsonable

MAX_JSON = 64 * 1024
"""Largest settings or step request, in bytes."""
MAX_UPLOAD = 2 * 1024 * 1024
"""Largest uploaded CSV or model file, in bytes."""
TIMEOUT_S = 10.0
"""A client that sends nothing for this long is disconnected, freeing its thread."""
TOKEN_HEADER = "X-Glassnet-Token"

_ASSET = re.compile(r"^/static/([a-z0-9_-]{1,64}\.(?:js|css|html|svg))$")
_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "svg": "image/svg+xml",
}


class RequestError(Exception):
    """A bad request: its HTTP status and the one-line message the page shows."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


class PlaygroundServer(ThreadingHTTPServer):
    """A threading HTTP server holding one ``Session``, its lock and the run's token."""

    daemon_threads = True
    """Threads still serving a slow client do not hold up Ctrl-C."""
    request_queue_size = 64
    """Connections waiting to be accepted: a burst of requests is queued, not refused."""

    def __init__(
        self, session: Session, *, port: int = 0, host: str = "127.0.0.1", token: str | None = None
    ) -> None:
        super().__init__((host, port), Handler)
        self.session = session
        self.lock = threading.Lock()
        self.timeout_s = TIMEOUT_S
        self.token = token if token is not None else secrets.token_urlsafe(24)
        self.port = int(self.server_address[1])
        self.allowed_hosts = {f"{name}:{self.port}" for name in ("127.0.0.1", "localhost", "[::1]")}

    def url(self, lang: str = "en") -> str:
        """The page's address with the token (and ``lang=ja`` when asked)."""
        extra = "&lang=ja" if lang == "ja" else ""
        return f"http://127.0.0.1:{self.port}/?token={self.token}{extra}"


class Handler(BaseHTTPRequestHandler):
    """One request: check the host, the token and the body, then call the session."""

    server: PlaygroundServer
    protocol_version = "HTTP/1.1"
    server_version = "glassnet-playground"

    def setup(self) -> None:
        # the socket timeout, so a silent client frees its thread
        self.timeout = self.server.timeout_s  # type: ignore[misc]
        super().setup()
        # answers go out at once: waiting to fill a packet (Nagle) against the client's
        # delayed ACK costs 40 ms an answer, half of play mode's time
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the URL, not a line per request."""

    # ----- entry points -------------------------------------------------------------------
    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

    def do_HEAD(self) -> None:
        # answered as GET, headers only (``_send`` writes no body for HEAD): a body after
        # a HEAD answer would be read as the start of the next answer on this connection
        self._handle("GET")

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, headers too long, an
        unknown method) as JSON too; an unknown method is 405, as a known unserved one."""
        status = HTTPStatus.METHOD_NOT_ALLOWED if code == HTTPStatus.NOT_IMPLEMENTED else code
        self.close_connection = True
        # a request line too broken to name its version still gets a status line
        self.request_version = (
            "HTTP/1.0" if self.request_version == "HTTP/0.9" else self.request_version
        )
        self._send_json({"error": message or HTTPStatus(status).phrase}, HTTPStatus(status))

    def _handle(self, method: str) -> None:
        self.body_read = False
        try:
            self._handle_checked(method)
        finally:
            if not self.body_read and self.headers.get("Content-Length", "0") != "0":
                # a body left unread would be taken for the next request on this connection
                self.close_connection = True

    def _handle_checked(self, method: str) -> None:
        try:
            self._check_host()
            parts = urlsplit(self.path)
            query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
            if parts.path.startswith("/api/"):
                self._check_token(query)
                self._api(method, parts.path[len("/api/") :], query)
            elif method == "GET":
                self._asset(parts.path)
            else:
                raise RequestError(HTTPStatus.METHOD_NOT_ALLOWED, f"{method} is not served here")
        except RequestError as error:
            self._send_json({"error": str(error)}, error.status)
        except (TimeoutError, ConnectionError):
            self.close_connection = True
        except MemoryError:
            self.close_connection = True
            self._send_json(
                {
                    "error": "out of memory: this request needs more than the machine has; use a "
                    "smaller table or network"
                },
                HTTPStatus.SERVICE_UNAVAILABLE,
            )
        except BaseException as error:  # the server keeps serving whatever went wrong
            if isinstance(error, (KeyboardInterrupt, SystemExit)):
                raise
            # (a Rust panic in a reader, pyo3's PanicException, is a BaseException)
            # the details (which may name files on this machine) go to the terminal only
            traceback.print_exception(error, file=sys.stderr)
            self.close_connection = True
            self._send_json(
                {
                    "error": f"internal error ({type(error).__name__}); the details are in the "
                    "terminal that runs glassnet playground"
                },
                HTTPStatus.INTERNAL_SERVER_ERROR,
            )

    # ----- checks -------------------------------------------------------------------------
    def _check_host(self) -> None:
        host = self.headers.get("Host", "")
        if host not in self.server.allowed_hosts:
            self.close_connection = True
            raise RequestError(
                HTTPStatus.FORBIDDEN,
                f"Host {host!r} is not this playground; open http://127.0.0.1:{self.server.port}/",
            )

    def _check_token(self, query: dict[str, str]) -> None:
        given = self.headers.get(TOKEN_HEADER) or query.get("token", "")
        if not secrets.compare_digest(given.encode(), self.server.token.encode()):
            self.close_connection = True
            raise RequestError(
                HTTPStatus.FORBIDDEN,
                "missing or wrong token; open the URL glassnet playground printed (with ?token=)",
            )

    def _body(self, limit: int) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            raise RequestError(HTTPStatus.LENGTH_REQUIRED, "send a Content-Length, not chunks")
        text = self.headers.get("Content-Length")
        if text is None:
            return b""
        if not (text.isascii() and text.isdigit()):  # "²" is a digit to str.isdigit
            self.close_connection = True
            raise RequestError(HTTPStatus.BAD_REQUEST, f"bad Content-Length {text!r}")
        length = int(text)
        if length > limit:
            # the body is left unread: close the connection rather than drain it
            self.close_connection = True
            size, most = _size(length), _size(limit)
            if size == most:  # "the request is 2 MB; at most 2 MB": said in bytes
                size, most = f"{length:,} bytes", f"{limit:,} bytes"
            raise RequestError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request is {size}; at most {most} are accepted here",
            )
        body = self.rfile.read(length)
        self.body_read = True
        if len(body) < length:
            self.close_connection = True
            raise RequestError(HTTPStatus.BAD_REQUEST, "the request body ended early")
        return body

    def _json_body(self) -> dict[str, Any]:
        body = self._body(MAX_JSON)
        if not body.strip():
            return {}
        try:
            value = json.loads(body)
        except (ValueError, RecursionError) as error:  # JSONDecodeError, too many digits
            raise RequestError(
                HTTPStatus.BAD_REQUEST, f"the body is not JSON: {_line(error)}"
            ) from None
        if not isinstance(value, dict):
            raise RequestError(
                HTTPStatus.BAD_REQUEST,
                f"the body must be a JSON object; got {type(value).__name__}",
            )
        return value

    # ----- routes -------------------------------------------------------------------------
    def _api(self, method: str, route: str, query: dict[str, str]) -> None:
        expected = ROUTES.get(route)
        if expected is None:
            raise RequestError(
                HTTPStatus.NOT_FOUND, f"no API call {route!r}; calls: {', '.join(ROUTES)}"
            )
        if method != expected:
            raise RequestError(
                HTTPStatus.METHOD_NOT_ALLOWED, f"/api/{route} takes {expected}, not {method}"
            )
        # read the body before taking the lock, so a slow sender holds up nobody else
        body: Any = None
        if route in ("upload", "load"):
            body = self._body(MAX_UPLOAD)
        elif method == "POST":
            body = self._json_body()
        with self.server.lock:
            try:
                result = self._call(route, query, body)
            except (ValueError, OverflowError) as error:
                raise RequestError(HTTPStatus.BAD_REQUEST, _line(error)) from None
            except LookupError as error:
                raise RequestError(HTTPStatus.CONFLICT, _line(error)) from None
        if isinstance(result, bytes):
            session = self.server.session
            name = f"playground-{session.data.name}-epoch{session.epoch}.safetensors"
            self._send(result, "application/octet-stream", filename=name)
        else:
            self._send_json(result, HTTPStatus.OK)

    def _call(self, route: str, query: dict[str, str], body: Any) -> Any:
        session = self.server.session
        if route == "state":
            return session.state()
        if route == "step":
            stopped = session.step(body.get("n", 1))
            return {**session.state(), "stopped": stopped}
        if route == "reset":
            session.reset()
            return session.state()
        if route == "configure":
            notice = session.configure(body)
            return {**session.state(), "notice": notice}
        if route == "trace":
            return session.trace(query.get("lang", "en"), _query_int(query, "digits", 8))
        if route == "gradcheck":
            return session.gradcheck()
        if route == "grid":
            return session.grid(_query_int(query, "size", 48))
        if route == "neuron":
            return session.neuron(_query_int(query, "layer", 1), _query_int(query, "unit", 0))
        if route == "upload":
            session.upload(body, query.get("target"))
            return session.state()
        if route == "save":
            return session.save_bytes()
        assert route == "load"
        session.load_bytes(body)
        return session.state()

    def _asset(self, path: str) -> None:
        if path in ("/", "/index.html"):
            name = "index.html"
        else:
            match = _ASSET.match(path)
            if match is None:
                raise RequestError(HTTPStatus.NOT_FOUND, f"nothing at {path[:100]}")
            name = match.group(1)
        asset = resources.files("glassnet.playground") / "static" / name
        try:
            body = asset.read_bytes()
        except OSError:  # missing, or a name the file system refuses: never echo its path
            raise RequestError(HTTPStatus.NOT_FOUND, f"nothing at {path}") from None
        self._send(body, _TYPES[name.rsplit(".", 1)[1]])

    # ----- answers ------------------------------------------------------------------------
    def _send_json(self, value: Any, status: HTTPStatus) -> None:
        body = json.dumps(to_jsonable(value), allow_nan=False, separators=(",", ":")).encode()
        self._send(body, "application/json", status=status)

    def _send(
        self,
        body: bytes,
        content_type: str,
        *,
        filename: str | None = None,
        status: HTTPStatus = HTTPStatus.OK,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            if filename is not None:
                self.send_header("Content-Disposition", f'attachment; filename="{filename}"')
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (TimeoutError, ConnectionError):
            self.close_connection = True


ROUTES = {
    "state": "GET",
    "step": "POST",
    "reset": "POST",
    "configure": "POST",
    "trace": "GET",
    "gradcheck": "POST",
    "grid": "GET",
    "neuron": "GET",
    "upload": "POST",
    "save": "GET",
    "load": "POST",
}
"""Each API call and the one method it takes."""


def _query_int(query: dict[str, str], name: str, default: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise RequestError(
            HTTPStatus.BAD_REQUEST, f"{name} must be a whole number; got {text!r}"
        ) from None


def _size(n_bytes: int) -> str:
    """A request's size as people read it: "3.2 MB", "70 KB"."""
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{-(-n_bytes // 1024)} KB"


def _line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def make_server(
    trace_text: TraceText, *, port: int = 0, host: str = "127.0.0.1", token: str | None = None
) -> PlaygroundServer:
    """A server with a fresh session on the article's network, bound but not yet serving."""
    return PlaygroundServer(Session(trace_text), port=port, host=host, token=token)
