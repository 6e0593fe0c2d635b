"""Decide everything an import writes, before writing anything.

``read_project`` loads what the import needs from the content folder (the site's timezone and
its people); ``make_plan`` turns a parsed export into the full text of every file to write,
plus what was skipped and why. The command writes the plan, or only prints it (``--dry-run``).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo


from generator.importers.download import DownloadError, Downloader, file_name, image_kind, localise_images
from generator.importers.markdown_convert import MAX_DEPTH, Media, TooDeep, html_to_markdown, html_to_text
from generator.content.fields import MAX_ID_LENGTH
from generator.importers.people import NewPerson, PeopleDirectory, slugify
from generator.content.plain_pages import RESERVED
from generator.importers.project import Project, ProjectError
from generator.importers.scrub import EMAIL_REMOVED, Scrubber
from generator.importers.skeleton import story_skeleton
from generator.errors import display_path
from generator.importers.comments import KeptComment, thread
from generator.importers.wordpress import Export, Item, local_time, sort_key
from generator.importers.writer import (
    IMPORTED_FILES,
    PeopleFileError,
    PlannedFile,
    iso,
    merge_people,
    render_comments,
    render_index,
)

DRAFT_STATUSES = frozenset({"draft", "pending", "future"})
NEVER_IMPORTED = {"private": "private post: never imported", "trash": "in the WordPress trash"}


@dataclass(frozen=True)
class Options:
    """The import command's switches."""

    export_name: str
    drafts: bool = False
    pages: bool = True
    force: bool = False
    downloader: Downloader | None = None  # --download-images
    people_map: Mapping[str, str] = field(default_factory=dict)  # commenter or author name -> person id


@dataclass(frozen=True)
class Skipped:
    """An item that was not imported, and why."""

    title: str
    reason: str


@dataclass(frozen=True)
class Bundle:
    """One case study to write."""

    slug: str
    title: str
    post_type: str
    draft: bool
    replaces: bool
    comments: int
    files: tuple[PlannedFile, ...]
    stale: tuple[Path, ...]


@dataclass(frozen=True)
class CommentCounts:
    """What happened to the comments of the imported posts."""

    written: int = 0
    pending: int = 0
    spam: int = 0
    trash: int = 0
    pings: int = 0
    other: int = 0
    empty: int = 0
    nested: int = 0
    on_pages: int = 0


@dataclass(frozen=True)
class ImportPlan:
    """Every file an import writes, and everything the author should be told."""

    bundles: tuple[Bundle, ...]
    skipped: tuple[Skipped, ...]
    people: tuple[NewPerson, ...]
    people_file: PlannedFile | None
    comments: CommentCounts
    unknown_shortcodes: tuple[tuple[str, str, int], ...]  # (slug, shortcode, times)
    notes: tuple[str, ...]
    ignored_types: tuple[tuple[str, int], ...] = field(default=())
    removed: tuple[int, int] = (0, 0)  # e-mail addresses and IP addresses removed from the text
    site_file: PlannedFile | None = None  # a new site.yaml
    downloads: tuple[str, ...] = ()  # images not downloaded, and why

    @property
    def files(self) -> tuple[PlannedFile, ...]:
        """All files, bundles first and site.yaml and people.yaml last."""
        bundle_files = tuple(f for bundle in self.bundles for f in bundle.files)
        return bundle_files + tuple(f for f in (self.site_file, self.people_file) if f is not None)

    @property
    def stale(self) -> tuple[Path, ...]:
        """Files of replaced bundles that the new import no longer has (``--force``)."""
        return tuple(path for bundle in self.bundles for path in bundle.stale)


