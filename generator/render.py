"""Stage 4: render the planned pages with Jinja into bytes.

Jinja runs with autoescape on for HTML and XML and ``StrictUndefined``, so a misspelt
variable fails the build with the template's file and line instead of vanishing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import traceback
from collections.abc import Callable, Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path
from html import escape, unescape
from urllib.parse import urljoin, urlsplit

import jinja2
from markupsafe import Markup

from generator.incremental.cache import Cache
from generator.content.fields import tag_slug
from generator.errors import ContentError, ContentErrors, display_path
from generator.incremental.fingerprint import code_fingerprint, digest
from generator.legends import LEGEND_TEMPLATES, LegendLines
from generator.model import SiteConfig
from generator.network import NetworkData
from generator.page import Page
from generator.regular import read_regular
from generator.templates import Templates


def human_date(value: datetime) -> str:
    """'18 May 2011'."""
    return f"{value.day} {value.strftime('%B')} {value.year}"


def iso_datetime(value: datetime) -> str:
    """RFC 3339, as Atom and <time datetime> want it."""
    return value.isoformat(timespec="seconds")


#: Compact JSON with sorted keys: the same text for the same data, whatever the order it was built in.
_json_text = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def script_json(value: object) -> Markup:
    """JSON safe inside <script type="application/json">: '<', '>', '&' and line separators escaped."""
    text = value.json(_json_text) if isinstance(value, NetworkData) else _json_text(value)
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return Markup(text)


_RELATIVE_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


#: An href or src attribute whose value is a site-relative path ('/x', not '//host/x').
_SITE_RELATIVE = re.compile(r'(\s(?:href|src)=")(?=(/(?!/)[^"]*)")')


def feed_html(html: str, page_url: str) -> Markup:
    """HTML for an Atom <content type="html">: links made absolute, then escaped once as XML text.

    The output of a ``{% filter %}`` block is not autoescaped, so this filter escapes itself.
    """
    absolute = _RELATIVE_ATTR.sub(lambda m: m.group(1) + escape(urljoin(page_url, unescape(m.group(2)))) + m.group(3), str(html))
    return Markup(escape(absolute))


def host_of(url: str) -> str:
    """'https://www.example.com/x' -> 'www.example.com'."""
    return urlsplit(url).netloc


#: How many pieces of a template's output are joined and encoded at a time (see ``_utf8``).
_BATCH = 20_000


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in our cache so a new process does not compile them again.

    Compiling the templates cost a one-post rebuild from the command line about 0.1 s
    (issue 6). Entries are keyed by our code's fingerprint as well as Jinja's key, because
    Jinja's key does not cover the environment's options; Jinja itself checks its version
    and the template's source. A corrupt entry fails our cache's check and is compiled again.
    """

    def __init__(self, cache: Cache):
        self.cache = cache

    @staticmethod
    def _key(bucket: jinja2.bccache.Bucket) -> str:
        return digest("jinja", code_fingerprint(), bucket.key)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.cache.get("jinja", self._key(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put("jinja", self._key(bucket), bucket.bytecode_to_string())


class _RegularFileLoader(jinja2.FileSystemLoader):
    """A ``FileSystemLoader`` that never blocks on a named pipe or device put where a template should be."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            filename = os.path.join(folder, *pieces)
            try:
                data = read_regular(filename)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
            return data.decode(self.encoding), os.path.normpath(filename), lambda: True
        raise jinja2.TemplateNotFound(template)


class Environment:
    """A Jinja environment over a project's templates (its overrides, then the theme), with the site's URL helpers."""

    def __init__(self, templates: Templates, config: SiteConfig, asset_versions: dict[str, str],
                 compiled: CompiledTemplates | None = None):
        self.templates = templates
        self.jinja = jinja2.Environment(
            bytecode_cache=compiled,
            loader=_RegularFileLoader([str(folder) for folder in templates.folders]),
            autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True, default=True),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # templates do not change during a build: no stat per page
        )
        base_path, base_url = config.base_path, config.base_url

        def url(path: str = "") -> str:
            """A site path ('stories/x/') as a link under the base path ('/repo/stories/x/')."""
            # No ':' means no scheme; skipping urlsplit matters at thousands of links per build.
            return path if ":" in path and urlsplit(path).scheme else base_path + path.lstrip("/")

        def abs_url(path: str = "") -> str:
            return path if ":" in path and urlsplit(path).scheme else base_url + path.lstrip("/")

        def asset(name: str) -> str:
            version = asset_versions.get(name)
            if version is None:
                folders = " or ".join(display_path(folder / "assets") for folder in templates.folders)
                raise KeyError(f"no asset named {name!r} in {folders}")
            return f"{url('assets/' + name)}?v={version}"

        def site_links(html: str) -> Markup:
            """Author HTML with site-relative links ('/stories/x/') under the base path ('/repo/stories/x/')."""
            if base_path == "/":
                return Markup(html)
            return Markup(_SITE_RELATIVE.sub(lambda m: m.group(1) if m.group(2).startswith(base_path) else m.group(1) + base_path[:-1],
                                             str(html)))

        self.jinja.globals.update(url=url, abs_url=abs_url, asset=asset, shared_legend=self._shared_legend())
        self.jinja.filters.update(human_date=human_date, iso=iso_datetime, script_json=script_json, host=host_of,
                                 feed_html=feed_html, slug=tag_slug, site_links=site_links)

    def render(self, page: Page, context: dict) -> bytes:
        """Render one page; template problems become a ``ContentErrors`` naming the template and whose it is."""
        try:
            return _utf8(self.jinja.get_template(page.template).generate(context))
        except jinja2.TemplateSyntaxError as exc:
            path = Path(exc.filename) if exc.filename else self._path_of(exc.name or page.template)
            raise ContentErrors([self._error(path, exc.lineno or 1, f"template syntax error: {exc.message}")]) from None
        except jinja2.TemplateNotFound as exc:
            where = self.templates.overrides or self.templates.builtin
            raise ContentErrors([ContentError(display_path(where / exc.name), 0, 0,
                                              f"template '{exc.name}' not found (needed for {page.output})",
                                              "`introchain theme list` shows the built-in templates")]) from None
        except Exception as exc:  # a template is code: any failure inside it is the template's
            raise ContentErrors([self._runtime_error(exc, page)]) from None

    def _shared_legend(self) -> Callable[[dict], Markup] | None:
        """The legend as markup, joined from lines rendered once each; None when a project's copy renders it.

        The theme's legend (its lines and the macros they use) reads nothing but ``legend``,
        and a site's legends share their lines (``legends.py``). A project's own
        ``partials/legend.html``, ``legend_lines.html`` or ``macros.html`` may read anything of
        its page, so the legend is then included on every page as written.
        """
        if any((found := self.templates.find(name)) is not None and self.templates.is_override(found)
               for name in LEGEND_TEMPLATES):
            return None
        return LegendLines(lambda: self.jinja.get_template("partials/legend_lines.html").module)

    def _path_of(self, name: str) -> Path:
        return self.templates.find(name) or self.templates.builtin / name

    def _error(self, path: Path, line: int, message: str) -> ContentError:
        """An error at a template's line, saying whether the file is the author's copy or the built-in one."""
        return ContentError(display_path(path), line, 1 if line else 0, message, f"in {self.templates.origin(path)}")

    def _runtime_error(self, exc: Exception, page: Page) -> ContentError:
        """Point at the innermost template line in the traceback (Jinja rewrites frames to template lines)."""
        folders = tuple(str(folder.resolve()) for folder in self.templates.folders)
        where: tuple[str, int] | None = None
        for frame, line in traceback.walk_tb(exc.__traceback__):
            filename = frame.f_code.co_filename
            if filename.startswith(folders) or filename.endswith((".html", ".xml", ".txt")):
                where = (filename, line)
        message = str(exc) if isinstance(exc, jinja2.UndefinedError) else f"{type(exc).__name__}: {exc}"
        if where is None:
            return self._error(self._path_of(page.template), 0, f"error while rendering {page.output}: {message}")
        return self._error(Path(where[0]), where[1], f"error while rendering {page.output}: {message}")


def _utf8(chunks: Iterator[str]) -> bytes:
    """A template's output as UTF-8, encoded every ``_BATCH`` pieces on a large page.

    Joined whole, a large page is held twice as text besides its bytes, and one character
    past Latin-1 (a curly quote) makes Python store a text at two bytes or more per
    character: the network page of 10,000 stories was 78 MB of text for 39 MB of UTF-8, and
    the people index 27,000 pieces of a few bytes, each a string object.
    """
    batch = list(islice(chunks, _BATCH))
    if len(batch) < _BATCH:
        return "".join(batch).encode("utf-8")  # almost every page: one batch
    encoded = []
    while batch:
        encoded.append("".join(batch).encode("utf-8"))
        batch = list(islice(chunks, _BATCH))
    return b"".join(encoded)


def asset_versions(assets: dict[str, bytes]) -> dict[str, str]:
    """A short content hash per asset, for cache-busting query strings."""
    return {name: hashlib.sha256(data).hexdigest()[:10] for name, data in assets.items()}
