"""Files copied beside a post must be what their extension says, and carry no active content.

An SVG opened on its own runs its scripts on the site's origin (a page's
Content-Security-Policy does not cover it), so an SVG is refused when it holds anything
that can run or load: scripts, event-handler attributes, ``foreignObject`` (HTML inside),
links or references to anything but its own ``#fragments`` and embedded raster images,
``javascript:`` anywhere, stylesheets that import or point elsewhere, and DTD entities
(the "billion laughs"). It is parsed with expat, which fetches nothing; refusing instead of
rewriting keeps the author's file byte for byte what they made. Every other kind is checked
by its first bytes ("magic numbers"), so a page cannot be smuggled in as ``photo.jpg``.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass

#: Problems reported per SVG; one is enough to refuse it, a few help to fix it.
MAX_SVG_PROBLEMS = 5

_SVG_ACTIVE_ELEMENTS = {
    "script": "a script",
    "foreignobject": "a foreignObject (HTML inside the image)",
    "iframe": "an iframe",
    "embed": "an embed",
    "object": "an object",
    "handler": "an event handler element",
    "listener": "an event listener element",
}
#: What an href may point at: a fragment of the same file, or an embedded raster image.
_SAFE_REFERENCE = re.compile(r"#|data:image/(?:png|jpeg|gif|webp);base64,", re.IGNORECASE)
_SCRIPT_URL = re.compile(r"(?:java|vb)script:", re.IGNORECASE)
_CSS_OUTSIDE = re.compile(r"@import|url\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_CONTROLS = re.compile(r"[\x00-\x20]+")
_ANIMATIONS = {"animate", "set", "animatetransform", "animatemotion"}


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file, at a 1-based line and column (0: the whole file)."""

    line: int
    column: int
    message: str
    hint: str


class _Refused(Exception):
    pass


def _local(name: str) -> str:
    """An expat name ('namespace local' or 'prefix:local') without its namespace, lower-cased."""
    return name.rpartition(" ")[2].rpartition(":")[2].lower()


def svg_problems(data: bytes) -> list[Problem]:
    """Everything in an SVG that could run or load something; empty when it is a plain picture."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    problems: list[Problem] = []
    open_elements: list[str] = []

    def note(message: str, hint: str = "remove it, or export the picture as PNG") -> None:
        problems.append(Problem(parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, message, hint))
        if len(problems) >= MAX_SVG_PROBLEMS:
            raise _Refused

    def start(name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if not open_elements and local != "svg":
            note(f"this file's root element is <{local}>, not <svg>", "save the picture as an SVG image")
        open_elements.append(local)
        if local in _SVG_ACTIVE_ELEMENTS:
            note(f"this SVG contains {_SVG_ACTIVE_ELEMENTS[local]}; images must not carry active content")
        for attribute, value in attributes.items():
            key = _local(attribute)
            flat = _CONTROLS.sub("", value)
            if key.startswith("on"):
                note(f"this SVG has an event handler ({key}=...); images must not carry active content")
            elif _SCRIPT_URL.search(flat):
                note(f"this SVG has a script URL in {key}=...; images must not carry active content")
            elif key in ("href", "src") and not _SAFE_REFERENCE.match(flat):
                note(f"this SVG refers to something outside itself ({key}={value[:60]!r}); the site loads nothing from "
                     "elsewhere", "embed the picture it refers to, or remove the reference")
            elif (key == "style" or "url(" in value.lower()) and _CSS_OUTSIDE.search(value):
                note(f"this SVG's {key}=... loads something from outside itself", "remove the url(...) or @import")
            elif local in _ANIMATIONS and key == "attributename" and (_local(value) in ("href", "src") or
                                                                      _local(value).startswith("on")):
                note(f"this SVG animates {value}, which can turn a link into a script")

    def text(content: str) -> None:
        if open_elements and open_elements[-1] == "style" and (_CSS_OUTSIDE.search(content) or _SCRIPT_URL.search(content)):
            note("this SVG's stylesheet loads something from outside itself", "remove the url(...) or @import")

    def doctype(name: str, system_id: str | None, public_id: str | None, has_internal_subset: bool) -> None:
        if has_internal_subset:  # entities can expand a few bytes into gigabytes: stop reading here
            note("this SVG declares its own DTD entities", "remove the <!DOCTYPE ...[ ... ]> block")
            raise _Refused

    def entity(*args: object) -> None:
        note("this SVG declares DTD entities", "remove the <!ENTITY ...> declarations")
        raise _Refused

    def instruction(target: str, data: str) -> None:
        if target.lower() == "xml-stylesheet":
            note("this SVG links a stylesheet from outside itself", "remove the <?xml-stylesheet ...?> line")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda name: open_elements.pop()
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ProcessingInstructionHandler = instruction
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except _Refused:
        pass
    except xml.parsers.expat.ExpatError as error:
        problems.append(Problem(error.lineno, error.offset + 1, f"this SVG is not well-formed XML: "
                                f"{xml.parsers.expat.ErrorString(error.code)}", "open and save it again in an editor"))
    return problems


def _is_avif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and (b"avif" in head[8:32] or b"avis" in head[8:32])


#: Kinds read whole to be judged; the others are judged by their first ``HEAD_BYTES`` bytes.
WHOLLY_READ = frozenset({".svg", ".txt"})
HEAD_BYTES = 32

#: Extension -> (what it should be, a test of its first bytes).
_SIGNATURES = {
    ".png": ("a PNG image", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("a JPEG image", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("a JPEG image", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".gif": ("a GIF image", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    ".webp": ("a WebP image", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    ".avif": ("an AVIF image", _is_avif),
    ".pdf": ("a PDF document", lambda head: head.startswith(b"%PDF-")),
    ".mp4": ("an MP4 video", lambda head: head[4:8] == b"ftyp"),
    ".mp3": ("an MP3 file", lambda head: head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >= 0xE0)),
}


def file_problems(suffix: str, data: bytes) -> list[Problem]:
    """What is wrong with a file to be copied into the site, judged by its extension and bytes."""
    suffix = suffix.lower()
    if suffix == ".svg":
        return svg_problems(data)
    if suffix == ".txt":
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return [Problem(0, 0, "this .txt file is not UTF-8 text", "save it as UTF-8, or give it its real extension")]
        return []
    expected = _SIGNATURES.get(suffix)
    if expected is not None and not expected[1](data[:HEAD_BYTES]):
        return [Problem(0, 0, f"this file is not {expected[0]}, as its name ({suffix}) says",
                        "give it the extension of what it really is, or export it again")]
    return []
