"""``introchain serve``: build with drafts, serve, watch, rebuild and live-reload the open pages.

This module is the glue between the generic server (``generator.serve``) and the build
(``generator.build``): it picks the folders, builds into a temporary folder and turns build
errors into the text the browser overlay shows.
"""

from __future__ import annotations

import argparse
import errno
import signal
import socket
import sys
import webbrowser
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from generator.incremental.state import BuildState
from generator.commands.common import add_content_options
from generator.errors import ContentError, ContentErrors, display_path
from generator.scratch import temporary_folder
from generator.search import SEARCH_PATH, BackgroundIndex
from generator.serve import UNCHANGED, Rebuilt, Unchanged
from generator.templates import overrides_folder

if TYPE_CHECKING:
    from generator.build import BuildOptions

EXIT_OK, EXIT_USAGE = 0, 2


#: What the terminal shows when a rebuild only writes a search index made in the background.
SEARCH_READY = Path("(the search index)")


def _port(text: str) -> int:
    """An argparse type: a TCP port number, 0 meaning "any free port"."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, not {port}")
    return port


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the serve options."""
    add_content_options(parser)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=_port, default=8000, help="port to listen on; 0 picks a free one (default: 8000)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also answer requests for this host name (repeatable); by default only the --host address, "
                             "localhost and IP addresses are answered, a guard against DNS rebinding")
    parser.add_argument("--open", action="store_true", help="open the site in the default browser once it is served")
    parser.add_argument("--no-drafts", dest="drafts", action="store_false", help="leave drafts out, as a published build would")


class SiteRebuild:
    """The ``rebuild`` callable given to the server: a build into the served folder.

    The build decides what it can reuse from the digests of what it reads (content, templates,
    each page's context), so the changed paths are only reported: a page is rendered again
    exactly when something it shows changed. ``state`` keeps the last site and manifest in
    memory between builds; each build assembles the next site beside the private folder and swaps it in.
    """

    def __init__(self, content: Path, templates: Path | None, out_dir: Path, drafts: bool, log: Callable[[str], None]):
        self.content = content
        self.templates = templates
        self.out_dir = out_dir
        self.drafts = drafts
        self.base_url: str | None = None
        self._log = log
        self._warnings: tuple[ContentError, ...] = ()
        self._failing = False  # the last build failed: the served site is the last good one, the error stands
        self.cache_dir: Path | None = None
        self.state = BuildState()
        self.swap_guard: Callable[[], AbstractContextManager] | None = None  # the server's lock, held while the new site goes in

    def __call__(self, changed: frozenset[Path]) -> str | Rebuilt | Unchanged | None:
        """Build; None on success (a ``Rebuilt`` when only the search page changed), ``UNCHANGED`` when
        there was nothing to build, else the errors as ``path:line:col: error: message`` lines."""
        if changed == {SEARCH_READY} and self._failing:
            # An index of the last good site, finished while the content is broken: putting it in
            # would report a good build over the author's error. The next good build brings it.
            return UNCHANGED
        self._failing = True  # until the build says otherwise: one that raises has failed too
        error = self._build(changed)
        self._failing = isinstance(error, str)
        return error

    def _build(self, changed: frozenset[Path]) -> str | Rebuilt | None:
        """The build (or, for a finished search index alone, the search files put in) and its outcome."""
        from generator.build import BuildOptions, build_site
        from generator.output_folder import OutputError

        options = BuildOptions(
            content_dir=self.content,
            out_dir=self.out_dir,
            templates_dir=self.templates,
            drafts=self.drafts,
            base_url=self.base_url,
            cache_dir=self.cache_dir,
            private=True,
            swap_guard=self.swap_guard,
        )
        if changed == {SEARCH_READY}:
            # A finished search index changes the search files alone: put them in, keeping every page.
            index = self._write_search_files(options)
            if index is not None:
                return index
        # A finished search index is not a change to the content: it only asks for this build.
        changed = changed - {SEARCH_READY} if SEARCH_READY in changed else changed
        hint = changed or (frozenset() if self.state.manifest is not None else None)
        try:
            # The watcher's paths let the build skip looking at the stories nobody touched.
            report = build_site(options, state=self.state, changed=hint)
        except ContentErrors as errors:
            return errors.format()
        except OutputError as error:
            return f"{display_path(self.out_dir)}: error: {error}"
        except OSError as error:
            # Disk full, a file unreadable mid-save: the build stops, the last good site stays.
            where = display_path(Path(error.filename)) if error.filename else display_path(self.content)
            return f"{where}: error: {error.strerror or error}"
        finally:
            if self.state.search is not None:
                self.state.search.start()  # the search files this build asked for, now that it is done
        self._show_new_warnings(report.warnings)
        return None

    def _write_search_files(self, options: BuildOptions) -> str | Rebuilt | None:
        """The background index put into the served site (``search_update``); None when a whole build is needed.

        Only a browser showing the search page reloads; none does when the index did not change.
        """
        from generator.search_update import write_search_files

        try:
            written = write_search_files(options, self.state)
        except OSError as error:
            return f"{display_path(self.out_dir)}: error: {error.strerror or error}"
        if written is None:
            return None
        history = self.state.history
        assert history is not None
        return Rebuilt(frozenset({f"{history.site.config.base_path}{SEARCH_PATH}"}) if written else frozenset())

    def _show_new_warnings(self, warnings: tuple[ContentError, ...]) -> None:
        # Warnings repeat on every build; print them when they change, not on every save.
        if warnings != self._warnings and warnings:
            for warning in warnings:
                self._log(warning.format())
        self._warnings = warnings


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into the same clean stop as Ctrl-C."""
    raise KeyboardInterrupt


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _bind_error(host: str, port: int, error: OSError) -> str:
    """One line saying why the server could not listen, and what to do."""
    where = f"{host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return f"cannot serve on {where}: the port is already in use; choose another with --port (--port 0 picks a free one)"
    if error.errno == errno.EACCES:
        return f"cannot serve on {where}: permission denied (ports below 1024 need privileges); choose another with --port"
    if error.errno == errno.EADDRNOTAVAIL or isinstance(error, socket.gaierror):
        return f"cannot serve on {where}: no such address on this machine; check --host"
    return f"cannot serve on {where}: {error.strerror or error}"


def exposure_warning(host: str) -> str | None:
    """The warning to print when ``host`` lets other machines in, else None."""
    from generator.serve import is_loopback

    if is_loopback(host):
        return None
    return (
        f"warning: listening on {host}, so other machines on the network can read this site "
        "and its drafts; use --host 127.0.0.1 to keep it to this machine"
    )


def _log(text: str) -> None:
    print(text, flush=True)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C; 0 then, 2 for usage problems (missing folders, port taken)."""

    content: Path = args.content
    if not content.is_dir():
        return _error(f"no content folder at {display_path(content)} (use --content DIR)")
    if args.templates is not None and not args.templates.is_dir():
        return _error(f"no templates folder at {display_path(args.templates)}")
    project = content.resolve().parent
    # None lets the build pick templates/ beside the content folder. That folder is watched
    # even before it exists, so the first `introchain theme copy` rebuilds too; the built-in
    # theme is part of the installed package and does not change while serving.
    templates: Path | None = args.templates
    watched_templates = overrides_folder(content, templates)

    with temporary_folder("introchain-serve-") as scratch:
        code = _serve(args, content, templates, watched_templates, project, scratch)
        if code != EXIT_OK:
            return code
    _log("stopped")
    return EXIT_OK