def make_plan(export: Export, project: Project, options: Options) -> ImportPlan:
    """Every file to write for ``export``, and what is skipped and why."""
    zone = project.timezone
    media = {
        item.id: Media(item.id, item.attachment_url, html_to_text(item.image_alt or item.title))
        for item in export.items
        if item.post_type == "attachment" and item.attachment_url
    }
    children: dict[int, list[Item]] = {}
    for item in export.items:
        if item.post_type == "attachment" and item.attachment_url:
            children.setdefault(item.parent, []).append(item)
    authors = {author.login: author for author in export.authors}
    taken = export.pub_date.astimezone(zone) if export.pub_date else None
    notes: list[str] = []
    if taken is None:
        latest = max((local_time(i.date_gmt, i.date_local, zone) for i in export.items), default=None, key=sort_key)
        taken = latest or datetime(1970, 1, 1, tzinfo=zone)
        notes.append("the export has no <pubDate>: comment snapshots are dated with its latest post")

    scrubber = Scrubber()
    export_name = one_line(scrubber.text(options.export_name))
    directory = PeopleDirectory(project.people, options.people_map)
    skipped: list[Skipped] = []
    bundles: list[Bundle] = []
    counts: Counter[str] = Counter()
    shortcodes: list[tuple[str, str, int]] = []
    ignored: Counter[str] = Counter()
    used_slugs: set[str] = set()
    page_slugs: set[str] = set(RESERVED)
    downloads: list[str] = []  # what --download-images could not fetch, or would have
    candidates = sorted(
        (item for item in export.items if item.post_type != "attachment"),
        key=lambda item: (sort_key(local_time(item.date_gmt, item.date_local, zone)), item.id),
    )
    for item in candidates:
        title = one_line(scrubber.text(html_to_text(item.title))) or f"Untitled {item.post_type} {item.id}"
        if item.post_type not in ("post", "page"):
            if item.post_type != "revision":  # revisions are old copies of posts, never content
                ignored[item.post_type] += 1
            continue
        reason = _skip_reason(item, options)
        if reason == "":
            continue  # auto-drafts: never content
        if item.post_type == "page":
            page = _plain_page(item, title, reason, project, options, export, page_slugs, scrubber)
            if isinstance(page, Skipped):
                skipped.append(page)
            else:
                bundles.append(page)
                counts["on_pages"] += sum(1 for comment in item.comments if comment.approved == "1")
            continue
        slug = _unique(_post_slug(item), used_slugs)
        folder = project.content_dir / "stories" / slug
        if reason is None and folder.exists() and not options.force:
            reason = f"{display_path(folder)} already exists (use --force to overwrite)"
        if reason is None and not item.creator:
            reason = "the export names no author for it"
        if reason is not None:
            skipped.append(Skipped(title, reason))
            continue
        author = authors.get(item.creator)
        author_name = one_line(scrubber.text(html.unescape(author.display_name if author else item.creator)))
        base = item.link or export.base_url
        try:
            body = html_to_markdown(item.content, base, media, tuple(_media(children.get(item.id, []), media)))
        except TooDeep as err:
            line = export.item_lines.get(item.id, 0)
            where = f"{options.export_name}:{line}: " if line else ""
            skipped.append(Skipped(title, f"{where}its HTML is nested {err.depth} elements deep (at most {MAX_DEPTH} are "
                                          "converted): not imported; flatten the post in WordPress and export again"))
            continue
        author_id = directory.person_for(author_name or item.creator, "author", slug, fallback=slugify(item.creator) or "author")
        moment = local_time(item.date_gmt, item.date_local, zone) or taken
        front: dict[str, object] = {"title": title, "date": iso(moment), "author": author_id}
        tags = [tag for tag in (one_line(scrubber.text(tag)) for tag in _tags(item)) if tag]
        if tags:
            front["tags"] = tags
        summary = one_line(scrubber.text(html_to_text(item.excerpt)))
        if summary:
            front["summary"] = summary
        if item.status != "publish":
            front["draft"] = True
        front["slug"] = slug
        unknown = Counter(body.unknown_shortcodes)
        shortcodes.extend((slug, name, unknown[name]) for name in sorted(unknown))
        notes.extend(f"{slug}: {note}" for note in body.notes)
        kept, tally = thread(item, base, zone)
        counts.update(tally)
        written = _comment_entries(kept, directory, slug, zone, moment, scrubber)
        markdown = body.markdown
        images: list[PlannedFile] = []
        if options.downloader is not None:  # before scrubbing: an image's address may be an IP address
            markdown, images = _download(markdown, item, folder, front, media, options.downloader, downloads, scrubber)
        elif item.thumbnail in media:
            downloads.append(f"{slug}: the featured image is not the cover: it is on the old site (use --download-images)")
        markdown = scrubber.text(markdown)
        files = [PlannedFile(folder / "index.md", render_index(front, markdown)), *images]
        source = scrubber.url(item.link if urlsplit(item.link).scheme in ("http", "https") else export.link)
        if written:
            header = (
                f"# Comment snapshot imported from WordPress ({export_name}): approved comments\n"
                "# only; e-mail and IP addresses were left out.\n"
            )
            files.append(PlannedFile(folder / "comments.yaml", render_comments(taken, source, written, header)))
        files.append(PlannedFile(folder / "story.yaml", story_skeleton(title, author_id, author_name, written)))
        names = {f.path.name for f in files}
        stale = tuple(folder / name for name in IMPORTED_FILES if name not in names and (folder / name).exists())
        bundles.append(
            Bundle(slug, title, item.post_type, item.status != "publish", folder.exists(), len(written), tuple(files), stale)
        )

    people_file = None
    if directory.added:
        header = (
            f"# Imported from WordPress ({export_name}). TODO: check these people: merge any\n"
            "# duplicates, and add location, bio and links.\n"
        )
        try:
            text = merge_people(project.people_text, project.people, directory.added, header)
        except PeopleFileError as err:
            raise ProjectError(project.people_path, f"cannot add the imported people: {err}", hint="write it as one 'id:' block per person") from None
        people_file = PlannedFile(project.people_path, text)
    return ImportPlan(
        tuple(bundles),
        tuple(skipped),
        directory.added,
        people_file,
        CommentCounts(**counts),
        tuple(shortcodes),
        tuple(project.notes) + tuple(notes),
        tuple(sorted(ignored.items())),
        (scrubber.emails, scrubber.ips),
        project.site_file,
        tuple(downloads),
    )


