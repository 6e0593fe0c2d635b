"""GET JSON with the standard library, turning every failure into one ``SnapshotError``.

Plain ``urllib`` is enough for a handful of unauthenticated GETs, and keeps the snapshot
command free of an HTTP client dependency.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from generator import __version__
from generator.snapshot.model import SnapshotError

#: A response larger than this is refused: no real thread comes near it.
MAX_BYTES = 32 * 1024 * 1024
TIMEOUT = 20.0


def _service(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def get_json(url: str, *, timeout: float = TIMEOUT, not_found: str = "") -> Any:
    """The JSON document at ``url``; ``not_found`` is the message for a 404 (else it is a plain HTTP error)."""
    request = urllib.request.Request(url, headers={
        "Accept": "application/json", "User-Agent": f"introchain/{__version__} (snapshot)"})
    service = _service(url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) URLs only, checked by callers
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise _http_error(error, service, not_found) from None
    except (socket.timeout, TimeoutError):
        raise SnapshotError(f"{service} did not answer within {timeout:g} seconds",
                            "try again later; nothing was changed") from None
    except urllib.error.URLError as error:
        reason = error.reason if isinstance(error.reason, str) else getattr(error.reason, "strerror", None) or str(error.reason)
        raise SnapshotError(f"cannot reach {service}: {reason}", "check the address and your connection; nothing was changed") from None
    except OSError as error:
        raise SnapshotError(f"cannot reach {service}: {error.strerror or error}", "nothing was changed") from None
    if len(data) > MAX_BYTES:
        raise SnapshotError(f"{service} sent more than {MAX_BYTES // (1024 * 1024)} MB: the thread is too large to snapshot",
                            "nothing was changed")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        where = f" (line {error.lineno}, column {error.colno})" if isinstance(error, json.JSONDecodeError) else ""
        raise SnapshotError(f"{service} sent a response that is not valid JSON{where}",
                            "is --api-base the service's address? nothing was changed") from None


def _http_error(error: urllib.error.HTTPError, service: str, not_found: str) -> SnapshotError:
    detail = name = ""
    try:
        body = json.loads(error.read(65536).decode("utf-8"))
        if isinstance(body, dict):
            name = str(body.get("error") or "")
            detail = str(body.get("message") or name)[:200]
    except (ValueError, UnicodeDecodeError, OSError):
        pass
    if error.code == 429:
        wait = (error.headers.get("Retry-After") or "").strip()
        when = f"in {wait} seconds" if wait.isdigit() else (f"after {wait}" if wait else "later")
        return SnapshotError(f"{service} is rate-limiting requests (HTTP 429)", f"try again {when}; nothing was changed")
    if not_found and (error.code == 404 or (error.code == 400 and name == "NotFound")):
        return SnapshotError(not_found, "was it deleted? nothing was changed")
    suffix = f": {detail}" if detail else ""
    return SnapshotError(f"{service} answered HTTP {error.code} {error.reason}{suffix}", "nothing was changed")