def _serve(args: argparse.Namespace, content: Path, templates: Path | None, watched_templates: Path, project: Path,
           scratch: Path) -> int:
    """Build into ``scratch`` and serve until Ctrl-C or SIGTERM; 0 then, 2 when the port cannot be had."""
    from generator.incremental.cache import cache_dir_for
    from generator.serve import LiveServer

    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    server: LiveServer | None = None
    index: BackgroundIndex | None = None
    try:
        # The writer owns out_dir and makes its temporary folders beside it: all inside scratch.
        rebuild = SiteRebuild(content, templates, scratch / "site", args.drafts, _log)
        rebuild.cache_dir = cache_dir_for(content)
        try:
            server = LiveServer(
                root=rebuild.out_dir,
                rebuild=rebuild,
                watch=[content, watched_templates],
                # Never rebuild because of our own output, or a build/cache folder in the project.
                ignore=[scratch, project / "site", project / ".cache"],
                host=args.host,
                port=args.port,
                log=_log,
                allowed_hosts=args.allow_host,
            )
        except OSError as error:
            return _error(_bind_error(args.host, args.port, error))
        rebuild.base_url = server.url
        rebuild.swap_guard = server.site_lock.writing
        ready = server.pending.add
        rebuild.state.search = index = BackgroundIndex(lambda: ready([SEARCH_READY]))
        if warning := exposure_warning(args.host):
            print(warning, file=sys.stderr, flush=True)
        drafts = "with drafts" if args.drafts else "without drafts"
        _log(f"building {display_path(content)} {drafts}...")
        server.start()
        _log(f"serving {server.url} (press Ctrl-C to stop)")
        if args.open:
            webbrowser.open(server.url)
        server.wait()
    except KeyboardInterrupt:
        pass  # Ctrl-C is how the author ends serve: a normal stop, handled in finally
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        if server is not None:
            server.stop()  # waits for a build at work, which may be making the first index
        if index is not None:
            index.stop()  # a background index still at work: its Pagefind must not outlive the server
    return EXIT_OK
