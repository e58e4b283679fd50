"""The agenda on paper: a session's published agenda as a PDF, rendered from what the reader may
see (``selectors.published_agenda_visible_to``), so it holds what the reader sees on the session
page and nothing above their clearance. The file name and the PDF's metadata leave our control:
they carry the outbound title only (see ``confidentiality.outbound_title``). Rendering goes
through ``dialogues.pdf``, which fetches nothing but an allow-list of our own static files."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils.text import slugify

from .. import selectors
from ..confidentiality import Viewer, outbound_title, strictest_level
from ..models import Session
from ..pdf import render_pdf, static_url

AGENDA_PDF_CONTENT_TYPE = "application/pdf"
AGENDA_PDF_TEMPLATE = "dialogues/planning/agenda_pdf.html"
AGENDA_PDF_STYLESHEET = "css/agenda_pdf.css"


def reader_name(user) -> str:
    """The name printed on every page: the person's full name, or the account's e-mail."""
    person = getattr(user, "person", None)
    return (person.full_name if person is not None else "") or user.email


def agenda_pdf_filename(*, session: Session, number: int) -> str:
    """The dialogue's cover name and the session's number (``selectors.session_number_for``):
    every session's copy has its own name, and no title leaves with it (a session's title may
    be above the outbound level; the cover name is made to go out). The number counts only the
    sessions the reader may see, so it tells nothing they do not already know: their calendar
    feed carries the same sessions, under the cover name, in the same order."""
    slug = slugify(session.dialogue.cover_name, allow_unicode=True)
    name = f"session-{number}-agenda.pdf"
    return f"{slug}-{name}" if slug else name


def agenda_pdf(*, viewer: Viewer, user, session: Session) -> tuple[bytes, str]:
    """The session's published agenda as ``viewer`` may read it, as a PDF carrying the reader's
    name, its classification and "page x of y" on every page; and the file name.

    The classification is the strictest level the copy prints (the session's and each printed
    item's), computed from the reader's own filtered agenda: a participant named on a
    Restricted item holds a Restricted document, an observer's copy of the same session may be
    Programme. The session's level alone would understate what a copy holds."""
    items = list(selectors.published_agenda_visible_to(viewer=viewer, session=session))
    html = render_to_string(
        AGENDA_PDF_TEMPLATE,
        {
            "session": session,
            "dialogue": session.dialogue,
            "items": items,
            "classification": strictest_level([session, *items]),
            "reader": reader_name(user),
            "outbound_title": outbound_title(session.dialogue, session),
            "stylesheet_url": static_url(AGENDA_PDF_STYLESHEET),
        },
    )
    pdf, _pages = render_pdf(html)
    number = selectors.session_number_for(viewer=viewer, session=session)
    return pdf, agenda_pdf_filename(session=session, number=number)


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition`` for a download (RFC 6266): the exact name as UTF-8
    (``filename*``, RFC 8187) for clients that read it, and a plain ASCII name for those that do
    not. Our names are slugs; anything but letters, digits, dot, dash and underscore is dropped
    from the ASCII one, so no quote, backslash or line break can reach the header."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "", ascii_name)
    ascii_name = re.sub(r"-{2,}", "-", ascii_name).strip("-.") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