def _download(markdown: str, item: Item, folder: Path, front: dict[str, object], media: Mapping[int, Media],
              downloader: Downloader, failures: list[str], scrubber: Scrubber) -> tuple[str, list[PlannedFile]]:
    """The body with its images in the story folder, the featured image as ``cover``, and the image files."""
    taken = {"index.md", "story.yaml", "comments.yaml"}
    failed: list[str] = []
    names: dict[str, str] = {}
    markdown, fetched = localise_images(markdown, downloader, taken, failed, names)
    featured = media.get(item.thumbnail)
    if featured is not None:
        try:
            data = downloader.get(featured.url)
        except DownloadError as err:
            failed.append(f"{featured.url} (featured image): {err}")
        else:
            name = names.get(featured.url) or file_name(featured.url, image_kind(data), taken)
            fetched[name] = data
            front["cover"] = name
            front["cover_alt"] = one_line(scrubber.text(featured.alt)) or str(front["title"])
    failures.extend(f"{folder.name}: {scrubber.text(failure)}" for failure in failed)
    return markdown, [PlannedFile(folder / name, data) for name, data in sorted(fetched.items())]


def _plain_page(item: Item, title: str, reason: str | None, project: Project, options: Options, export: Export,
                used: set[str], scrubber: Scrubber) -> Bundle | Skipped:
    """A WordPress page as a plain page, ``content/pages/<slug>.md`` (its comments are not kept)."""
    slug = _unique(_post_slug(item), used)
    path = project.content_dir / "pages" / f"{slug}.md"
    if reason is None and path.exists() and not options.force:
        reason = f"{display_path(path)} already exists (use --force to overwrite)"
    if reason is not None:
        return Skipped(title, reason)
    try:
        body = html_to_markdown(item.content, item.link or export.base_url)
    except TooDeep as err:
        line = export.item_lines.get(item.id, 0)
        return Skipped(title, f"line {line} of the export: its HTML is nested {err.depth} elements deep (at most {MAX_DEPTH})")
    front: dict[str, object] = {"title": title}
    summary = one_line(scrubber.text(html_to_text(item.excerpt)))
    if summary:
        front["summary"] = summary
    if item.status != "publish":
        front["draft"] = True
    # A plain page has no folder for images: only remote ones (links) stay.
    markdown = scrubber.text(body.markdown)
    return Bundle(slug, title, "page", item.status != "publish", path.exists(), 0,
                  (PlannedFile(path, render_index(front, markdown)),), ())


