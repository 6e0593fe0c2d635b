"""The build pipeline: read → validate → plan → render → write.

    build_site(options)
      load_content      read + validate (content/): Site and warnings
      plan_build        templates and assets; plan_pages (planner/); a key per page
      _build            render the pages whose key changed (parallel.py), write the tree (write.py)

Every stage is a plain function of the previous stage's output, and the output folder is
not touched until every page has rendered. What makes a rebuild fast wraps the stages
without changing them (``generator/incremental/``): the content memo re-reads and
re-parses only changed files, a page is planned again only when an input it declared
changed (``incremental/changes.py``), and rendered again only when the digest of its
inputs differs from the one recorded when its file was written (``incremental/manifest.py``).
``build`` keeps that state in the cache between runs (``incremental/state.py``), the dev
server in memory; ``check`` renders every page in memory and writes nothing.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

from generator.incremental.cache import Cache
from generator.errors import ContentError, ContentErrors, display_path
from generator.incremental.state import (BuildState, History, build_key, load_state, previous_manifest, render_fingerprint,
                                         retired_site_dir, retired_site_doubted_on_failure, save_manifest, state_key)
from generator.model import Site
from generator.incremental.state_store import StateStore
from generator.templates import BUILTIN_THEME, overrides_folder, resolve_templates

if TYPE_CHECKING:
    from generator.incremental.manifest import Manifest
    from generator.parallel import RenderJob

__all__ = ["BuildOptions", "BuildReport", "BuildState", "build_site", "check_site", "load_content"]


@dataclass(frozen=True)
class BuildOptions:
    """What to build, from where, to where."""

    content_dir: Path
    out_dir: Path | None  # None: render in memory, write nothing (``check``)
    templates_dir: Path | None = None  # the theme overrides; None: templates/ beside the content folder, if any
    drafts: bool = False
    base_url: str | None = None  # overrides site.yaml's base_url (serve, publish)
    cache_dir: Path | None = None  # the persistent cache (``build`` and ``serve``); None: none
    private: bool = False  # the output folder is this process's alone (the dev server's): its manifest is trusted
    swap_guard: Callable[[], AbstractContextManager] | None = None  # held while the new site is swapped in


@dataclass(frozen=True)
class BuildReport:
    """What a successful build did."""

    pages: int
    files: int
    changed: int
    seconds: float
    out_dir: Path | None
    warnings: tuple[ContentError, ...]


def build_site(options: BuildOptions, progress: Callable[[int, int], None] | None = None,
               state: BuildState | None = None, changed: frozenset[Path] | None = None) -> BuildReport:
    """Build the whole site; raises ``ContentErrors`` (output untouched) or ``OutputError``.

    ``state`` is what this process remembers of its previous builds (the dev server), and
    ``changed`` the paths a watcher saw change since then. Without a state, a build with a
    cache folder works from the state the last ``build`` saved there.
    """
    from generator.output_folder import check_output_dir

    content = options.content_dir
    check_output_dir(options.out_dir, forbidden=(content.resolve().parent,),
                     sources=(content, overrides_folder(content, options.templates_dir), BUILTIN_THEME))
    if state is None and options.cache_dir is not None:
        return _build_from_saved_state(options, progress)
    # The dev server's last site stays in memory: no collection during this build walks it.
    with collector_skipping_what_exists():
        return _build(options, progress, state, changed, previous_manifest(options, state))


def _build_from_saved_state(options: BuildOptions, progress: Callable[[int, int], None] | None) -> BuildReport:
    """``build``: returns at once when nothing it reads changed; otherwise builds from the saved state, and saves it."""
    started = time.perf_counter()
    assert options.out_dir is not None
    previous = previous_manifest(options, None)
    key = build_key(options)
    if previous is not None and previous.build_key == key and previous.intact(options.out_dir):
        # Nothing the build reads changed and the output is as written: it is already this build.
        pages_count, files_count, warnings = previous.summary
        return BuildReport(pages_count, files_count, 0, time.perf_counter() - started, options.out_dir, warnings)
    store = StateStore(Cache(options.cache_dir), state_key(options))
    with collector_paused():  # unpickling makes millions of objects, and no cycles
        state = load_state(store)
    # Keep those objects out of the build's collections, starting with the one due as soon
    # as the collector runs again (each would walk them all: 0.7 s at 10,000 stories).
    with collector_skipping_what_exists():
        try:
            report = _build(options, progress, state, None, state.manifest or previous, key, started)
        except ContentErrors:
            store.save(state)  # the bundles parsed before the errors are not parsed again next time
            raise
        store.save(state)
    return report


def load_content(options: BuildOptions, state: BuildState | None = None, changed: frozenset[Path] | None = None,
                 ) -> tuple[Site, tuple[ContentError, ...]]:
    """Read and validate (``load_site``), re-reading and re-parsing only what changed since the state's last build.

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


