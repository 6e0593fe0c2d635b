"""A loopback HTTP server that replays recorded API responses, for the snapshot tests."""

from __future__ import annotations

import http.server
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "snapshot"


@dataclass
class Reply:
    """One canned answer: a status, a body (bytes, or an object sent as JSON), headers, and an optional delay."""

    body: object = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8")


def fixture(relative: str) -> Reply:
    """A recorded response file from tests/fixtures/snapshot/, as a 200 answer."""
    return Reply((FIXTURES / relative).read_bytes())


class ReplayServer:
    """Answers each path from ``routes`` (path -> Reply), 404 otherwise; records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.requests: list[tuple[str, dict[str, list[str]]]] = []
        replay = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                parts = urlsplit(self.path)
                replay.requests.append((parts.path, parse_qs(parts.query)))
                reply = replay.routes.get(parts.path, Reply({"error": "NotFound", "message": "no such route"}, 404))
                if reply.delay:
                    time.sleep(reply.delay)
                data = reply.payload()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
