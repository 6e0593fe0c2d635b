"""One story bundle's own files, validated on their own (before any cross-story check).

``parse_bundle`` is a pure function of the bundle's texts, the site's time zone, the
kinds of people.yaml's people and the site's channel ids, which is what lets ``BundleMemo`` reuse its result while
those are unchanged and lets a cold build parse bundles on every core. Its result holds
no YAML nodes (only their places), so it pickles small.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from generator.content.comments import read_comments
from generator.content.fields import identifier_problem, suggest, tag_slug, tag_spelling
from generator.content.frontmatter import split_front_matter
from generator.content.read import COMMENTS, POST, STORY, RawBundle
from generator.content.source import Source, compose, place_of
from generator.content.stories import FrontMatter, StoryParts, read_front_matter, read_story
from generator.errors import ContentError, quoted
from generator.markdown import MAX_NESTING, Rendered, is_remote, reading_minutes, render_post
from generator.model import CHANNELS, CaseStudy, CommentSnapshot

#: Fewer bundles to parse than this are parsed in this process: a pool costs more than it saves.
MIN_PARALLEL_BUNDLES = 64


@dataclass(frozen=True)
class ParsedBundle:
    """One bundle after its own files were validated, before cross-story checks."""

    raw: RawBundle
    slug: str
    front: FrontMatter | None
    story: StoryParts | None
    body: Rendered | None
    snapshot: CommentSnapshot | None
    comment_refs: tuple
    errors: tuple[tuple[ContentError, ...], ...]  # of index.md, story.yaml and comments.yaml
    study: CaseStudy | None  # None when any of its files has an error
    body_line: int = 1  # the file line the Markdown body starts on
    tag_keys: tuple[tuple[str, str], ...] = ()  # per tag of the front matter: its page's slug and its spelling

    @cached_property
    def paths(self) -> tuple[Path, Path, Path]:
        """The paths of index.md, story.yaml and comments.yaml (whether they exist or not)."""
        raw = self.raw
        return (raw.post.path if raw.post else raw.folder / POST, raw.story.path if raw.story else raw.folder / STORY,
                raw.comments.path if raw.comments else raw.folder / COMMENTS)


def _check_local_path(source: Source, line: int, column: int, what: str, ref: str, assets: tuple[str, ...]) -> None:
    """A reference to a file in the bundle: an error if it escapes, a warning if it is missing."""
    path = unquote(urlsplit(ref).path)
    normal = posixpath.normpath(path) if path else ""
    if path.startswith(("/", "\\")) or normal == ".." or normal.startswith("../") or "\\" in path:
        source.error_at(line, column, f"{what} {quoted(ref)} leaves the story's folder",
                        "put the file in the story's folder and refer to it by its name")
    elif normal not in assets:
        hint = suggest(normal, assets) or "put the file in the story's folder"
        source.error_at(line, column, f"{what} {quoted(ref)} is not in the story's folder", hint, warning=True)


def _placed(reference):
    """A ``(person id, node)`` reference with the node replaced by its place."""
    return reference[0], place_of(reference[1])


def _lean_front(front: FrontMatter | None) -> FrontMatter | None:
    if front is None:
        return None
    return replace(front, author=_placed(front.author), slug_node=place_of(front.slug_node), cover_node=place_of(front.cover_node),
                   tag_nodes=tuple(place_of(node) for node in front.tag_nodes))


def _lean_story(story: StoryParts | None) -> StoryParts | None:
    if story is None:
        return None
    people = {person_id: (person, place_of(node)) for person_id, (person, node) in story.people.items()}
    return StoryParts(people, story.connections, tuple(_placed(ref) for ref in story.references))


def parse_bundle(bundle: RawBundle, zone: ZoneInfo, kinds: Mapping[str, str], channels: tuple[str, ...] = CHANNELS) -> ParsedBundle:
    """Validate one bundle's files on their own."""
    post = Source(bundle.post.path if bundle.post else bundle.folder / POST)
    story_source = Source(bundle.story.path if bundle.story else bundle.folder / STORY)
    comments_source = Source(bundle.comments.path if bundle.comments else bundle.folder / COMMENTS)
    slug = bundle.folder.name
    problem = identifier_problem(slug)
    if problem is not None:
        post.error_at(1, 1, f"the folder name is not a valid slug: {problem[0]}",
                      f"rename the folder: {problem[1]}")
    front = body = None
    body_line = 1
    if bundle.post:
        split = split_front_matter(bundle.post.current_text())
        if split is None:
            post.error_at(1, 1, "index.md must start with front matter between two '---' lines",
                          "begin the file with ---, then title: and date:, then ---")
        else:
            matter = compose(post, split.front_matter, first_line=2) if split.front_matter.strip() else None
            front = read_front_matter(post, matter, zone)
            body = render_post(split.body)
            body_line = split.body_line
            if body.too_deep is not None:
                post.error_at(body_line + body.too_deep, 1, f"quotes, lists or emphasis are nested more than {MAX_NESTING} "
                              "levels deep here", "flatten this part: deeper levels cannot be shown")
            for image in body.images:
                if not is_remote(image.src):
                    _check_local_path(post, split.body_line + image.line, 1, "image", image.src, bundle.assets)
            if front and front.cover:
                node = front.cover_node
                _check_local_path(post, node.start_mark.line + 1, node.start_mark.column + 1, "cover image", front.cover,
                                  bundle.assets)
    story = read_story(story_source, compose(story_source, bundle.story.current_text()), dict(kinds), channels) if bundle.story else None
    snapshot, comment_refs = (None, ())
    if bundle.comments:
        snapshot, comment_refs = read_comments(comments_source, compose(comments_source, bundle.comments.current_text()), zone)
    if body is not None:
        for quote in body.quotes:
            if not bundle.comments or (snapshot is not None and snapshot.find(quote.src) is None):
                post.error_at(body_line + quote.line, 1, f"the quoted post {quoted(quote.src)} is not in this story's comments.yaml",
                              "take a snapshot of its thread first: introchain snapshot URL --story SLUG")
    if front and front.slug:
        slug = front.slug
    sources = (post, story_source, comments_source)
    failed = any(not error.warning for source in sources for error in source.errors)
    study = None
    if not failed and front is not None and body is not None and story is not None:
        study = CaseStudy(
            slug=slug,
            title=front.title,
            date=front.date,
            author=front.author[0],
            tags=front.tags,
            summary=front.summary if front.summary is not None else body.first_paragraph,
            draft=front.draft,
            cover=front.cover,
            cover_alt=front.cover_alt,
            body_html=body.html,
            bundle=bundle.location,
            assets=bundle.assets,
            connections=story.connections,
            comments=snapshot,
            series=front.series,
            reading_minutes=reading_minutes(body.html),
        )
    return ParsedBundle(
        raw=bundle, slug=slug, front=_lean_front(front), story=_lean_story(story), body=body, snapshot=snapshot,
        comment_refs=tuple(_placed(ref) for ref in comment_refs), errors=tuple(tuple(source.errors) for source in sources),
        study=study, body_line=body_line,
        # Worked out once per parse: the checks across stories compare every tag of the site on each build.
        tag_keys=tuple((tag_slug(tag), tag_spelling(tag)) for tag in front.tags) if front else (),
    )


