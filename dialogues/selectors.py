"""Permission-filtered reads for pages. Every queryset here passes through
``dialogues.confidentiality.visible``; related rows are fetched up front so a page's query count
does not grow with its data."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from participants.selectors import roster_of

from .confidentiality import Viewer, can_see_roster, visible
from .models import AgendaItem, Dialogue, Session


def dialogues_visible_to(*, viewer: Viewer) -> QuerySet[Dialogue]:
    sessions = visible(viewer, Session.objects.select_related("level").order_by("start", "id"))
    return visible(viewer, Dialogue).prefetch_related(
        Prefetch("sessions", queryset=sessions, to_attr="visible_sessions")
    )


def dialogue_for(*, viewer: Viewer, dialogue_id: int) -> Dialogue:
    """The dialogue, or 404 for anyone who may not know it exists."""
    try:
        return visible(viewer, Dialogue.objects.select_related("default_level")).get(pk=dialogue_id)
    except Dialogue.DoesNotExist:
        raise Http404 from None


def sessions_visible_to(*, viewer: Viewer, dialogue: Dialogue) -> QuerySet[Session]:
    return visible(viewer, Session.objects.filter(dialogue=dialogue).select_related("level"))


def session_for(*, viewer: Viewer, dialogue_id: int, session_id: int) -> Session:
    try:
        return visible(
            viewer,
            Session.objects.filter(dialogue_id=dialogue_id).select_related("dialogue", "level"),
        ).get(pk=session_id)
    except Session.DoesNotExist:
        raise Http404 from None


def agenda_items_visible_to(*, viewer: Viewer, session: Session) -> QuerySet[AgendaItem]:
    return visible(
        viewer,
        AgendaItem.objects.filter(session=session).select_related("level", "moderator__person"),
    ).order_by("order", "id")


def roster_visible_to(*, viewer: Viewer, dialogue: Dialogue):
    """The roster for the convening team; nobody else learns who is in the room."""
    if not can_see_roster(viewer, dialogue):
        return None
    return roster_of(dialogue_id=dialogue.pk)
