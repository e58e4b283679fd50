"""Each copy of a group from the group's base: its marks merged into the page content, and its
fingerprint (issue 21).

A group's copies print the same text; they differ in their marks (``exports.
briefing_marks_html``: the cover's recipient and copy number, and on every page the recipient
and "Copy k of n"), which WeasyPrint lays out once for the whole group on pages of the base's
geometry. ``stamp_copies`` writes each copy's PDF from the base: every page's content becomes one
stream, the base's drawing (moved by the copy's fingerprint shift, below) followed by the copy's
marks, with the marks' fonts added to the page's resources. The marks are page content like the
rest, not an annotation, an optional-content layer or a form XObject that a viewer or a tool
could hide or lift off; the base's unmarked stream is replaced, not left in the file.

The fingerprint (``copy_fingerprint``: 128 bits of an HMAC of the copy and its attempt) is
recorded on the copy and written three times: as the trailer's /ID, as the XMP DocumentID and
InstanceID, and in the layout itself: each page's drawing is moved by a fraction of a point
(``SHIFTS``: 0.08 or 0.24 pt, left or right and up or down, invisible) that encodes four of its
bits, page after page (32 pages carry all 128, shorter packs a prefix). ``tracing`` reads them
back from a leaked PDF, even with its marks and identifiers removed.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings

FINGERPRINT_SALT = b"trackii.briefing-copy-fingerprint"
FINGERPRINT_BITS = 128
BITS_PER_PAGE = 4
# A page's shift along one axis, in points, by the two bits it encodes (0..3).
SHIFTS = (-0.24, -0.08, 0.08, 0.24)
# What the shifts are written with: two decimals in the content stream.
SHIFT_FORMAT = b"q 1 0 0 1 %.2f %.2f cm\n"
# The marks' resources are renamed into their own names (a prefix and the marks page's index),
# so that they never collide with the base's.
RESOURCE_PREFIX = "tm"
RESOURCE_KINDS = ("/Font", "/ExtGState", "/XObject", "/Pattern", "/Shading", "/ColorSpace")


class StampError(RuntimeError):
    """The marks do not fit the base (a page count that is not two a copy)."""


def copy_fingerprint(*, copy_id: int, attempt: int) -> str:
    """The copy's fingerprint for one attempt: 32 hex digits, keyed with the secret key."""
    message = f"{copy_id}:{attempt}".encode()
    key = hmac.new(settings.SECRET_KEY.encode(), FINGERPRINT_SALT, hashlib.sha256).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[: FINGERPRINT_BITS // 4]


def fingerprint_symbols(fingerprint: str) -> list[int]:
    """The fingerprint as 4-bit symbols, one a page (the hex digits, in order)."""
    return [int(digit, 16) for digit in fingerprint]


def page_shift(fingerprint: str, page: int) -> tuple[float, float]:
    """The shift (dx, dy, in points) of a copy's page (0-based): the page's symbol, two bits
    for each axis; the symbols repeat after the 32nd page."""
    symbols = fingerprint_symbols(fingerprint)
    symbol = symbols[page % len(symbols)]
    return SHIFTS[symbol >> 2], SHIFTS[symbol & 3]


def symbol_of_shift(dx: float, dy: float) -> int | None:
    """The symbol a page's shift encodes, or None if it is not one of ours."""
    axes = []
    for value in (dx, dy):
        nearest = min(range(len(SHIFTS)), key=lambda i: abs(SHIFTS[i] - value))
        if abs(SHIFTS[nearest] - value) > 0.02:
            return None
        axes.append(nearest)
    return axes[0] << 2 | axes[1]


def xmp_packet(fingerprint: str) -> bytes:
    """An XMP packet naming the document and its instance by the fingerprint."""
    ident = f"uuid:{uuid.UUID(hex=fingerprint)}"
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">'
        f"<xmpMM:DocumentID>{ident}</xmpMM:DocumentID>"
        f"<xmpMM:InstanceID>{ident}</xmpMM:InstanceID>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    ).encode()


@dataclass(frozen=True)
class CopyMarks:
    """Where a copy's marks stand in the group's marks PDF, and what identifies its file."""

    cover: int  # the marks page merged into the copy's first page
    running: int  # the marks page merged into every other page
    fingerprint: str
    title: str


@dataclass(frozen=True)
class _Overlay:
    data: bytes  # the marks page's content, its resources renamed
    resources: dict  # kind -> {new name: the marks PDF's object}


def _overlay(reader, index: int) -> _Overlay:
    from pypdf.generic import ContentStream, NameObject

    page = reader.pages[index]
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    renamed: dict[str, NameObject] = {}
    kept: dict[str, dict] = {}
    for kind in RESOURCE_KINDS:
        entries = resources.get(kind)
        if entries is None:
            continue
        kept[kind] = {}
        for name, value in entries.get_object().items():
            new = NameObject(f"/{RESOURCE_PREFIX}{index}{name[1:]}")
            renamed[name] = new
            kept[kind][new] = value
    content = page.get_contents()
    if content is None:
        return _Overlay(b"", kept)
    stream = ContentStream(content, reader)
    stream.operations = [
        ([renamed.get(op, op) if isinstance(op, NameObject) else op for op in operands], operator)
        for operands, operator in stream.operations
    ]
    return _Overlay(stream.get_data(), kept)


def stamp_copies(
    base: bytes, marks: bytes, copies: Sequence[CopyMarks], *, compression: int = 6
) -> list[bytes]:
    """Each copy's PDF: the base with the copy's marks merged into every page's content, its
    fingerprint shift and identifiers (see the module's docstring)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
    )

    base_reader = PdfReader(BytesIO(base))
    marks_reader = PdfReader(BytesIO(marks))
    if len(marks_reader.pages) != 2 * len(copies):
        raise StampError(
            f"{len(marks_reader.pages)} pages of marks for {len(copies)} copies (two each)"
        )
    drawings = []
    for page in base_reader.pages:
        content = page.get_contents()
        drawings.append(content.get_data() if content is not None else b"")
    overlays: dict[int, _Overlay] = {}

    def overlay(index: int) -> _Overlay:
        if index not in overlays:
            overlays[index] = _overlay(marks_reader, index)
        return overlays[index]

    results = []
    for copy in copies:
        writer = PdfWriter(clone_from=base_reader)
        for number, page in enumerate(writer.pages):
            marks_page = overlay(copy.cover if number == 0 else copy.running)
            resources = page.get("/Resources")
            if resources is None:
                page[NameObject("/Resources")] = resources = DictionaryObject()
            resources = resources.get_object()
            for kind, entries in marks_page.resources.items():
                target = resources.get(kind)
                if target is None:
                    resources[NameObject(kind)] = target = DictionaryObject()
                target = target.get_object()
                for name, value in entries.items():
                    if name not in target:
                        target[name] = value.clone(writer)
            dx, dy = page_shift(copy.fingerprint, number)
            stream = DecodedStreamObject()
            stream.set_data(SHIFT_FORMAT % (dx, dy) + drawings[number] + b"\nQ\n" + marks_page.data)
            page.replace_contents(stream.flate_encode(level=compression))
        identifier = ByteStringObject(bytes.fromhex(copy.fingerprint))
        writer._ID = ArrayObject([identifier, identifier])
        writer.add_metadata({"/Title": copy.title})
        writer.xmp_metadata = xmp_packet(copy.fingerprint)
        out = BytesIO()
        writer.write(out)
        results.append(out.getvalue())
    return results
