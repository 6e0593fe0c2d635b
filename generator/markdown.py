"""Markdown to HTML for post bodies and comment bodies.

Raw HTML is never rendered (``html: False``): it shows as text, like Hugo's default.
Images on another host are rendered as links, because the built site must load nothing
from other hosts; images in the bundle render as images.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin



@dataclass(frozen=True, slots=True)
class Image:
    """An image reference in a body, with its 0-based line within the body."""

    src: str
    line: int


@dataclass(frozen=True)
class Rendered:
    """A rendered body: HTML, the images and links it refers to, and its first paragraph as plain text."""

    html: str
    images: tuple[Image, ...]
    first_paragraph: str
    links: tuple[Image, ...] = ()  # links within the site, the ones a build can check: a target and its 0-based line
    quotes: tuple[Image, ...] = ()  # posts quoted with a ```quote block: the post's URL and the block's 0-based line
    too_deep: int | None = None  # the 0-based line where nesting reached the parser's limit (see ``nesting_limit_line``)


def reading_minutes(html: str) -> int:
    """Minutes a reader takes over a rendered body (its words, tags and entities aside), at least one."""
    from generator.model import WORDS_PER_MINUTE

    words = len(re.sub(r"<[^>]*>|&[#\w]+;", " ", html).split())
    return max(1, round(words / WORDS_PER_MINUTE))


#: What a ```quote block renders as until the build puts the post's card in its place (``quotes.py``).
QUOTE_MARKER = "<!--introchain-quote:{}-->"


def is_remote(src: str) -> bool:
    """True for URLs with a scheme or host (http:, //host, data:, javascript:)."""
    parts = urlsplit(src)
    return bool(parts.scheme or parts.netloc)


def _render_image(self, tokens: list[Token], idx: int, options, env) -> str:
    """Render local images as <img>; remote ones as a link, so the page loads nothing remote."""
    token = tokens[idx]
    src = token.attrGet("src") or ""
    alt = self.renderInlineAsText(token.children or [], options, env)
    if is_remote(src):
        return f'<a class="remote-image" href="{_escape(src)}">{_escape(alt or src)}</a>'
    title = token.attrGet("title")
    title_attr = f' title="{_escape(title)}"' if title else ""
    return f'<img src="{_escape(src)}" alt="{_escape(alt)}"{title_attr} loading="lazy">'


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _nofollow_links(self, tokens: list[Token], idx: int, options, env) -> str:
    """Comment links are the commenters', not the author's: mark them ugc/nofollow."""
    tokens[idx].attrSet("rel", "nofollow ugc noopener")
    return self.renderToken(tokens, idx, options, env)


def _render_fence(self, tokens: list[Token], idx: int, options, env) -> str:
    """A ```quote block naming a post's URL becomes a marker for its quote card; other blocks are code."""
    token = tokens[idx]
    if token.info.strip() == "quote":
        return QUOTE_MARKER.format(_escape(token.content.strip())) + "\n"
    return self.fence(tokens, idx, options, env)


@functools.cache
def _post_parser() -> MarkdownIt:
    parser = (
        MarkdownIt("commonmark", {"html": False, "typographer": True, "maxNesting": MAX_NESTING})
        .enable(["table", "strikethrough", "replacements", "smartquotes"])
        .use(footnote_plugin)
        .use(deflist_plugin)
        .use(anchors_plugin, min_level=2, max_level=4)
    )
    parser.add_render_rule("image", _render_image)
    parser.add_render_rule("fence", _render_fence)
    return parser


@functools.cache
def _comment_parser() -> MarkdownIt:
    parser = (
        MarkdownIt("commonmark", {"html": False, "typographer": True, "maxNesting": MAX_NESTING})
        .enable(["strikethrough", "replacements", "smartquotes"])
        # A commenter's "# title" must not become a heading in the page outline.
        .disable(["heading", "lheading"])
    )
    parser.add_render_rule("image", _render_image)
    parser.add_render_rule("link_open", _nofollow_links)
    return parser


def _references(tokens: list[Token], kind: str, attribute: str) -> tuple[Image, ...]:
    """Every inline token of ``kind`` (image, link_open) with its target and line."""
    found: list[Image] = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        found.extend(Image(child.attrGet(attribute) or "", line) for child in token.children if child.type == kind)
    return tuple(found)


def _first_paragraph(tokens: list[Token]) -> str:
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            children = tokens[index + 1].children or []
            words = "".join(
                child.content if child.type in ("text", "code_inline") else " "
                for child in children
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            )
            return " ".join(words.split())
    return ""


#: Quotes, lists and emphasis nest at most this deep; markdown-it stops nesting there (so
#: nothing recurses without bound) and reads the rest flat, which the author is told about.
MAX_NESTING = 20


def nesting_limit_line(tokens: list[Token]) -> int | None:
    """The 0-based line of the first place where nesting reached ``MAX_NESTING``, else None."""
    line = 0
    for token in tokens:
        line = token.map[0] if token.map else line
        if token.level >= MAX_NESTING - 1 or any(child.level >= MAX_NESTING - 1 for child in token.children or ()):
            return line
    return None


def render_post(text: str) -> Rendered:
    """Render a post body."""
    parser = _post_parser()
    tokens = parser.parse(text)
    return Rendered(
        parser.renderer.render(tokens, parser.options, {}),
        _references(tokens, "image", "src"),
        _first_paragraph(tokens),
        # Only local links: a state of 10,000 posts kept 110,000 links to other hosts that
        # nothing reads (issue 6).
        tuple(link for link in _references(tokens, "link_open", "href") if not is_remote(link.src)),
        tuple(Image(token.content.strip(), token.map[0] if token.map else 0)
              for token in tokens if token.type == "fence" and token.info.strip() == "quote"),
        nesting_limit_line(tokens),
    )


def render_comment(text: str) -> tuple[str, int | None]:
    """Render a comment body (no headings, links marked ugc); also the line where nesting hit the limit, if it did."""
    parser = _comment_parser()
    tokens = parser.parse(text)
    return parser.renderer.render(tokens, parser.options, {}), nesting_limit_line(tokens)
