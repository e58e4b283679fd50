"""Exports that leave Trackii as files: the agenda on paper (a PDF).

An exporter knows its content type and its file name, and reads only through the selectors, so a
PDF holds what the reader sees on the session page and nothing above their clearance. The file
name and the PDF's metadata leave our control: they carry the outbound title only (see
``confidentiality.outbound_title``). Rendering goes through ``dialogues.pdf``, which fetches
nothing but an allow-list of our own static files.
"""

from __future__ import annotations

from pathlib import Path

from django.db.models import F
from django.template.loader import render_to_string
from django.utils.text import slugify

from . import selectors
from .confidentiality import Viewer, may_leave, outbound_title, strictest_level
from .models import PublishedAgendaItem, Session
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
    path = (document.session, *_item_as_read(document.agenda_item), document)
    if may_leave(document.dialogue, *path):
        return document.original_name
    suffix = Path(document.original_name).suffix[:10]
    slug = slugify(document.dialogue.cover_name, allow_unicode=True) or "paper"
    return f"{slug}-paper-{document.pk}{suffix}"


def _item_as_read(item) -> tuple:
    """A paper's agenda item on its path, as readers of the current version read it: the working
    item and its copy in the current published version (marked with the stricter of the two),
    so a level lowered since publication lets no name out before the next one."""
    if item is None:
        return ()
    published = (
        PublishedAgendaItem.objects.filter(
            source_id=item.pk, version__number=F("session__published_version")
        )
        .select_related("level")
        .first()
    )
    return (item,) if published is None else (item, published)


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