def _parse_chunk(work: tuple[Sequence[RawBundle], ZoneInfo, Mapping[str, str], tuple[str, ...]]) -> list[ParsedBundle]:
    bundles, zone, kinds, channels = work
    parsed = [parse_bundle(bundle, zone, kinds, channels) for bundle in bundles]
    for bundle in bundles:
        _forget_texts(bundle)  # in a worker, this keeps the texts out of the results sent back
    return parsed


def _adopt(item: ParsedBundle, bundle: RawBundle) -> ParsedBundle:
    """A bundle parsed in a worker, pointed at this process's copy of its files and folder."""
    study = item.study if item.study is None else replace(item.study, bundle=bundle.location)
    return replace(item, raw=bundle, study=study)


def _forget_texts(bundle: RawBundle) -> None:
    for raw_file in (bundle.post, bundle.story, bundle.comments):
        if raw_file is not None:
            raw_file.forget_text()  # parsed: from now on only its digest is compared


class BundleMemo:
    """Parsed bundles from earlier validations, reused while a bundle, the zone and the kinds are the same.

    Holds only the entries used by the latest ``parse_all``, so it never grows past one site,
    and lets go of the texts it parsed (a bundle parsed again reads them from disk).
    """

    def __init__(self) -> None:
        # By identity: ``read_content`` hands back the very same bundle object while its files
        # are unchanged, and hashing every bundle's texts would cost more than the lookup saves.
        self._entries: dict[int, tuple[RawBundle, ParsedBundle]] = {}
        self._context: tuple | None = None

    def parse_all(self, bundles: Sequence[RawBundle], zone: ZoneInfo, kinds: Mapping[str, str],
                  channels: tuple[str, ...] = CHANNELS) -> list[ParsedBundle]:
        """Every bundle parsed, in order: reused when possible, the rest on every core when there are many."""
        from generator.parallel import map_chunks

        context = (zone.key, tuple(sorted(kinds.items())), channels)
        entries = self._entries if context == self._context else {}
        missing = [bundle for bundle in bundles if entries.get(id(bundle), (None,))[0] is not bundle]
        if len(missing) >= MIN_PARALLEL_BUNDLES:
            parsed = map_chunks(_parse_chunk, missing, lambda chunk: (chunk, zone, dict(kinds), channels))
        else:
            parsed = [parse_bundle(bundle, zone, kinds, channels) for bundle in missing]
        for bundle in missing:
            _forget_texts(bundle)
        # A bundle parsed in a worker comes back with the worker's copy of its files: point it
        # at this process's own, so the memo holds each bundle once (10,000 stories: 120 MB).
        parsed = [item if item.raw is bundle else _adopt(item, bundle) for bundle, item in zip(missing, parsed)]
        entries = {**entries, **{id(bundle): (bundle, item) for bundle, item in zip(missing, parsed)}}
        self._entries = {id(bundle): entries[id(bundle)] for bundle in bundles}
        self._context = context
        return [self._entries[id(bundle)][1] for bundle in bundles]

    @classmethod
    def holding(cls, pairs: Sequence[tuple[RawBundle, ParsedBundle]], context: tuple | None) -> BundleMemo:
        """A memo that holds ``pairs`` (as ``pairs()`` gave them) parsed in ``context`` (as ``context`` gave it)."""
        memo = cls()
        memo._entries = {id(bundle): (bundle, item) for bundle, item in pairs}
        memo._context = context
        return memo

    def pairs(self) -> list[tuple[RawBundle, ParsedBundle]]:
        """Every bundle held, with what was parsed from it."""
        return list(self._entries.values())

    @property
    def context(self) -> tuple | None:
        """The zone, kinds and channels the held bundles were parsed with."""
        return self._context
