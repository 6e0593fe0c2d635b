"""Social cards: one PNG per story and one for the site, with the meta tags that point at them."""

from __future__ import annotations

import html
import io
import re
import shutil

import pytest
import yaml
from PIL import Image, ImageColor

from conftest import run_cli
from generator import parallel
from generator.build import BuildOptions, build_site, load_content
from generator.incremental.cache import cache_dir_for
from generator.planner import plan_pages


def _meta(page: str, name: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)">', page)
    assert found, name
    return html.unescape(found.group(1))


def _chain_names(bundle) -> set[str]:
    """The names of everyone story.yaml puts in the chain, as people.yaml or the story itself gives them."""
    people = yaml.safe_load((bundle.parent.parent / "people.yaml").read_text(encoding="utf-8"))
    story = yaml.safe_load((bundle / "story.yaml").read_text(encoding="utf-8"))
    people.update(story.get("people") or {})
    ids = {pid for connection in story["connections"] for pid in (*connection["between"], *(connection.get("via") or ()))}
    return {people[pid].get("label") or people[pid]["name"] for pid in ids}


@pytest.mark.slow
def test_every_story_has_a_card_that_names_its_chain(sample_project, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        result = run_cli("build", "--out", out, "--no-cache", cwd=sample_project)
        assert result.code == 0, result.text
    cards = {}
    for bundle in sorted((sample_project / "content" / "stories").iterdir()):
        page = (first / "stories" / bundle.name / "index.html").read_text(encoding="utf-8")
        card = first / "stories" / bundle.name / "card.png"
        data = card.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG" and image.size == (1200, 630)
        assert len(data) < 150 * 1024
        assert data == (second / "stories" / bundle.name / "card.png").read_bytes()  # same content, same bytes
        cards[bundle.name] = data
        assert _meta(page, "og:image") == f"https://example.github.io/introchain/stories/{bundle.name}/card.png"
        assert _meta(page, "twitter:card") == "summary_large_image"
        alt = _meta(page, "og:image:alt")
        names = _chain_names(bundle)
        assert names and all(name in alt for name in names), (alt, names)
    assert len(cards) >= 2 and len(set(cards.values())) == len(cards)  # each story's card differs
    home = (first / "index.html").read_text(encoding="utf-8")
    assert _meta(home, "og:image") == "https://example.github.io/introchain/card.png"
    assert _meta(home, "og:image:alt")
    with Image.open(first / "card.png") as image:
        assert image.size == (1200, 630)


def test_cards_are_drawn_again_only_when_what_they_show_changes(make_site, monkeypatch):
    root = make_site(stories=("alpha", "beta"))
    content = root / "content"
    options = BuildOptions(content, root / "site", cache_dir=cache_dir_for(content))
    build_site(options)
    rendered: list[int] = []
    original = parallel.Renderer.outcome
    monkeypatch.setattr(parallel.Renderer, "outcome", lambda self, number: rendered.append(number) or original(self, number))

    def drawn() -> set[str]:
        site, _ = load_content(options)
        pages = plan_pages(site)
        outputs = {pages[number].output for number in rendered}
        rendered.clear()
        return {output for output in outputs if output.endswith(".png")}

    story = content / "stories/alpha/index.md"
    story.write_text(story.read_text().replace("Hello **world**.", "Hello **world**.\n\nMore words."))
    build_site(options)
    assert drawn() == set()  # the body is not on the card
    before = (root / "site/stories/alpha/card.png").read_bytes()
    story.write_text(story.read_text().replace("title: Story alpha", "title: Alpha renamed"))
    build_site(options)
    assert drawn() == {"stories/alpha/card.png"}
    assert (root / "site/stories/alpha/card.png").read_bytes() != before
    people = content / "people.yaml"
    people.write_text(people.read_text().replace("name: Bob Example", "name: Bob Renamed"))
    build_site(options)
    assert drawn() == {"stories/alpha/card.png", "stories/beta/card.png"}  # Bob is in both chains


@pytest.mark.slow
def test_a_card_fits_a_long_title_and_a_long_chain(make_site, tmp_path):
    chain = "".join(f"  - between: [ann, bob]\n    via: [club]\n    channels: [linkedin]\n    stages: [contact]\n"
                    for _ in range(7))
    title = "A very long title " * 12
    root = make_site({"stories/first/index.md": f"---\ntitle: {title}\ndate: 2020-01-01\nauthor: tess\n---\nHi.\n",
                      "stories/first/story.yaml": f"connections:\n{chain}"})
    assert run_cli("build", cwd=root).code == 0
    with Image.open(root / "site/stories/first/card.png") as image:
        assert image.size == (1200, 630)
    shutil.rmtree(root / "site")


def _runs_of(image, colour: tuple[int, int, int]) -> list[int]:
    """For each pixel row that holds a line of ``colour``: how many separate stretches of it the row has."""
    width, height = image.size
    pixels = image.load()
    found = []
    for y in range(height):
        row = [pixels[x, y] == colour for x in range(width)]
        if sum(row) >= 60:
            found.append(sum(1 for x in range(width) if row[x] and (x == 0 or not row[x - 1])))
    return found


@pytest.mark.slow
def test_a_card_draws_each_line_in_its_channels_palette_style(make_site):
    """Twitter and Facebook share a colour in the palette; the graph tells them apart by Facebook's dashes, and so does the card."""
    from generator.channels import channel_table

    table = channel_table()
    solid, dashed = table["twitter"], table["facebook"]
    assert solid.colour == dashed.colour and not solid.dashes and dashed.dashes  # what makes this test mean something
    colour = ImageColor.getrgb(solid.colour)
    files = {}
    for slug, channel in (("solid", "twitter"), ("dashed", "facebook")):
        files[f"stories/{slug}/index.md"] = f"---\ntitle: On {channel}\ndate: 2020-01-01\nauthor: tess\n---\nHi.\n"
        files[f"stories/{slug}/story.yaml"] = f"connections:\n  - between: [ann, bob]\n    channels: [{channel}]\n    stages: [contact]\n"
    root = make_site(files, stories=())
    assert run_cli("build", cwd=root).code == 0
    with Image.open(root / "site/stories/solid/card.png") as image:
        solid_runs = _runs_of(image.convert("RGB"), colour)
    with Image.open(root / "site/stories/dashed/card.png") as image:
        dashed_runs = _runs_of(image.convert("RGB"), colour)
    assert solid_runs and max(solid_runs) == 1
    assert dashed_runs and max(dashed_runs) >= 3


def _chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG file, in order, each chunk's CRC checked."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    kinds, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        kinds.append(kind)
        at += 12 + length
    return kinds


def test_a_card_file_holds_its_pixels_and_nothing_else(make_site):
    from generator.cards import card_image, story_card

    root = make_site(stories=("alpha", "beta"))
    assert run_cli("build", cwd=root).code == 0
    site, _ = load_content(BuildOptions(root / "content", None))
    for study in site.studies:
        data = (root / "site" / study.url_path / "card.png").read_bytes()
        assert _chunks(data) == [b"IHDR", b"IDAT", b"IEND"]  # no text, time, profile or any other chunk
        with Image.open(io.BytesIO(data)) as image:
            assert image.mode == "RGB" and image.size == (1200, 630)
            assert image.tobytes() == card_image(story_card(site, study)).tobytes()


@pytest.mark.parametrize("text", ["Ann Example", "Ǻnn Ëxample · via Çlub", "gjpqy", "日本語 😀", "", "…"])
@pytest.mark.parametrize("anchor", [None, "lm", "ms"])
def test_card_text_is_laid_as_pillow_draws_it_whether_kept_or_not(text, anchor):
    """A card lays kept masks of its texts; each must give the pixels ``ImageDraw.text`` gives, at any point."""
    from PIL import ImageDraw

    from generator import cards

    for bold, size, xy in ((False, 28, (64, 300)), (True, 60, (101, 110)), (False, 22, (333, 451))):
        expected = Image.new("RGB", (600, 500), cards.PALETTE["bg"])
        ImageDraw.Draw(expected).text(xy, text, fill="#1f5fbf", font=cards._font(bold, size), anchor=anchor)
        for _ in range(2):  # drawn first, then from what the process kept
            image = Image.new("RGB", (600, 500), cards.PALETTE["bg"])
            cards._text(ImageDraw.Draw(image), xy, text, bold, size, "#1f5fbf", anchor=anchor)
            assert image.tobytes() == expected.tobytes()
        if text:
            assert expected.getcolors() != [(600 * 500, ImageColor.getrgb(cards.PALETTE["bg"]))]  # something was drawn
