"""``introchain new "Title"``: scaffold a case study that builds as it is."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.errors import display_path

POST = """\
---
title: {title}
date: {date}
author: {author}            # a person id from people.yaml
tags: []                   # e.g. [twitter, webinars]
summary: One sentence for the home page, the feed and link previews.
draft: true                # drafts show in `introchain serve`; set false to publish
# cover: cover.jpg         # an image in this folder...
# cover_alt: What the cover shows   # ...and what it shows, for readers who cannot see it
---
Tell the story here, in Markdown. Who did you meet, through whom, and what came of it?

## How it started

Images in this folder can be shown with `![what it shows](photo.jpg)`.
"""

STORY = """\
# The connection story: who met whom, through what, and how deep it went.
# Reference: docs/content-format.md in introchain (the depth scale, channels, bridge kinds).

people:                    # people only this story knows; shared ones go in people.yaml
  {contact}:
    label: someone you met # shown instead of a name; add `name:` if they agree to be named
    location: somewhere

connections:               # in chain order
  - between: [{author}, {contact}]
    # via: [a-person-or-community-id]   # who or what brought you together
    # bridge: introduction              # direct, introduction, recommendation, community, event, testimonial, content
    channels: [twitter]
    when: {year}                        # a date (2011, 2011-05, 2011-05-18) or words: "for 2-3 years"
    summary: How you two first came across each other.
    stages:                             # noticed, contact, conversation, call, meeting, working, partnership
      - stage: contact
        channel: twitter
        note: The first message.
      # - stage: call
      #   channel: phone
      #   date: {day}
"""

COMMENTS = """\
# A frozen snapshot of the comments the post received (optional: delete this file if there are none).
taken: {day}
source: {url}
comments: []
# comments:
#   - id: first
#     author: A Reader
#     date: {day}
#     body: Markdown text; raw HTML is shown as text.
#   - author: {author_name}
#     reply_to: first
#     date: {day}
#     body: A reply.
"""


def configure(parser: argparse.ArgumentParser) -> None:
    """Declare the options."""
    parser.add_argument("title", help="the case study's title")
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="the content folder (default: ./content)")
    parser.add_argument("--slug", help="the folder and URL name (default: made from the title)")
    parser.add_argument("--author", metavar="ID", help="the author's person id (default: the newest story's author)")


def _default_author(content: Path) -> str | None:
    """The newest story's author, else the first person in people.yaml."""
    from generator.content.load import read_content, validate

    site, _ = validate(read_content(content), drafts=True)
    if site is None:
        return None
    if site.studies:
        return site.studies[0].author
    return next(iter(site.people), None)


#: Longest slug made from a title: a URL stays readable, and a long title is cut at a word.
MAX_SLUG = 60


def _slug_from(title: str) -> str:
    """The title transliterated to a slug ('Πώς γνωριστήκαμε' -> 'pos-gnoristikame'), at most ``MAX_SLUG`` long."""
    from generator.content.fields import slugify

    slug = slugify(title)
    if len(slug) <= MAX_SLUG:
        return slug
    cut = slug[:MAX_SLUG + 1]
    return cut[:cut.rfind("-")] if "-" in cut else slug[:MAX_SLUG]


def _known_people(content: Path) -> set[str]:
    """The ids people.yaml and the stories' own ``people:`` define, read even when other content has errors."""
    import yaml

    from generator.content.source import Source, compose, read_text

    files = [content / "people.yaml", *sorted((content / "stories").glob("*/story.yaml"))]
    known: set[str] = set()
    for path in files:
        source = Source(path)
        text = read_text(source) if path.is_file() else None
        node = compose(source, text) if text else None
        if path.name == "story.yaml" and isinstance(node, yaml.MappingNode):
            node = next((value for key, value in node.value if getattr(key, "value", None) == "people"), None)
        if isinstance(node, yaml.MappingNode):
            known.update(key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode))
    return known


def _author_problem(content: Path, author: str) -> str | None:
    """Why ``--author`` cannot be used, or None."""
    from generator.content.fields import identifier_problem, suggest

    problem = identifier_problem(author)
    if problem is not None:
        return f"--author {problem[0]} ({problem[1]})"
    known = _known_people(content)
    if author not in known:
        hint = suggest(author, known) or "add them to people.yaml first"
        return f"--author '{author}' is not a person in people.yaml or any story ({hint})"
    return None


def run(args: argparse.Namespace) -> int:
    """Create stories/<slug>/ with its three files; 2 if it exists or the content folder is missing."""
    import yaml

    from generator.content.fields import is_identifier, slugify

    content: Path = args.content
    if not (content / "site.yaml").is_file():
        print(f"error: {display_path(content / 'site.yaml')} not found; run from your project folder or pass --content",
              file=sys.stderr)
        return 2
    slug = args.slug or _slug_from(args.title)
    if not is_identifier(slug or ""):
        if args.slug:
            print(f"error: --slug {args.slug!r} is not a slug: use lower-case letters, digits and hyphens "
                  f"(for example {slugify(args.slug) or 'my-first-story'!r})", file=sys.stderr)
        else:
            print(f"error: no letters or digits to make a slug from in {args.title!r}; "
                  "pass --slug with lower-case letters, digits and hyphens (for example --slug how-we-met)",
                  file=sys.stderr)
        return 2
    folder = content / "stories" / slug
    if folder.exists():
        print(f"error: {display_path(folder)} already exists; choose another title or --slug", file=sys.stderr)
        return 2
    if args.author is not None and (problem := _author_problem(content, args.author)) is not None:
        print(f"error: {problem}; nothing was created", file=sys.stderr)
        return 2
    author = args.author or _default_author(content)
    if author is None:
        print("error: no author: pass --author ID (a person id from people.yaml), or fix the errors `introchain check` shows",
              file=sys.stderr)
        return 2
    try:
        config = yaml.safe_load((content / "site.yaml").read_text(encoding="utf-8")) or {}
    except yaml.YAMLError:
        config = {}
    zone = ZoneInfo(str(config.get("timezone") or "UTC"))
    now = datetime.now(zone)
    base_url = str(config.get("base_url") or "https://example.com/").rstrip("/") + "/"
    values = {
        "title": yaml.safe_dump(args.title, default_style='"', width=10_000).strip(),
        "date": now.strftime("%Y-%m-%dT%H:%M:%S"),
        "day": now.strftime("%Y-%m-%d"),
        "year": now.year,
        "author": author,
        "contact": f"{slug}-contact",  # unique per story: story-local ids share one namespace
        "author_name": str(config.get("author") or "The author"),
        "url": f"{base_url}stories/{slug}/",
    }
    folder.mkdir(parents=True)
    (folder / "index.md").write_text(POST.format(**values), encoding="utf-8")
    (folder / "story.yaml").write_text(STORY.format(**values), encoding="utf-8")
    (folder / "comments.yaml").write_text(COMMENTS.format(**values), encoding="utf-8")
    print(f"created {display_path(folder)}/ (index.md, story.yaml, comments.yaml) as a draft")
    print("preview it with `introchain serve`; set `draft: false` in index.md to publish it")
    return 0
