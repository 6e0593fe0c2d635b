"""HTTP request handler: static files from the output folder, the reload client and its event stream."""

from __future__ import annotations

import ipaddress
import mimetypes
import os
import shutil
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from importlib import resources
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from generator.regular import open_regular
from generator.serve import pages, paths
from generator.serve.sitelock import SiteLock
from generator.serve.status import SiteStatus, StatusBoard

#: Seconds between keep-alive comments on an idle event stream; a write to a closed tab fails
#: then, which is how the stream's thread learns the browser went away.
KEEPALIVE_SECONDS = 15.0

#: Extensions the stdlib table may lack or get wrong on some systems.
_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff2": "font/woff2",
    ".ico": "image/x-icon",
    ".txt": "text/plain",
}


@dataclass(frozen=True)
class ServeContext:
    """What every request needs: the folder to serve, the build status, the lock over the folder
    and the Host names to answer (besides loopback names and IP addresses)."""

    root: Path
    status: StatusBoard
    client_js: bytes
    site_lock: SiteLock = field(default_factory=SiteLock)
    allowed_hosts: frozenset[str] = frozenset()


def host_allowed(header: str | None, allowed: frozenset[str]) -> bool:
    """Whether to answer a request with this ``Host`` header: the guard against DNS rebinding.

    A page on another site can make its own name resolve to 127.0.0.1 and then read
    whatever this server answers; its requests still carry its own name as Host. So only
    names that cannot be rebound are answered: ``localhost`` (and ``*.localhost``, which
    browsers resolve to loopback themselves), IP addresses, and the names in ``allowed``
    (the address serve was started on, and any ``--allow-host``). A request without a Host
    header cannot come from a browser (every browser sends one), so it is no rebinding
    attempt: HTTP/1.0 tools are answered.
    """
    if header is None:
        return True
    host = header.strip().lower()
    if host.startswith("["):
        name = host[1 : host.find("]")] if "]" in host else ""
    else:
        name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.rstrip(".")
    if not name:
        return False
    if name in allowed or name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def load_client_js() -> bytes:
    """The reload client, a static file shipped in this package."""
    return resources.files("generator.serve").joinpath("livereload.js").read_bytes()


def content_type(path: Path) -> str:
    """The Content-Type to send for ``path``, with a charset for text."""
    kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/json", "application/xml", "image/svg+xml"):
        kind += "; charset=utf-8"
    return kind


class LiveReloadHandler(BaseHTTPRequestHandler):
    """Serves the output folder read-only; injects the reload tag into HTML; streams build status.

    HTTP/1.0 (one request per connection) keeps the thread-per-connection model simple: no idle
    keep-alive connections hold threads, and a stopping server only waits for event streams,
    which it wakes itself.
    """

    server_version = "introchain-serve"
    protocol_version = "HTTP/1.0"
    #: Seconds to wait for a request line; ends connections a browser opens speculatively and never uses.
    timeout = 30

    @property
    def context(self) -> ServeContext:
        """The context of the server this handler works for."""
        context: ServeContext = getattr(self.server, "context")
        return context

    def log_message(self, format: str, *args: object) -> None:
        """Say nothing per request: the terminal shows one line per rebuild, not an access log."""

    def do_HEAD(self) -> None:
        """Like GET, without the body."""
        self._respond(send_body=False)

    def do_GET(self) -> None:
        """Serve a file, the reload client or the event stream."""
        self._respond(send_body=True)

    def _respond(self, send_body: bool) -> None:
        if not host_allowed(self.headers.get("Host"), self.context.allowed_hosts):
            body = (b"introchain serve does not answer requests for this host name (a guard against DNS "
                    b"rebinding). Open the address serve printed, or start it with --allow-host NAME.\n")
            self._send_bytes(body, "text/plain; charset=utf-8", HTTPStatus.MISDIRECTED_REQUEST, send_body)
            return
        path = urlsplit(self.path).path
        if path.startswith(pages.PREFIX):
            self._reserved(path, send_body)
            return
        # One version of the site per request: the status, the lookup and the opening of the
        # file happen while no build is swapping files in. The status is read first, so a page
        # never claims a build newer than its content (the client would miss a reload).
        with self.context.site_lock.reading():
            status = self.context.status.current()
            target = paths.resolve(self.context.root, self.path)
            if target.redirect is None:
                found = self._open(target.file) or self._open(self.context.root / "404.html")
        if target.redirect is not None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", target.redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if found is None:
            body = pages.not_found_page(urlsplit(self.path).path, status.error)
            self._send_html(body, HTTPStatus.NOT_FOUND, status, send_body)
            return
        file, stream = found
        code = HTTPStatus.OK if file == target.file else HTTPStatus.NOT_FOUND
        with stream:
            kind = content_type(file)
            if kind.startswith("text/html"):
                self._send_html(stream.read(), code, status, send_body)
                return
            size = stream.seek(0, 2)
            stream.seek(0)
            self._headers(code, kind, size)
            if send_body:
                shutil.copyfileobj(stream, self.wfile)

    @staticmethod
    def _open(file: Path | None) -> tuple[Path, BinaryIO] | None:
        """The file and a stream of it, or None when there is none (or it is not a regular file)."""
        if file is None:
            return None
        try:
            return file, os.fdopen(open_regular(file), "rb")
        except OSError:
            return None

    def _reserved(self, path: str, send_body: bool) -> None:
        if path == pages.SCRIPT_URL:
            self._send_bytes(self.context.client_js, "text/javascript; charset=utf-8", HTTPStatus.OK, send_body)
        elif path == pages.EVENTS_URL and send_body:
            self._event_stream()
        else:
            self._send_bytes(b"not found\n", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND, send_body)

    def _send_html(self, body: bytes, code: HTTPStatus, status: SiteStatus, send_body: bool) -> None:
        tagged = pages.inject(body, pages.script_tag(status.instance, status.site_build))
        self._send_bytes(tagged, "text/html; charset=utf-8", code, send_body)

    def _send_bytes(self, body: bytes, kind: str, code: HTTPStatus, send_body: bool) -> None:
        self._headers(code, kind, len(body))
        if send_body:
            self.wfile.write(body)

    def _headers(self, code: HTTPStatus, kind: str, length: int) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(length))
        # Every save changes files under the same URLs: never let the browser reuse an old copy.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()

    def _event_stream(self) -> None:
        """Server-Sent Events: the current status at once, then every new one until the server stops."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        board = self.context.status
        status = board.current()
        # retry: reconnect quickly after a restart of the server.
        self._write_event(f"retry: 1000\nevent: status\ndata: {status.to_json()}\n\n")
        while True:
            newer = board.wait_newer(status.version, KEEPALIVE_SECONDS)
            if newer is None:
                return
            if newer.version == status.version:
                self._write_event(": keep-alive\n\n")
            else:
                status = newer
                self._write_event(f"event: status\ndata: {status.to_json()}\n\n")

    def _write_event(self, text: str) -> None:
        self.wfile.write(text.encode("utf-8"))
        self.wfile.flush()
