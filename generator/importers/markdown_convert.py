"""WordPress post and comment HTML (with shortcodes) to clean CommonMark.

Three steps, each a plain function: ``expand_shortcodes`` turns captions, galleries and embeds
into ordinary HTML; ``autop`` adds the paragraphs WordPress itself adds when it displays
classic-editor text (blank lines are paragraphs, single newlines line breaks); markdownify
then converts the HTML, with a few rules of ours (absolute image and link URLs, iframes and
media as links, italic captions, no accidental lists or headings).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

from generator.importers.html_depth import MAX_DEPTH, TooDeep, nesting_depth
from generator.importers.scrub import clean_controls


@dataclass(frozen=True)
class Media:
    """An attachment of the export, for galleries."""

    id: int
    url: str
    alt: str


@dataclass(frozen=True)
class Converted:
    """Markdown text plus what the author should know about the conversion."""

    markdown: str
    unknown_shortcodes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


#: Shortcodes turned into a link to the media or page they embed.
EMBED_SHORTCODES = frozenset(
    {"embed", "youtube", "vimeo", "tweet", "twitter", "instagram", "soundcloud", "audio", "video", "wpvideo", "dailymotion", "flickr", "slideshare", "googlemaps"}
)
#: Names treated as shortcodes even without attributes or a closing tag; any other bare
#: ``[word]`` is ordinary text (``[sic]``, ``[citation needed]``).
COMMON_SHORTCODES = frozenset(
    {"caption", "wp_caption", "gallery", "playlist", "contact-form", "archives", "sitemap", "recipe", "polldaddy", "crowdsignal", "product", "products", "toc", "more"}
)
_NAME = r"[A-Za-z][\w-]*"
# WordPress' own get_shortcode_regex(), for any name: 1 [[ escape, 2 name, 3 attributes,
# 4 self-closing slash, 5 enclosed content, 6 ]] escape.
_SHORTCODE = re.compile(
    r"\[(\[?)(" + _NAME + r")(?![\w-])([^\]/]*(?:/(?!\])[^\]/]*)*?)"
    r"(?:(/)\]|\](?:([^\[]*(?:\[(?!/\2\])[^\[]*)*)\[/\2\])?)(\]?)",
    re.S,
)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"]+)|"([^"]*)"|'([^']*)'|(\S+)""")
_CAPTION_IMAGE = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)
_URL = re.compile(r"https?://[^\s<>\"'\[\]]+")
_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"'\[\]]+)[ \t]*$", re.M)
_PRE = re.compile(r"(<(pre|script|style)\b.*?</\2>)", re.S | re.I)
_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|"
    r"area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|"
    r"header|footer|nav|figure|figcaption|details|menu|summary|iframe|video|audio|object|embed)"
)
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)(?:\?.*)?$", re.I)


def shortcode_attrs(text: str) -> tuple[dict[str, str], list[str]]:
    """Named and positional attributes of a shortcode, as WordPress' shortcode_parse_atts."""
    named: dict[str, str] = {}
    positional: list[str] = []
    for match in _ATTR.finditer(html.unescape(text)):
        if match.group(1):
            named[match.group(1).lower()] = match.group(2)
        elif match.group(3):
            named[match.group(3).lower()] = match.group(4)
        elif match.group(5):
            named[match.group(5).lower()] = match.group(6)
        else:
            positional.append(next(g for g in match.groups()[6:] if g is not None))
    return named, positional


def expand_shortcodes(
    text: str,
    media: Mapping[int, Media],
    children: tuple[Media, ...],
    unknown: list[str],
    notes: list[str],
    keep_unknown: bool = True,
) -> str:
    """Replace shortcodes by HTML; unknown ones stay as text and are listed in ``unknown``."""

    def replace(match: re.Match) -> str:
        escaped_open, name, raw_attrs, _slash, inner, escaped_close = match.groups()
        if escaped_open and escaped_close:  # [[gallery]] is how WordPress writes a literal [gallery]
            return match.group(0)[1:-1]
        lowered = name.lower()
        named, positional = shortcode_attrs(raw_attrs or "")
        if inner is None and not named and lowered not in COMMON_SHORTCODES | EMBED_SHORTCODES:
            return match.group(0)  # ordinary bracketed text such as [sic]
        inner = inner or ""
        prefix, suffix = escaped_open, escaped_close
        if lowered in ("caption", "wp_caption"):
            return prefix + _caption(expand(inner), named.get("caption", "")) + suffix
        if lowered == "gallery":
            return prefix + _gallery(named, media, children, notes) + suffix
        if lowered in EMBED_SHORTCODES:
            url = _embed_url(inner, named, positional)
            if not url:
                notes.append(f"[{lowered}] shortcode without a URL was dropped")
                return prefix + suffix
            return f"{prefix}\n\n<p><a href=\"{html.escape(url)}\">{html.escape(url)}</a></p>\n\n{suffix}"
        unknown.append(lowered)
        # As WordPress shows a shortcode no plugin handles: as text, so nothing silently vanishes.
        if not keep_unknown:
            return prefix + expand(inner) + suffix
        if match.group(5) is None:
            return match.group(0)
        opening = match.group(0)[: match.start(5) - match.start(0)]
        return f"{opening}{expand(inner)}[/{name}]{escaped_close}"

    def expand(value: str) -> str:
        return _SHORTCODE.sub(replace, value)

    return expand(text)


