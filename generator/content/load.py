"""The first two stages: read the content folder, then validate it into a ``Site``."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from generator.content.comments import read_comments
from generator.content.config import read_config
from generator.content.fields import IDENTIFIER, slugify, suggest
from generator.content.frontmatter import split_front_matter
from generator.content.people import read_people
from generator.content.source import Source, compose, read_text
from generator.content.stories import FrontMatter, StoryParts, read_front_matter, read_story
from generator.errors import ContentError, ContentErrors, display_path, quoted
from generator.markdown import is_remote, render_post
from generator.model import CaseStudy, Person, Site
from generator.privacy import apply_privacy

POST, STORY, COMMENTS = "index.md", "story.yaml", "comments.yaml"
ASSET_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".pdf", ".mp3", ".mp4", ".txt"})


@dataclass(frozen=True)
class RawFile:
    """A content file's path and text."""

    path: Path
    text: str


@dataclass(frozen=True)
class RawBundle:
    """One ``stories/<slug>/`` folder as read from disk."""

    folder: Path
    post: RawFile | None
    story: RawFile | None
    comments: RawFile | None
    assets: tuple[str, ...]  # paths relative to the folder, '/'-separated, sorted


@dataclass(frozen=True)
class RawContent:
    """Everything read from the content folder, and the problems met while reading."""

    root: Path
    site: RawFile | None
    people: RawFile | None
    bundles: tuple[RawBundle, ...]
    errors: tuple[ContentError, ...]


def _outside(path: Path, root: Path) -> bool:
    """True when ``path`` (following symlinks) is not inside the content folder."""
    return not path.resolve().is_relative_to(root.resolve())


def _read(path: Path, errors: list[ContentError], required: bool, root: Path) -> RawFile | None:
    if path.is_symlink() and _outside(path, root):
        errors.append(ContentError(display_path(path), 0, 0, "this link points outside the content folder",
                                   "copy the file into the content folder instead"))
        return None
    if not path.is_file():
        if required:
            errors.append(ContentError(display_path(path), 0, 0, f"missing file {path.name}", f"create {display_path(path)}"))
        return None
    source = Source(path)
    text = read_text(source)
    errors.extend(source.errors)
    return None if text is None else RawFile(path, text)


