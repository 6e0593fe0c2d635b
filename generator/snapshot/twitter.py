"""A thread from a Twitter/X archive's ``tweets.js``: the thread's tweets and the author's replies in it.

An archive holds only its owner's tweets, so the thread is the chosen tweet and every tweet
of the archive that replies to it, directly or down a chain of the owner's own replies.
"""

from __future__ import annotations

import html
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from generator.snapshot.model import Fetched, Post, SnapshotError, parents_first
from generator.snapshot.text import escape, redact


def _read_js(path: Path, what: str) -> list:
    """The JSON array a ``window.YTD.<name>.part0 = [...]`` file assigns."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise SnapshotError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise SnapshotError(f"{path} is not UTF-8 text", f"use the {what} file from the archive's data/ folder") from None
    start = text.find("[", text.find("=") + 1 if text.lstrip().startswith("window.") else 0)
    try:
        data = json.loads(text[start:].rstrip().rstrip(";")) if start >= 0 else None
    except json.JSONDecodeError as error:
        raise SnapshotError(f"{path} is not a Twitter archive file: invalid JSON at character {start + error.pos}",
                            f"use the {what} file from the archive's data/ folder") from None
    if not isinstance(data, list):
        raise SnapshotError(f"{path} is not a Twitter archive file", f"use the {what} file from the archive's data/ folder")
    return data


def _account(folder: Path) -> tuple[str, str]:
    """The owner's user name and display name, from account.js beside tweets.js when it is there."""
    path = folder / "account.js"
    if not path.is_file():
        return "", ""
    for item in _read_js(path, "account.js"):
        account = item.get("account") if isinstance(item, dict) else None
        if isinstance(account, dict) and isinstance(account.get("username"), str):
            return account["username"], str(account.get("accountDisplayName") or account["username"])
    return "", ""


def _created(value: Any, tweet_id: str) -> datetime:
    try:
        return datetime.strptime(str(value), "%a %b %d %H:%M:%S %z %Y").astimezone(timezone.utc)
    except ValueError:
        raise SnapshotError(f"tweet {tweet_id} has no valid 'created_at' ({value!r:.40})", "is it a tweets.js file?") from None


def _body(tweet: dict) -> str:
    """The tweet's text as Markdown: t.co links expanded, mentions linked, media links dropped."""
    text = str(tweet.get("full_text") or tweet.get("text") or "")
    entities = tweet.get("entities") if isinstance(tweet.get("entities"), dict) else {}
    replacements: dict[str, str] = {}
    for link in entities.get("urls") or []:
        if isinstance(link, dict) and isinstance(link.get("url"), str) and isinstance(link.get("expanded_url"), str):
            replacements[link["url"]] = f"<{link['expanded_url']}>" if link["expanded_url"].startswith(("http://", "https://")) else ""
    for medium in (entities.get("media") or []) + ((tweet.get("extended_entities") or {}).get("media") or []):
        if isinstance(medium, dict) and isinstance(medium.get("url"), str):
            replacements[medium["url"]] = ""  # a snapshot links no media
    names = {str(m.get("screen_name")) for m in entities.get("user_mentions") or [] if isinstance(m, dict) and m.get("screen_name")}
    parts: list[str] = []
    for word in html.unescape(text).split(" "):
        if word in replacements:
            parts.append(replacements[word])
        elif word.startswith("@") and word[1:].rstrip(".,:;!?") in names:
            name = word[1:].rstrip(".,:;!?")
            parts.append(f"[@{escape(name)}](https://twitter.com/{name}){escape(word[1 + len(name):])}")
        else:
            parts.append(escape(word))
    lines = " ".join(parts).strip().split("\n")
    return redact("\\\n".join(line.strip() for line in lines if line.strip())) or "*(no text)*"


def fetch(path: Path, thread_id: str, limit: int) -> Fetched:
    """The thread that starts at tweet ``thread_id``."""
    tweets: dict[str, dict] = {}
    for item in _read_js(path, "tweets.js"):
        tweet = item.get("tweet") if isinstance(item, dict) else None
        if isinstance(tweet, dict) and isinstance(tweet.get("id_str"), str):
            tweets[tweet["id_str"]] = tweet
    if thread_id not in tweets:
        raise SnapshotError(f"tweet {thread_id} is not in {path}", "was it deleted before the archive was made? check the id")
    username, display = _account(path.parent)
    in_thread = {thread_id}
    grew = True
    while grew:
        grew = False
        for tweet_id, tweet in tweets.items():
            if tweet_id not in in_thread and tweet.get("in_reply_to_status_id_str") in in_thread:
                in_thread.add(tweet_id)
                grew = True
        if len(in_thread) > limit:
            raise SnapshotError(f"the thread has more than {limit} tweets, the limit", "raise it with --max-posts")
    author = display or (f"@{username}" if username else "the archive's owner")
    profile = f"https://twitter.com/{username}" if username else ""
    posts = []
    for tweet_id in sorted(in_thread, key=lambda key: (_created(tweets[key].get("created_at"), key), int(key) if key.isdigit() else 0)):
        tweet = tweets[tweet_id]
        parent = tweet.get("in_reply_to_status_id_str") if tweet_id != thread_id else ""
        posts.append(Post(
            key=tweet_id, parent=parent or "", author=author, handle=f"@{username}" if username else "", profile=profile,
            original=f"https://twitter.com/{username or 'i/web'}/status/{tweet_id}",
            date=_created(tweet.get("created_at"), tweet_id), body=_body(tweet),
        ))
    url = f"https://twitter.com/{username or 'i/web'}/status/{thread_id}"
    root = tweets[thread_id]
    return Fetched("twitter", url, parents_first(posts), likes=_int(root.get("favorite_count")),
                   reposts=_int(root.get("retweet_count")), id_prefix="tweet-")


def _int(value: Any) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0
