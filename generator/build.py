"""The build pipeline: load -> validate -> plan -> render -> write.

Every stage is a plain function of the previous stage's output. The output folder is not
touched until every page has rendered: pages go into a fresh folder that is then swapped
into place at once (the dev server's private folder is updated file by file instead).

Caching wraps the pure stages without changing them: ``load_site`` reads and parses again
only the files that changed since the last build (``content.load.ContentMemo``), and a
page is rendered again only when the digest of its inputs (its context, its graph's
inputs, the templates, the generator's code) differs from the one recorded when its file
was written (see ``manifest.py``). A process that builds again and again (the dev
server) also skips digesting the pages a change cannot affect (see ``incremental/changes.py``).
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from generator.cache import Cache
from generator.errors import ContentError, ContentErrors, display_path
from generator.model import Site
from generator.state_store import StateStore
from generator.templates import BUILTIN_THEME, Templates, overrides_folder, resolve_templates

if TYPE_CHECKING:
    from generator.content.load import ContentMemo
    from generator.manifest import Manifest
    from generator.search import BackgroundIndex

@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where."""

    content_dir: Path
    out_dir: Path | None  # None: render in memory, write nothing (``check``)
    templates_dir: Path | None = None  # the theme overrides; None: templates/ beside the content folder, if any
    drafts: bool = False
    base_url: str | None = None  # overrides site.yaml's base_url (serve, publish)
    cache_dir: Path | None = None  # the persistent cache (``build`` and ``serve``); None: none
    in_place: bool = False  # update the output folder file by file (serve's private folder)
    swap_guard: Callable[[], AbstractContextManager] | None = None  # in place: held while files are swapped in


@dataclass(frozen=True)
class History:
    """What the build that wrote the current manifest was made from (see ``incremental/changes.py``)."""

    site: Site
    salt: str  # the digest of templates, assets and code that every page key starts with
    reads: dict[str, tuple]  # output path -> the inputs the page declared (``Page.reads``)


@dataclass
class BuildState:
    """What one process remembers between its builds (the dev server).

    The files read and parsed (``memo``), and the manifest of the output folder with the
    site it was built from (``history``); those two always belong to the same build.
    """

    manifest: Manifest | None = None
    memo: ContentMemo | None = None
    history: History | None = None
    search: BackgroundIndex | None = None  # the dev server's search index, re-made in the background


@dataclass(frozen=True)
class BuildReport:
    """What a successful build did."""

    pages: int
    files: int
    changed: int
    seconds: float
    out_dir: Path | None
    warnings: tuple[ContentError, ...]


def _manifest_key(out_dir: Path) -> str:
    from generator.fingerprint import code_fingerprint, digest

    # The code too: a manifest holds our own classes, which another version may lay out differently.
    return digest("manifest", code_fingerprint(), str(out_dir.resolve()))


def _previous_manifest(options: BuildOptions, state: BuildState | None) -> Manifest | None:
    """The manifest of the last build into ``out_dir``: from memory, else from the cache."""
    from generator.manifest import Manifest

    if state is not None and state.manifest is not None:
        return state.manifest
    if options.out_dir is None or not options.out_dir.is_dir():
        return None
    manifest = Cache(options.cache_dir).get_object("manifest", _manifest_key(options.out_dir))
    return manifest if isinstance(manifest, Manifest) and not manifest.trusted else None


def _save_manifest(options: BuildOptions, state: BuildState | None, manifest: Manifest, history: History | None) -> None:
    if state is not None:
        state.manifest, state.history = manifest, history
    if not manifest.trusted and options.out_dir is not None:
        Cache(options.cache_dir).put_object("manifest", _manifest_key(options.out_dir), manifest)


def content_key(options: BuildOptions) -> str:
    """A digest of everything ``load_site`` reads: the content folder, the options, the generator's code.

    (For the shortcut of a build with nothing changed: the content is not loaded at all.)
    Files are digested by their bytes; with a cache, a file whose stat signature did not
    change since the last build is not read again (``FileDigests``).
    """
    from generator.fingerprint import FileDigests, code_fingerprint, digest, tree_fingerprint

    cache = Cache(options.cache_dir)
    entry_key = digest("file-digests", str(options.content_dir.resolve()))
    known = cache.get_object("file-digests", entry_key) if options.cache_dir is not None else None
    digests = FileDigests(known if isinstance(known, dict) else None)
    tree = tree_fingerprint(options.content_dir, digests)
    if digests.changed or (known is not None and len(known) != len(digests.current())):
        cache.put_object("file-digests", entry_key, digests.current())
    return digest("content", code_fingerprint(), tree, str(options.drafts),
                  str(options.base_url), os.getcwd())  # cwd: messages show paths relative to it