@dataclass(frozen=True)
class PlannedBuild:
    """The planned pages with everything needed to render them, and what to keep of the last build."""

    job: RenderJob  # the pages, their contexts as far as made, templates, assets' versions
    keys: list[str]  # per page, the digest of its inputs
    kept: frozenset[int]  # pages not planned again: unchanged since the last build, their files intact
    assets: dict[str, bytes]  # assets/<name>: the theme's and the graph scripts
    history: History  # what the next build compares itself with


def plan_build(options: BuildOptions, site: Site, state: BuildState | None, previous: Manifest | None) -> PlannedBuild:
    """Templates, assets, the planned pages and their keys.

    With the history of the build that wrote ``previous``, only the pages whose declared
    inputs changed (``incremental.changes``) get a context and a key; the others keep their
    recorded keys, provided their files are still as written (otherwise everything is keyed).
    """
    from generator.deferred import deferred_key, graph_inputs
    from generator.incremental.fingerprint import Digester, digest
    from generator.graph import graph_assets
    from generator.incremental.changes import changed_inputs, pages_to_plan
    from generator.parallel import RenderJob
    from generator.planner import make_pages, plan_pages
    from generator.regular import special_files
    from generator.related import rank
    from generator.render import asset_versions

    templates = resolve_templates(options.content_dir, options.templates_dir)
    special = special_files(templates.overrides) if templates.overrides is not None else []
    if special:
        raise ContentErrors([ContentError(display_path(Path(path)), 0, 0, f"this is {kind}, not a regular file",
                                          "templates and their assets must be ordinary files; remove or replace it")
                             for path, kind in special])
    assets = {**templates.assets(), **graph_assets()}
    versions = asset_versions(assets)
    fingerprint = render_fingerprint(templates, versions)
    inputs = graph_inputs(site)
    # The related stories are ranked again only when a story's traits changed, not its text; a
    # kind's pages are made again only when its outline changed.
    pages = (plan_pages(site, state.ranking.of(rank), state.plans.make, state.stories.of) if state is not None
             else plan_pages(site, rank, make_pages))
    outputs = [page.output for page in pages]
    history = History(site, fingerprint, dict(zip(outputs, [page.reads for page in pages])))
    earlier = state.history if state is not None and state.history is not None and state.history.wrote(previous) else None
    everything = set(range(len(pages)))
    wanted = (pages_to_plan(pages, earlier.reads, changed_inputs(earlier.site, site))
              if earlier and earlier.render_fingerprint == fingerprint else everything)
    recorded = previous.pages if previous is not None else {}
    untouched = [outputs[number] for number in everything - wanted]
    if untouched and not (recorded.keys() >= set(untouched) and (previous.trusted or all(
            previous.page_unchanged(output, recorded[output][0], options.out_dir) for output in untouched))):
        # A page whose file was changed by hand: key everything.
        wanted = everything
    # The pages not planned again are unchanged, and their files were just checked on disk.
    kept = frozenset(everything - wanted)
    contexts = {number: pages[number].context(site) for number in sorted(wanted)}
    job = RenderJob(templates, site.config, versions, pages, inputs, fingerprint, options.cache_dir, contexts)
    memo = state.digests if state is not None else None
    if memo is not None:
        memo.next_build()
    digester = Digester(memo)
    # Each page's recorded key (a kept page's is its key), then the key of each page planned again.
    keys = [entry[0] for entry in map(recorded.get, outputs, repeat(("",)))]
    for number in sorted(wanted):
        page = pages[number]
        keys[number] = digest(fingerprint, page.output, page.template, digester(contexts[number]),
                              deferred_key(inputs, page.deferred, digester) if page.deferred else "")
    return PlannedBuild(job, keys, kept, assets, history)


