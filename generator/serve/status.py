"""The state of the served site after each build, and a way for threads to wait for the next one."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class SiteStatus:
    """A snapshot of the builds so far, as sent to every browser.

    ``version`` grows with every finished build, good or bad. ``site_build`` is the number of
    the last good build (what the output folder holds; 0 before the first). ``reload_build`` is
    the last good build that needs a full page reload, i.e. one that was not stylesheet-only;
    ``stylesheets`` names the stylesheets changed by the good builds since then, and
    ``stylesheet_build`` is the last of those builds. ``page_builds`` lists, since
    ``reload_build``, the builds that changed only some pages: each page's URL path with the
    last such build that changed it (a browser showing another page stays as it is). ``error`` is
    the text of the last build's failure, None when it succeeded. ``instance`` tells one server
    run from the next, so a page left open across a restart reloads.
    """

    instance: str
    version: int = 0
    site_build: int = 0
    reload_build: int = 0
    stylesheets: tuple[str, ...] = ()
    stylesheet_build: int = 0
    page_builds: tuple[tuple[str, int], ...] = ()
    error: str | None = None

    def to_json(self) -> str:
        """The snapshot as the JSON the reload client reads."""
        return json.dumps(
            {
                "instance": self.instance,
                "version": self.version,
                "site_build": self.site_build,
                "reload_build": self.reload_build,
                "stylesheets": list(self.stylesheets),
                "stylesheet_build": self.stylesheet_build,
                "page_builds": [list(entry) for entry in self.page_builds],
                "error": self.error,
            }
        )


class StatusBoard:
    """Holds the current :class:`SiteStatus`; builders publish, request handlers wait for news."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._status = SiteStatus(instance=secrets.token_hex(6))
        self._closed = False

    def current(self) -> SiteStatus:
        """The latest snapshot."""
        with self._changed:
            return self._status

    def publish_success(self, stylesheets: Iterable[str] | None, pages: Iterable[str] | None = None) -> SiteStatus:
        """Record a good build.

        ``stylesheets`` lists the changed stylesheets when only they changed; ``pages`` the URL
        paths of the pages that changed when only they did (none: no page reloads).
        """
        with self._changed:
            old = self._status
            build = old.site_build + 1
            if stylesheets is not None:
                names = tuple(sorted(set(old.stylesheets) | set(stylesheets)))
                new = replace(old, version=old.version + 1, site_build=build, stylesheets=names, stylesheet_build=build,
                              error=None)
            elif pages is not None:
                builds = dict(old.page_builds) | dict.fromkeys(pages, build)
                new = replace(old, version=old.version + 1, site_build=build, page_builds=tuple(sorted(builds.items())),
                              error=None)
            else:
                new = replace(old, version=old.version + 1, site_build=build, reload_build=build, stylesheets=(),
                              page_builds=(), error=None)
            self._status = new
            self._changed.notify_all()
            return new

    def publish_failure(self, error: str) -> SiteStatus:
        """Record a failed build: the output folder still holds the last good site."""
        with self._changed:
            self._status = replace(self._status, version=self._status.version + 1, error=error)
            self._changed.notify_all()
            return self._status

    def wait_newer(self, version: int, timeout: float) -> SiteStatus | None:
        """Wait up to ``timeout`` s for a snapshot newer than ``version``.

        Returns the latest snapshot (which may still be ``version`` after a timeout), or None
        once the board is closed. Intermediate builds collapse into the latest snapshot, which
        is why a snapshot carries everything a client needs to catch up.
        """
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._status.version > version, timeout)
            return None if self._closed else self._status

    def close(self) -> None:
        """Wake every waiter for good: the server is stopping."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        with self._changed:
            return self._closed
