"""The full-text search index: one Pagefind record per story, written under ``pagefind/``.

Records are made from the site model, not from the built pages, so the index needs no
page on disk and its input is plain data: the same stories give the same records, and
Pagefind (its binary, from the ``pagefind[bin]`` package, run locally; it fetches nothing)
writes the same files for the same records. The index is kept in the cache by a digest of
its records and re-made only when one changes.

Each record carries the title and people the search page shows with the matching excerpt.
The filters (person, channel, tag, year) are not Pagefind's own: Pagefind writes the values
of a filter in a different order on every run (a hash map), which would make every build
differ. They live in ``search/stories.json``, which we write, sorted, and the search page
applies them to Pagefind's results (or lists the stories they select when no word is
given). Everything in a record comes from the model after the privacy rules have been
applied (``privacy.py``): redacted people appear by their label, and e-mail and IP
addresses are scrubbed from it, even the author's own. Comments are not indexed.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from html import escape
from pathlib import Path
from typing import Any

from generator.errors import ContentError, ContentErrors
from generator.importers.scrub import Scrubber
from generator.model import Site

#: The files of Pagefind's bundle a search page uses; its ready-made UIs are left out.
_WANTED = re.compile(r"(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|.*\.pf_meta|wasm\..*\.pagefind|"
                     r"(filter|fragment|index)/.*)$")
#: How long Pagefind may take over an index before the build gives up on it (seconds).
INDEX_TIMEOUT = 600
#: How far below the dev server's CPU priority Pagefind indexes in the background (``nice``'s scale).
BACKGROUND_NICENESS = 10
#: Which Pagefind language index a site language maps to ('en-GB' -> 'en').
_LANGUAGE = re.compile(r"^[a-z]{2,3}")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", html)).strip()


#: Where the search page is, the one page that reads the index.
SEARCH_PATH = "search/"
#: The filters of the search page.
FILTERS = ("person", "channel", "tag", "year")


def _story_inputs(site: Site, study, table) -> tuple[dict[str, Any], dict[str, Any]]:
    """Everything a story's record and filter entry are made from, unscrubbed (the post still as HTML)."""
    names = [site.people[pid].display_name for pid in study.people if pid in site.people]
    channels = sorted({table[cid].label if cid in table else cid
                       for connection in study.connections for cid in connection.channels})
    steps = " ".join(connection.summary for connection in study.connections if connection.summary)
    record = {
        # From the site's root: the browser side puts the folder pagefind/ sits in (/repo/) before it.
        "url": f"/{study.url_path}",
        "content": [study.title, study.summary, study.body_html, " ".join(names), steps],
        "meta": {"title": study.title, "people": ", ".join(names), "date": study.date.strftime("%Y-%m-%d")},
    }
    facet = {"url": f"{site.config.base_path}{study.url_path}", "title": study.title, "people": ", ".join(names),
             "summary": study.summary, "person": sorted(set(names)), "channel": channels,
             "tag": sorted(set(study.tags)), "year": [str(study.date.year)]}
    return record, facet


