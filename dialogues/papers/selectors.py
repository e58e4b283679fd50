"""Reads of papers: one paper as its reader may have it (the lists of papers on the dialogue and
session pages are the core selectors' ``documents_visible_to``)."""

from django.http import Http404

from ..confidentiality import Viewer, resolve
from ..models import Document


def document_for(*, viewer: Viewer, dialogue_id: int, document_id: int) -> Document:
    """A paper of the dialogue the viewer may download, or 404."""
    documents = Document.objects.filter(dialogue_id=dialogue_id).select_related(
        "level", "session__level", "agenda_item__level", "dialogue__outbound_level"
    )
    try:
        return resolve(viewer, documents, pk=document_id, dialogue_id=dialogue_id)
    except Document.DoesNotExist:
        raise Http404 from None