def _caption(inner: str, caption_attr: str) -> str:
    match = _CAPTION_IMAGE.match(inner)
    image, caption = (match.group(1), match.group(2)) if match else ("", inner)
    caption = caption.strip() or caption_attr.strip()
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"\n\n<figure>{image}{figcaption}</figure>\n\n"


def _gallery(named: dict[str, str], media: Mapping[int, Media], children: tuple[Media, ...], notes: list[str]) -> str:
    ids = named.get("ids") or named.get("include") or ""
    if ids:
        chosen = []
        for raw in re.split(r"[\s,]+", ids.strip()):
            item = media.get(int(raw)) if raw.isdigit() else None
            if item is None:
                notes.append(f"gallery image {raw} is not in the export and was left out")
            else:
                chosen.append(item)
    else:
        chosen = list(children)
    if not chosen:
        notes.append("a [gallery] had no images in the export and was dropped")
        return ""
    # One paragraph of images: the theme lays it out as a compact grid.
    images = " ".join(f'<img src="{html.escape(m.url)}" alt="{html.escape(m.alt)}">' for m in chosen)
    return f"\n\n<p>{images}</p>\n\n"


def _embed_url(inner: str, named: dict[str, str], positional: list[str]) -> str:
    for candidate in (inner.strip(), *named.values(), *positional):
        match = _URL.search(html.unescape(candidate))
        if match:
            return match.group(0)
    return ""


