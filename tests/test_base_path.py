"""A project site served under ``/repo/``: every internal URL of every page must resolve."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

BASE_URL = "https://example.github.io/repo/"

#: (tag, attribute) pairs that load or link to a URL.
URL_ATTRIBUTES = {
    ("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"), ("script", "src"),
    ("source", "src"), ("video", "src"), ("video", "poster"), ("audio", "src"), ("track", "src"),
    ("iframe", "src"), ("embed", "src"), ("object", "data"), ("input", "src"), ("form", "action"),
    ("use", "href"), ("image", "href"), ("use", "xlink:href"), ("image", "xlink:href"),
}
SRCSET_TAGS = {"img", "source"}
JSON_TYPES = {"application/json", "application/ld+json"}
JSON_URL_KEYS = {"url", "href", "src", "link", "image", "icon", "logo", "thumbnail", "thumbnailurl", "contenturl"}
#: Meta tags whose content is a URL (Open Graph, Twitter cards).
URL_META = {"og:url", "og:image", "og:image:url", "og:image:secure_url", "og:audio", "og:video", "twitter:image"}
#: data-* attribute values that look like a path to a file, e.g. a graph's JSON.
FILE_LIKE = re.compile(r"^(?:/|\./|\.\./|https?://)\S*$|^[\w.-]+(?:/[\w.-]+)*\.(?:json|js|css|svg|png|jpe?g|gif|webp|avif|xml|html)$")
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
XML_TYPES = {"application/xml", "text/xml", "application/atom+xml", "application/rss+xml"}
SKIPPED_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "blob:", "about:")


class LinkCollector(HTMLParser):
    """Every URL an HTML page links to or loads, with a description of where it was."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []  # (url as written, where)
        self.base: str | None = None
        self._in_style = False
        self._json_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs if value is not None}
        if tag == "base" and "href" in values:
            self.base = values["href"]
        for name, value in values.items():
            if (tag, name) in URL_ATTRIBUTES:
                self.found.append((value, f"<{tag} {name}>"))
            elif name == "srcset" and tag in SRCSET_TAGS:
                for candidate in value.split(","):
                    if candidate.strip():
                        self.found.append((candidate.split()[0], f"<{tag} srcset>"))
            elif name.startswith("data-") and FILE_LIKE.match(value.strip()):
                self.found.append((value.strip(), f"<{tag} {name}>"))
            elif name == "style":
                self.found.extend((url, f"<{tag} style>") for url in css_urls(value))
        if tag == "meta":
            key = values.get("property") or values.get("name") or ""
            if key in URL_META and values.get("content"):
                self.found.append((values["content"], f'<meta property="{key}">'))
        self._in_style = tag == "style"
        self._json_script = values.get("id", "?") if tag == "script" and values.get("type") in JSON_TYPES else None

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False
        self._json_script = None

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend((url, "<style>") for url in css_urls(data))
        elif self._json_script is not None:
            # Graph data and JSON-LD: the URLs a script will open (a person's page on click).
            where = f"<script id={self._json_script}> JSON"
            self.found.extend((url, f"{where} {key!r}") for key, url in json_urls(json.loads(data)))


