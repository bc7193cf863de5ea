"""A real HTTP server on 127.0.0.1 that records the webhooks CertDesk posts (issue 12)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class WebhookServer:
    url: str
    received: list[Received] = field(default_factory=list)
    fail_next: int = 0  # answer this many requests with HTTP 500 first
    refused: int = 0


@pytest.fixture
def webhook_server():
    state = WebhookServer(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                failing = state.fail_next > 0
                if failing:
                    state.fail_next -= 1
                    state.refused += 1
                else:
                    state.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                    )
            self.send_response(500 if failing else 200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
