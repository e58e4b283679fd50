"""Exports that leave Trackii as files: the agenda on paper (a PDF).

An exporter knows its content type and its file name, and reads only through the selectors, so a
PDF holds what the reader sees on the session page and nothing above their clearance. The file
name and the PDF's metadata leave our control: they carry the outbound title only (see
``confidentiality.outbound_title``). Rendering goes through ``dialogues.pdf``, which fetches
nothing but an allow-list of our own static files.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils.text import slugify

from . import selectors
from .confidentiality import Viewer, may_leave, outbound_title
from .models import Session
from .pdf import render_pdf, static_url

AGENDA_PDF_CONTENT_TYPE = "application/pdf"
AGENDA_PDF_TEMPLATE = "dialogues/agenda_pdf.html"
AGENDA_PDF_STYLESHEET = "css/agenda_pdf.css"


def reader_name(user) -> str:
    """The name printed on every page: the person's full name, or the account's e-mail."""
    person = getattr(user, "person", None)
    return (person.full_name if person is not None else "") or user.email


def document_filename(document) -> str:
    """A paper's download name: its original name if the paper (and its session and agenda
    item) may leave Trackii, otherwise the dialogue's cover name and the paper's id: a file name
    travels with the file, into folders, mail and search indexes."""
    path = (document.session, document.agenda_item, document)
    if may_leave(document.dialogue, *path):
        return document.original_name
    suffix = Path(document.original_name).suffix[:10]
    slug = slugify(document.dialogue.cover_name, allow_unicode=True) or "paper"
    return f"{slug}-paper-{document.pk}{suffix}"


def agenda_pdf_filename(session: Session) -> str:
    slug = slugify(outbound_title(session.dialogue, session), allow_unicode=True)
    return f"{slug}-agenda.pdf" if slug else "agenda.pdf"


def agenda_pdf(*, viewer: Viewer, user, session: Session) -> tuple[bytes, str]:
    """The session's published agenda as ``viewer`` may read it, as a PDF carrying the reader's
    name, the session's level and "page x of y" on every page; and the file name."""
    items = selectors.published_agenda_visible_to(viewer=viewer, session=session)
    html = render_to_string(
        AGENDA_PDF_TEMPLATE,
        {
            "session": session,
            "dialogue": session.dialogue,
            "items": list(items),
            "reader": reader_name(user),
            "outbound_title": outbound_title(session.dialogue, session),
            "stylesheet_url": static_url(AGENDA_PDF_STYLESHEET),
        },
    )
    pdf, _pages = render_pdf(html)
    return pdf, agenda_pdf_filename(session)


# -- briefing packs ------------------------------------------------------------------------------

BRIEFING_PDF_TEMPLATE = "dialogues/briefing_pdf.html"
BRIEFING_PDF_STYLESHEET = "css/briefing_pdf.css"
BRIEFING_PDF_LOGO = "img/trackii-mark.svg"


def briefing_pack_filename(copy) -> str:
    """The cover name and the copy number only: no title, no recipient."""
    slug = slugify(copy.pack.dialogue.cover_name, allow_unicode=True) or "briefing"
    return f"{slug}-copy-{copy.number}-of-{copy.total}.pdf"


def briefing_pack_html(*, contents, copy) -> str:
    """The HTML of one copy. ``contents`` is what the copy's recipient may see
    (``selectors.briefing.pack_contents``); nothing else reaches the template."""
    return render_to_string(
        BRIEFING_PDF_TEMPLATE,
        {
            "contents": contents,
            "dialogue": contents.dialogue,
            "pack": copy.pack,
            "copy": copy,
            "classification": copy.clearance.name,
            "pdf_title": f"{contents.dialogue.cover_name}: copy {copy.number} of {copy.total}",
            "stylesheet_url": static_url(BRIEFING_PDF_STYLESHEET),
            "logo_url": static_url(BRIEFING_PDF_LOGO),
        },
    )