def _skip_reason(item: Item, options: Options) -> str | None:
    """None to import; "" to ignore silently; otherwise the reason shown in the summary."""
    if item.status in ("auto-draft", "inherit"):
        return ""
    if item.status in NEVER_IMPORTED:
        return NEVER_IMPORTED[item.status]
    if item.has_password:
        return "password-protected: never imported"
    if item.post_type == "page" and not options.pages:
        return "page (--no-pages)"
    if item.status in DRAFT_STATUSES and not options.drafts:
        return f"{item.status} (use --drafts)"
    if item.status not in DRAFT_STATUSES | {"publish"}:
        return f"unknown status {item.status!r}"
    return None


def _comment_entries(
    kept: list[KeptComment],
    directory: PeopleDirectory,
    slug: str,
    zone: ZoneInfo,
    post_date: datetime,
    scrubber: Scrubber,
) -> list[dict[str, object]]:
    """The snapshot's comments as mappings, shown under the commenter's own name (never an e-mail)."""
    written: list[dict[str, object]] = []
    for item in kept:
        comment = item.comment
        name = one_line(scrubber.text(html.unescape(comment.author))) or "Anonymous"
        url = scrubber.url(_web(comment.url))
        entry: dict[str, object] = {"id": f"wp-{comment.id}", "author": name}
        if comment.author.strip() and name != EMAIL_REMOVED:
            entry["person"] = directory.person_for(name, "commenter", slug, fallback=f"commenter-{comment.id}", link=url)
        if url:
            entry["url"] = url
        entry["date"] = iso(local_time(comment.date_gmt, comment.date_local, zone) or post_date)
        if item.parent is not None:
            entry["reply_to"] = f"wp-{item.parent}"
        entry["body"] = scrubber.text(item.body)
        written.append(entry)
    return written


def one_line(text: str) -> str:
    """``text`` on one line, runs of white space as one space."""
    return " ".join(text.split())


def _tags(item: Item) -> list[str]:
    """Categories, then tags, without duplicates and without 'Uncategorized'."""
    tags: list[str] = []
    seen: set[str] = set()
    for domain in ("category", "post_tag"):
        for term in item.terms:
            name = html.unescape(term.name).strip()
            if term.domain != domain or not name or term.nicename == "uncategorized" or name.casefold() == "uncategorized":
                continue
            key = slugify(name) or name.casefold()
            if key not in seen:
                seen.add(key)
                tags.append(name)
    return tags


def _media(attachments: list[Item], media: Mapping[int, Media]) -> list[Media]:
    return [media[a.id] for a in sorted(attachments, key=lambda a: (a.menu_order, a.id)) if a.id in media]


def _post_slug(item: Item) -> str:
    slug = slugify(unquote(item.slug)) or slugify(html_to_text(item.title)) or f"{item.post_type}-{item.id}"
    return slug[:MAX_ID_LENGTH - 8].strip("-")  # room for a '-N' suffix within the longest slug a site allows


def _unique(slug: str, used: set[str]) -> str:
    candidate, number = slug, 1
    while candidate in used:
        number += 1
        candidate = f"{slug}-{number}"
    used.add(candidate)
    return candidate


def _web(url: str) -> str:
    url = url.strip()
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else ""