def _build_key(options: BuildOptions, content: str) -> str:
    """A digest of everything a build reads: content, templates, options, code, and where it writes."""
    from generator.fingerprint import digest

    try:
        templates = resolve_templates(options.content_dir, options.templates_dir).fingerprint()
    except ContentErrors:
        templates = "-"  # reported by the build itself
    return digest("build", content, templates, str(options.out_dir and options.out_dir.resolve()))


def _state_key(options: BuildOptions) -> str:
    from generator.fingerprint import code_fingerprint, digest

    assert options.out_dir is not None
    return digest("state", code_fingerprint(), str(options.content_dir.resolve()), str(options.out_dir.resolve()),
                  str(options.drafts), str(options.base_url), os.getcwd())  # cwd: messages show paths relative to it


def _spare_dir(options: BuildOptions) -> Path | None:
    """Where the site a build retires is kept for the next build to update (see ``write.py``)."""
    from generator.fingerprint import digest

    if options.cache_dir is None or options.out_dir is None or options.in_place:
        return None
    return options.cache_dir / "spare" / f"{options.out_dir.name}-{digest('spare', str(options.out_dir.resolve()))[:16]}"


def _load_state(store: StateStore) -> BuildState:
    """What the last ``build`` into this output folder left in the cache, or a fresh state.

    Its manifest is not trusted: every file it vouches for is checked on disk first.
    """
    state = store.load()
    if not isinstance(state, BuildState) or (state.manifest is not None and state.manifest.trusted):
        return BuildState()
    return state


def load_content(options: BuildOptions, state: BuildState | None = None, changed: frozenset[Path] | None = None,
                 ) -> tuple[Site, tuple[ContentError, ...]]:
    """Stages 1-2 (``load_site``), re-reading and re-parsing only what changed since the state's last build.

    ``changed``: the paths a watcher saw change since then (the dev server), or None.
    """
    from generator.content.load import ContentMemo, load_site

    memo = state.memo if state is not None else None
    if memo is None:
        memo, changed = ContentMemo(), None
    try:
        site, warnings = load_site(options.content_dir, drafts=options.drafts, base_url=options.base_url, memo=memo,
                                   changed=changed)
    finally:
        # Even a failed load parsed the bundles that did not fail: the next attempt reuses them.
        if state is not None:
            state.memo = memo
    return site, tuple(warnings)


def _page_salt(templates: Templates, versions: dict[str, str]) -> str:
    from generator.fingerprint import code_fingerprint, digest

    return digest("pages", code_fingerprint(), templates.fingerprint(),
                  *(f"{name}={version}" for name, version in sorted(versions.items())))


def _prepare(options: BuildOptions, site: Site, state: BuildState | None, previous: Manifest | None):
    """Templates, assets, the planned pages with their cache keys, and the history for the next build.

    With the history of the build that wrote ``previous``, only the pages whose declared
    inputs changed (``incremental.changes``) get a context and a key; the others keep their
    recorded keys, provided their files are still as written (otherwise everything is keyed).
    """
    from generator.extras import extra_key, graph_inputs
    from generator.fingerprint import Digester, digest
    from generator.graph import graph_assets
    from generator.incremental.changes import changed_inputs, pages_to_plan
    from generator.parallel import RenderJob
    from generator.planner import plan_pages
    from generator.regular import special_files
    from generator.render import asset_versions

    templates = resolve_templates(options.content_dir, options.templates_dir)
    special = special_files(templates.overrides) if templates.overrides is not None else []
    if special:
        raise ContentErrors([ContentError(display_path(Path(path)), 0, 0, f"this is {kind}, not a regular file",
                                          "templates and their assets must be ordinary files; remove or replace it")
                             for path, kind in special])
    assets = {**templates.assets(), **graph_assets()}
    versions = asset_versions(assets)
    salt = _page_salt(templates, versions)
    inputs = graph_inputs(site)
    pages = plan_pages(site)
    history = History(site, salt, {page.output: page.reads for page in pages})
    earlier = state.history if state is not None and previous is not None and state.manifest is previous else None
    everything = set(range(len(pages)))
    wanted = (pages_to_plan(pages, earlier.reads, changed_inputs(earlier.site, site))
              if earlier and earlier.salt == salt else everything)
    recorded = previous.pages if previous is not None else {}
    if any(number not in wanted and not (
            page.output in recorded and (previous.trusted or
                                         previous.page_unchanged(page.output, recorded[page.output][0], options.out_dir)))
           for number, page in enumerate(pages)):
        # A page whose file was changed by hand: key everything.
        wanted = everything
    # The pages not planned again are unchanged, and their files were just checked on disk.
    kept = everything - wanted
    contexts = {number: pages[number].context() for number in sorted(wanted)}
    job = RenderJob(templates, site.config, versions, pages, inputs, salt, options.cache_dir, contexts)
    digester = Digester()
    keys = [
        recorded[page.output][0] if number in kept else
        digest(salt, page.output, page.template, digester(contexts[number]),
               extra_key(inputs, page.extra, digester) if page.extra else "")
        for number, page in enumerate(pages)
    ]
    return job, keys, kept, assets, history


