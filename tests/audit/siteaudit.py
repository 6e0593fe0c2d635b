"""The site audit, part one: the checkers, the sample site served as GitHub Pages serves it, and
the Nu Html Checker over it (browsercheck.py has axe-core and Lighthouse).

Shared by ``tests/audit/run`` (the command, which prints the summary table) and
``tests/test_audit.py`` (what CI runs). Every checker is the public tool from its package
registry, installed into ``.cache/tools`` (git-ignored); nothing here re-implements a rule.

**Nu Html Checker** (npm ``vnu-jar``): every page as served over HTTP and the stylesheet; the
icon; the Atom feed against RFC 4287's RELAX NG grammar (``atom.rnc``) and the rules the RFC
states beside it; and the HTML each feed entry carries, as the document a feed reader shows.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import html
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / ".cache" / "tools"
MODULES = TOOLS / "node_modules"
VNU_JAR = Path(os.environ.get("INTROCHAIN_VNU_JAR", MODULES / "vnu-jar/build/dist/vnu.jar"))
AXE_JS = MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE_CLI = MODULES / "lighthouse" / "cli" / "index.js"
ATOM_RNC = Path(__file__).with_name("atom.rnc")
CHROMIUM = os.environ.get("INTROCHAIN_CHROMIUM", "/usr/bin/chromium")

#: Installed together: ``npm install --no-save`` removes every package it is not given.
NPM_TOOLS = ("vnu-jar@26.9.27", "axe-core@4.14.1", "lighthouse@12.8.2")

#: Flags for every Chromium the audit starts: no sync, no updates, no background traffic.
CHROMIUM_FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                  "--disable-domain-reliability", "--disable-client-side-phishing-detection",
                  "--no-default-browser-check", "--metrics-recording-only", "--mute-audio")

#: Where the audit mounts the site, like a GitHub Pages project site.
PREFIX = "/introchain/"


# --- tools -----------------------------------------------------------------------------

def tool_paths(lighthouse: bool = True) -> list[Path]:
    """The files the audit runs."""
    return [VNU_JAR, AXE_JS] + ([LIGHTHOUSE_CLI] if lighthouse else [])


def install_tools(lighthouse: bool = True) -> None:
    """``npm install`` the checkers into .cache/tools when any of them is missing."""
    if all(path.is_file() for path in tool_paths(lighthouse)):
        return
    if shutil.which("npm") is None:
        raise SystemExit("the audit needs npm to install its checkers (apt-get install npm)")
    TOOLS.mkdir(parents=True, exist_ok=True)
    print(f"installing {' '.join(NPM_TOOLS)} into {TOOLS.relative_to(REPO)}", file=sys.stderr)
    subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-save", "--no-audit", "--no-fund", "--silent",
                    *NPM_TOOLS], check=True, stdout=subprocess.DEVNULL)


def tool_versions() -> dict[str, str]:
    """The installed version of each npm checker."""
    versions = {}
    for spec in NPM_TOOLS:
        name = spec.rpartition("@")[0]
        manifest = MODULES / name / "package.json"
        versions[name] = json.loads(manifest.read_text())["version"] if manifest.is_file() else "missing"
    return versions


# --- the site --------------------------------------------------------------------------

def build_sample(out: Path, base_url: str) -> None:
    """Build the repository's sample content and templates into ``out`` for ``base_url``.

    The generator is the one on PYTHONPATH when it names one, else the repository's.
    """
    python_path = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(REPO)]))
    result = subprocess.run(
        [sys.executable, "-m", "generator", "build", "--content", str(REPO / "content"),
         "--templates", str(REPO / "templates"), "--out", str(out), "--base-url", base_url, "--quiet"],
        cwd=out.parent, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": python_path},
    )
    if result.returncode:
        raise RuntimeError(f"building the sample site failed:\n{result.stdout}{result.stderr}")


COMPRESSED = {".html", ".css", ".js", ".xml", ".svg", ".txt", ".json", ".map"}


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder the way GitHub Pages serves a site: gzip, a 10-minute cache, the site's 404 page."""

    not_found: Path | None = None

    def log_message(self, *args) -> None:
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not urlsplit(self.path).path.endswith("/"):
                return super().send_head()  # the redirect to the folder's URL with a slash
            path = path / "index.html"
        if path.is_file():
            return self._file(path, 200)
        if self.not_found is not None and self.not_found.is_file():
            return self._file(self.not_found, 404)
        self.send_error(404)
        return None

    def _file(self, path: Path, status: int):
        body = path.read_bytes()
        kind = self.guess_type(str(path))
        if kind.startswith("text/") or kind in ("application/javascript", "application/xml", "application/json"):
            kind += "; charset=utf-8"
        gzipped = path.suffix in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", "")
        if gzipped:
            body = gzip.compress(body, mtime=0)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Vary", "Accept-Encoding")
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        return io.BytesIO(body)


