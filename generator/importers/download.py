"""``--download-images``: fetch a post's images so that the story folder holds them.

Each image is fetched whole into memory (with retries and a size limit) and checked to be a
raster image by its first bytes; only then is it planned as a file, so a failed or partial
download never leaves a file behind. The import writes the files only after every post is
planned. What failed is reported, and those images stay links to their old address.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

#: Image kinds kept, by their first bytes. SVG is left out: it can carry scripts.
_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", ".png"), (b"\xff\xd8\xff", ".jpg"), (b"GIF87a", ".gif"), (b"GIF89a", ".gif"))
_IMAGE = re.compile(r"!\[((?:[^\]\\]|\\.)*)\]\((https?://[^)\s]+)\)")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class DownloadError(Exception):
    """An image that could not be fetched, and why."""


def image_kind(data: bytes) -> str:
    """The file suffix for ``data`` (``.png``, ``.jpg``, ``.gif``, ``.webp``, ``.avif``), or "" when it is none of them."""
    for signature, suffix in _SIGNATURES:
        if data.startswith(signature):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return ".avif"
    return ""


@dataclass
class Downloader:
    """Fetches images over HTTP(S) with retries and a size limit, each URL once."""

    max_bytes: int = DEFAULT_MAX_BYTES
    retries: int = 3
    timeout: float = 20.0
    pause: float = 0.5  # seconds before the first retry; doubled each time
    opener: Callable = urllib.request.urlopen
    _done: dict[str, bytes | DownloadError] = field(default_factory=dict)

    def get(self, url: str) -> bytes:
        """The image's bytes; raises ``DownloadError`` with a reason a person can act on."""
        if url not in self._done:
            try:
                self._done[url] = self._fetch(url)
            except DownloadError as err:
                self._done[url] = err
        result = self._done[url]
        if isinstance(result, DownloadError):
            raise result
        return result

    def _fetch(self, url: str) -> bytes:
        pause, last = self.pause, "no attempt"
        for attempt in range(1, self.retries + 1):
            try:
                data = self._once(url)
            except _Retry as err:
                last = str(err)
                if attempt < self.retries:
                    time.sleep(pause)
                    pause *= 2
                continue
            if not image_kind(data):
                raise DownloadError("not a PNG, JPEG, GIF, WebP or AVIF image")
            return data
        raise DownloadError(f"{last} (tried {self.retries} times)")

    def _once(self, url: str) -> bytes:
        request = urllib.request.Request(url, headers={"User-Agent": "introchain-import"})
        try:
            with self.opener(request, timeout=self.timeout) as response:
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    raise DownloadError(f"larger than the limit ({int(length)} bytes > {self.max_bytes})")
                data = response.read(self.max_bytes + 1)
                if len(data) > self.max_bytes:
                    raise DownloadError(f"larger than the limit ({self.max_bytes} bytes)")
                if length and length.isdigit() and len(data) < int(length):
                    raise _Retry(f"cut short after {len(data)} of {length} bytes")
                return data
        except urllib.error.HTTPError as err:
            if err.code >= 500 or err.code == 429:
                raise _Retry(f"HTTP {err.code}") from None
            raise DownloadError(f"HTTP {err.code} {err.reason}") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as err:
            reason = getattr(err, "reason", None) or err
            raise _Retry(f"cannot connect ({reason})") from None


class _Retry(Exception):
    """A failure worth trying again (a timeout, a dropped connection, a server error)."""


def file_name(url: str, suffix: str, taken: set[str]) -> str:
    """A safe, unique file name for an image of the story folder, from its URL."""
    stem = PurePosixPath(unquote(urlsplit(url).path)).stem
    stem = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:60] or "image"
    name, number = f"{stem}{suffix}", 1
    while name in taken:
        number += 1
        name = f"{stem}-{number}{suffix}"
    taken.add(name)
    return name


def localise_images(markdown: str, downloader: Downloader, taken: set[str], failures: list[str],
                    names: dict[str, str]) -> tuple[str, dict[str, bytes]]:
    """``markdown`` with every remote image it can fetch pointing at a file of the folder, and those files.

    ``names`` collects the file name given to each URL.
    """
    files: dict[str, bytes] = {}

    def replace(match: re.Match) -> str:
        url = match.group(2)
        if url not in names:
            try:
                data = downloader.get(url)
            except DownloadError as err:
                failures.append(f"{url}: {err}")
                return match.group(0)
            names[url] = file_name(url, image_kind(data), taken)
            files[names[url]] = data
        return f"![{match.group(1)}]({names[url]})"

    return _IMAGE.sub(replace, markdown), files
