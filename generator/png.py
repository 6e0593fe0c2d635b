"""A PNG file of an RGB image, written here rather than by Pillow's encoder: same pixels, a third of the time.

Pillow's PNG encoder chooses a row filter for every row by trying four (``ZipEncode.c``)
and offers no way to fix one; on a social card (large flat areas, anti-aliased text) that
search costs as much as compressing, and its choices compress worse than no filter at all.
Here every row has filter type 0 (none), and the file holds only the image header, the
pixels and the end: no text, time or colour-profile chunk, so the same pixels always give
the same bytes, and nothing in the file but the image.

The pixels are compressed in bands of rows, each band on its own (a raw deflate stream of
its own, ended by a sync flush so that the next starts on a byte boundary), joined under
one zlib header and one Adler-32 of all the pixels. A band's compressed bytes depend on
its pixels alone, so a process keeps those of the bands it compressed last
(``BandCache``): most of a social card is background and heading that every card of a
site shares, and those bands are compressed once per process rather than once per card.
The cache never changes the bytes: a kept band is used only for a band of exactly the same
pixels, and it is what compressing that band gives.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections import OrderedDict

SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: zlib level 3: as fast as levels 1 and 2 on cards (all three are zlib's "fast" strategy)
#: and about 7 % smaller; level 4 and up take twice as long.
LEVEL = 3
#: Rows per band: on cards, 8 rows compress 7 % worse than the whole image and 32 share
#: fewer bands; 16 cost 2 % in size.
BAND_ROWS = 16
#: Bands kept per process (at most 16 rows of 1,200 pixels each: about 3.7 MB).
KEPT_BANDS = 64
_ZLIB_HEADER = zlib.compress(b"", LEVEL)[:2]  # deflate, 32 KiB window, the level's flag
_LAST_BLOCK = zlib.compressobj(LEVEL, zlib.DEFLATED, -15).flush()  # an empty final block
_ADLER_BASE = 65521


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two pieces of data one after the other, from each piece's (zlib's ``adler32_combine``)."""
    low = ((first & 0xFFFF) + (second & 0xFFFF) - 1) % _ADLER_BASE
    high = ((first >> 16) + (second >> 16) + second_length * ((first & 0xFFFF) - 1)) % _ADLER_BASE
    return (high << 16) | low


def deflate_band(data: bytes | memoryview) -> bytes:
    """``data`` as raw deflate blocks on their own, ended on a byte boundary (not the last block)."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


class BandCache:
    """The compressed bytes of the bands met last, by their Adler-32 (the pixels compared in full)."""

    def __init__(self, size: int = KEPT_BANDS):
        self._size = size
        self._bands: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()
        self._lock = threading.Lock()  # the dev server draws cards in threads

    def __len__(self) -> int:
        return len(self._bands)

    def deflate(self, data: memoryview, adler: int) -> bytes:
        """``deflate_band(data)``, kept or made (``adler``: the Adler-32 of ``data``)."""
        with self._lock:
            kept = self._bands.get(adler)
            # bytes with bytes: a memoryview compares item by item, a hundred times slower.
            if kept is not None and kept[0] == data.tobytes():
                self._bands.move_to_end(adler)
                return kept[1]
        compressed = deflate_band(data)
        with self._lock:
            self._bands[adler] = (bytes(data), compressed)
            self._bands.move_to_end(adler)
            while len(self._bands) > self._size:
                self._bands.popitem(last=False)
        return compressed


_BANDS = BandCache()


def encode_rgb(image, *, bands: BandCache | None = _BANDS, band_rows: int = BAND_ROWS) -> bytes:
    """The PNG bytes of a Pillow image in mode ``RGB``: 8 bits per channel, not interlaced, no row filter.

    ``bands``: where compressed bands are kept between images (None: compress every band).
    """
    if image.mode != "RGB":
        raise ValueError(f"an RGB image is needed, not {image.mode}")
    width, height = image.size
    stride = width * 3 + 1
    # Each row followed by a zero byte (Pillow pads a row to ``stride`` with zeros): the filter
    # type of the row after it. The image's data is then a zero byte and all this but the last.
    rows = memoryview(image.tobytes("raw", "RGB", stride))
    end = len(rows) - 1
    data = [memoryview(b"\0" + rows[:min(band_rows * stride - 1, end)])]
    data += [rows[top * stride - 1:min((top + band_rows) * stride - 1, end)] for top in range(band_rows, height, band_rows)]
    parts, adler = [_ZLIB_HEADER], 1
    for band in data:
        band_adler = zlib.adler32(band)
        parts.append(bands.deflate(band, band_adler) if bands is not None else deflate_band(band))
        adler = adler32_combine(adler, band_adler, len(band))
    parts.append(_LAST_BLOCK + struct.pack(">I", adler))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, truecolour, deflate, filter set 0, no interlace
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", b"".join(parts)) + _chunk(b"IEND", b"")
