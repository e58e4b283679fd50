"""Naming the copy a leaked briefing-pack PDF was made from (issue 21; ``manage.py trace_pack``).

A copy's fingerprint (``stamping``) stands in three places, read here in order of strength:

1. the trailer's /ID, and the XMP DocumentID / InstanceID: the whole fingerprint, looked up in
   the register; gone if someone rewrote the file's identifiers and metadata;
2. the spacing: each page's drawing is moved by a fraction of a point that encodes four bits
   (the first ``cm`` of its content stream, which also moves everything drawn after it). It
   survives removing the visible marks (the text of the cover and the margins, cut out of the
   content), the identifiers and the metadata; a page that was re-drawn from scratch no longer
   carries it. Every page read must agree with a registered copy's fingerprint (a wrong copy
   matches a page with odds of 1 in 16), so a few pages name a copy;
3. nothing read: no copy is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO

from ..models import BriefingPackCopy
from . import stamping

State = BriefingPackCopy.State
_UUID = re.compile(rb"uuid:([0-9a-fA-F-]{36})")
SMALL_SHIFT = 1.0  # points: a larger first translation is the layout's own, not ours


@dataclass
class Trace:
    """What a leaked PDF says of its origin."""

    method: str  # "identifier", "spacing" or "" (nothing read)
    copy: BriefingPackCopy | None = None
    # Every registered copy that the spacing read agrees with (several: not enough pages read).
    candidates: list[BriefingPackCopy] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)  # fingerprints read from /ID and XMP
    symbols: list[int | None] = field(default_factory=list)  # per page, from the spacing


def _reader(data: bytes):
    from pypdf import PdfReader

    return PdfReader(BytesIO(data))


def read_identifiers(reader) -> list[str]:
    """Fingerprints the file's /ID and XMP name (32 hex digits each), without repeats."""
    found: list[str] = []
    ids = reader.trailer.get("/ID")
    for value in ids.get_object() if ids is not None else []:
        raw = value.get_object()
        raw = bytes(raw) if isinstance(raw, bytes) else raw.original_bytes
        if len(raw) == stamping.FINGERPRINT_BITS // 8:
            found.append(raw.hex())
    metadata = reader.trailer["/Root"].get_object().get("/Metadata")
    if metadata is not None:
        for match in _UUID.finditer(metadata.get_object().get_data()):
            found.append(match.group(1).decode().replace("-", "").lower())
    return list(dict.fromkeys(found))


def read_spacing(reader) -> list[int | None]:
    """Each page's symbol, from its first ``cm``: a translation by one of ``stamping.SHIFTS``
    on each axis (None where the page carries none)."""
    from pypdf.generic import ContentStream

    symbols: list[int | None] = []
    for page in reader.pages:
        symbol = None
        content = page.get_contents()
        if content is not None:
            for operands, operator in ContentStream(content, reader).operations:
                if operator != b"cm":
                    continue
                a, b, c, d, dx, dy = (float(x) for x in operands)
                if (a, b, c, d) == (1, 0, 0, 1) and max(abs(dx), abs(dy)) < SMALL_SHIFT:
                    symbol = stamping.symbol_of_shift(dx, dy)
                break
        symbols.append(symbol)
    return symbols


def _spacing_agrees(symbols: list[int | None], fingerprint: str) -> bool:
    expected = stamping.fingerprint_symbols(fingerprint)
    read = [(i, s) for i, s in enumerate(symbols) if s is not None]
    return bool(read) and all(expected[i % len(expected)] == s for i, s in read)


def trace_pdf(data: bytes) -> Trace:
    """The copy a PDF was made from, if its identifiers or its spacing name one."""
    reader = _reader(data)
    copies = BriefingPackCopy.objects.select_related("pack", "clearance")
    identifiers = read_identifiers(reader)
    for fingerprint in identifiers:
        copy = copies.filter(fingerprint=fingerprint).first()
        if copy is not None:
            return Trace("identifier", copy, [copy], identifiers)
    symbols = read_spacing(reader)
    if not any(s is not None for s in symbols):
        return Trace("", identifiers=identifiers, symbols=symbols)
    # The page count narrows the search (pages may have been cut: then every copy is tried).
    candidates = copies.filter(state=State.READY).exclude(fingerprint="")
    same_length = candidates.filter(pages=len(symbols))
    pool = same_length if same_length.exists() else candidates
    matching = [c for c in pool.iterator() if _spacing_agrees(symbols, c.fingerprint)]
    if not matching and pool is same_length:
        matching = [c for c in candidates.iterator() if _spacing_agrees(symbols, c.fingerprint)]
    return Trace(
        "spacing",
        matching[0] if len(matching) == 1 else None,
        matching,
        identifiers,
        symbols,
    )
