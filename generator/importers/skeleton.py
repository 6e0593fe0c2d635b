"""The ``story.yaml`` an import starts each case study with, for the author to complete."""

from __future__ import annotations

from datetime import datetime

from generator.importers.writer import render_story


def story_skeleton(title: str, author_id: str, author_name: str, comments: list[dict[str, object]]) -> str:
    """The story skeleton: the author and the commenters, one guessed connection at most."""
    commenters: list[str] = []
    first: dict[str, object] | None = None
    for comment in comments:
        person = comment.get("person")
        if isinstance(person, str) and person != author_id and person not in commenters:
            commenters.append(person)
            first = first or comment
    header = [
        "TODO: imported from WordPress — describe who met whom, through what, and how deep.",
        f'Post: "{title}" by {author_name} ({author_id}).',
    ]
    connections: list[dict[str, object]] = []
    if first is not None:
        header.append(f"People in this post: {author_id} (author), {', '.join(commenters)} (commenters).")
        header.append("The connection below is only a guess from the first comment: correct it, add the")
        header.append("others; introchain's docs/content-format.md lists every key and stage.")
        connection: dict[str, object] = {"between": [author_id, first["person"]], "bridge": "content", "channels": ["blog-comment"]}
        if "date" in first:
            connection["when"] = datetime.fromisoformat(str(first["date"])).date()
        connection["summary"] = f'{first["author"]} commented on "{title}".'
        connection["stages"] = ["contact"]
        connections.append(connection)
    else:
        header.append("Nobody commented on this post. Add the connections it tells of, for example:")
        header.append(f"  - between: [{author_id}, someone]")
        header.append("    stages: [contact]")
    return render_story(header, connections)
