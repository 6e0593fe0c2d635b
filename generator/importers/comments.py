"""Choose a post's comments for the snapshot and put them in thread order."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from generator.importers.markdown_convert import TooDeep, html_to_markdown
from generator.importers.wordpress import Comment, Item, local_time, sort_key


@dataclass(frozen=True)
class KeptComment:
    """An approved comment, its Markdown body and the kept comment it replies to."""

    comment: Comment
    body: str
    parent: int | None


def thread(item: Item, base_url: str, zone: ZoneInfo) -> tuple[list[KeptComment], Counter[str]]:
    """Approved comments (no pingbacks or trackbacks) in order, and a tally of the left-out ones.

    The order is by date then id, except that a reply always follows the comment it answers;
    a reply to a comment that is left out moves up to the nearest kept ancestor.
    """
    tally: Counter[str] = Counter()
    kept: dict[int, Comment] = {}
    bodies: dict[int, str] = {}
    for comment in item.comments:
        if comment.type not in ("", "comment"):
            tally["pings" if comment.type in ("pingback", "trackback") else "other"] += 1
        elif comment.approved != "1":
            tally[{"0": "pending", "spam": "spam"}.get(comment.approved, "trash")] += 1
        else:
            try:
                body = html_to_markdown(comment.content, base_url, shortcodes=False).markdown.strip("\n")
            except TooDeep:
                tally["nested"] += 1
                continue
            if body.strip():
                kept[comment.id] = comment
                bodies[comment.id] = body
            else:
                tally["empty"] += 1
    parents = _kept_parents(item.comments, kept)

    def order(cid: int) -> tuple:
        # A reply sorts after its parent even if its clock said otherwise.
        own = (sort_key(local_time(kept[cid].date_gmt, kept[cid].date_local, zone)), cid)
        parent = parents[cid]
        if parent is None:
            return (own, 0, own)
        above = order(parent)
        return (max(own, above[0]), above[1] + 1, own)

    result = [KeptComment(kept[cid], bodies[cid], parents[cid]) for cid in sorted(kept, key=order)]
    tally["written"] = len(result)
    return result, tally


def _kept_parents(comments: tuple[Comment, ...], kept: dict[int, Comment]) -> dict[int, int | None]:
    """For each kept comment, the nearest ancestor that is kept too (None at the top)."""
    by_id = {comment.id: comment for comment in comments}
    parents: dict[int, int | None] = {}
    for cid, comment in kept.items():
        seen, parent, found = {cid}, by_id.get(comment.parent), None
        while parent is not None and parent.id not in seen:
            if parent.id in kept:
                found = parent.id
                break
            seen.add(parent.id)
            parent = by_id.get(parent.parent)
        parents[cid] = found
    for cid in kept:  # a malformed export can loop its parents: cut the loop
        seen, above = {cid}, parents[cid]
        while above is not None:
            if above in seen:
                parents[cid] = None
                break
            seen.add(above)
            above = parents[above]
    return parents