@dataclass
class AuditSite:
    """A built sample site and the loopback server in front of it."""

    folder: Path  # the built site
    url: str  # where it is served, ending with the prefix

    def pages(self) -> list[str]:
        """Every HTML page as a path under the site's URL ('' is the home page)."""
        paths = []
        for page in sorted(self.folder.rglob("*.html")):
            relative = page.relative_to(self.folder).as_posix()
            paths.append(relative.removesuffix("index.html"))
        return paths


@contextlib.contextmanager
def served_sample(prefix: str = PREFIX) -> Iterator[AuditSite]:
    """Build the sample site into a temporary folder and serve it on 127.0.0.1 under ``prefix``."""
    with tempfile.TemporaryDirectory(prefix="introchain-audit-") as temp:
        root = Path(temp) / "root"
        mount = root / prefix.strip("/") if prefix.strip("/") else root
        mount.parent.mkdir(parents=True, exist_ok=True)
        handler = type("Handler", (PagesHandler,), {"not_found": mount / "404.html"})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
        url = f"http://127.0.0.1:{server.server_address[1]}{prefix}"
        build_sample(mount, url)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield AuditSite(mount, url)
        finally:
            server.shutdown()
            server.server_close()


# --- the Nu Html Checker ---------------------------------------------------------------

@dataclass(frozen=True)
class NuMessage:
    """One message of the Nu Html Checker."""

    file: str
    line: int
    kind: str  # "error" or "warning"
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.text}"


#: vnu refuses loopback and private addresses unless told otherwise; the audit's server is loopback.
VNU_JAVA_OPTIONS = ("-Xss4m", "-Dnu.validator.servlet.allow-forbidden-hosts=true")

#: vnu's CSP check (new in 2025) reports a <script type="application/json"> (or ld+json) as an inline script
#: that the policy blocks; but a data block is never run, and CSP does not apply to it (HTML,
#: "prepare the script element" returns for a data block before the CSP check). Only a warning
#: with this text whose line holds such a data block is dropped; any other inline script counts.
CSP_INLINE_WARNING = "Inline script violates Content Security Policy"
DATA_BLOCKS = ('<script type="application/json"', '<script type="application/ld+json"')


def run_vnu(targets: list[str], *options: str, names: dict[str, str] | None = None) -> list[NuMessage]:
    """Every error and warning the Nu Html Checker reports for ``targets`` (URLs or files)."""
    if not targets:
        return []
    result = subprocess.run(
        ["java", *VNU_JAVA_OPTIONS, "-jar", str(VNU_JAR), "--format", "json", "--asciiquotes", *options, *targets],
        capture_output=True, text=True, timeout=600)
    try:
        messages = json.loads(result.stderr or "{}").get("messages", [])
    except json.JSONDecodeError:
        raise RuntimeError(f"the Nu Html Checker failed:\n{result.stderr}") from None
    found = []
    for message in messages:
        if message.get("type") == "info" and message.get("subType") != "warning":
            continue  # plain information, not a warning
        kind = "warning" if message.get("subType") == "warning" else "error"
        url = message.get("url", "")
        name = (names or {}).get(url) or (names or {}).get(url.removeprefix("file:")) or url
        found.append(NuMessage(name, message.get("lastLine", 0), kind, message.get("message", "")))
    return found


def is_data_block_warning(site: AuditSite, message: NuMessage) -> bool:
    """True for vnu's CSP warning about a JSON data block (see DATA_BLOCKS), checked against the page's line."""
    if message.kind != "warning" or not message.text.startswith(CSP_INLINE_WARNING):
        return False
    path = message.file.lstrip("/")
    source = site.folder / (path + "index.html" if path == "" or path.endswith("/") else path)
    lines = source.read_text(encoding="utf-8").splitlines() if source.is_file() else []
    return 0 < message.line <= len(lines) and any(block in lines[message.line - 1] for block in DATA_BLOCKS)