def autop(text: str) -> str:
    """WordPress' wpautop, trimmed: blank lines become paragraphs, single newlines ``<br>``."""
    saved: list[str] = []

    def save(match: re.Match) -> str:
        saved.append(match.group(1))
        return f"<pre data-saved=\"{len(saved) - 1}\"></pre>"

    text = _PRE.sub(save, text.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"<[^>]*>", lambda m: m.group(0).replace("\n", " "), text)  # newlines inside tags
    text = _URL_LINE.sub(lambda m: f'\n\n<p><a href="{m.group(1)}">{m.group(1)}</a></p>\n\n', text)
    if "<!-- wp:" in text:  # block-editor content is already HTML; WordPress skips wpautop too
        return _restore(text, saved)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.I)
    text = re.sub(r"(<" + _BLOCKS + r"[\s/>])", r"\n\n\1", text, flags=re.I)
    text = re.sub(r"(</" + _BLOCKS + r">)", r"\1\n\n", text, flags=re.I)
    chunks = [chunk.strip("\n") for chunk in re.split(r"\n\s*\n", text + "\n") if chunk.strip()]
    text = "".join(f"<p>{chunk}</p>\n" for chunk in chunks)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(r"<p>\s*(</?" + _BLOCKS + r"[^>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(r"<p>\s*(</?" + _BLOCKS + r"[^>]*>)", r"\1", text, flags=re.I)
    text = re.sub(r"(</?" + _BLOCKS + r"[^>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"(?<!<br />)\s*\n(?!$)", "<br />\n", text)
    text = re.sub(r"(</?" + _BLOCKS + r"[^>]*>)\s*<br />", r"\1", text, flags=re.I)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text, flags=re.I)
    return _restore(text, saved)


def _restore(text: str, saved: list[str]) -> str:
    return re.sub(r'<pre data-saved="(\d+)"></pre>', lambda m: saved[int(m.group(1))], text)


def _markdown_url(url: str) -> str:
    """A URL that cannot end a Markdown link early."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


_LINE_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-+])(?=\s|$)|^(#{1,6})(?=\s|$)|^(>)|^(=+|-+)$")


def _escape_line_start(line: str) -> str:
    """Escape what would make a line of a paragraph a list, heading or quote."""
    match = _LINE_START.match(line)
    if not match:
        return line
    if match.group(1):
        return f"{match.group(1)}\\{match.group(2)}{line[match.end():]}"
    return "\\" + line


class _Converter(MarkdownConverter):
    """markdownify with absolute URLs, media as links and safe paragraph starts."""

    def __init__(self, base_url: str, **options):
        super().__init__(**options)
        self.base_url = base_url

    def absolute(self, url: str) -> str:
        url = (url or "").strip()
        if not url or url.startswith("#"):
            return url
        return urljoin(self.base_url, url) if self.base_url else url

    def convert_img(self, el, text, parent_tags):
        alt = re.sub(r"\s+", " ", el.attrs.get("alt") or el.attrs.get("title") or "").strip()
        alt = alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        src = self.absolute(el.attrs.get("src") or "")
        if urlsplit(src).scheme not in ("http", "https"):
            return alt  # data: URIs and the like cannot be linked to
        if "_inline" in parent_tags and el.parent.name not in self.options["keep_inline_images_in"]:
            return alt
        return f"![{alt}]({_markdown_url(src)})"

    def convert_a(self, el, text, parent_tags):
        href = self.absolute(el.get("href") or "")
        children = [c for c in el.children if not (isinstance(c, str) and not c.strip())]
        if len(children) == 1 and getattr(children[0], "name", None) == "img":
            if _IMAGE_FILE.search(href) or not href:
                return text  # a thumbnail linking to its full-size file: the image alone is cleaner
            # An image inside a link would render as a link inside a link: keep the link, labelled
            # with the image's alt text.
            alt = re.sub(r"\s+", " ", children[0].attrs.get("alt") or children[0].attrs.get("title") or "").strip()
            label = (alt or href).replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
            return f"[{label}]({_markdown_url(href)})"
        if href:
            el["href"] = _markdown_url(href)
        return super().convert_a(el, text, parent_tags)

    def _media_link(self, el) -> str:
        src = el.get("src") or next((s.get("src") for s in el.find_all("source") if s.get("src")), "")
        src = self.absolute(src)
        match = re.match(r"https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)", src)
        if match:
            src = f"https://www.youtube.com/watch?v={match.group(1)}"
        if urlsplit(src).scheme not in ("http", "https"):
            return ""
        return f"\n\n<{_markdown_url(src)}>\n\n"

    def convert_iframe(self, el, text, parent_tags):
        return self._media_link(el)

    def convert_video(self, el, text, parent_tags):
        return self._media_link(el)

    convert_audio = convert_video

    def convert_figure(self, el, text, parent_tags):
        classes = el.get("class") or []
        if "wp-block-gallery" not in classes or "_inline" in parent_tags:
            return text
        # A block-editor gallery: its images on one line (a grid), then its caption.
        images = [self.convert_img(img, "", parent_tags) for img in el.find_all("img")]
        caption = el.find("figcaption", recursive=False)
        line = " ".join(image for image in images if image)
        return f"\n\n{line}\n\n" + (self.convert_figcaption(caption, caption.get_text(" "), parent_tags) if caption else "")

    def convert_figcaption(self, el, text, parent_tags):
        # One line of emphasis: a trailing <br> or line break would leave the asterisks as text.
        text = " ".join(re.sub(r"\\\n", " ", text).split()).strip("*_ ")
        return f"\n\n*{text}*\n\n" if text else ""

    def convert_cite(self, el, text, parent_tags):
        # Block-editor quotes end with <cite>: give it a line of its own, as WordPress shows it.
        if el.parent is not None and el.parent.name == "blockquote" and text.strip():
            return f"\n\n— {text.strip()}\n\n"
        return text

    def convert_hN(self, n, el, text, parent_tags):
        if not self.options["comment"] or "_inline" in parent_tags:
            return super().convert_hN(n, el, text, parent_tags)
        # Comments render without headings: a heading becomes a bold paragraph, as shown.
        text = " ".join(text.split())
        return f"\n\n**{text}**\n\n" if text else ""

    def convert_table(self, el, text, parent_tags):
        if not self.options["comment"]:
            return super().convert_table(el, text, parent_tags)
        # Comments render without tables: one line per row, cells separated by a middle dot.
        rows = []
        for row in el.find_all("tr"):
            cells = [" ".join(cell.get_text(" ").split()) for cell in row.find_all(["td", "th"])]
            line = " · ".join(cell for cell in cells if cell)
            if line:
                rows.append(_escape_line_start(line.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")))
        return "\n\n" + "  \n".join(rows) + "\n\n" if rows else ""

    def convert_p(self, el, text, parent_tags):
        converted = super().convert_p(el, text, parent_tags)
        if "_inline" in parent_tags:
            return converted
        return "\n".join(_escape_line_start(line) for line in converted.split("\n"))


def html_to_markdown(
    source: str,
    base_url: str = "",
    media: Mapping[int, Media] | None = None,
    children: tuple[Media, ...] = (),
    shortcodes: bool = True,
) -> Converted:
    """Convert WordPress HTML to Markdown; shortcodes are expanded when ``shortcodes``."""
    unknown: list[str] = []
    notes: list[str] = []
    source = clean_controls(source)
    depth = nesting_depth(source)
    if depth > MAX_DEPTH:
        raise TooDeep(depth)
    if shortcodes:
        source = expand_shortcodes(source, media or {}, children, unknown, notes)
    converter = _Converter(
        base_url,
        heading_style="ATX",
        bullets="-",
        newline_style="backslash",
        strong_em_symbol="*",
        keep_inline_images_in=["td", "th"],
        strip=["form", "button", "input", "select", "textarea"],
        comment=not shortcodes,
    )
    markdown = converter.convert(autop(source))
    lines = [line.rstrip() for line in markdown.split("\n")]
    markdown = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return Converted(markdown + "\n" if markdown else "", tuple(unknown), tuple(notes))


def html_to_text(source: str) -> str:
    """Plain one-line text of an HTML fragment (for summaries); shortcode tags dropped."""
    source = expand_shortcodes(clean_controls(source), {}, (), [], [], keep_unknown=False)
    text = BeautifulSoup(source, "html.parser").get_text(" ")
    return re.sub(r"\s+", " ", text).strip()
