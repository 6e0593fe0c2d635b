"""Stage 2: validate what ``read.py`` read into a ``Site``: each bundle on its own, then across stories.

Each bundle's own files are parsed by ``bundle.parse_bundle``; a ``ContentMemo`` carried from
one call to the next (the dev server, the build's cache) reuses the parsed bundles, the
site config and people.yaml while their texts are unchanged, so an edit to one post
re-parses one post. The cross-story checks (people, slugs, links) always run on everything.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.content.bundle import BundleMemo, ParsedBundle
from generator.content.config import read_config
from generator.content.fields import suggest
from generator.content.people import read_people
from generator.content.read import (  # noqa: F401 - re-exported: stage 1 as callers know it
    ASSET_SUFFIXES, COMMENTS, POST, STORY, RawBundle, RawContent, RawFile, read_content,
)
from generator.content.source import Source, compose, place_of
from generator.errors import ContentError, ContentErrors, display_path, quoted
from generator.markdown import is_remote
from generator.content.plain_pages import read_plain_page
from generator.handles import link_handles
from generator.model import CHANNELS, Person, PlainPage, Site, SiteConfig
from generator.privacy import apply_privacy
from generator.quotes import fill_quote_cards


@dataclass
class ContentMemo:
    """What one ``load_site`` call leaves for the next: the files read and what was parsed from them."""

    raw: RawContent | None = None
    bundles: BundleMemo = field(default_factory=BundleMemo)
    config: tuple = ()  # (site.yaml's RawFile, base_url, (config, privacy refs, errors))
    people: tuple = ()  # (people.yaml's RawFile, (people, errors))
    checks: tuple = ()  # (the ids of people and stories, {id(bundle): (bundle, its cross-story errors)})


class _Checked:
    """A parsed bundle's parts the cross-story checks read, and the sources for the errors they find.

    The sources are made on first use: at thousands of stories that are all fine, making
    three per story on every rebuild would cost more than the checks.
    """

    __slots__ = ("item", "raw", "slug", "front", "story", "body", "body_line", "comment_refs", "_sources")

    def __init__(self, item: ParsedBundle):
        self.item, self.raw, self.slug, self.front, self.story = item, item.raw, item.slug, item.front, item.story
        self.body, self.body_line, self.comment_refs = item.body, item.body_line, item.comment_refs
        self._sources: tuple[Source, Source, Source] | None = None

    @property
    def sources(self) -> tuple[Source, Source, Source]:
        if self._sources is None:
            post, story, comments = self.item.paths
            self._sources = (Source(post), Source(story), Source(comments))
        return self._sources

    def errors(self) -> list[ContentError]:
        """Its files' own errors and the cross-story ones, file by file."""
        found: list[ContentError] = []
        for number, parse_errors in enumerate(self.item.errors):
            found += parse_errors
            if self._sources is not None:
                found += self._sources[number].errors
        return found


def _read_config(raw: RawContent, base_url: str | None, memo: ContentMemo) -> tuple[Source, SiteConfig | None, tuple]:
    source = Source(raw.site.path if raw.site else raw.root / "site.yaml")
    if not raw.site:
        return source, None, ()
    if memo.config[:2] != (raw.site, base_url):
        config, refs = read_config(source, compose(source, raw.site.text), base_url)
        memo.config = (raw.site, base_url, (config, tuple((person_id, place_of(node)) for person_id, node in refs),
                                            tuple(source.errors)))
        source = Source(source.path)
    config, refs, errors = memo.config[2]
    source.errors.extend(errors)
    return source, config, refs


def _read_people(raw: RawContent, memo: ContentMemo) -> tuple[Source, dict[str, tuple[Person, object]]]:
    source = Source(raw.people.path if raw.people else raw.root / "people.yaml")
    if not raw.people:
        return source, {}
    if memo.people[:1] != (raw.people,):
        people = read_people(source, compose(source, raw.people.text), "people.yaml")
        memo.people = (raw.people, ({person_id: (person, place_of(node)) for person_id, (person, node) in people.items()},
                                    tuple(source.errors)))
        source = Source(source.path)
    people, errors = memo.people[1]
    source.errors.extend(errors)
    return source, people


_STORY_LINK = re.compile(r"^(?:\.\./|/(?:[^?#]*/)?stories/)(?P<slug>[^/?#]+)/?(?:[?#].*)?$")
# From a story page (stories/<slug>/) or site-relative: a person's page or a tag's page.
_PAGE_LINK = re.compile(r"^(?:\.\./\.\./|/(?:[^?#]*/)?)(?P<kind>people|tags)/(?P<name>[^/?#]+)/?(?:[?#].*)?$")


def _column(text: str, line: int, target: str) -> int:
    """1-based column of ``target`` on the 1-based ``line`` of ``text`` (1 when not found)."""
    rows = text.split("\n")
    row = rows[line - 1] if 0 < line <= len(rows) else ""
    found = row.find(target)
    return found + 1 if found >= 0 else 1