def _story_entry(inputs: tuple[dict[str, Any], dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A story's Pagefind record and filter entry, from its inputs."""
    record, facet = inputs
    title, summary, body_html, names, steps = record["content"]
    record = {**record, "content": " ".join(part for part in (title, summary, _text(body_html), names, steps) if part)}
    # Authors' own text too: an address in a post stays on its page, never in the index.
    scrub = Scrubber()
    return scrub.data(record), scrub.data(facet)


def search_records(site: Site, known: Mapping[str, tuple] | None = None
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, tuple]]:
    """Per story, one Pagefind record (its URL, text and what results show) and one entry of filter values.

    The third part maps a digest of each story's inputs to its record and filter entry; given
    back as ``known`` to a later call, it spares making again the entries of unchanged stories.
    """
    from generator.incremental.fingerprint import digest

    table = site.config.channel_table
    known = known or {}
    keys, entries = [], {}
    for study in site.studies:
        inputs = _story_inputs(site, study, table)
        key = digest(json.dumps(inputs, sort_keys=True, ensure_ascii=False))
        if key not in entries:
            entries[key] = known[key] if key in known else _story_entry(inputs)
        keys.append(key)
    return [entries[key][0] for key in keys], [entries[key][1] for key in keys], entries


def facets_json(facets: list[dict[str, Any]]) -> bytes:
    """``search/stories.json``: every filter's values, and each story's, for the search page."""
    values = {key: sorted({value for story in facets for value in story[key]}) for key in FILTERS}
    return json.dumps({"filters": values, "stories": facets}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def records_key(records: list[dict[str, Any]], language: str) -> str:
    """A digest of what the index is made from (Pagefind's version included)."""
    from importlib.metadata import version

    from generator.incremental.fingerprint import digest

    return digest("search", version("pagefind"), language, json.dumps(records, sort_keys=True, ensure_ascii=False))


def record_html(record: dict[str, Any], language: str) -> str:
    """The small page Pagefind indexes for one record: its text, and its title, people and date as metadata."""
    meta = "".join(f'<p data-pagefind-meta="{key}">{escape(value)}</p>' for key, value in sorted(record["meta"].items()))
    return (f'<!DOCTYPE html><html lang="{escape(language)}"><head><meta charset="utf-8"><title></title></head>'
            f'<body><main data-pagefind-body><div data-pagefind-ignore>{meta}</div>'
            f'<p>{escape(record["content"])}</p></main></body></html>')


class Runs:
    """The Pagefind processes started for one owner, which can stop them all (the dev server, when it stops).

    Once stopped, a process that starts is stopped at once: nothing outlives the owner.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen] = set()
        self._stopped = False

    def started(self, process: subprocess.Popen) -> None:
        """Register a process that has just started."""
        with self._lock:
            self._running.add(process)
            if self._stopped:
                process.kill()

    def ended(self, process: subprocess.Popen) -> None:
        """Forget a process that has ended."""
        with self._lock:
            self._running.discard(process)

    def stop(self) -> None:
        """Kill every process running now or started from now on."""
        with self._lock:
            self._stopped = True
            for process in self._running:
                process.kill()


def build_index(records: list[dict[str, Any]], language: str, *, niceness: int = 0,
                runs: Runs | None = None) -> dict[str, bytes]:
    """Pagefind's files for ``records`` (paths relative to ``pagefind/``); ``ContentErrors`` without its binary.

    ``niceness``: how much lower than ours Pagefind's CPU priority is, where the system has
    priorities. ``runs``: where the Pagefind process is registered while it runs, so it can be stopped.
    """
    return IndexRun(records, language, niceness=niceness, runs=runs).files()


class IndexRun:
    """Pagefind indexing ``records``, started at once; ``files`` waits for it and returns its files.

    No thread waits for it meanwhile, so the building process may fork its render workers
    while it runs. ``cancel`` stops it and removes its folder (a build that failed first).
    """

    def __init__(self, records: list[dict[str, Any]], language: str, *, niceness: int = 0, runs: Runs | None = None):
        from pagefind.service import get_executable

        self._process: subprocess.Popen | None = None
        self._runs = runs
        executable = get_executable()
        if executable is None or not executable.is_file():
            raise ContentErrors([ContentError("site.yaml", 0, 0, "the search index needs Pagefind's binary, which is not installed",
                                              _HINT)])
        self._temp = tempfile.TemporaryDirectory(prefix="introchain-search-")
        if not records:
            return  # Pagefind refuses an empty site; the search page says there is nothing to search
        lang = (_LANGUAGE.match(language.lower()) or _LANGUAGE.match("en")).group(0)
        # Pagefind's command line over a folder of one small page per record. Not its Python
        # service: that reads answers of at most 2 MiB (a larger index hangs it for good) and
        # waits 0.1 s for each one, a minute and a half for a thousand stories.
        temp = self._temp.name
        pages, self._out = Path(temp, "pages"), Path(temp, "index")
        try:
            for record in records:
                page = pages / record["url"].strip("/") / "index.html"
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(record_html(record, lang), encoding="utf-8")
            pages.mkdir(exist_ok=True)
            # Its own folder as the working directory, so no pagefind.yml of the caller's is read.
            command = [str(executable), "--site", str(pages), "--output-path", str(self._out), "--force-language", lang,
                       "--silent"]
            clean = {name: value for name, value in os.environ.items() if not name.startswith("PAGEFIND_")}
            # What it says goes to files, not pipes: nobody reads them until it has ended.
            self._said = open(Path(temp, "said"), "w+", encoding="utf-8", errors="replace")
            try:
                self._process = _start(command, temp, clean, self._said, niceness, runs)
            except OSError as error:  # the binary is there but cannot run (permissions, another platform's build)
                raise ContentErrors([ContentError("site.yaml", 0, 0,
                                                  f"Pagefind's binary could not run: {error.strerror or error}", _HINT)]) from None
        except BaseException:
            self.cancel()
            raise
        self._deadline = time.monotonic() + INDEX_TIMEOUT

    def files(self) -> dict[str, bytes]:
        """Wait for Pagefind; its files, or ``ContentErrors``/``OSError`` when it failed."""
        try:
            process = self._process
            if process is None:
                return {}
            try:
                code = process.wait(timeout=max(0.0, self._deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                raise _index_failed(f"it took longer than {INDEX_TIMEOUT} s") from None
            if code != 0:
                self._said.seek(0)
                raise _index_failed(self._said.read().strip(), code)
            out = self._out
            return {path.relative_to(out).as_posix(): path.read_bytes() for path in sorted(out.rglob("*"))
                    if path.is_file() and _WANTED.fullmatch(path.relative_to(out).as_posix())}
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop Pagefind if it still runs, and remove its folder."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
                process.wait()
            if self._runs is not None:
                self._runs.ended(process)
            self._said.close()
        self._temp.cleanup()


_HINT = ("install it with `pip install 'pagefind[bin]'` (introchain's dependencies include it), "
         "or turn search off with 'search: false' in site.yaml")


def _start(command: list[str], cwd: str, env: dict[str, str], said, niceness: int, runs: Runs | None) -> subprocess.Popen:
    """Start Pagefind, ``niceness`` below our CPU priority, what it prints going to the file ``said``."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=said, stderr=said)
    if runs is not None:
        runs.started(process)
    if niceness and hasattr(os, "setpriority"):
        # Set from here, not in the child before it runs (``preexec_fn`` is unsafe in a
        # process with threads, as the dev server is); its first milliseconds run at ours.
        try:
            os.setpriority(os.PRIO_PROCESS, process.pid, os.getpriority(os.PRIO_PROCESS, 0) + niceness)
        except OSError:
            pass  # it has already ended, or the system refuses: it runs at our priority
    return process


#: What Pagefind prints when the system, not the content, stopped it: the build reports
#: these as it reports its own failed writes, as an ``OSError``.
_SYSTEM_FAILURES = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EROFS, errno.ENOMEM)


def _index_failed(said: str, code: int = 1) -> Exception:
    """The error for a Pagefind run that failed: an ``OSError`` when the machine stopped it, else ``ContentErrors``."""
    if code == -signal.SIGXFSZ:  # killed for writing past the file-size limit, as a full disk would stop it
        return OSError(errno.EFBIG, os.strerror(errno.EFBIG))
    for number in _SYSTEM_FAILURES:
        if os.strerror(number) in said:
            return OSError(number, os.strerror(number))
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:  # a real-time signal has no name, only its number
            name = f"signal {-code}"
        said = f"it was stopped by {name}"
    last = said.splitlines()[-1:] or [f"exit code {code}"]
    return ContentErrors([ContentError("site.yaml", 0, 0, f"Pagefind could not build the search index: {last[0]}",
                                       "run the build again; if it keeps failing, turn search off with "
                                       "'search: false' in site.yaml and report the message above")])


def search_files(site: Site, cache, *, niceness: int = 0, runs: Runs | None = None) -> dict[str, bytes]:
    """The output files of the index (``pagefind/...``), from the cache when its records did not change.

    ``niceness``, ``runs``: see ``build_index``.
    """
    return SearchFilesStarted(site, cache, niceness=niceness, runs=runs).files()


class SearchFilesStarted:
    """``search_files`` begun: the records made and Pagefind started unless the cache holds their index.

    ``files`` waits for Pagefind and returns the files; ``cancel`` stops it. ``build`` starts
    it before planning the pages, so Pagefind indexes on the other core meanwhile.
    """

    def __init__(self, site: Site, cache, *, niceness: int = 0, runs: Runs | None = None):
        self._run: IndexRun | None = None
        self._index: dict[str, bytes] = {}
        self._facets: list[dict[str, Any]] | None = None
        if not site.config.search:
            return
        from generator.incremental.fingerprint import code_fingerprint, digest

        # Each story's entries are kept by a digest of what they are made from, so a build
        # after one edit makes one story's entries, not a thousand.
        entries_key = digest("search-entries", code_fingerprint(), site.config.base_path)
        known = cache.get_object("search-entries", entries_key)
        known = known if isinstance(known, dict) else {}
        records, self._facets, entries = search_records(site, known)
        if entries.keys() != known.keys():  # only this site's stories are kept
            cache.put_object("search-entries", entries_key, entries)
        # One index kept per language, with the digest of its records: an index per edit would
        # fill the cache (4 MB each at 1,000 stories), and an older one is rarely wanted again.
        self._cache = cache
        self._slot, self._key = digest("search-index", site.config.language), records_key(records, site.config.language)
        kept_index = cache.get_object("search-index", self._slot)
        if isinstance(kept_index, tuple) and len(kept_index) == 2 and kept_index[0] == self._key:
            self._index = kept_index[1]
        else:
            self._run = IndexRun(records, site.config.language, niceness=niceness, runs=runs)

    def files(self) -> dict[str, bytes]:
        """The search files (``pagefind/...`` and ``search/stories.json``), once Pagefind is done."""
        if self._facets is None:
            return {}
        if self._run is not None:
            run, self._run = self._run, None
            self._index = run.files()
            self._cache.put_object("search-index", self._slot, (self._key, self._index))
        return {**{f"pagefind/{path}": data for path, data in self._index.items()},
                "search/stories.json": facets_json(self._facets)}

    def cancel(self) -> None:
        """Stop Pagefind, if it runs (the build failed before it needed the files)."""
        run, self._run = self._run, None
        if run is not None:
            run.cancel()


def search_files_started(site: Site, cache) -> SearchFilesStarted:
    """``search_files`` begun, Pagefind running while the build plans its pages; ``.files()`` ends it.

    No thread waits for Pagefind, so the building process may still fork its render workers.
    """
    return SearchFilesStarted(site, cache)


def _same_inputs(before: Site | None, after: Site) -> bool:
    """Whether two sites give the same search files (unchanged stories are usually the same objects in the dev server)."""
    return (before is not None and before.config == after.config and len(before.studies) == len(after.studies)
            and (before.people is after.people or before.people == after.people)
            and all(old is new or old == new for old, new in zip(before.studies, after.studies)))


class BackgroundIndex:
    """The dev server's search files: re-made in a thread after a change, so a save reloads the browser at once.

    A build asks ``files_for``. The very first build makes the files before it returns.
    After that, a build whose site has the stories, people and settings the files were
    made from gets those files; any other gets the files it had (so the page reloads
    without waiting for records, filters or Pagefind). Once that build is done, the caller
    calls ``start``: a thread makes the new files (not during the build, whose Python it
    would slow) and ``on_ready`` asks for one more build, which then writes them. Saves
    that come while a thread works are made in one go once it is done.
    """

    def __init__(self, on_ready: Callable[[], None]):
        self._on_ready = on_ready
        self._lock = threading.Lock()
        self._made: Site | None = None  # the site the files below were made from
        self._files: dict[str, bytes] = {}
        self._wanted: tuple[Site, object] | None = None  # the newest site a thread is to make files for
        self._working = False
        self._runs = Runs()
        self._thread: threading.Thread | None = None

    def files_for(self, site: Site, cache) -> dict[str, bytes]:
        """The search files to write now (see the class)."""
        if not site.config.search:
            return {}
        with self._lock:
            if _same_inputs(self._made, site):
                return self._files
            if self._made is not None:
                self._wanted = (site, cache)
                return self._files
        files = search_files(site, cache, runs=self._runs)  # the first build: nothing to serve yet
        with self._lock:
            self._made, self._files = site, files
        return files

    def start(self) -> None:
        """Make the files a build asked for in a thread, unless one is at work (which then makes them too)."""
        with self._lock:
            if self._wanted is None or self._working:
                return
            self._working = True
            self._thread = threading.Thread(target=self._work, name="introchain-search-index", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop making files for good: kill a Pagefind at work and wait (up to ``timeout`` s) for its clean-up.

        Called when the dev server stops, so no Pagefind and no temporary folder outlives it.
        """
        with self._lock:
            self._wanted = None
            thread = self._thread
        self._runs.stop()
        if thread is not None:
            thread.join(timeout)

    def _work(self) -> None:
        made = False
        while True:
            with self._lock:
                if self._wanted is None:
                    self._working = False
                    break
                (site, cache), self._wanted = self._wanted, None
            try:
                # Below the dev server's priority: the next save's build must not wait for it.
                files = search_files(site, cache, niceness=BACKGROUND_NICENESS, runs=self._runs)
            except (ContentErrors, OSError):
                continue  # the served files stay as they were; ``build`` reports why
            with self._lock:
                self._made, self._files = site, files
            made = True
        if made:
            self._on_ready()
