"""Render pages on every core: a process pool over chunks of pages, results as they come.

Each worker gets the build's ``RenderJob`` once, when it starts (by ``fork``, without
copying, where the build has no other threads), renders the chunks of page numbers it is
sent, and returns for each page what ``finish`` made of its bytes (the build's checks its
links and writes its file there, returning only how) or its ``ContentError``s, never an
exception from rendering; the building process
renders chunks too while the workers are busy: a broken template is a
content error, and anything else that goes wrong in a page is reported as an error naming
that page. Results are yielded as chunks finish, not in page order: a page's bytes do not
depend on when it was rendered, and holding finished pages back until a slow one (the
network page) is done would hold most of a large site in memory.
Small batches stay in this process: starting the pool costs more than it saves.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.cards import CARD_TEMPLATE, draw_card
from generator.errors import ContentError, ContentErrors, display_path
from generator.deferred import GraphInputs, deferred_context
from generator.model import SiteConfig
from generator.page import Page
from generator.templates import Templates

#: Below this many pages to render, rendering stays in this process (measured: the pool's
#: start-up and the transfer of results cost about as much as rendering ~150 pages).
MIN_PARALLEL_PAGES = 150
#: Chunks per worker: enough to balance uneven pages, few enough to keep messages cheap.
CHUNKS_PER_WORKER = 6
#: Most pages in one chunk: a chunk's results travel (and wait to be written) together,
#: so this bounds the memory they take at 10,000 stories (about 4 MB of pages).
MAX_CHUNK = 200
#: Fewest pages in one chunk: below this, sending the chunk costs more than balancing saves.
MIN_CHUNK = 8
#: A render chunk is the pages left divided by this many per worker (guided scheduling).
SHARES_PER_WORKER = 2

#: One page's outcome: its number and its bytes (or what ``finish`` made of them), or the errors it raised.
Outcome = tuple[int, Any]
#: What becomes of a page's bytes where it was rendered: ``finish(output, data)``; picklable, returns something small.
Finish = Callable[[str, bytes], Any]


@dataclass(frozen=True)
class RenderJob:
    """Everything needed to render any page of one build."""

    templates: Templates
    config: SiteConfig
    asset_versions: dict[str, str]
    pages: Sequence[Page]
    inputs: GraphInputs
    render_fingerprint: str = ""  # the templates, assets and code (``incremental.state.render_fingerprint``); "" for none
    cache_dir: Path | None = None  # where compiled templates are kept between processes; None: nowhere
    contexts: dict[int, dict[str, Any]] = field(default_factory=dict)  # contexts already made, by page number

    def context(self, number: int) -> dict[str, Any]:
        """Page ``number``'s context, with its ``Deferred`` computed."""
        page = self.pages[number]
        context = self.contexts.get(number)
        if context is None:
            context = page.context(self.inputs.site)
        if page.deferred is not None:
            context = {**context, **deferred_context(self.inputs, page.deferred)}
        return context


class Environments:
    """The last Jinja environment made, with what it was made from.

    A process that builds again and again (the dev server) keeps one between its builds, so
    its templates are compiled once, not once per build; a forked render worker inherits
    the building process's. Pickled (to a worker started fresh) it is empty: an environment
    is not picklable, and the worker makes its own.
    """

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._environment: Any = None

    def __reduce__(self):
        return (Environments, ())

    def for_job(self, job: RenderJob):
        """The environment to render ``job`` with: the last one, if made from the same templates, code and settings."""
        from generator.incremental.cache import Cache
        from generator.render import CompiledTemplates, Environment

        key = (job.templates, job.render_fingerprint, job.config.base_path, job.config.base_url,
               tuple(sorted(job.asset_versions.items())))
        if not job.render_fingerprint or key != self._key:
            compiled = CompiledTemplates(Cache(job.cache_dir)) if job.cache_dir is not None else None
            self._key, self._environment = key, Environment(job.templates, job.config, job.asset_versions, compiled)
        return self._environment