def _cross_check(item: _Checked, people: Container[str], slugs: Container[str],
                 tags: Container[str] = ()) -> tuple[tuple[ContentError, ...], ...]:
    """The errors of one bundle's references to people and its links to stories, people and tags, per file.

    A pure function of the bundle and the ids that exist, so ``validate`` reuses its result
    while those are the same.
    """
    sources = tuple(Source(path) for path in item.item.paths)
    checks = [(1, ref) for ref in (item.story.references if item.story else ())]
    checks += [(2, ref) for ref in item.comment_refs]
    if item.front:
        checks.append((0, item.front.author))
    for number, (person_id, node) in checks:
        if person_id not in people:
            hint = suggest(person_id, people) or "define them in people.yaml or in the story's 'people:'"
            sources[number].error(node, f"unknown person '{person_id}'", hint)
    # Local links in a post ('../slug/', '/stories/slug/', '../../people/id/', '/tags/x/') must find their page.
    if item.body is not None:
        _check_links(sources[0], item.body.links, item.body_line, lambda: item.raw.post.current_text() if item.raw.post else "",
                     people, slugs, tags)
    return tuple(tuple(source.errors) for source in sources)


def _check_links(source: Source, links, body_line: int, text_of, people: Container[str], slugs: Container[str],
                 tags: Container[str], *, relative: bool = True) -> None:
    """Record an error for each link to a story, person or tag page that does not exist.

    ``relative``: links are read from a story page (``../slug/``); otherwise only
    site-relative ones (``/stories/slug/``) can be placed.
    """
    text = None
    for link in links:
        if is_remote(link.src) or (not relative and not link.src.startswith("/")):
            continue
        story, page = _STORY_LINK.match(link.src), _PAGE_LINK.match(link.src)
        if story and story.group("slug") not in slugs:
            name, what, known, hint = story.group("slug"), "a story", slugs, "check the story's folder name or slug"
        elif page and page.group("kind") == "people" and page.group("name") not in people:
            name, what, known, hint = page.group("name"), "a person", people, "use an id from people.yaml"
        elif page and page.group("kind") == "tags" and page.group("name") not in tags:
            name, what, known, hint = page.group("name"), "a tag", tags, "tag pages are named by the slug of a tag a story uses"
        else:
            continue
        text = text_of() if text is None else text
        line = body_line + link.line
        source.error_at(line, _column(text, line, link.src), f"link {quoted(link.src)} points at {what} that does not exist",
                        suggest(name, known) or hint)


def _read_pages(raw: RawContent, people: Container[str], slugs: Container[str], tags: Container[str],
                drafts: bool) -> tuple[tuple[PlainPage, ...], list[ContentError]]:
    """The plain pages (drafts only when ``drafts``) and their errors, links checked."""
    pages: list[PlainPage] = []
    errors: list[ContentError] = []
    for raw_file in raw.pages:
        page, body, body_line, found = read_plain_page(raw_file)
        source = Source(raw_file.path)
        if body is not None:
            _check_links(source, body.links, body_line, raw_file.current_text, people, slugs, tags, relative=False)
        errors += found + source.errors
        if page is not None and not source.errors and (drafts or not page.draft):
            pages.append(page)
    return tuple(pages), errors


def _check_across(parsed: list[_Checked], people: dict[str, Person], slugs: dict[str, Path], tags: frozenset[str],
                  memo: ContentMemo) -> None:
    """Record every bundle's cross-story errors, reusing last time's for unchanged bundles while the ids are the same."""
    key = (frozenset(people), frozenset(slugs), tags)
    known = memo.checks[1] if memo.checks and memo.checks[0] == key else {}
    results = {}
    for item in parsed:
        entry = known.get(id(item.item))
        found = entry[1] if entry is not None and entry[0] is item.item else _cross_check(item, people, slugs, tags)
        results[id(item.item)] = (item.item, found)
        for number, errors in enumerate(found):
            if errors:
                item.sources[number].errors.extend(errors)
    memo.checks = (key, results)


def _check_tag_pages(parsed: list[_Checked]) -> None:
    """Two tags that would share one page must be spelt alike (case, spaces and hyphens aside)."""
    first: dict[str, tuple[str, str, Path]] = {}  # page slug -> (spelling, tag as written, where)
    for item in parsed:
        front = item.front
        if front is None:
            continue
        for tag, place, (slug, spelling) in zip(front.tags, front.tag_nodes, item.item.tag_keys):
            seen = first.setdefault(slug, (spelling, tag, item.item.paths[0]))
            if seen[0] != spelling:
                item.sources[0].error(place, f"tag {quoted(tag)} and tag {quoted(seen[1])} (in {display_path(seen[2])}) "
                                             f"would share one page, tags/{slug}/",
                                      f"spell both the same way, or make them differ in letters or digits")


