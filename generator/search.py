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

import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

from generator.errors import ContentErrors
from generator.importers.scrub import Scrubber
from generator.model import Site
from generator.pagefind_run import IndexRun, Runs

#: How far below the dev server's CPU priority Pagefind indexes in the background (``nice``'s scale).
BACKGROUND_NICENESS = 10


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