def render_site(options: BuildOptions, progress: Callable[[int, int], None] | None = None, loaded=None,
                state: BuildState | None = None, changed: frozenset[Path] | None = None) -> BuildReport:
    """Load, validate, render and write (``options.out_dir``); ``loaded`` is a validated ``(site, warnings)`` to reuse.

    ``state`` is what this process remembers of its previous builds, ``changed`` the paths a
    watcher saw change since then (see ``load_content``).

    Only pages whose inputs changed since the last build (per their cache key) are rendered;
    the others are kept from the previous site. With ``options.out_dir`` None nothing is
    written and every page is rendered (``check``).
    """
    started = time.perf_counter()
    out_dir = options.out_dir
    previous = _previous_manifest(options, state) if out_dir is not None else None
    build_key = ""
    persist = state is None and out_dir is not None and options.cache_dir is not None and loaded is None
    if persist:
        build_key = _build_key(options, content_key(options))
        if previous is not None and previous.build_key == build_key and previous.intact(out_dir):
            # Nothing the build reads changed and the output is as written: it is already this build.
            pages_count, files_count, warnings = previous.summary
            return BuildReport(pages_count, files_count, 0, time.perf_counter() - started, out_dir, warnings)
        # What the last build into this folder read, parsed and wrote, to work from.
        store = StateStore(Cache(options.cache_dir), _state_key(options))
        with collector_paused():  # unpickling makes millions of objects, and no cycles
            state = _load_state(store)
            # This process ends after one build: keep those objects out of every later
            # collection, starting with the one due as soon as the collector runs again
            # (each would walk them all: 0.7 s at 10,000 stories).
            gc.freeze()
        previous = state.manifest or previous
    try:
        report = _render(options, progress, loaded, state, changed, previous, build_key, started)
    except ContentErrors:
        if persist:  # the bundles parsed before the errors are not parsed again next time
            store.save(state)
        raise
    if persist:
        store.save(state)
    return report


def _check_links(output: str, html: bytes, outputs: frozenset[str], base_url: str,
                 failures: dict[int, list[ContentError]], number: int) -> None:
    """Record, as the page's errors, every internal link it writes that reaches no file of the build."""
    from generator.linkcheck import broken_links

    bad = broken_links(output, html, outputs, base_url)
    if bad:
        failures[number] = [ContentError(output, 0, 0, f"the built page links to {link!r}, which the site does not have",
                                         "a template or a nav entry names a page that is not built; fix the link")
                            for link in bad]


def _distinct_errors(failures: dict[int, list[ContentError]]) -> list[ContentError]:
    """The errors of failed pages in page order, each place once (a broken template fails many pages)."""
    distinct: dict[tuple[str, int], ContentError] = {}
    for number in sorted(failures):
        for error in failures[number]:
            distinct.setdefault((error.path, error.line), error)
    return list(distinct.values())


