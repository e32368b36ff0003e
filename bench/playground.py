"""Playground play mode: page updates per second for a 2-8-8-1 network on 200 moons points.

One update is what the page asks for in play mode: ``POST /api/step`` (n epochs, the
state comes back) and ``GET /api/grid?size=50`` (the decision boundary, 2,500 outputs, and
the points), over HTTP on 127.0.0.1 to a server started as ``glassnet playground`` starts
it. The browser's drawing is not included. The issue's target: at least 20 updates a second.

Run: ``python -m bench.playground`` (``--seconds 5`` per setting by default).
"""

from __future__ import annotations

import argparse
import http.client
import json
import threading
import time

from glassnet.cli.playground import trace_text
from glassnet.playground.server import make_server


def _request(
    connection: http.client.HTTPConnection,
    token: str,
    method: str,
    route: str,
    body: dict[str, object] | None = None,
) -> object:
    payload = None if body is None else json.dumps(body).encode()
    connection.request(method, route, body=payload, headers={"X-Glassnet-Token": token})
    response = connection.getresponse()
    data = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"{method} {route}: {response.status} {data}")
    return data


def measure(epochs_per_update: int, seconds: float) -> tuple[float, float]:
    """``(updates per second, epochs per second)`` of play mode for ``seconds``."""
    server = make_server(trace_text, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        # one connection, kept alive, as the browser keeps its own
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        settings = {"dataset": "moons", "hidden": [8, 8], "activation": "tanh"}
        _request(connection, server.token, "POST", "/api/configure", settings)
        updates = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            _request(connection, server.token, "POST", "/api/step", {"n": epochs_per_update})
            _request(connection, server.token, "GET", "/api/grid?size=50")
            updates += 1
        elapsed = time.perf_counter() - start
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
    return updates / elapsed, updates * epochs_per_update / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time per setting")
    args = parser.parse_args()
    print("playground play mode, 2-8-8-1 tanh/sigmoid, Adam, 200 moons points, grid 50×50")
    print(f"{'epochs per update':>18} {'updates/s':>10} {'epochs/s':>10}")
    for n in (1, 10, 100):
        rate, epochs = measure(n, args.seconds)
        print(f"{n:>18} {rate:>10.1f} {epochs:>10.0f}")


if __name__ == "__main__":
    main()
