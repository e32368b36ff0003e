"""A playground server on 127.0.0.1, serving from a thread, and a small client for it."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from glassnet.cli.playground import trace_text
from glassnet.playground.server import PlaygroundServer, make_server


class Client:
    """Requests to one server: ``call`` sends one and returns (status, decoded body)."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token

    def call(
        self,
        method: str,
        route: str,
        body: Any = None,
        *,
        token: str | None = "",
        host: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """``token=""`` sends the right token in the header; None sends none."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {"Host": host if host is not None else f"127.0.0.1:{self.port}"}
        if token is not None:
            all_headers["X-Glassnet-Token"] = token or self.token
        all_headers.update(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        try:
            connection.request(method, route, body=body, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        kind = response.getheader("Content-Type", "")
        return response.status, json.loads(raw) if kind == "application/json" else raw

    def ok(self, method: str, route: str, body: Any = None) -> Any:
        status, value = self.call(method, route, body)
        assert status == 200, value
        return value


@pytest.fixture
def server() -> Iterator[PlaygroundServer]:
    playground = make_server(trace_text, port=0)
    thread = threading.Thread(target=playground.serve_forever, daemon=True)
    thread.start()
    try:
        yield playground
    finally:
        playground.shutdown()
        playground.server_close()
        thread.join(timeout=10)


@pytest.fixture
def client(server: PlaygroundServer) -> Client:
    return Client(server.port, server.token)
