"""What a build keeps for the next one, and the keys it is found by.

In memory (the dev server holds a ``BuildState`` between its builds) or in the cache
(``build`` saves it through ``StateStore`` and loads it on the next run). Every key is a
content digest: of the code, the options, the folders, and (for messages that show
relative paths) the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from generator.incremental.cache import Cache
from generator.incremental.fingerprint import DigestMemo
from generator.incremental.last_answer import LastAnswer, StoryAnswers
from generator.incremental.plan_memo import PlanMemo
from generator.errors import ContentErrors
from generator.model import Site
from generator.templates import Templates, resolve_templates

if TYPE_CHECKING:
    from generator.build import BuildOptions
    from generator.content.load import ContentMemo
    from generator.incremental.manifest import Manifest
    from generator.incremental.state_store import StateStore
    from generator.parallel import Environments
    from generator.search import BackgroundIndex


@dataclass(frozen=True)
class History:
    """What the build that wrote the current manifest was made from (see ``incremental/changes.py``)."""

    site: Site
    render_fingerprint: str  # the digest of templates, assets and code that every page key starts with
    reads: dict[str, tuple]  # output path -> the inputs the page declared (``Page.reads``)
    manifest_version: str = ""  # the ``Manifest.version`` of what that build wrote (set when it is saved)

    def wrote(self, manifest: Manifest | None) -> bool:
        """True when this is the history of the build that wrote ``manifest`` (compared by version, not identity)."""
        return manifest is not None and bool(self.manifest_version) and self.manifest_version == manifest.version


def _environments() -> Environments:
    from generator.parallel import Environments

    return Environments()


@dataclass
class BuildState:
    """What one process remembers between its builds (the dev server), or what ``build`` saves for the next run.

    The files read and parsed (``memo``), and the manifest of the output folder with the
    site it was built from (``history``); those two always belong to the same build.
    """

    manifest: Manifest | None = None
    memo: ContentMemo | None = None
    history: History | None = None
    search: BackgroundIndex | None = None  # the dev server's search index, re-made in the background
    environments: Environments = field(default_factory=_environments)  # Jinja's, kept between builds (not saved)
    digests: DigestMemo = field(default_factory=DigestMemo)  # of the frozen objects in page contexts
    ranking: LastAnswer = field(default_factory=LastAnswer)  # the related stories, ranked again when a story's traits change
    plans: PlanMemo = field(default_factory=PlanMemo)  # each page kind's pages, made again when its outline changes (not saved)
    stories: StoryAnswers = field(default_factory=StoryAnswers)  # what planning reads of each story, asked again when it changes (not saved)


def _manifest_key(out_dir: Path) -> str:
    from generator.incremental.fingerprint import code_fingerprint, digest

    # The code too: a manifest holds our own classes, which another version may lay out differently.
    return digest("manifest", code_fingerprint(), str(out_dir.resolve()))


def previous_manifest(options: BuildOptions, state: BuildState | None) -> Manifest | None:
    """The manifest of the last build into ``out_dir``: from memory, else from the cache."""
    from generator.incremental.manifest import Manifest

    if state is not None and state.manifest is not None:
        return state.manifest
    if options.out_dir is None or not options.out_dir.is_dir():
        return None
    manifest = Cache(options.cache_dir).get_object("manifest", _manifest_key(options.out_dir))
    return manifest if isinstance(manifest, Manifest) and not manifest.trusted else None


def save_manifest(options: BuildOptions, state: BuildState | None, manifest: Manifest, history: History | None) -> None:
    """Remember what this build wrote: in the state, and (unless the folder is the dev server's own) in the cache."""
    if state is not None:
        state.manifest = manifest
        state.history = replace(history, manifest_version=manifest.version) if history is not None else None
    if not manifest.trusted and options.out_dir is not None:
        Cache(options.cache_dir).put_object("manifest", _manifest_key(options.out_dir), manifest)


@contextmanager
def retired_site_doubted_on_failure(state: BuildState | None) -> Iterator[None]:
    """If the block fails, the retired site may be half brought up to date: the next build surveys it again."""
    try:
        yield
    except BaseException:
        if state is not None and state.manifest is not None and state.manifest.retired_differs is not None:
            state.manifest = replace(state.manifest, retired_differs=None)
        raise


def content_key(options: BuildOptions) -> str:
    """A digest of everything ``load_site`` reads: the content folder, the options, the generator's code.

    (For the shortcut of a build with nothing changed: the content is not loaded at all.)
    Files are digested by their bytes; with a cache, a file whose stat signature did not
    change since the last build is not read again (``FileDigests``).
    """
    from generator.incremental.fingerprint import FileDigests, code_fingerprint, digest, tree_fingerprint

    cache = Cache(options.cache_dir)
    entry_key = digest("file-digests", str(options.content_dir.resolve()))
    known = cache.get_object("file-digests", entry_key) if options.cache_dir is not None else None
    digests = FileDigests(known if isinstance(known, dict) else None)
    tree = tree_fingerprint(options.content_dir, digests)
    if digests.changed or (known is not None and len(known) != len(digests.current())):
        cache.put_object("file-digests", entry_key, digests.current())
    return digest("content", code_fingerprint(), tree, str(options.drafts),
                  str(options.base_url), os.getcwd())  # cwd: messages show paths relative to it


def build_key(options: BuildOptions) -> str:
    """A digest of everything a build reads: content, templates, options, code, and where it writes."""
    from generator.incremental.fingerprint import digest

    try:
        templates = resolve_templates(options.content_dir, options.templates_dir).fingerprint()
    except ContentErrors:
        templates = "-"  # reported by the build itself
    return digest("build", content_key(options), templates, str(options.out_dir and options.out_dir.resolve()))


def state_key(options: BuildOptions) -> str:
    """The cache key of what ``build`` keeps between runs into one output folder."""
    from generator.incremental.fingerprint import code_fingerprint, digest

    assert options.out_dir is not None
    return digest("state", code_fingerprint(), str(options.content_dir.resolve()), str(options.out_dir.resolve()),
                  str(options.drafts), str(options.base_url), os.getcwd())  # cwd: messages show paths relative to it


def retired_site_dir(options: BuildOptions) -> Path | None:
    """Where the site a build retires is kept for the next build to update (see ``write.py``).

    In the cache for ``build``; beside the dev server's private folder, on its filesystem.
    """
    from generator.incremental.fingerprint import digest

    if options.out_dir is None:
        return None
    if options.private:
        return options.out_dir.with_name(f"{options.out_dir.name}-retired")
    if options.cache_dir is None:
        return None
    name = f"{options.out_dir.name}-{digest('retired', str(options.out_dir.resolve()))[:16]}"
    return options.cache_dir / "retired" / name


def load_state(store: StateStore) -> BuildState:
    """What the last ``build`` into this output folder left in the cache, or a fresh state.

    Its manifest is not trusted: every file it vouches for is checked on disk first.
    """
    state = store.load()
    if not isinstance(state, BuildState) or (state.manifest is not None and state.manifest.trusted):
        return BuildState()
    return state


def render_fingerprint(templates: Templates, versions: dict[str, str]) -> str:
    """The digest of the templates, the assets' versions and the code: where every page key starts."""
    from generator.incremental.fingerprint import code_fingerprint, digest

    return digest("pages", code_fingerprint(), templates.fingerprint(),
                  *(f"{name}={version}" for name, version in sorted(versions.items())))
