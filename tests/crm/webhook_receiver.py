"""A real HTTP receiver for Art. 19 notices: a threaded http.server on 127.0.0.1 that verifies signatures.

It answers each POST with the next status code of its script (the last one repeats) and keeps what it
received, so a test sees exactly what a recipient's tool would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]  # names in lower case: HTTP header names are case-insensitive
    body: bytes

    def header(self, name: str) -> str:
        return self.headers[name.lower()]

    @property
    def notice(self) -> dict[str, Any]:
        return json.loads(self.body)

    def signature_valid(self, secret: str) -> bool:
        """The recipe the README gives receivers: HMAC-SHA256 over `<timestamp>.<raw body>`."""
        timestamp = self.header("X-CRM-Timestamp")
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(self.header("X-CRM-Signature"), f"sha256={expected}")


@dataclass
class Receiver:
    url: str
    script: list[int]
    received: list[Received] = field(default_factory=list)


@contextmanager
def receiving(*statuses: int) -> Iterator[Receiver]:
    receiver = Receiver(url="", script=list(statuses) or [200])
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with lock:
                receiver.received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                index = min(len(receiver.received), len(receiver.script)) - 1
                status = receiver.script[index]
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/art19"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
