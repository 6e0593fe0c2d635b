"""How the cache pickles the most numerous objects of a saved state: quickly, from outside their classes.

A saved state holds tens of thousands of small frozen dataclasses with slots (dates,
stages, comments, places) per thousand stories. dataclasses' own pickling calls
``fields()`` for every object pickled or unpickled and sets each field through
``object.__setattr__``; at 1,000 stories that cost a one-post rebuild 0.15 s of loading
the state. The cache's pickler instead reduces each of these classes to its field values
through ``dispatch_table`` (a per-pickler table: the classes carry no pickling hooks), and
``_set_slots`` sets each slot through its own descriptor.
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


def dispatch_table() -> dict[type, Callable[[Any], tuple]]:
    """The reducers the cache's pickler uses (``pickle.Pickler.dispatch_table``), on top of ``copyreg``'s."""
    table = dict(copyreg.dispatch_table)
    for cls in _slotted_classes():
        if cls not in _LAYOUT:
            _layout(cls)
        table[cls] = _reduce
    return table