class Renderer:
    """Renders pages of a job with one Jinja environment."""

    def __init__(self, job: RenderJob, environments: Environments, finish: Finish | None = None):
        self.job = job
        self.environment = environments.for_job(job)
        self.finish = finish

    def outcome(self, number: int) -> Any:
        """Page ``number`` rendered and given to ``finish``: what it returned, or the content errors."""
        rendered = self.render(number)
        if self.finish is None or not isinstance(rendered, bytes):
            return rendered
        return self.finish(self.job.pages[number].output, rendered)

    def render(self, number: int) -> bytes | list[ContentError]:
        """Render page ``number``: bytes, or the content errors it raised."""
        page = self.job.pages[number]
        try:
            if page.template == CARD_TEMPLATE:
                return draw_card(self.job.context(number))
            return self.environment.render(page, self.job.context(number))
        except ContentErrors as failure:
            return list(failure.errors)
        except Exception as exc:  # noqa: BLE001 - reported as an error of this page, not a traceback
            where = display_path(self.job.templates.find(page.template) or self.job.templates.builtin / page.template)
            return [ContentError(where, 0, 0, f"error while building {page.output}: {type(exc).__name__}: {exc}")]


# A worker process renders for one job all its life; the job arrives once, in the pool's
# initializer, and lives here (in the worker only, never in the building process).
_WORKER: list[Renderer] = []


def _start_worker(job: RenderJob, environments: Environments, finish: Finish | None) -> None:
    # Ctrl-C goes to the whole process group; the building process stops the pool itself.
    _start_helper()
    _WORKER.append(Renderer(job, environments, finish))


def _die_with_parent() -> None:
    """Ask Linux to end this worker if the building process is killed (prctl PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the pool's own shutdown still ends workers on every normal path


def _release_free_memory() -> None:
    """Return the C allocator's free pages to the system (glibc's ``malloc_trim``), where it has one.

    glibc keeps what Python frees for reuse, and large blocks freed amid live ones are not
    given back by themselves (issue 6). Loading a large site reads, pickles and lets go of
    every text: at 10,000 stories about 100 MB is free but still mapped before the render
    workers are forked, where it counts in this process's memory and a worker allocating
    into it would copy it.
    """
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to give back this way


def _start_helper() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by the parent while it forked
    _die_with_parent()


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while worker processes are forked; it is delivered right after.

    A Ctrl-C that lands during a fork is seen by the parent and by a child that is still
    running a copy of the parent's code, so both would unwind the build, and a child would
    report the interrupt as if it were the build.
    """
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _pool(context, workers: int, initializer: Callable, initargs: tuple = ()):
    """A started pool whose workers were forked with Ctrl-C held back."""
    with _interrupts_held():
        return context.Pool(workers, initializer=initializer, initargs=initargs)


def _start_method() -> str:
    """fork shares memory without pickling; with other threads running (the dev server) it is
    unsafe, so a fresh interpreter is started instead."""
    return "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"


