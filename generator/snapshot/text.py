"""Post text to the safe Markdown subset comments use, with contact details removed.

Bluesky sends plain text with *facets* (links, mentions, hashtags) at UTF-8 byte
offsets; Mastodon and Webmentions send HTML, converted with the importer's converter.
Images become their description: a snapshot links no media.
"""

from __future__ import annotations

import html
import re
from typing import Any

from generator.importers.markdown_convert import TooDeep, html_to_markdown
from generator.importers.scrub import Scrubber

_SPECIAL = re.compile(r"([\\`*_\[\]<>!|~#&])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+[.)])(?=\s|$)", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*\)")


def redact(text: str) -> str:
    """``text`` without e-mail or IP addresses (the importers' rules): the site never republishes them."""
    return Scrubber().text(text)


def escape(text: str) -> str:
    """Plain text as Markdown that renders exactly as that text."""
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda match: match.group(1) + re.sub(r"([-+=.)])", r"\\\1", match.group(2)), text)


def _paragraphs(markdown: str) -> str:
    """Blank lines separate paragraphs; a single newline is a line break."""
    blocks = [block.strip("\n") for block in re.split(r"\n\s*\n", markdown.replace("\r\n", "\n"))]
    return "\n\n".join(block.replace("\n", "\\\n") for block in blocks if block.strip()).strip()


def _link(label: str, target: str) -> str:
    target = target.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{escape(label)}]({target})"


def facets_to_markdown(text: str, facets: Any, profile_base: str) -> str:
    """Bluesky rich text: links, mentions and hashtags as Markdown links, the rest escaped."""
    data = text.encode("utf-8")
    spans = []
    for facet in facets if isinstance(facets, list) else ():
        index = facet.get("index") if isinstance(facet, dict) else None
        features = facet.get("features") if isinstance(facet, dict) else None
        if not isinstance(index, dict) or not isinstance(features, list) or not features:
            continue
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(data)):
            continue
        feature = features[0] if isinstance(features[0], dict) else {}
        kind = str(feature.get("$type", "")).rsplit("#", 1)[-1]
        target = {"link": feature.get("uri"), "mention": feature.get("did") and f"{profile_base}{feature.get('did')}",
                  "tag": feature.get("tag") and f"https://bsky.app/hashtag/{feature.get('tag')}"}.get(kind)
        if isinstance(target, str) and target.startswith(("http://", "https://")):
            spans.append((start, end, target))
    out, position = [], 0
    for start, end, target in sorted(spans):
        if start < position:
            continue  # overlapping facets: keep the first
        out.append(escape(data[position:start].decode("utf-8", "replace")))
        out.append(_link(data[start:end].decode("utf-8", "replace"), target))
        position = end
    out.append(escape(data[position:].decode("utf-8", "replace")))
    return redact(_paragraphs("".join(out)))


def plain_to_markdown(text: str) -> str:
    """Plain text (a tweet) as Markdown."""
    return redact(_paragraphs(escape(text)))


def html_to_safe_markdown(source: str, base_url: str) -> str:
    """HTML (a Mastodon status, a Webmention) as Markdown, images as their description."""
    try:
        markdown = html_to_markdown(source, base_url, shortcodes=False).markdown
    except TooDeep:  # markup nested past any real post's: keep its words only
        markdown = escape(" ".join(html.unescape(re.sub(r"<[^>]*>", " ", source)).split()))
    return redact(_IMAGE.sub(lambda match: match.group(1), markdown).strip())
