"""Exports that leave Trackii as files: a paper's download name and the briefing pack's PDF
(the agenda's is ``dialogues.planning.exports``)."""

from __future__ import annotations

from pathlib import Path

from django.db.models import F
from django.template.loader import render_to_string
from django.utils.text import slugify

from .confidentiality import may_leave
from .models import PublishedAgendaItem
from .pdf import static_url


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