def _render(options: BuildOptions, progress, loaded, state: BuildState | None, changed: frozenset[Path] | None,
            previous: Manifest | None, build_key: str, started: float) -> BuildReport:
    """``render_site`` once the previous build is known."""
    from generator.cards import CARD_TEMPLATE
    from generator.fingerprint import digest
    from generator.manifest import Manifest
    from generator.planner import HEAVY_EXTRAS
    from generator.parallel import render_numbers
    from generator.write import SiteWriter, file_stat

    out_dir = options.out_dir
    with collector_paused():
        if loaded is None:
            loaded = load_content(options, state, changed)
        site, warnings = loaded
        job, keys, kept, assets, history = _prepare(options, site, state, previous)
    pages = job.pages
    unchanged = kept | {number for number, page in enumerate(pages) if number not in kept
                        and previous is not None and previous.page_unchanged(page.output, keys[number], out_dir)}
    copies = {f"{study.url_path}{asset}": Path(study.bundle, asset) for study in site.studies for asset in study.assets}
    asset_files = {f"assets/{name}": data for name, data in assets.items()}
    if out_dir is not None and state is not None and state.search is not None:
        asset_files.update(state.search.files_for(site, Cache(options.cache_dir)))
    elif out_dir is not None:
        from generator.search import search_files

        asset_files.update(search_files(site, Cache(options.cache_dir)))
    names = [page.output for page in pages] + sorted(asset_files) + sorted(copies)
    copy_stats = {name: file_stat(source) for name, source in copies.items()}
    kept_copies = {name for name in copies if previous is not None and previous.copy_unchanged(name, copy_stats[name], out_dir)}
    removed = sorted(previous.names - set(names)) if previous is not None else []
    todo = [number for number in range(len(pages)) if number not in unchanged]
    assets_digest = digest(*(part for name, data in sorted(asset_files.items()) for part in (name, data)))
    if (previous is not None and not todo and not removed and len(kept_copies) == len(copies)
            and previous.assets_unchanged(assets_digest, out_dir)):
        summary = (len(pages), len(names), tuple(warnings))
        _save_manifest(options, state, replace(previous, build_key=build_key, summary=summary), history)
        return BuildReport(len(pages), len(names), 0, time.perf_counter() - started, out_dir, tuple(warnings))

    heavy = {number for number, page in enumerate(pages) if page.extra is not None and page.extra.kind in HEAVY_EXTRAS}
    outputs = frozenset(names)
    report = (lambda done: progress(done, len(todo))) if progress else None
    failures: dict[int, list[ContentError]] = {}
    if out_dir is None:
        # ``check``: a social card cannot fail on content, and drawing them all would only cost time.
        todo = [number for number in todo if pages[number].template != CARD_TEMPLATE]
        for number, outcome in render_numbers(job, todo, report, heavy=heavy):
            if not isinstance(outcome, bytes):
                failures[number] = outcome
            elif pages[number].output.endswith(".html"):
                _check_links(pages[number].output, outcome, outputs, site.config.base_url, failures, number)
        if failures:
            raise ContentErrors(_distinct_errors(failures))
        return BuildReport(len(pages), len(names), 0, time.perf_counter() - started, out_dir, tuple(warnings))

    with SiteWriter(out_dir, in_place=options.in_place, spare=_spare_dir(options), swap_guard=options.swap_guard,
                    spare_record=previous.spare if previous is not None else None) as writer:
        # Pages are written as they arrive (the writer does not care about order); errors
        # are reported in page order whatever the timing.
        for number, outcome in render_numbers(job, todo, report, heavy=heavy):
            if not isinstance(outcome, bytes):
                failures[number] = outcome
                continue
            if pages[number].output.endswith(".html"):
                _check_links(pages[number].output, outcome, outputs, site.config.base_url, failures, number)
            if not failures:
                writer.add(pages[number].output, outcome)
        if failures:
            raise ContentErrors(_distinct_errors(failures))
        for number in sorted(unchanged):
            output = pages[number].output
            writer.keep(output, lambda output=output: (out_dir / output).read_bytes(), previous.pages[output][1])
        for name, data in asset_files.items():
            writer.add(name, data)
        for name, source in sorted(copies.items()):
            if name in kept_copies:
                writer.keep(name, source.read_bytes)
            else:
                writer.copy(name, source)
        changed = writer.commit(removed)
        manifest = Manifest(
            pages={page.output: (keys[number], writer.stats.get(page.output)) for number, page in enumerate(pages)},
            copies={name: (copy_stats[name], writer.stats.get(name)) for name in copies},
            assets={name: writer.stats.get(name) for name in asset_files},
            assets_digest=assets_digest,
            trusted=options.in_place,
            build_key=build_key,
            summary=(len(pages), len(names), tuple(warnings)),
            tree=writer.record,
            spare=previous.tree if writer.kept_spare and previous is not None else None,
        )
    _save_manifest(options, state, manifest, history)
    return BuildReport(len(pages), len(names), changed, time.perf_counter() - started, out_dir, tuple(warnings))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the site is loaded and planned.

    A site is hundreds of thousands of long-lived objects, and every full collection walks
    them all: during a one-page rebuild of a 1,000-story site that costs more than the
    rebuild. These stages make almost no cycles (reference counting frees the rest).
    Rendering does (Jinja's contexts), so the collector runs again before it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_site(options: BuildOptions, progress: Callable[[int, int], None] | None = None,
               state: BuildState | None = None, changed: frozenset[Path] | None = None) -> BuildReport:
    """Build the whole site; raises ``ContentErrors`` (output untouched) or ``OutputError``."""
    from generator.write import check_output_dir

    content = options.content_dir
    check_output_dir(options.out_dir, forbidden=(content.resolve().parent,),
                     sources=(content, overrides_folder(content, options.templates_dir), BUILTIN_THEME))
    return render_site(options, progress, state=state, changed=changed)
