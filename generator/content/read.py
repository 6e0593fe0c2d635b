"""Stage 1: read the content folder into plain texts, reusing what did not change since last time.

A file read before is reused without reading it again when its stat signature (device,
inode, size, modification and change times) is the same. Like git's index, a file whose
modification time is too close to the moment it was read is "racily clean": a second
write within the filesystem's timestamp granularity could keep the same signature, so
such a file is always read again.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from collections.abc import Iterable
from pathlib import Path

from generator.content.images import HEAD_BYTES, WHOLLY_READ, file_problems
from generator.content.source import MAX_FILE_BYTES, Source, read_text
from generator.errors import ContentError, ContentErrors, display_path
from generator.incremental.fingerprint import Signature, racily_clean, signature
from generator.regular import kind_of, read_regular

POST, STORY, COMMENTS = "index.md", "story.yaml", "comments.yaml"
ASSET_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg", ".pdf", ".mp3", ".mp4", ".txt"})


@dataclass(eq=False)
class RawFile:
    """A content file's path and text, and its stat signature when it is safe to reuse by it.

    Two are equal when their paths, texts and signatures are. The text of a story's file is
    let go once the story is parsed (``forget_text``): a memo of thousands of stories
    would otherwise hold every post twice, as Markdown and as HTML.

    The path is kept as text (``location``): a cached state of 10,000 stories holds 30,000
    of them, and unpickling as many ``Path`` objects cost 0.3 s of every rebuild (issue 6).
    """

    location: str
    text: str | None
    signature: Signature | None = None
    digest: bytes = b""  # of the text, which equality compares once the text is gone

    def __post_init__(self) -> None:
        if not self.digest and self.text is not None:
            self.digest = hashlib.blake2b(self.text.encode("utf-8", "surrogatepass"), digest_size=20).digest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawFile):
            return NotImplemented
        return self.location == other.location and self.digest == other.digest and self.signature == other.signature

    def __hash__(self) -> int:
        return hash((self.location, self.digest))

    @property
    def path(self) -> Path:
        return Path(self.location)

    def current_text(self) -> str:
        """The text, read again from disk if it was let go.

        The file may have changed since (the next build sees that and reads it properly);
        one gone or no longer UTF-8 in the meantime reads as empty, never as a traceback.
        """
        if self.text is not None:
            return self.text
        try:
            return read_regular(self.location).decode("utf-8").removeprefix("\ufeff")
        except (OSError, ValueError):
            return ""

    def forget_text(self) -> None:
        self.text = None


@dataclass(frozen=True)
class RawBundle:
    """One ``stories/<slug>/`` folder as read from disk (its path as text, as ``RawFile``'s)."""

    location: str
    post: RawFile | None
    story: RawFile | None
    comments: RawFile | None
    assets: tuple[str, ...]  # paths relative to the folder, '/'-separated, sorted
    errors: tuple[ContentError, ...] = ()  # met while reading it

    @property
    def folder(self) -> Path:
        return Path(self.location)


@dataclass(frozen=True)
class RawContent:
    """Everything read from the content folder, and the problems met while reading."""

    root: Path
    site: RawFile | None
    people: RawFile | None
    bundles: tuple[RawBundle, ...]
    errors: tuple[ContentError, ...]
    pages: tuple[RawFile, ...] = ()  # content/pages/*.md
    checked_assets: dict[str, Signature] = field(default_factory=dict)  # see ``_Reader.checked``


def _outside(path: Path, root: Path) -> bool:
    """True when ``path`` (following symlinks) is not inside the content folder."""
    return not path.resolve().is_relative_to(root.resolve())


class _Reader:
    """Reads files for one ``read_content`` call, reusing the previous call's unchanged ones.

    Paths are handled as strings until a file is read for the first time: at thousands of
    files, building ``Path`` objects costs more than the system calls.
    """

    def __init__(self, root: Path, previous: RawContent | None):
        self.root = root
        self.errors: list[ContentError] = []
        self._previous = previous if previous is not None and previous.root == root else None
        self._known: dict[str, RawFile] | None = None
        #: Files to copy that passed their check, by path, with the stat signature they had then.
        self.checked: dict[str, Signature] = dict(self._previous.checked_assets) if self._previous else {}

    @property
    def known(self) -> dict[str, RawFile]:
        """The previous call's files that may be reused, by path (indexed on first use)."""
        if self._known is None:
            files: list[RawFile | None] = []
            if self._previous is not None:
                files = [self._previous.site, self._previous.people, *self._previous.pages]
                files += [item for bundle in self._previous.bundles for item in (bundle.post, bundle.story, bundle.comments)]
            self._known = {item.location: item for item in files if item is not None and item.signature is not None}
        return self._known

    def read(self, name: str, *, required: bool) -> RawFile | None:
        """The file's text (reused when unchanged); None, with an error when required, if missing or unreadable."""
        try:
            info = os.lstat(name)
            if stat.S_ISLNK(info.st_mode):
                info = os.stat(name)  # a link is never reused (it has no signature), only read through
        except OSError:
            info = None
        known = self.known.get(name)
        if known is not None and info is not None and known.signature == signature(info):
            return known
        path = Path(name)
        if path.is_symlink() and _outside(path, self.root):
            self.errors.append(ContentError(display_path(path), 0, 0, "this link points outside the content folder",
                                            "copy the file into the content folder instead"))
            return None
        if info is not None and not stat.S_ISREG(info.st_mode):
            self.errors.append(ContentError(display_path(path), 0, 0, f"{path.name} is {kind_of(info.st_mode)}, not a regular file",
                                            "replace it with an ordinary text file"))
            return None
        if info is None:
            if required:
                self.errors.append(ContentError(display_path(path), 0, 0, f"missing file {path.name}",
                                                f"create {display_path(path)}"))
            return None
        started = time.time_ns()
        source = Source(path)
        text = read_text(source)
        self.errors.extend(source.errors)
        if text is None:
            return None
        # Symlinks are read again every time: their target may change without their own stat.
        racy = racily_clean(info, started) or path.is_symlink()
        return RawFile(name, text, None if racy else signature(info))

    def assets(self, folder: Path, relative: str = "") -> list[str]:
        """Files to copy beside the page (sorted), each checked (``images.py``); links that leave the content folder are refused."""
        found: list[str] = []
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return found
        for entry in entries:
            name = relative + entry.name
            if entry.name.startswith(".") or name in (POST, STORY, COMMENTS):
                continue
            path = Path(entry.path)
            if entry.is_symlink() and _outside(path, self.root):
                self.errors.append(ContentError(display_path(path), 0, 0, "this link points outside the content folder",
                                                "copy the file into the story's folder instead"))
            elif entry.is_dir(follow_symlinks=False):
                found += self.assets(path, name + "/")
            elif os.path.splitext(entry.name)[1].lower() in ASSET_SUFFIXES and self._acceptable(path):
                found.append(name)
        return sorted(found)

    def _acceptable(self, path: Path) -> bool:
        """Whether a file to copy is a regular file that is what its extension says (errors recorded if not).

        A file that passed is not read again while its stat signature stays the same.
        """
        location = str(path)
        try:
            info = os.stat(location)
        except OSError:
            return False  # a dangling link: nothing to copy, and a reference to it is reported as missing
        if not stat.S_ISREG(info.st_mode):
            self.errors.append(ContentError(display_path(path), 0, 0, f"this is {kind_of(info.st_mode)}, not a regular file",
                                            "replace it with an ordinary file, or remove it"))
            return False
        if self.checked.get(location) == signature(info):
            return True
        started = time.time_ns()
        whole = path.suffix.lower() in WHOLLY_READ  # the others are judged by their first bytes
        try:
            data = read_regular(location, MAX_FILE_BYTES + 1 if whole else HEAD_BYTES)
        except OSError as error:
            self.errors.append(ContentError(display_path(path), 0, 0, f"cannot read this file: {error.strerror or error}"))
            return False
        if len(data) > MAX_FILE_BYTES:
            self.errors.append(ContentError(display_path(path), 0, 0, f"this file is larger than "
                                            f"{MAX_FILE_BYTES // (1024 * 1024)} MiB, the limit for {path.suffix} files"))
            return False
        problems = file_problems(path.suffix, data)
        self.errors.extend(ContentError(display_path(path), problem.line, problem.column, problem.message, problem.hint)
                           for problem in problems)
        if problems:
            return False
        if not racily_clean(info, started):
            self.checked[location] = signature(info)
        return True


def _touched_by(content_dir: Path, changed: Iterable[Path]) -> tuple[set[str], set[str]] | None:
    """The story folders and top-level files that ``changed`` (paths reported by a watcher) touch.

    None when a change is somewhere this cannot place (the stories folder itself, a folder a
    story might link to): then every file is looked at, by its signature.
    """
    root = os.path.realpath(content_dir)
    folders: set[str] = set()
    files: set[str] = set()
    for path in changed:
        relative = os.path.relpath(os.path.realpath(path), root)
        parts = relative.split(os.sep)
        if parts[0] == os.pardir:
            continue  # outside the content folder (templates): not read here
        if parts[0] == "stories" and len(parts) >= 2:
            folders.add(parts[1])
        elif parts[0] == "pages":
            files.add("pages")
        elif len(parts) == 1 and parts[0] != "stories" and parts[0] != os.curdir:
            files.add(parts[0])
        else:
            return None
    return folders, files


def read_content(content_dir: Path, previous: RawContent | None = None, changed: Iterable[Path] | None = None,
                 ) -> RawContent:
    """Read every content file (sorted, so the result never depends on the disk's order).

    Files unchanged since ``previous`` (an earlier result for the same folder) are reused, and
    so is a whole bundle whose files and assets are all unchanged. ``changed``, the paths a
    file watcher reported since ``previous`` was read, lets the bundles it does not touch be
    reused without even a ``stat``.
    """
    if not content_dir.is_dir():
        raise ContentErrors([ContentError(display_path(content_dir), 0, 0, "content folder not found",
                                          "run from your project folder or pass --content DIR")])
    reader = _Reader(content_dir, previous)
    same_root = previous is not None and previous.root == content_dir
    earlier = {bundle.location: bundle for bundle in previous.bundles} if same_root else {}
    touched = _touched_by(content_dir, changed) if same_root and changed is not None else None
    errors: list[ContentError] = []
    bundles = []
    stories = content_dir / "stories"
    folders = sorted(os.scandir(stories), key=lambda entry: entry.name) if stories.is_dir() else []
    stories_outside = bool(folders) and _outside(stories, content_dir)
    for entry in folders:
        before = earlier.get(entry.path)
        if touched is not None and before is not None and entry.name not in touched[0]:
            bundles.append(before)
            errors += before.errors
            continue
        if entry.name.startswith((".", "_")):
            continue
        try:
            is_folder = entry.is_dir()  # follows a link: one that loops raises
        except OSError as error:
            errors.append(ContentError(display_path(Path(entry.path)), 0, 0,
                                       f"this story folder cannot be opened ({error.strerror or error})",
                                       "remove the link, or point it at a folder inside content/stories/"))
            continue
        if not is_folder:
            continue
        location = before.location if before is not None else entry.path
        folder = Path(location)
        if stories_outside or (entry.is_symlink() and _outside(folder, content_dir)):
            errors.append(ContentError(display_path(folder), 0, 0, "this story folder links outside the content folder",
                                       "move the story into content/stories/ instead of linking to it"))
            continue
        prefix = entry.path + os.sep
        reader.errors = []
        post = reader.read(prefix + POST, required=True)
        story = reader.read(prefix + STORY, required=True)
        comments = reader.read(prefix + COMMENTS, required=False)
        assets = tuple(reader.assets(folder))
        bundle = RawBundle(location, post, story, comments, assets, tuple(reader.errors))
        errors += bundle.errors
        # The same object as last time when nothing in it changed: later stages reuse their
        # work for it by identity.
        bundles.append(before if before == bundle else bundle)
    reader.errors = errors
    site = people = None
    for name in ("site.yaml", "people.yaml"):
        known = getattr(previous, name.split(".")[0]) if same_root else None
        if touched is not None and known is not None and name not in touched[1]:
            found = known  # neither it nor anything else at the top level was reported changed
        else:
            found = reader.read(os.path.join(content_dir, name), required=name == "site.yaml")
        site, people = (found, people) if name == "site.yaml" else (site, found)
    pages = []
    for path in page_files(content_dir):
        known = next((page for page in previous.pages if page.location == str(path)), None) if same_root else None
        found = known if touched is not None and known is not None and "pages" not in touched[1] else reader.read(str(path), required=False)
        if found is not None:
            pages.append(found)
    kept = {path for bundle in bundles for path in (f"{bundle.location}/{asset}" for asset in bundle.assets)}
    checked = {path: seen for path, seen in reader.checked.items() if path in kept}
    return RawContent(root=content_dir, site=site, people=people, bundles=tuple(bundles), errors=tuple(reader.errors),
                      pages=tuple(pages), checked_assets=checked)


def page_files(content_dir: Path) -> list[Path]:
    """The Markdown files of ``content/pages/`` (plain pages), sorted; hidden ones left out."""
    folder = content_dir / "pages"
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.suffix == ".md" and not path.name.startswith((".", "_")))