def _site_files(site: Site, plan: PlannedBuild, search: dict[str, bytes] | None = None,
                ) -> tuple[dict[str, Path], dict[str, bytes], list[str]]:
    """The images copied beside posts, the asset files (``search``: the search index's), and every output name."""
    copies = {f"{study.url_path}{asset}": Path(study.bundle, asset) for study in site.studies for asset in study.assets}
    asset_files = {f"assets/{name}": data for name, data in plan.assets.items()}
    asset_files.update(search or {})
    names = [page.output for page in plan.job.pages] + sorted(asset_files) + sorted(copies)
    return copies, asset_files, names


def _biggest_first(plan: PlannedBuild) -> list[list[int]]:
    """The pages to start rendering first, in groups: those that hold the whole network take longest,
    and those that share its layout (``SHARED_NETWORK``) are rendered together."""
    from generator.planner import SHARED_NETWORK, WHOLE_NETWORK

    shared: list[int] = []
    groups = [shared]
    for number, page in enumerate(plan.job.pages):
        if page.deferred is not None and page.deferred.kind in WHOLE_NETWORK:
            if page.deferred.kind in SHARED_NETWORK:
                shared.append(number)
            else:
                groups.append([number])
    return groups


def check_site(options: BuildOptions, site: Site, warnings: tuple[ContentError, ...] = ()) -> BuildReport:
    """Plan and render every page of a validated site in memory, checking its links; nothing is written (``check``).

    Social cards are not drawn: a card cannot fail on content, and drawing them all would only cost time.
    """
    from generator.cards import CARD_TEMPLATE
    from generator.finish import PageFinisher
    from generator.parallel import render_numbers

    started = time.perf_counter()
    with collector_paused():
        plan = plan_build(options, site, None, None)
    pages = plan.job.pages
    _, _, names = _site_files(site, plan)
    finish = PageFinisher(frozenset(names), site.config.base_url)
    failures: dict[int, list[ContentError]] = {}
    todo = [number for number, page in enumerate(pages) if page.template != CARD_TEMPLATE]
    for number, outcome in render_numbers(plan.job, todo, None, first=_biggest_first(plan), finish=finish):
        if isinstance(outcome, list):
            failures[number] = outcome
        elif outcome.broken:
            failures[number] = _link_errors(pages[number].output, outcome.broken)
    if failures:
        raise ContentErrors(_distinct_errors(failures))
    return BuildReport(len(pages), len(names), 0, time.perf_counter() - started, None, tuple(warnings))


def _link_errors(output: str, broken: tuple[str, ...]) -> list[ContentError]:
    """A page's internal links that reach no file of the build, as its errors."""
    return [ContentError(output, 0, 0, f"the built page links to {link!r}, which the site does not have",
                         "a template or a nav entry names a page that is not built; fix the link")
            for link in broken]


def _distinct_errors(failures: dict[int, list[ContentError]]) -> list[ContentError]:
    """The errors of failed pages in page order, each place once (a broken template fails many pages)."""
    distinct: dict[tuple[str, int], ContentError] = {}
    for number in sorted(failures):
        for error in failures[number]:
            distinct.setdefault((error.path, error.line), error)
    return list(distinct.values())