def _assets(folder: Path, root: Path, errors: list[ContentError]) -> tuple[str, ...]:
    """Files to copy beside the page; symlinks that leave the content folder are refused."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in path.relative_to(folder).parts) or relative in (POST, STORY, COMMENTS):
            continue
        if path.is_symlink() and _outside(path, root):
            errors.append(ContentError(display_path(path), 0, 0, "this link points outside the content folder",
                                       "copy the file into the story's folder instead"))
            continue
        if path.is_file() and path.suffix.lower() in ASSET_SUFFIXES:
            found.append(relative)
    return tuple(found)


def read_content(content_dir: Path) -> RawContent:
    """Stage 1: read every content file (sorted, so the result never depends on the disk's order)."""
    errors: list[ContentError] = []
    if not content_dir.is_dir():
        raise ContentErrors([ContentError(display_path(content_dir), 0, 0, "content folder not found",
                                          "run from your project folder or pass --content DIR")])
    bundles = []
    stories = content_dir / "stories"
    for folder in sorted(stories.iterdir()) if stories.is_dir() else ():
        if not folder.is_dir() or folder.name.startswith((".", "_")):
            continue
        if _outside(folder, content_dir):
            errors.append(ContentError(display_path(folder), 0, 0, "this story folder links outside the content folder",
                                       "move the story into content/stories/ instead of linking to it"))
            continue
        bundles.append(RawBundle(
            folder=folder,
            post=_read(folder / POST, errors, required=True, root=content_dir),
            story=_read(folder / STORY, errors, required=True, root=content_dir),
            comments=_read(folder / COMMENTS, errors, required=False, root=content_dir),
            assets=_assets(folder, content_dir, errors),
        ))
    return RawContent(
        root=content_dir,
        site=_read(content_dir / "site.yaml", errors, required=True, root=content_dir),
        people=_read(content_dir / "people.yaml", errors, required=False, root=content_dir),
        bundles=tuple(bundles),
        errors=tuple(errors),
    )


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


@dataclass(frozen=True)
class _Parsed:
    """One bundle after its own files were validated, before cross-story checks."""

    raw: RawBundle
    slug: str
    front: FrontMatter | None
    story: StoryParts | None
    body: object
    snapshot: object
    comment_refs: tuple
    sources: tuple[Source, ...]
    body_line: int = 1  # the file line the Markdown body starts on


def _parse_bundle(bundle: RawBundle, zone: ZoneInfo, kinds: dict[str, str]) -> _Parsed:
    post = Source(bundle.post.path if bundle.post else bundle.folder / POST)
    story_source = Source(bundle.story.path if bundle.story else bundle.folder / STORY)
    comments_source = Source(bundle.comments.path if bundle.comments else bundle.folder / COMMENTS)
    slug = bundle.folder.name
    if not IDENTIFIER.match(slug):
        post.error_at(1, 1, f"folder name {quoted(slug)} is not a valid slug",
                      f"rename the folder to '{slugify(slug) or 'my-story'}' (lower-case letters, digits, hyphens)")
    front = body = None
    body_line = 1
    if bundle.post:
        split = split_front_matter(bundle.post.text)
        if split is None:
            post.error_at(1, 1, "index.md must start with front matter between two '---' lines",
                          "begin the file with ---, then title: and date:, then ---")
        else:
            front = read_front_matter(post, compose(post, split.front_matter, first_line=2) if split.front_matter.strip() else None, zone)
            body = render_post(split.body)
            body_line = split.body_line
            for image in body.images:
                if not is_remote(image.src):
                    _check_local_path(post, split.body_line + image.line, 1, "image", image.src, bundle.assets)
            if front and front.cover:
                node = front.cover_node
                _check_local_path(post, node.start_mark.line + 1, node.start_mark.column + 1, "cover image", front.cover, bundle.assets)
    story = read_story(story_source, compose(story_source, bundle.story.text), kinds) if bundle.story else None
    snapshot, comment_refs = (None, ())
    if bundle.comments:
        snapshot, comment_refs = read_comments(comments_source, compose(comments_source, bundle.comments.text), zone)
    if front and front.slug:
        slug = front.slug
    return _Parsed(bundle, slug, front, story, body, snapshot, comment_refs, (post, story_source, comments_source), body_line)


def _check_references(parsed: list[_Parsed], people: dict[str, Person]) -> None:
    for item in parsed:
        post, story_source, comments_source = item.sources
        checks = [(story_source, ref) for ref in (item.story.references if item.story else ())]
        checks += [(comments_source, ref) for ref in item.comment_refs]
        if item.front:
            checks.append((post, item.front.author))
        for source, (person_id, node) in checks:
            if person_id not in people:
                hint = suggest(person_id, people) or "define them in people.yaml or in the story's 'people:'"
                source.error(node, f"unknown person '{person_id}'", hint)


_STORY_LINK = re.compile(r"^(?:\.\./|/(?:[^?#]*/)?stories/)(?P<slug>[^/?#]+)/?(?:[?#].*)?$")


def _check_story_links(parsed: list[_Parsed], slugs: set[str], base_path: str) -> None:
    """Links from a post to another case study ('../slug/' or '/stories/slug/') must find it."""
    for item in parsed:
        if item.body is None:
            continue
        post = item.sources[0]
        for link in item.body.links:
            match = _STORY_LINK.match(link.src)
            if match and match.group("slug") not in slugs and not is_remote(link.src):
                post.error_at(item.body_line + link.line, 1, f"link {quoted(link.src)} points at a story that does not exist",
                              suggest(match.group("slug"), slugs) or "check the story's folder name or slug", warning=True)


def _warn_first_names(parsed: list[_Parsed], people: dict[str, Person], redact: tuple[str, ...]) -> None:
    """Redaction replaces full names; point at places where a redacted person's first name remains."""
    for person_id in redact:
        person = people.get(person_id)
        first = person.name.split()[0] if person and person.name.strip() else ""
        if len(first) < 3 or first == person.name:
            continue
        pattern = re.compile(rf"\b{re.escape(first)}\b(?!\s+{re.escape(person.name[len(first):].strip())})")
        for item in parsed:
            for raw_file, source in ((item.raw.post, item.sources[0]), (item.raw.comments, item.sources[2])):
                match = pattern.search(raw_file.text) if raw_file else None
                if match:
                    line = raw_file.text.count("\n", 0, match.start()) + 1
                    column = match.start() - raw_file.text.rfind("\n", 0, match.start())
                    source.error_at(line, column, f"'{first}' may still name {person_id}, who is redacted",
                                    "redaction replaces the full name only; rewrite this mention", warning=True)


def validate(raw: RawContent, *, drafts: bool = False, base_url: str | None = None) -> tuple[Site | None, list[ContentError]]:
    """Stage 2: validate everything; returns the site (None if any error) and every problem found."""
    config_source = Source(raw.site.path if raw.site else raw.root / "site.yaml")
    config, privacy_refs = read_config(config_source, compose(config_source, raw.site.text), base_url) if raw.site else (None, ())
    zone = ZoneInfo(config.timezone) if config else ZoneInfo("UTC")
    people_source = Source(raw.people.path if raw.people else raw.root / "people.yaml")
    global_people = read_people(people_source, compose(people_source, raw.people.text), "people.yaml") if raw.people else {}
    kinds = {person_id: person.kind for person_id, (person, _) in global_people.items()}
    parsed = [_parse_bundle(bundle, zone, kinds) for bundle in raw.bundles]

    people = {person_id: person for person_id, (person, _) in global_people.items()}
    defined_in = {person_id: people_source.shown for person_id in people}
    slugs: dict[str, str] = {}
    for item in parsed:
        post, story_source, _ = item.sources
        for person_id, (person, node) in (item.story.people.items() if item.story else ()):
            if person_id in defined_in:
                story_source.error(node, f"person '{person_id}' is already defined in {defined_in[person_id]}",
                                   "use that entry, or give this one another id")
            else:
                people[person_id], defined_in[person_id] = person, story_source.shown
        if item.slug in slugs:
            node = item.front.slug_node if item.front and item.front.slug_node else None
            where = (node.start_mark.line + 1, node.start_mark.column + 1) if node else (1, 1)
            post.error_at(*where, f"slug '{item.slug}' is already used by {slugs[item.slug]}", "give one of them another slug")
        else:
            slugs[item.slug] = post.shown
    _check_references(parsed, people)
    _check_story_links(parsed, set(slugs), config.base_path if config else "/")
    for person_id, node in privacy_refs:
        if person_id not in people:
            config_source.error(node, f"privacy.redact names unknown person '{person_id}'",
                                suggest(person_id, people) or "use an id from people.yaml or a story's people")
    if config is not None:
        _warn_first_names(parsed, people, config.redact)

    sources = [config_source, people_source] + [source for item in parsed for source in item.sources]
    errors = list(raw.errors) + [error for source in sources for error in source.errors]
    if config is None or any(not error.warning for error in errors):
        return None, errors
    studies = [
        CaseStudy(
            slug=item.slug,
            title=item.front.title,
            date=item.front.date,
            author=item.front.author[0],
            tags=item.front.tags,
            summary=item.front.summary if item.front.summary is not None else item.body.first_paragraph,
            draft=item.front.draft,
            cover=item.front.cover,
            cover_alt=item.front.cover_alt,
            body_html=item.body.html,
            bundle=item.raw.folder,
            assets=item.raw.assets,
            connections=item.story.connections,
            comments=item.snapshot,
        )
        for item in parsed
        if drafts or not item.front.draft
    ]
    studies.sort(key=lambda study: (study.date, study.slug), reverse=True)
    site = Site(config=config, people=dict(sorted(people.items())), studies=tuple(studies))
    return apply_privacy(site, config.redact, config.noindex_people), errors


def load_site(content_dir: Path, *, drafts: bool = False, base_url: str | None = None) -> tuple[Site, list[ContentError]]:
    """Read and validate; raises ``ContentErrors`` with every error, returns the site and its warnings."""
    site, problems = validate(read_content(content_dir), drafts=drafts, base_url=base_url)
    if site is None:
        raise ContentErrors([problem for problem in problems if not problem.warning] or problems)
    return site, problems
