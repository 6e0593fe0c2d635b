"""The live-reload server: an HTTP server, a watcher and a builder, started and stopped together."""

from __future__ import annotations

import ipaddress
import socket
import socketserver
import sys
import threading
from collections.abc import Callable, Sequence
from http.server import ThreadingHTTPServer
from pathlib import Path

from generator.serve.builder import Builder, RebuildFn
from generator.serve.handler import LiveReloadHandler, ServeContext, load_client_js
from generator.serve.sitelock import SiteLock
from generator.serve.status import StatusBoard
from generator.serve.watcher import STEP_MS, PendingChanges, Watcher

#: How often the main thread wakes while serving, to run a Ctrl-C handler (see ``LiveServer.wait``).
WAKE_SECONDS = 0.2


def _print_line(text: str) -> None:
    print(text, flush=True)


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """True for "all interfaces" addresses (0.0.0.0, ::)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that can end its open connections when it stops.

    Handler threads are not daemons and are joined on close, so no thread outlives the server;
    to make that join quick, closing first shuts down every open connection's socket.
    """

    daemon_threads = False
    block_on_close = True
    # Each open page keeps an event stream: with the stdlib's backlog of 5, a burst of page
    # loads beside a hundred open tabs overflowed the accept queue and some got no reply.
    request_queue_size = 1024

    def __init__(self, address: tuple[str, int], context: ServeContext) -> None:
        self.context = context
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._stopping = threading.Event()
        super().__init__(address, LiveReloadHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's full DNS name, which can stall for seconds
        # on a machine without DNS; nothing here uses it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: object) -> None:
        """A browser closing a tab mid-response is normal; anything else is a bug worth printing."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)) or self._stopping.is_set():
            return
        super().handle_error(request, client_address)

    def server_close(self) -> None:
        self._stopping.set()
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its handler: nothing left to end
        super().server_close()


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class LiveServer:
    """Serves ``root`` and rebuilds it with ``rebuild`` whenever a path under ``watch`` changes.

    Binding happens in the constructor (so :attr:`port` is known before the first build and
    an ``OSError`` such as "address in use" surfaces at once). :meth:`start` runs the first build
    and starts the threads; :meth:`stop` ends them all. Generic: it knows folders and a callable,
    nothing about what is built.
    """

    def __init__(
        self,
        root: Path,
        rebuild: RebuildFn,
        watch: Sequence[Path],
        ignore: Sequence[Path] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        log: Callable[[str], None] = _print_line,
        step_ms: int = STEP_MS,
        allowed_hosts: Sequence[str] = (),
    ) -> None:
        self.root = root
        self.host = host
        self.log = log
        self.status = StatusBoard()
        self.pending = PendingChanges()
        server_class = _HTTPServer6 if ":" in host else _HTTPServer
        #: Held by ``rebuild`` while it swaps files into ``root`` (see ``SiteLock``).
        self.site_lock = SiteLock()
        names = frozenset(name.lower().strip("[]").rstrip(".") for name in (host, *allowed_hosts))
        context = ServeContext(root, self.status, load_client_js(), self.site_lock, names)
        self._http = server_class((host.strip("[]"), port), context)
        self.port: int = self._http.server_address[1]
        self._watcher = Watcher(watch, ignore, self.pending.add, log, step_ms=step_ms)
        self._builder = Builder(rebuild, self.pending, self.status, log)
        self._http_thread = threading.Thread(
            # A short poll interval makes stop() quick: shutdown() waits for the loop to look.
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="introchain-http", daemon=True
        )
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host = "127.0.0.1" if is_wildcard(self.host) else self.host.strip("[]")
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        """Watch, run the first build here, then serve and rebuild in background threads.

        The watcher starts before the first build so an edit made during it is built next; the
        server starts even when the first build fails (pages then show the error).
        """
        if not self._watcher.start():
            self.log("warning: the file watcher is slow to start; edits in the next moments may be missed")
        self._builder.build_once(frozenset())
        self._builder.start()
        self._http_thread.start()

    def wait(self) -> None:
        """Block until :meth:`stop` is called from another thread (or Ctrl-C interrupts)."""
        # Python runs signal handlers in the main thread only, and Linux may deliver Ctrl-C to
        # any thread (the watcher's, a handler's). A main thread blocked without a timeout
        # would then not see it until something else woke it: the server ignored Ctrl-C.
        # Waking a few times a second lets the interrupt through.
        while not self._stopped.wait(WAKE_SECONDS):
            pass

    def stop(self) -> None:
        """Stop watching, building and serving; wait for every thread. Safe to call twice."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._watcher.stop()
        self.pending.close()
        self._builder.join()
        self.status.close()
        if self._http_thread.is_alive():
            self._http.shutdown()
            self._http_thread.join()
        self._http.server_close()

    def __enter__(self) -> LiveServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
