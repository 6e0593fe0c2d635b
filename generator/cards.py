"""Social cards: the 1200×630 PNG a link preview shows, drawn with Pillow at build time.

A story's card shows the site's name, the story's title and its introduction chain (who
met whom, over which channel); each line is drawn as the story's graph draws it, in the
colour and dash pattern the site's palette gives its channel (``palette.py``, via the
channel table). Every other page shares the site card. A card is a page whose context is
what it shows (``story_card`` / ``site_card``) and which declares the chain and people it
reads (``planner.card_pages``), so it is drawn again only when those change. The fonts
ship inside the package (``generator/fonts``): no system font is looked up and nothing
is fetched. Pillow writes no timestamp into a PNG, so the same content gives the same bytes.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from generator.graph import primary_channel
from generator.importers.scrub import Scrubber
from generator.model import CaseStudy, Site

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


def _fit(draw, text: str, font, width: int) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _wrap(draw, text: str, font, width: int, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of ``width`` pixels, the last cut with an ellipsis."""
    words, out, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            out.append(line)
            line = word
    if line:
        out.append(line)
    if len(out) > lines:
        out = out[:lines - 1] + [" ".join(out[lines - 1:])]
    return [_fit(draw, text, font, width) for text in out]


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


def _pill(draw, x: int, y: int, text: str, font, max_width: int) -> int:
    """A person's name in a rounded box at (x, y); returns its right edge."""
    text = _fit(draw, text, font, max_width - 32)
    right = x + int(draw.textlength(text, font=font)) + 32
    draw.rounded_rectangle((x, y, right, y + 52), radius=26, fill=PALETTE["accent_soft"], outline=PALETTE["accent"], width=2)
    draw.text((x + 16, y + 26), text, font=font, fill=PALETTE["text"], anchor="lm")
    return right


def draw_card(card: dict[str, Any]) -> bytes:
    """The PNG bytes of a card."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), PALETTE["bg"])
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 14), fill=PALETTE["accent"])
    draw.rectangle((0, 14, WIDTH, 18), fill=PALETTE["highlight"])
    margin = 64
    draw.text((margin, 52), _fit(draw, card["site_title"], _font(True, 32), WIDTH - 2 * margin), font=_font(True, 32),
              fill=PALETTE["accent"])
    rows = card["rows"]
    title_lines = 3 if not rows else 2
    title_font = _font(True, 60 if rows else 72)
    y = 110
    for line in _wrap(draw, card["title"], title_font, WIDTH - 2 * margin, title_lines):
        draw.text((margin, y), line, font=title_font, fill=PALETTE["text"])
        y += int(title_font.size * 1.15)
    if rows:
        y = max(y + 24, 290)
        draw.line((margin, y - 14, WIDTH - margin, y - 14), fill=PALETTE["line"], width=2)
        name_font, small = _font(False, 28), _font(False, 22)
        shown = rows[:MAX_ROWS] if len(rows) <= MAX_ROWS else rows[:MAX_ROWS - 1]
        for first, second, via, labels, (colour, dashes) in shown:
            right = _pill(draw, margin, y, first, name_font, 400)
            label = ", ".join(labels) or "met"
            if via:
                label += " · via " + ", ".join(via)
            label = _fit(draw, label, small, 360)
            gap = max(int(draw.textlength(label, font=small)) + 40, 140)
            _line(draw, right + 8, right + gap, y + 26, colour, dashes)
            draw.polygon([(right + gap, y + 16), (right + gap + 14, y + 26), (right + gap, y + 36)], fill=colour)
            draw.text((right + gap // 2 + 4, y + 14), label, font=small, fill=PALETTE["muted"], anchor="ms")
            _pill(draw, right + gap + 22, y, second, name_font, WIDTH - margin - (right + gap + 22))
            y += 72
        if len(rows) > len(shown):
            draw.text((margin, y + 8), f"+ {len(rows) - len(shown)} more connections", font=small, fill=PALETTE["muted"])
    buffer = io.BytesIO()
    # zlib's fastest level: the same pixels in about half the time of the default level, for
    # files about 15 % larger (still far under the 150 KB cards are allowed); optimize=True
    # would try every level and triple the time to save 4 %.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()