def _build(options: BuildOptions, progress, state: BuildState | None, changed: frozenset[Path] | None,
           previous: Manifest | None, key: str = "", started: float | None = None) -> BuildReport:
    """Load, plan, render what changed and write the site; ``key`` is the build key to record (``build``'s shortcut)."""
    from generator.finish import PageFinisher
    from generator.incremental.manifest import Manifest, assets_digest, folder_digests, page_records
    from generator.parallel import render_numbers
    from generator.search import search_files_started
    from generator.staging import file_stat
    from generator.write import SiteWriter

    started = time.perf_counter() if started is None else started
    out_dir = options.out_dir
    assert out_dir is not None
    with collector_paused():
        site, warnings = load_content(options, state, changed)
        cache = Cache(options.cache_dir)
        # The dev server's index is made in the background (``search.BackgroundIndex``); ``build``'s
        # on the other core while the pages are planned.
        index = None if state is not None and state.search is not None else search_files_started(site, cache)
        try:
            plan = plan_build(options, site, state, previous)
        except BaseException:
            if index is not None:
                index.cancel()
            raise
        # What loading and planning made (the site, its pages) outlives the build, with almost no
        # cycles: left out of the collections until the build ends (the caller's
        # ``collector_skipping_what_exists``), the first young one does not walk all of it.
        gc.freeze()
    pages, keys, history = plan.job.pages, plan.keys, plan.history
    page_outputs = [page.output for page in pages]
    unchanged = plan.kept | {number for number in set(range(len(pages))) - plan.kept
                             if previous is not None and previous.page_unchanged(page_outputs[number], keys[number], out_dir)}
    search = state.search.files_for(site, cache) if index is None else index.files()
    copies, asset_files, names = _site_files(site, plan, search)
    copy_stats = {name: file_stat(source) for name, source in copies.items()}
    kept_copies = {name for name in copies if previous is not None and previous.copy_unchanged(name, copy_stats[name], out_dir)}
    removed = previous is not None and not previous.names <= set(names)
    todo = sorted(set(range(len(pages))) - unchanged)
    asset_digests = folder_digests(asset_files)
    digest_of_assets = assets_digest(asset_digests)
    summary = (len(pages), len(names), tuple(warnings))
    if (previous is not None and not todo and not removed and len(kept_copies) == len(copies)
            and previous.assets_unchanged(digest_of_assets, out_dir)):
        save_manifest(options, state, replace(previous, build_key=key, summary=summary), history)
        return BuildReport(len(pages), len(names), 0, time.perf_counter() - started, out_dir, tuple(warnings))

    outputs = frozenset(names)
    report = (lambda done: progress(done, len(todo))) if progress else None
    failures: dict[int, list[ContentError]] = {}
    with retired_site_doubted_on_failure(state), \
            SiteWriter(out_dir, retired=retired_site_dir(options), swap_guard=options.swap_guard,
                       retired_record=previous.retired if previous is not None else None,
                       retired_differs=previous.retired_differs if previous is not None else None) as writer:
        # Whichever process renders a page checks its links and puts its file in place, and
        # reports only how; errors are reported in page order whatever the timing.
        finish = PageFinisher(outputs, site.config.base_url, writer.target)
        for number, outcome in render_numbers(plan.job, todo, report, first=_biggest_first(plan),
                                              environments=state.environments if state is not None else None,
                                              finish=finish):
            if isinstance(outcome, list):
                failures[number] = outcome
            elif outcome.broken:
                failures[number] = _link_errors(pages[number].output, outcome.broken)
            else:
                writer.placed(pages[number].output, outcome.stat, outcome.how)
        if failures:
            raise ContentErrors(_distinct_errors(failures))
        relinked = writer.keep_all({page_outputs[n]: previous.pages[page_outputs[n]][1] for n in sorted(unchanged)},
                                   lambda output: (out_dir / output).read_bytes()) if unchanged else set()
        kept_assets = {name: previous.assets[name] for name in asset_files
                       if previous.asset_unchanged(name, asset_digests, out_dir)} if previous is not None else {}
        writer.keep_all(kept_assets, asset_files.__getitem__)
        for name, data in asset_files.items():
            if name not in kept_assets:
                writer.add(name, data)
        for name, source in sorted(copies.items()):
            if name in kept_copies:
                writer.keep(name, source.read_bytes, previous.copies[name][1])
            else:
                writer.copy(name, source)
        written = writer.commit()
        manifest = Manifest(
            pages=page_records(page_outputs, keys, writer.stats, previous, todo, relinked),
            copies={name: (copy_stats[name], writer.stats.get(name)) for name in copies},
            assets={name: writer.stats.get(name) for name in asset_files},
            assets_digest=digest_of_assets,
            asset_digests=asset_digests,
            trusted=options.private,
            build_key=key,
            summary=summary,
            tree=writer.record,
            retired=previous.tree if writer.kept_retired and previous is not None else None,
            # What the retired site (the previous one) lacks of this one, for the next build (private folders).
            retired_differs=(writer.replaced_since(previous.names)
                             if options.private and writer.kept_retired and previous is not None else None),
        )
    save_manifest(options, state, manifest, history)
    return BuildReport(len(pages), len(names), written, time.perf_counter() - started, out_dir, tuple(warnings))


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


@contextmanager
def collector_skipping_what_exists() -> Iterator[None]:
    """Leave every object that exists now out of the cyclic collector's walks until the block ends (``gc.freeze``)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
