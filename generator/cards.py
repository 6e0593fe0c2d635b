"""Social cards: the 1200×630 PNG a link preview shows, drawn with Pillow at build time.

A story's card shows the site's name, the story's title and its introduction chain (who
met whom, over which channel); each line is drawn as the story's graph draws it, in the
colour and dash pattern the site's palette gives its channel (``palette.py``, via the
channel table). Every other page shares the site card. A card is a page whose context is
what it shows (``story_card`` / ``site_card``) and which declares the chain and people it
reads (``planner.card_pages``), so it is drawn again only when those change. The fonts
ship inside the package (``generator/fonts``): no system font is looked up and nothing
is fetched. The file holds the pixels and nothing else (``png.py``), so the same content
gives the same bytes.
"""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from generator.graph import primary_channel
from generator.importers.scrub import Scrubber
from generator.model import CaseStudy, Site
from generator.png import encode_rgb

#: Where a page's card is built; pages are recognised by this template name (see ``parallel.py``).
CARD_TEMPLATE = "<social card>"
SITE_CARD = "card.png"
WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).parent / "fonts"
#: The theme's light colours (``theme/assets/style.css``); channel lines take the palette's.
PALETTE = {"bg": "#fbfaf7", "surface": "#ffffff", "text": "#1c1f24", "muted": "#565d6b", "line": "#e3e0d8",
           "accent": "#1f5fbf", "highlight": "#f2b600", "accent_soft": "#e7eefb"}
MAX_ROWS = 4
#: A graph's lines are 1 to 4 px wide, a card's 6: dash patterns grow by this factor with them.
DASH_SCALE = 2
MARGIN = 64
NAME_SIZE, LABEL_SIZE = 28, 22


def card_output(study: CaseStudy) -> str:
    """The output path of a story's card."""
    return f"{study.url_path}card.png"


def story_card(site: Site, study: CaseStudy) -> dict[str, Any]:
    """Everything a story's card shows, as plain data (its page context)."""
    table = site.config.channel_table
    people = site.people

    def name(pid: str) -> str:
        return people[pid].display_name if pid in people else pid

    scrub = Scrubber()  # like the search index: no e-mail or IP address on a card, even the author's own
    rows = []
    for connection in study.connections:
        labels = tuple(scrub.text(table[cid].label if cid in table else cid) for cid in connection.channels)
        line = table.get(primary_channel(connection))
        # The line the story's graph draws for this connection: its colour and dash pattern.
        style = (line.colour, tuple(line.dashes) if line.dashes else ()) if line else (PALETTE["muted"], ())
        rows.append((scrub.text(name(connection.between[0])), scrub.text(name(connection.between[1])),
                     tuple(scrub.text(name(pid)) for pid in connection.via), labels, style))
    return {"site_title": scrub.text(site.config.title), "title": scrub.text(study.title), "rows": tuple(rows)}


def card_alt(site: Site, study: CaseStudy) -> str:
    """The card's alt text: the title and everyone in the chain."""
    names = [site.people[pid].display_name for pid in chain_people(study) if pid in site.people]
    if not names:
        return f"{study.title}: a story on {site.config.title}"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{study.title}: the introduction chain of {listed}"


def chain_people(study: CaseStudy) -> tuple[str, ...]:
    """Everyone in a story's chain, in order of appearance."""
    seen: dict[str, None] = {}
    for connection in study.connections:
        for pid in (*connection.between, *connection.via):
            seen.setdefault(pid, None)
    return tuple(seen)


def site_card(site: Site) -> dict[str, Any]:
    """What the site card shows."""
    scrub = Scrubber()
    return {"site_title": scrub.text(site.config.title), "title": scrub.text(site.config.description or site.config.title),
            "rows": ()}


@cache
def _font(bold: bool, size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONTS / ("SourceSansPro-Bold.ttf" if bold else "SourceSansPro-Regular.ttf")), size)


# Names, channel labels and the site's title recur from card to card; measuring and
# rasterising text is most of a card's drawing, so a process keeps both for the texts it
# met last. What a card shows does not depend on them: a kept mask is the one the text
# would be drawn with, and it is laid on the card as ``ImageDraw.text`` lays it.
@lru_cache(maxsize=4096)
def _length(text: str, bold: bool, size: int) -> float:
    """How far ``text`` advances in the card's font (``ImageDraw.textlength`` on an RGB image)."""
    return _font(bold, size).getlength(text, "L")


@lru_cache(maxsize=512)
def _mask(text: str, bold: bool, size: int, anchor: str | None):
    """``text``'s coverage as an L image, and where its top left lies from the anchor point."""
    from PIL import Image, ImageDraw

    font = _font(bold, size)
    left, top, right, bottom = font.getbbox(text, "L", anchor=anchor)
    mask = Image.new("L", (int(right - left), int(bottom - top)))
    # Drawn in full white on black, a mask keeps each pixel's coverage exactly (Pillow blends
    # by ink × coverage / 255, rounded), so drawing it in a colour gives text()'s pixels.
    ImageDraw.Draw(mask).text((-left, -top), text, fill=255, font=font, anchor=anchor)
    return mask, (int(left), int(top))


