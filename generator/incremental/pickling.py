"""How the cache pickles the most numerous objects of a saved state: quickly, from outside their classes.

A saved state holds tens of thousands of small frozen dataclasses with slots (dates,
stages, comments, places) per thousand stories. dataclasses' own pickling calls
``fields()`` for every object pickled or unpickled and sets each field through
``object.__setattr__``; at 1,000 stories that cost a one-post rebuild 0.15 s of loading
the state. The cache's pickler instead reduces each of these classes to its field values
through ``dispatch_table`` (a per-pickler table: the classes carry no pickling hooks), and
``_set_slots`` sets each slot through its own descriptor.

The same table leaves out what a saved state must not or need not hold: what other
objects' identities key (good only in the process that made it), and what is made again
on first use. The classes themselves know nothing of the cache.
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable
from dataclasses import fields
from typing import Any


def _slotted_classes() -> tuple[type, ...]:
    from generator.comment_model import Comment, CommentSnapshot, Thread
    from generator.content.source import Place
    from generator.markdown import Image
    from generator.model import PartialDate, Stage, When

    return (PartialDate, When, Stage, Comment, Thread, CommentSnapshot, Place, Image)


#: Per class: its field names, and the setter of each slot.
_LAYOUT: dict[type, tuple[tuple[str, ...], tuple[Callable[[Any, Any], None], ...]]] = {}


def _set_slots(instance: Any, values: tuple) -> None:
    """Set the slots of a new instance to ``values`` (what ``_reduce`` wrote)."""
    layout = _LAYOUT.get(type(instance)) or _layout(type(instance))
    for setter, value in zip(layout[1], values):
        setter(instance, value)


def _layout(cls: type) -> tuple[tuple[str, ...], tuple[Callable[[Any, Any], None], ...]]:
    names = tuple(field.name for field in fields(cls))
    _LAYOUT[cls] = layout = (names, tuple(getattr(cls, name).__set__ for name in names))
    return layout


def _reduce(instance: Any) -> tuple:
    cls = type(instance)
    # A bare instance (pickle's NEWOBJ), then its values through ``_set_slots`` (a reduce's state setter).
    return copyreg.__newobj__, (cls,), tuple([getattr(instance, name) for name in _LAYOUT[cls][0]]), None, None, _set_slots


def _without(*names: str) -> Callable[[Any], tuple]:
    """A reducer that pickles an object's attributes but ``names``."""

    def reduce(instance: Any) -> tuple:
        return copyreg.__newobj__, (type(instance),), {key: value for key, value in vars(instance).items()
                                                       if key not in names}

    return reduce


def _reduce_bundle_memo(memo: Any) -> tuple:
    # Its entries are keyed by the identity of their bundles, which does not survive
    # pickling: it is stored as its pairs, and keyed again when loaded.
    return type(memo).holding, (memo.pairs(), memo.context)


def _reduce_tree_record(record: Any) -> tuple:
    return _packed_tree_record, (*record.packed, record.taken_ns)


def _packed_tree_record(files: str, folders: str, stats: bytes, taken_ns: int) -> Any:
    from generator.output_folder import TreeRecord

    return TreeRecord(None, None, taken_ns, packed=(files, folders, stats))


def _trimmed_classes() -> dict[type, Callable[[Any], tuple]]:
    from generator.content.bundle import BundleMemo, ParsedBundle
    from generator.content.load import ContentMemo
    from generator.output_folder import TreeRecord

    return {
        # ``paths`` is made again when needed: kept, it was 30,000 Path objects to unpickle
        # with every one-post rebuild of a 10,000-story site.
        ParsedBundle: _without("paths"),
        BundleMemo: _reduce_bundle_memo,
        # The cross-story checks are keyed by the identity of bundles.
        ContentMemo: lambda memo: (copyreg.__newobj__, (ContentMemo,), {**vars(memo), "checks": ()}),
        # A record of every file and folder of a site: packed (a handful of objects, not 100,000), unpacked when read.
        TreeRecord: _reduce_tree_record,
    }


def dispatch_table() -> dict[type, Callable[[Any], tuple]]:
    """The reducers the cache's pickler uses (``pickle.Pickler.dispatch_table``), on top of ``copyreg``'s."""
    table = dict(copyreg.dispatch_table)
    for cls in _slotted_classes():
        if cls not in _LAYOUT:
            _layout(cls)
        table[cls] = _reduce
    table.update(_trimmed_classes())
    return table