def nu_pages(site: AuditSite) -> dict[str, list[NuMessage]]:
    """The Nu Html Checker over every page as served, the stylesheet and the SVG icon: messages by '/path'."""
    names = {site.url + path: "/" + path for path in site.pages()}
    found: dict[str, list[NuMessage]] = {name: [] for name in [*names.values(), "/assets/style.css"]}
    # Pages and the stylesheet in separate runs: with --also-check-css, vnu reports page lines one too low.
    messages = [message for message in run_vnu(list(names), names=names) if not is_data_block_warning(site, message)]
    css = site.url + "assets/style.css"
    messages += run_vnu([css], "--css", names={css: "/assets/style.css"})
    # vnu checks an SVG it fetches over HTTP against its HTML schema; the file (the same bytes) it checks right.
    icon = site.folder / "assets/favicon.svg"
    found["/assets/favicon.svg"] = []
    messages += run_vnu([str(icon)], "--svg", names={str(icon): "/assets/favicon.svg"})
    for message in messages:
        found.setdefault(message.file, []).append(message)
    return found


ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def atom_rules(feed: Path) -> list[str]:
    """The rules RFC 4287 states beside its grammar (its Schematron annotations and section 4)."""
    root = ET.parse(feed).getroot()
    problems = []
    entries = root.findall(f"{ATOM}entry")
    if root.find(f"{ATOM}author") is None and any(entry.find(f"{ATOM}author") is None for entry in entries):
        problems.append("feed.xml: an atom:feed without atom:author needs an atom:author in every entry (4.1.1)")
    for element in [root, *entries]:
        alternates = [(link.get("type"), link.get("hreflang")) for link in element.findall(f"{ATOM}link")
                      if link.get("rel", "alternate") == "alternate"]
        if len(alternates) != len(set(alternates)):
            problems.append(f"feed.xml: two alternate links with the same type and hreflang in {element.tag} (4.1.1)")
    for number, entry in enumerate(entries, start=1):
        has_alternate = any(link.get("rel", "alternate") == "alternate" for link in entry.findall(f"{ATOM}link"))
        if entry.find(f"{ATOM}content") is None and not has_alternate:
            problems.append(f"feed.xml: entry {number} has neither atom:content nor an alternate link (4.1.2)")
    for tag in ("updated", "published"):  # 3.3: RFC 3339 date-times, which need an offset (xsd:dateTime does not)
        for element in root.iter(f"{ATOM}{tag}"):
            if not RFC3339.fullmatch(element.text or ""):
                problems.append(f"feed.xml: atom:{tag} {element.text!r} is not an RFC 3339 date-time (3.3)")
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    if len(ids) != len(set(ids)):
        problems.append("feed.xml: two entries share an atom:id")
    if root.find(f"{ATOM}link[@rel='self']") is None:
        problems.append("feed.xml: no rel=self link (RFC 4287 says SHOULD)")
    return problems


def entry_documents(feed: Path, folder: Path) -> dict[str, str]:
    """Each entry's HTML content written out as the document a feed reader shows: file -> entry title."""
    root = ET.parse(feed).getroot()
    lang = root.get("{http://www.w3.org/XML/1998/namespace}lang", "en")
    documents = {}
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), start=1):
        content = entry.find(f"{ATOM}content")
        if content is None or content.get("type") != "html":
            continue
        title = entry.findtext(f"{ATOM}title") or f"entry {number}"
        document = folder / f"entry-{number}.html"
        # A feed reader shows the entry under its title: the document has that <h1> too.
        document.write_text(
            f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(title)}</title>\n'
            f"</head>\n<body>\n<article>\n<h1>{html.escape(title)}</h1>\n{content.text or ''}\n</article>\n</body>\n</html>\n",
            encoding="utf-8")
        documents[str(document)] = f"feed.xml entry {number} ({title})"
    return documents


def nu_feed(site: AuditSite) -> list[NuMessage | str]:
    """The feed against RFC 4287's grammar and rules, and every entry's HTML as a document."""
    found: list[NuMessage | str] = []
    feed = site.folder / "feed.xml"
    # Read from the file: the grammar does not depend on how it is served, and the checker's
    # own HTTP request could time out on a busy machine.
    found += run_vnu([str(feed)], "--xml", "--schema", ATOM_RNC.resolve().as_uri(), names={str(feed): "/feed.xml"})
    found += atom_rules(feed)
    with tempfile.TemporaryDirectory(prefix="introchain-feed-") as temp:
        documents = entry_documents(feed, Path(temp))
        found += run_vnu(list(documents), names=documents)
    return found
