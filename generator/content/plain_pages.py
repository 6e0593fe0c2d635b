"""``content/pages/<slug>.md``: plain pages (About, Contact) built at ``/<slug>/``.

A plain page is front matter (``title``, optional ``summary`` and ``draft``) and Markdown.
It is not a case study: it has no date, chain or comments, and is in no list, feed or
archive; ``site.yaml``'s ``nav`` can link to it (``url: /about/``).
"""

from __future__ import annotations

from generator.content.fields import (
    INVALID, Fields, boolean, expect_mapping, identifier_problem, nonempty_text, text,
)
from generator.content.frontmatter import split_front_matter
from generator.content.read import RawFile
from generator.content.source import Source, compose
from generator.errors import ContentError, quoted
from generator.markdown import MAX_NESTING, Rendered, render_post
from generator.model import PlainPage

#: First path segments the site's own pages use (and the stems of its top-level files): a
#: plain page cannot take them. tests/test_build.py checks them against a built site's folders.
RESERVED = frozenset({"stories", "people", "tags", "archive", "network", "deepening", "channels", "search", "pagefind",
                      "page", "assets", "feed", "sitemap", "robots", "404"})


def read_plain_page(raw: RawFile) -> tuple[PlainPage | None, Rendered | None, int, list[ContentError]]:
    """The page (None on errors), its rendered body and the file line the body starts on, and its errors."""
    source = Source(raw.path)
    slug = raw.path.stem
    problem = identifier_problem(slug)
    if problem is not None:
        source.error_at(1, 1, f"file name {quoted(raw.path.name)} is not a valid page slug: {problem[0]}",
                        f"rename the file: {problem[1]}")
    elif slug in RESERVED:
        source.error_at(1, 1, f"a page cannot be named {quoted(slug)}: the site uses /{slug}/ itself",
                        "give the file another name, such as about.md")
    split = split_front_matter(raw.current_text())
    if split is None:
        source.error_at(1, 1, "a page must start with front matter between two '---' lines",
                        "begin the file with ---, then title: ..., then ---")
        return None, None, 1, source.errors
    mapping = expect_mapping(source, compose(source, split.front_matter, first_line=2) if split.front_matter.strip() else None,
                             "the front matter")
    body = render_post(split.body)
    if body.too_deep is not None:
        source.error_at(split.body_line + body.too_deep, 1, f"quotes, lists or emphasis are nested more than {MAX_NESTING} "
                        "levels deep here", "flatten this part: deeper levels cannot be shown")
    if mapping is None:
        return None, body, split.body_line, source.errors
    fields = Fields(source, mapping, "the front matter")
    title = fields.get("title", nonempty_text, required=True)
    summary = fields.get("summary", text, None)
    draft = fields.get("draft", boolean, False)
    fields.finish()
    for image in body.images:
        if not ("://" in image.src or image.src.startswith(("//", "data:"))):
            source.error_at(split.body_line + image.line, 1, f"image {quoted(image.src)}: a page has no folder for images",
                            "use an absolute https:// address, or put the image in a story's folder and link to it")
    if source.errors or INVALID in (title, summary, draft):
        return None, body, split.body_line, source.errors
    page = PlainPage(slug=slug, title=title, summary=summary if summary is not None else body.first_paragraph,
                     draft=draft, body_html=body.html, location=str(raw.path))
    return page, body, split.body_line, source.errors