def _warn_first_names(parsed: list[_Checked], people: dict[str, Person], redact: tuple[str, ...]) -> None:
    """Redaction replaces full names; point at places where a redacted person's first name remains."""
    for person_id in redact:
        person = people.get(person_id)
        first = person.name.split()[0] if person and person.name.strip() else ""
        if len(first) < 3 or first == person.name:
            continue
        pattern = re.compile(rf"\b{re.escape(first)}\b(?!\s+{re.escape(person.name[len(first):].strip())})")
        for item in parsed:
            for raw_file, source in ((item.raw.post, item.sources[0]), (item.raw.comments, item.sources[2])):
                text = raw_file.current_text() if raw_file else ""
                match = pattern.search(text)
                if match:
                    line = text.count("\n", 0, match.start()) + 1
                    column = match.start() - text.rfind("\n", 0, match.start())
                    source.error_at(line, column, f"'{first}' may still name {person_id}, who is redacted",
                                    "redaction replaces the full name only; rewrite this mention", warning=True)


def validate(raw: RawContent, *, drafts: bool = False, base_url: str | None = None,
             memo: ContentMemo | None = None) -> tuple[Site | None, list[ContentError]]:
    """Validate everything; returns the site (None if any error) and every problem found."""
    memo = memo if memo is not None else ContentMemo()
    config_source, config, privacy_refs = _read_config(raw, base_url, memo)
    zone = ZoneInfo(config.timezone) if config else ZoneInfo("UTC")
    people_source, global_people = _read_people(raw, memo)
    kinds = {person_id: person.kind for person_id, (person, _) in global_people.items()}
    channels = tuple(channel.id for channel in config.channels) if config else CHANNELS
    parsed = [_Checked(item) for item in memo.bundles.parse_all(raw.bundles, zone, kinds, channels)]

    people = {person_id: person for person_id, (person, _) in global_people.items()}
    # Paths, not their display forms: those are computed only for the messages that need them.
    defined_in = {person_id: people_source.path for person_id in people}
    slugs: dict[str, Path] = {}
    for item in parsed:
        for person_id, (person, node) in (item.story.people.items() if item.story else ()):
            if person_id in defined_in:
                item.sources[1].error(node, f"person '{person_id}' is already defined in {display_path(defined_in[person_id])}",
                                      "use that entry, or give this one another id")
            else:
                people[person_id], defined_in[person_id] = person, item.item.paths[1]
        if item.slug in slugs:
            node = item.front.slug_node if item.front and item.front.slug_node else None
            where = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
            item.sources[0].error_at(*where, f"slug '{item.slug}' is already used by {display_path(slugs[item.slug])}",
                                     "give one of them another slug")
        else:
            slugs[item.slug] = item.item.paths[0]
    tags = frozenset(slug for item in parsed for slug, _ in item.item.tag_keys)
    _check_across(parsed, people, slugs, tags, memo)
    _check_tag_pages(parsed)
    for person_id, node in privacy_refs:
        if person_id not in people:
            config_source.error(node, f"privacy.redact names unknown person '{person_id}'",
                                suggest(person_id, people) or "use an id from people.yaml or a story's people")
    if config is not None:
        _warn_first_names(parsed, people, config.redact)

    errors = list(raw.errors) + config_source.errors + people_source.errors
    for item in parsed:
        errors += item.errors()
    pages, page_errors = _read_pages(raw, people, slugs, tags, drafts)
    errors += page_errors
    if config is None or any(not error.warning for error in errors):
        return None, errors
    studies = [item.item.study for item in parsed if drafts or not item.item.study.draft]
    studies.sort(key=lambda study: (study.date, study.slug), reverse=True)
    site = link_handles(Site(config=config, people=dict(sorted(people.items())), studies=tuple(studies), pages=pages))
    return fill_quote_cards(apply_privacy(site, config.redact, config.noindex_people)), errors


def load_site(content_dir: Path, *, drafts: bool = False, base_url: str | None = None,
              memo: ContentMemo | None = None, changed: Iterable[Path] | None = None) -> tuple[Site, list[ContentError]]:
    """Read and validate; raises ``ContentErrors`` with every error, returns the site and its warnings.

    With a ``memo`` from the previous call, unchanged files are not read and unchanged
    bundles are not parsed again; ``changed`` is passed on to ``read_content``.
    """
    try:
        raw = read_content(content_dir, memo.raw if memo is not None else None, changed)
    except BaseException:
        if memo is not None:
            memo.raw = None  # the changes reported so far are not in it: look at every file next time
        raise
    site, problems = validate(raw, drafts=drafts, base_url=base_url, memo=memo)
    if memo is not None:
        memo.raw = raw
    if site is None:
        raise ContentErrors([problem for problem in problems if not problem.warning] or problems)
    return site, problems
