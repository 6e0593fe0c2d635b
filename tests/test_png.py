"""PNG files of social cards: exactly the image's pixels, the same bytes however they are made."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image, ImageDraw

from generator.cards import card_image
from generator.png import BandCache, adler32_combine, deflate_band, encode_rgb


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind + body)
        chunks.append((kind, body))
        at += 12 + length
    return chunks


def _assert_exactly(image: Image.Image, data: bytes) -> None:
    """``data`` is a PNG of ``image``: its pixels, unfiltered rows, one zlib stream, no other chunk."""
    chunks = _chunks(data)
    assert [kind for kind, _ in chunks] == [b"IHDR", b"IDAT", b"IEND"]
    width, height = image.size
    rows = image.tobytes()
    filtered = b"".join(b"\0" + rows[top:top + width * 3] for top in range(0, len(rows), width * 3))
    assert zlib.decompress(chunks[1][1]) == filtered  # checks the Adler-32 too
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.size == image.size and decoded.mode == "RGB"
        assert decoded.tobytes() == image.tobytes()


def _cards() -> list[Image.Image]:
    rows = (("Ann <script>", "Bob \"B\"", ("Club",), ("Twitter",), ("#0072b2", ())),
            ("Bob \"B\"", "Cleo", (), ("e-mail", "phone"), ("#d55e00", (12, 6))))
    return [card_image({"site_title": "Small World", "title": title, "rows": rows[:count]})
            for title, count in (("How we met", 2), ("A longer title that wraps onto a second line of the card", 1),
                                 ("No chain", 0))]


def test_cards_decode_to_their_pixels_with_the_same_bytes_in_any_order():
    cards = _cards()
    plain = [encode_rgb(card, bands=None) for card in cards]
    for card, data in zip(cards, plain):
        _assert_exactly(card, data)
    shared = BandCache()
    in_order = [encode_rgb(card, bands=shared) for card in cards]
    assert len(shared) > 0
    backwards = BandCache()
    reversed_order = [encode_rgb(card, bands=backwards) for card in reversed(cards)][::-1]
    again = [encode_rgb(card, bands=shared) for card in cards]  # every band kept now
    assert in_order == reversed_order == again == plain
    assert len(set(plain)) == len(cards)


def test_random_images_and_band_sizes_decode_exactly():
    rng = random.Random(22)
    kept = BandCache(size=8)
    for _ in range(25):
        width, height = rng.randint(1, 90), rng.randint(1, 70)
        image = Image.new("RGB", (width, height), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(rng.randint(0, 4)):  # noise over a flat background, as a card's text is
            x, y = rng.randrange(width), rng.randrange(height)
            draw.rectangle((x, y, x + rng.randint(0, 20), y + rng.randint(0, 10)), fill=tuple(rng.randrange(256) for _ in range(3)))
        if rng.random() < 0.3:
            image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
        band_rows = rng.choice((1, 2, 3, 16, 64, 200))
        data = encode_rgb(image, bands=kept, band_rows=band_rows)
        _assert_exactly(image, data)
        assert data == encode_rgb(image, bands=None, band_rows=band_rows) == encode_rgb(image, bands=kept, band_rows=band_rows)
        assert len(kept) <= 8


def test_a_kept_band_serves_only_the_same_pixels():
    kept = BandCache()
    first, second = b"\0" + b"\x10" * 300, b"\0" + b"\x20" * 300
    assert kept.deflate(memoryview(first), 7) == deflate_band(first)
    # The same Adler-32 given for other pixels (a collision): compressed afresh, never the kept bytes.
    assert kept.deflate(memoryview(second), 7) == deflate_band(second) != deflate_band(first)


def test_adler32_combines_as_zlib_computes_it():
    rng = random.Random(5)
    for length in (0, 1, 2, 65_520, 65_521, 200_000):
        data = rng.randbytes(length)
        cut = rng.randint(0, length)
        head, tail = data[:cut], data[cut:]
        assert adler32_combine(zlib.adler32(head), zlib.adler32(tail), len(tail)) == zlib.adler32(data)
