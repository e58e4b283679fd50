"""Reads of papers: one paper as its reader may have it, and the dialogue's papers as the Papers
tab lists them (searched, filtered, sorted); the list on the session page is the core
selectors' ``session_papers_for``."""

from collections.abc import Callable
from typing import cast

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from trackii.lists import Sort, both_ways, search_terms

from ..confidentiality import Viewer, resolve, visible
from ..models import Document

# The sorts' labels are marked here and translated when the toolbar is shown (``Sort.label`` is
# typed as the str each becomes then).
_ = cast("Callable[[str], str]", gettext_lazy)

_BY_DATE = both_ways("date", _("Oldest first"), _("Newest first"), "uploaded_at", "pk")
# The first is the default: the newest first.
PAPER_SORTS: dict[str, Sort] = {
    "-date": _BY_DATE["-date"],
    "date": _BY_DATE["date"],
    **both_ways("title", _("Title, A to Z"), _("Title, Z to A"), "title", "pk"),
}
# The session filter's value for the papers of the whole dialogue (outside any session).
WHOLE_DIALOGUE = "none"


def document_for(*, viewer: Viewer, dialogue_id: int, document_id: int) -> Document:
    """A paper of the dialogue the viewer may download, or 404."""
    documents = Document.objects.filter(dialogue_id=dialogue_id).select_related(
        "level", "session__level", "agenda_item__level", "dialogue__outbound_level"
    )
    try:
        return resolve(viewer, documents, pk=document_id, dialogue_id=dialogue_id)
    except Document.DoesNotExist:
        raise Http404 from None


def documents_listed(
    *,
    viewer: Viewer,
    dialogue_id: int,
    search: str = "",
    session: str = "",
    level: str = "",
    ordering=PAPER_SORTS["-date"].ordering,
) -> QuerySet[Document]:
    """Every paper of the dialogue the viewer may download (``confidentiality.visible``: the
    dialogue's own and those of every session and agenda item they may see), with its level
    and session: ``search`` in the title, ``session`` (a session's id, or ``WHOLE_DIALOGUE``)
    and ``level`` (a level's id) narrow it; empty means any. Callers offer only sessions and
    levels the viewer may see; narrowing never widens what ``visible`` allows."""
    documents = visible(
        viewer,
        Document.objects.filter(dialogue_id=dialogue_id).select_related("level", "session"),
        dialogue_id=dialogue_id,
    )
    terms = search_terms(search)
    if terms:
        documents = documents.filter(title__icontains=terms)
    if session == WHOLE_DIALOGUE:
        documents = documents.filter(session__isnull=True)
    elif session:
        documents = documents.filter(session_id=int(session))
    if level:
        documents = documents.filter(level_id=int(level))
    return documents.order_by(*ordering)
