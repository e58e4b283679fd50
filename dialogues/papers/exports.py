"""The name a paper leaves Trackii with when it is downloaded: a file name travels with the file,
into folders, mail and search indexes, so it follows the outbound rule
(``confidentiality.may_leave``)."""

from __future__ import annotations

from pathlib import Path

from django.db.models import F
from django.utils.text import slugify

from ..confidentiality import may_leave
from ..models import PublishedAgendaItem


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