def json_urls(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """(key, URL) for every string in a JSON value that is a URL: under a URL-ish key, or our address."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from json_urls(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from json_urls(item, key)
    elif isinstance(value, str) and (key.lower() in JSON_URL_KEYS or value.startswith(BASE_URL)):
        yield key, value


def css_urls(text: str) -> list[str]:
    return [match.group(2) or match.group(4) for match in CSS_URL.finditer(text)]


def html_urls(text: str, page_url: str) -> tuple[list[tuple[str, str]], str]:
    """The URLs in an HTML document and the URL relative ones resolve against."""
    collector = LinkCollector()
    collector.feed(text)
    collector.close()
    base = urljoin(page_url, collector.base) if collector.base else page_url
    return collector.found, base


def xml_urls(text: str, doc_url: str) -> list[tuple[str, str]]:
    """URLs in a feed (Atom or RSS) or a sitemap, absolute, including those inside entry HTML."""
    root = ET.fromstring(text)
    found: list[tuple[str, str]] = []
    xml_base = "{http://www.w3.org/XML/1998/namespace}base"

    def walk(element: ET.Element, base: str) -> None:
        base = urljoin(base, element.get(xml_base)) if element.get(xml_base) else base
        name = element.tag.rsplit("}", 1)[-1]
        for attribute in ("href", "src", "url", "uri"):
            if element.get(attribute):
                found.append((urljoin(base, element.get(attribute)), f"<{name} {attribute}>"))
        body = (element.text or "").strip()
        if name in {"loc", "link", "uri", "icon", "logo", "url", "comments"} and body:
            found.append((urljoin(base, body), f"<{name}>"))
        if name in {"content", "summary", "description", "encoded"} and body:
            # Entry HTML: relative links in it resolve against xml:base or the feed's own URL,
            # which is exactly where links that ignore the base path break in feed readers.
            urls, html_base = html_urls(body, base)
            found.extend((urljoin(html_base, url), f"<{name}> HTML {where}") for url, where in urls)
        for child in element:
            walk(child, base)

    walk(root, doc_url)
    return found


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", b""


def crawl(start: list[str], local_root: str, documents: list[tuple[str, str]] = ()) -> tuple[dict[str, list[str]], int]:
    """Fetch every internal URL reachable from ``start`` (and linked from ``documents``, HTML
    read as if served at a URL); return broken URL -> referrers, and how many pages were read."""
    to_local = lambda url: local_root + url[len(BASE_URL):] if url.startswith(BASE_URL) else url  # noqa: E731
    site_host = urlsplit(BASE_URL).netloc
    local_host = urlsplit(local_root).netloc
    queue = deque((url, "start") for url in start)
    seen: set[str] = set()
    broken: dict[str, list[str]] = {}
    pages = 0

    def follow(found: list[tuple[str, str]], base: str, url: str) -> None:
        for raw, where in found:
            raw = raw.strip()
            if not raw or raw.startswith("#") or raw.lower().startswith(SKIPPED_SCHEMES):
                continue
            target = urldefrag(to_local(urljoin(base, raw)))[0]
            queue.append((target, f"{to_local(url)} {where} {raw!r}"))

    for url, text in documents:
        follow(*html_urls(text, url), url)
    while queue:
        url, referrer = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc == site_host:  # the live address, but outside /repo/: breaks under a project site
            broken.setdefault(url, []).append(referrer)
            continue
        if parts.netloc != local_host or url in seen:
            continue  # another site (not ours to check), or done
        seen.add(url)
        status, kind, body = fetch(url)
        if status != 200:
            broken.setdefault(url, []).append(referrer)
            continue
        if kind == "text/html":
            pages += 1
            follow(*html_urls(body.decode("utf-8"), url), url)
        elif kind in XML_TYPES or parts.path.endswith(".xml"):
            try:
                follow(xml_urls(body.decode("utf-8"), url), url, url)
            except ET.ParseError as error:  # a feed reader would give up on it too
                broken.setdefault(url, []).append(f"{referrer}: not well-formed XML ({error})")
        elif kind == "text/css":
            follow([(css, "url()") for css in css_urls(body.decode("utf-8"))], url, url)
    return broken, pages


#: A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def add_photo(bundle: Path) -> None:
    """Give a story (in a copy of the sample) a cover and an image in its body, if it has none."""
    (bundle / "test-photo.png").write_bytes(PNG)
    post = bundle / "index.md"
    text = post.read_text(encoding="utf-8")
    front, body = text[4:].split("\n---\n", 1)
    if "\ncover:" not in "\n" + front:
        front += "\ncover: test-photo.png\ncover_alt: A test photo"
    post.write_text(f"---\n{front}\n---\n{body}\n![A test photo](test-photo.png)\n", encoding="utf-8")


@pytest.fixture
def built_under_repo(sample_project: Path, tmp_path: Path) -> Path:
    """The sample content, plus a photo in one story, built for production at https://example.github.io/repo/."""
    from generator.build import BuildOptions, build_site

    add_photo(sorted((sample_project / "content" / "stories").iterdir())[0])
    out = tmp_path / "out"
    build_site(
        BuildOptions(
            content_dir=sample_project / "content",
            out_dir=out,
            templates_dir=sample_project / "templates",
            drafts=False,
            base_url=BASE_URL,
        )
    )
    return out


def page_url(root: str, site: Path, page: Path) -> str:
    """The URL a built HTML file is served at: ``stories/x/index.html`` -> ``ROOT/stories/x/``."""
    relative = page.relative_to(site).as_posix()
    return root + (relative[: -len("index.html")] if page.name == "index.html" else relative)


def test_every_internal_url_resolves_under_the_project_path(built_under_repo: Path, static_server):
    server = static_server(built_under_repo, prefix="/repo/")
    pages = [page for page in sorted(built_under_repo.rglob("*.html")) if page.name != "404.html"]
    feeds = sorted(built_under_repo.rglob("*.xml"))
    assert len(pages) >= 3 and feeds, "the sample should build a home page, stories, a feed and a sitemap"
    # GitHub serves 404.html at whatever missing address was asked for, so its links must
    # work from any depth: read it as if it were served deep inside the site.
    not_found = built_under_repo / "404.html"
    documents = [(server.url + "no/such/page/", not_found.read_text(encoding="utf-8"))] if not_found.exists() else []
    start = [server.url, *(page_url(server.url, built_under_repo, page) for page in pages)]
    start += [server.url + feed.relative_to(built_under_repo).as_posix() for feed in feeds]

    broken, crawled = crawl(start, server.url, documents)

    report = "\n".join(f"{url}\n    from {'; '.join(sorted(set(referrers))[:3])}" for url, referrers in sorted(broken.items()))
    assert not broken, f"{len(broken)} broken URL(s) under /repo/:\n{report}"
    assert crawled >= len(pages)


def test_the_crawler_catches_links_that_ignore_the_base_path(tmp_path: Path, static_server):
    site = tmp_path / "bad"
    (site / "css").mkdir(parents=True)
    (site / "css" / "site.css").write_text("body{background:url(../img/missing.png)}", encoding="utf-8")
    (site / "index.html").write_text(
        '<link rel="stylesheet" href="css/site.css"><link rel="canonical" href="https://example.github.io/index.html">'
        '<a href="/stories/">root-relative</a><img src="ok.png" srcset="ok.png 1x, gone.png 2x">'
        '<a href="mailto:a@example.com">mail</a><a href="https://elsewhere.example/">external</a>'
        '<div data-graph="graphs/story.json"></div>'
        '<script type="application/json" id="g">{"nodes": [{"id": "ann", "url": "/people/ann/"}, {"url": "people/"}]}</script>',
        encoding="utf-8",
    )
    (site / "ok.png").write_bytes(b"png")
    (site / "feed.xml").write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="https://example.github.io/repo/"/>'
        '<content type="html">&lt;img src="photo.jpg"&gt;</content></entry></feed>',
        encoding="utf-8",
    )
    server = static_server(site, prefix="/repo/")
    not_found = [(server.url + "deep/missing/", '<link rel="stylesheet" href="css/site.css">')]
    broken, _ = crawl([server.url, server.url + "feed.xml"], server.url, not_found)
    assert {urlsplit(url).path if "127.0.0.1" in url else url for url in broken} == {
        "/repo/img/missing.png",
        "https://example.github.io/index.html",
        "/stories/",
        "/repo/gone.png",
        "/repo/graphs/story.json",
        "/people/ann/",  # a graph node's link that ignores the base path
        "/repo/people/",
        "/repo/photo.jpg",
        "/repo/deep/missing/css/site.css",  # a relative link in 404.html
    }