def _text(draw, xy: tuple[int, int], text: str, bold: bool, size: int, colour: str, anchor: str | None = None) -> None:
    """``text`` at ``xy`` in ``colour``, as ``draw.text`` would draw it."""
    mask, (left, top) = _mask(text, bold, size, anchor)
    if mask.width and mask.height:
        draw.bitmap((xy[0] + left, xy[1] + top), mask, fill=colour)


def _fit(text: str, bold: bool, size: int, width: int) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels."""
    if _length(text, bold, size) <= width:
        return text
    while text and _length(text + "…", bold, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(text: str, bold: bool, size: int, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` pixels, the last cut with an ellipsis."""
    words, out, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if _length(trial, bold, size) <= width or not line:
            line = trial
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines - 1] + [" ".join(out[lines - 1:])]
    return [_fit(text, bold, size, width) for text in out]


def _line(draw, start: int, end: int, y: int, colour: str, dashes: tuple[int, ...]) -> None:
    """A horizontal line from ``start`` to ``end``, dashed like the graph's (its pattern scaled to the card's width)."""
    if not dashes:
        draw.line((start, y, end, y), fill=colour, width=6)
        return
    x, step = start, 0
    while x < end:
        length = dashes[step % len(dashes)] * DASH_SCALE
        if step % 2 == 0:
            draw.line((x, y, min(x + length, end), y), fill=colour, width=6)
        x += length
        step += 1


def _pill(draw, x: int, y: int, text: str, max_width: int) -> int:
    """A person's name in a rounded box at (x, y); returns its right edge."""
    text = _fit(text, False, NAME_SIZE, max_width - 32)
    right = x + int(_length(text, False, NAME_SIZE)) + 32
    draw.rounded_rectangle((x, y, right, y + 52), radius=26, fill=PALETTE["accent_soft"], outline=PALETTE["accent"], width=2)
    _text(draw, (x + 16, y + 26), text, False, NAME_SIZE, PALETTE["text"], anchor="lm")
    return right


@lru_cache(maxsize=2)
def _heading(site_title: str):
    """What every card of a site shares, drawn once: the background, the top bars and the site's name."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), PALETTE["bg"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=PALETTE["accent"])
    draw.rectangle((0, 14, WIDTH, 18), fill=PALETTE["highlight"])
    _text(draw, (MARGIN, 52), _fit(site_title, True, 32, WIDTH - 2 * MARGIN), True, 32, PALETTE["accent"])
    return image


def card_image(card: dict[str, Any]):
    """A card drawn as a Pillow RGB image."""
    from PIL import ImageDraw

    image = _heading(card["site_title"]).copy()
    draw = ImageDraw.Draw(image)
    rows = card["rows"]
    title_lines = 3 if not rows else 2
    title_size = 60 if rows else 72
    y = 110
    for line in _wrap(card["title"], True, title_size, WIDTH - 2 * MARGIN, title_lines):
        # A title is its card's own: drawn, not kept.
        draw.text((MARGIN, y), line, font=_font(True, title_size), fill=PALETTE["text"])
        y += int(title_size * 1.15)
    if rows:
        y = max(y + 24, 290)
        draw.line((MARGIN, y - 14, WIDTH - MARGIN, y - 14), fill=PALETTE["line"], width=2)
        shown = rows[:MAX_ROWS] if len(rows) <= MAX_ROWS else rows[:MAX_ROWS - 1]
        for first, second, via, labels, (colour, dashes) in shown:
            right = _pill(draw, MARGIN, y, first, 400)
            label = ", ".join(labels) or "met"
            if via:
                label += " · via " + ", ".join(via)
            label = _fit(label, False, LABEL_SIZE, 360)
            gap = max(int(_length(label, False, LABEL_SIZE)) + 40, 140)
            _line(draw, right + 8, right + gap, y + 26, colour, dashes)
            draw.polygon([(right + gap, y + 16), (right + gap + 14, y + 26), (right + gap, y + 36)], fill=colour)
            _text(draw, (right + gap // 2 + 4, y + 14), label, False, LABEL_SIZE, PALETTE["muted"], anchor="ms")
            _pill(draw, right + gap + 22, y, second, WIDTH - MARGIN - (right + gap + 22))
            y += 72
        if len(rows) > len(shown):
            _text(draw, (MARGIN, y + 8), f"+ {len(rows) - len(shown)} more connections", False, LABEL_SIZE,
                  PALETTE["muted"])
    return image


def draw_card(card: dict[str, Any]) -> bytes:
    """The PNG bytes of a card."""
    return encode_rgb(card_image(card))
