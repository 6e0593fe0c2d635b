"""The dev server's search index, made in the background, put into the served site with every other file kept.

A new index changes only the search files (``pagefind/``, ``search/stories.json``), so
nothing is loaded, planned or rendered again: the site is written as every build writes it
(``SiteWriter``: a complete tree swapped in at once), each page, copied image and other
asset kept from the last build, the search files replaced. Only the search page reads them.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from generator.incremental.cache import Cache
from generator.incremental.manifest import assets_digest, folder_digests
from generator.incremental.state import BuildState, retired_site_dir, retired_site_doubted_on_failure, save_manifest

if TYPE_CHECKING:
    from generator.build import BuildOptions


def write_search_files(options: BuildOptions, state: BuildState) -> bool | None:
    """Put the search files ``state.search`` holds for the last site built into the output folder.

    True when they were written, False when the folder already had them, None when there
    is no last build to keep the pages of (the caller builds the whole site instead).
    """
    from generator.write import SiteWriter

    previous, history, out_dir = state.manifest, state.history, options.out_dir
    if previous is None or history is None or not history.wrote(previous) or state.search is None or out_dir is None:
        return None
    files = state.search.files_for(history.site, Cache(options.cache_dir))
    digests = folder_digests(files)
    replaced = set(digests)  # the top-level folders the search files are in
    if all(previous.asset_digests.get(folder) == value for folder, value in digests.items()):
        return False
    others = {name: stat for name, stat in previous.assets.items() if name.partition("/")[0] not in replaced}

    with retired_site_doubted_on_failure(state), \
            SiteWriter(out_dir, retired=retired_site_dir(options), swap_guard=options.swap_guard,
                       retired_record=previous.retired, retired_differs=previous.retired_differs) as writer:
        kept = {name: stat for name, (_, stat) in previous.pages.items()}
        kept.update((name, stat) for name, (_, stat) in previous.copies.items())
        kept.update(others)
        writer.keep_all(kept, lambda name: Path(out_dir, name).read_bytes())
        for name, data in files.items():
            writer.add(name, data)
        writer.commit()
        asset_digests = {**{folder: value for folder, value in previous.asset_digests.items() if folder not in replaced},
                         **digests}
        manifest = replace(
            previous,
            assets={**others, **{name: writer.stats[name] for name in files}},
            asset_digests=asset_digests,
            assets_digest=assets_digest(asset_digests),
            tree=writer.record,
            retired=previous.tree if writer.kept_retired else None,
            retired_differs=writer.replaced_since(previous.names) if previous.trusted and writer.kept_retired else None,
        )
    # The same pages from the same site: the history still describes this manifest (``replace`` keeps its version).
    save_manifest(options, state, manifest, history)
    return True