def map_chunks(function: Callable[[Any], list], items: Sequence, make_work: Callable[[Sequence], Any]) -> list:
    """``function(make_work(chunk))`` over contiguous chunks of ``items`` on every core; the results joined in order.

    ``function`` must be a module-level function returning a list, one result per item.
    """
    workers = worker_count()
    if workers < 2:
        return function(make_work(items))
    size = max(1, -(-len(items) // (workers * CHUNKS_PER_WORKER)))
    chunks = [make_work(items[start:start + size]) for start in range(0, len(items), size)]
    context = multiprocessing.get_context(_start_method())
    # Leaving the with-block terminates the workers, on success, error or Ctrl-C alike.
    with _pool(context, workers, _start_helper) as pool:
        results = pool.map(function, chunks, chunksize=1)
    return [result for chunk in results for result in chunk]


def _render_chunk(numbers: list[int]) -> list[Outcome]:
    return _render_chunk_with(_WORKER[0], numbers)


def worker_count() -> int:
    """How many cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _chunks(numbers: Sequence[int], workers: int, first: Sequence[Sequence[int]]) -> list[list[int]]:
    """Each group of ``first`` a chunk at the front (they take longest), the rest in contiguous chunks that shrink.

    The pages of a group share what takes long to make (the network page and its data files
    share the network's layout): one process makes it once for all of them. Each later chunk
    is a share of the pages left (at most ``MAX_CHUNK``, at least ``MIN_CHUNK``), so the last
    ones are small: a process that takes the last large chunk of slow pages (the social cards
    come last) would otherwise leave the other cores idle until it is done.
    """
    wanted = set(numbers)
    groups = [[number for number in group if number in wanted] for group in first]
    grouped = {number for group in groups for number in group}
    rest = [number for number in numbers if number not in grouped]
    chunks = [group for group in groups if group]
    start = 0
    while start < len(rest):
        size = min(MAX_CHUNK, max(MIN_CHUNK, -(-(len(rest) - start) // (workers * SHARES_PER_WORKER))))
        chunks.append(rest[start:start + size])
        start += size
    return chunks


def render_numbers(job: RenderJob, numbers: Sequence[int], progress: Callable[[int], None] | None = None,
                   *, first: Sequence[Sequence[int]] = (), environments: Environments | None = None,
                   finish: Finish | None = None) -> Iterator[Outcome]:
    """Render the given pages, yielding each outcome once, in no particular order; ``first`` ones start first.

    ``first``: groups of pages to start with, each group rendered together (see ``_chunks``).

    ``environments``: where the Jinja environment of the last build is kept (the dev server's).
    ``finish``: applied to each page's bytes in the process that rendered it; the outcome is
    what it returns (without it, the bytes).
    """
    environments = environments or Environments()
    workers = worker_count()
    if workers < 2 or len(numbers) < MIN_PARALLEL_PAGES:
        renderer = Renderer(job, environments, finish)
        for done, number in enumerate(numbers, start=1):
            yield number, renderer.outcome(number)
            if progress:
                progress(done)
        return
    method = _start_method()
    context = multiprocessing.get_context(method)
    chunks = _chunks(numbers, workers, first)
    done = 0
    # This process renders too, with one worker fewer: every worker copies the parts of the
    # build's memory it touches (reference counts are writes), so a worker less is a copy
    # of the site less (at 10,000 stories, 400 MB), and its results need no pickling.
    renderer = Renderer(job, environments, finish)
    # A forked worker shares the build's memory until it writes to it, and the garbage
    # collector writes to every object it scans: frozen objects are never scanned.
    # Objects a caller froze (the dev server's last site) stay frozen until the caller's
    # own block ends: gc.unfreeze() cannot tell its objects from ours.
    frozen_by_caller = gc.get_freeze_count() > 0
    gc.freeze()
    _release_free_memory()
    try:
        # Leaving the with-block terminates the workers, on success, error or Ctrl-C alike.
        with _pool(context, workers - 1, _start_worker, (job, environments, finish)) as pool:
            queue = list(reversed(chunks))
            running: list = []
            while queue or running:
                # Keep every worker busy with one chunk and one more waiting, then take one here.
                while queue and len(running) < 2 * (workers - 1):
                    running.append(pool.apply_async(_render_chunk, (queue.pop(),)))
                finished = [task for task in running if task.ready()]
                if not finished and queue:
                    finished_here = _render_chunk_with(renderer, queue.pop())
                elif not finished:
                    running[0].wait()
                    continue
                else:
                    finished_here = []
                results = [outcome for task in finished for outcome in task.get()] + finished_here
                running = [task for task in running if task not in finished]
                done += len(results)
                if progress:
                    progress(done)
                yield from results
    finally:
        if not frozen_by_caller:
            gc.unfreeze()


def _render_chunk_with(renderer: Renderer, numbers: list[int]) -> list[Outcome]:
    outcomes = [(number, renderer.outcome(number)) for number in numbers]
    # What a chunk leaves behind (the network page's making, a large chunk's results and
    # their pickle) is mostly freed but stays mapped: at 10,000 stories 40 to 60 MB in each
    # process by the end of the build. Giving it back costs a few milliseconds a chunk.
    _release_free_memory()
    return outcomes
