"""Quote cards: a post that a story's snapshot holds, quoted in the story as static HTML.

A ```quote block naming the post's URL renders as a marker (``markdown.QUOTE_MARKER``);
once people are linked and privacy applied, ``fill_quote_cards`` puts the card in its
place: author, handle, date, text and a link to the original. No iframe, no script.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from generator.model import COMMENT_STATUSES, PLATFORMS, CaseStudy, Comment, Site

_MARKER = re.compile(r"<!--introchain-quote:([^>]*)-->")


def quote_card(comment: Comment, site: Site) -> str:
    """The card of one post, as HTML (every value escaped); the author links to their page when they have one."""
    escape = html.escape
    author = escape(comment.author)
    if comment.person and site.has_page(comment.person):
        author = f'<a href="{escape(site.config.base_path + site.people[comment.person].url_path)}">{author}</a>'
    handle = f' <span class="quote-handle">{escape(comment.handle)}</span>' if comment.handle else ""
    when = f'<time datetime="{comment.date.isoformat(timespec="seconds")}">{comment.date.day} {comment.date.strftime("%B")} {comment.date.year}</time>'
    if comment.original:
        when = f'<a href="{escape(comment.original)}" rel="nofollow noopener">{when}</a>'
    platform = escape(PLATFORMS.get(comment.source, comment.source))
    body = (f'<p class="empty">This post was {escape(COMMENT_STATUSES[comment.status])}.</p>' if comment.status
            else comment.body_html)
    return (f'<figure class="quote-card">\n<blockquote>\n{body}</blockquote>\n'
            f'<figcaption><span class="quote-author">{author}</span>{handle} on {platform}, {when}</figcaption>\n</figure>\n')


def _study(study: CaseStudy, site: Site) -> CaseStudy:
    snapshot = study.comments

    def card(match: re.Match) -> str:
        comment = snapshot.find(html.unescape(match.group(1))) if snapshot else None
        return quote_card(comment, site) if comment else ""  # validation reported a missing post

    return replace(study, body_html=_MARKER.sub(card, study.body_html))


def fill_quote_cards(site: Site) -> Site:
    """The site with every quote marker replaced by its card."""
    if not any("<!--introchain-quote:" in study.body_html for study in site.studies):
        return site
    studies = tuple(_study(study, site) if "<!--introchain-quote:" in study.body_html else study
                    for study in site.studies)
    return replace(site, studies=studies)
