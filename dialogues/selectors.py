"""Permission-filtered reads for pages. Every queryset here passes through
``dialogues.confidentiality.visible``; related rows are fetched up front so a page's query count
does not grow with its data. Single objects are looked up with ``resolve``, which notes them for
the audit trail (what the page shows)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from participants.models import Membership
from participants.selectors import (
    accepted_membership,
    ground_rules_pending_for,
    membership_of,
    roster_of,
)

from .confidentiality import (
    Viewer,
    built_once,
    can_plan,
    can_see_attendees,
    can_see_roster,
    listed,
    noted,
    resolve,
    visible,
    visible_in_session,
)
from .models import AgendaItem, Dialogue, Document, PublishedAgendaItem, Session


def dialogues_visible_to(*, viewer: Viewer) -> QuerySet[Dialogue]:
    sessions = visible(viewer, Session.objects.select_related("level").order_by("start", "id"))
    return visible(viewer, Dialogue).prefetch_related(
        Prefetch("sessions", queryset=sessions, to_attr="visible_sessions")
    )


def dialogues_listed_for(*, viewer: Viewer) -> list[Dialogue]:
    """The home page's dialogues with their sessions, each dialogue noted as shown."""
    return [
        listed(dialogue, dialogue_id=dialogue.pk)
        for dialogue in dialogues_visible_to(viewer=viewer)
    ]


def ground_rules_pending_listed(*, user) -> list:
    """The memberships waiting for the account to accept their dialogue's ground rules: the
    home page names each dialogue (its title), so each is noted as shown."""
    pending = list(ground_rules_pending_for(user))
    for membership in pending:
        listed(membership.dialogue, dialogue_id=membership.dialogue_id, ground_rules=True)
    return pending


def dialogue_for(*, viewer: Viewer, dialogue_id: int) -> Dialogue:
    """The dialogue, or 404 for anyone who may not know it exists."""
    try:
        return resolve(
            viewer,
            Dialogue.objects.select_related("default_level", "outbound_level"),
            pk=dialogue_id,
        )
    except Dialogue.DoesNotExist:
        raise Http404 from None


def ground_rules_membership(*, user, viewer: Viewer, dialogue_id: int) -> Membership:
    """The account's active membership of the dialogue, whose ground rules it reads before
    anything else of it (the dialogue noted as shown); 404 for anyone else. Viewing as a
    member of it (``viewer.viewing_as``, which only the convening team does): the member's."""
    viewing = viewer.viewing_as
    if viewing is None:
        membership = membership_of(user, dialogue_id=dialogue_id)
    elif viewing.dialogue_id == dialogue_id:
        membership = accepted_membership(
            dialogue_id=dialogue_id, membership_id=viewing.membership_id
        )
    else:
        membership = None
    if membership is None:
        raise Http404
    noted(membership.dialogue, dialogue_id=dialogue_id)
    return membership


def planned_dialogue_for(*, viewer: Viewer, dialogue_id: int) -> Dialogue:
    """The dialogue, for its convening team only: 404 for everyone else, members included."""
    dialogue = dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    if not can_plan(viewer, dialogue.pk):
        raise Http404
    return dialogue


def sessions_visible_to(*, viewer: Viewer, dialogue: Dialogue) -> QuerySet[Session]:
    return visible(
        viewer,
        Session.objects.filter(dialogue=dialogue).select_related("level"),
        dialogue_id=dialogue.pk,
    )


def next_session_for(*, viewer: Viewer, dialogue: Dialogue) -> Session | None:
    """The first session of the dialogue the viewer may see that has not ended yet and is not
    called off (the overview's "next session"), or None."""
    upcoming = built_once(
        viewer,
        dialogue_id=dialogue.pk,
        name="next session",
        build=lambda: sessions_visible_to(viewer=viewer, dialogue=dialogue),
    )
    return (
        upcoming.filter(end__gt=timezone.now())
        .exclude(status=Session.Status.CANCELLED)
        .order_by("start", "id")
        .first()
    )


def session_for(*, viewer: Viewer, dialogue_id: int, session_id: int) -> Session:
    """The session, or 404; decided once, so that its agenda, papers and outcomes are then
    filtered by their own rules only."""
    try:
        return resolve(
            viewer,
            Session.objects.filter(dialogue_id=dialogue_id).select_related("dialogue", "level"),
            pk=session_id,
        )
    except Session.DoesNotExist:
        raise Http404 from None


def session_number_for(*, viewer: Viewer, session: Session) -> int:
    """The session's place (1, 2, ...) by start among the sessions of its dialogue that the
    viewer may see, drafts left out: what the agenda PDF's file name calls it. Counted over the
    viewer's own sessions, never over all, so a session hidden from them (a draft, another
    side's consultation, a Restricted meeting they are not named on) cannot shift the number
    and betray that it exists. Drafts are left out for everyone, the convening team included,
    since a draft may still move or go."""
    earlier = (
        visible(
            viewer,
            Session.objects.filter(dialogue_id=session.dialogue_id),
            dialogue_id=session.dialogue_id,
        )
        .exclude(status=Session.Status.DRAFT)
        .filter(Q(start__lt=session.start) | Q(start=session.start, pk__lt=session.pk))
    )
    return earlier.count() + 1


def agenda_item_for(*, viewer: Viewer, session: Session, item_id: int) -> AgendaItem:
    """An item of the working agenda (the convening team's) of a session found by
    ``session_for``, or 404."""
    items = AgendaItem.objects.select_related("level", "session__level")
    try:
        return resolve(viewer, items, pk=item_id, session=session)
    except AgendaItem.DoesNotExist:
        raise Http404 from None


def agenda_items_visible_to(*, viewer: Viewer, session: Session) -> QuerySet[AgendaItem]:
    """The working agenda (the convening team's)."""
    return visible_in_session(
        viewer,
        AgendaItem.objects.select_related("level", "moderator__person"),
        dialogue_id=session.dialogue_id,
        session=session,
    ).order_by("order", "id")


def published_agenda_visible_to(
    *, viewer: Viewer, session: Session, version: int | None = None
) -> QuerySet[PublishedAgendaItem]:
    """The agenda as published (the current version unless another is asked for), item by item
    as far as the viewer may see it."""
    number = session.published_version if version is None else version
    return visible_in_session(
        viewer,
        PublishedAgendaItem.objects.filter(version__number=number).select_related(
            "level", "moderator__person"
        ),
        dialogue_id=session.dialogue_id,
        session=session,
    ).order_by("order", "id")


# What the session page's papers table shows of a paper (and what the rules ask of it).
_PAPER_ROW = (
    "id",
    "dialogue_id",
    "session_id",
    "agenda_item_id",
    "level",
    "kind",
    "title",
    "original_name",
    "size",
)


def session_papers_for(
    *, viewer: Viewer, session: Session, published_items: Iterable[PublishedAgendaItem]
) -> list[Any]:
    """The papers of a session and its agenda items the viewer may download
    (``visible_in_session``), only what the page's table shows of each, and each with
    ``item_title``: the title of the agenda item it sits on as the viewer reads the agenda, the
    working item's for the convening team and the published copy's for everyone else (never a
    title from the working agenda); empty on a paper for the whole session. ``published_items``:
    the agenda the page shows the viewer (``published_agenda_visible_to``), read once here
    instead of once per paper."""
    papers = visible_in_session(
        viewer,
        Document.objects.select_related("level").only(*_PAPER_ROW),
        dialogue_id=session.dialogue_id,
        session=session,
    ).order_by("kind", "title", "id")
    rows: list[Any]  # papers, each given its item_title below
    if can_plan(viewer, session.dialogue_id):
        rows = list(papers.annotate(item_title=F("agenda_item__title")))
    else:
        titles = {item.source_id: item.title for item in published_items}
        rows = list(papers)
        for paper in rows:
            paper.item_title = titles.get(paper.agenda_item_id, "")
    for paper in rows:
        if paper.agenda_item_id is None:
            paper.item_title = ""
    return rows


def roster_visible_to(*, viewer: Viewer, dialogue: Dialogue):
    """The roster for the convening team; nobody else learns who is in the room."""
    if not can_see_roster(viewer, dialogue):
        return None
    return roster_of(dialogue_id=dialogue.pk)


def attendees_visible_to(*, viewer: Viewer, session: Session):
    """The session's attendees, for those allowed to know who attends; None for others."""
    if not can_see_attendees(viewer, session):
        return None
    return (
        session.attendances.filter(membership__state=Membership.State.ACCEPTED)
        .select_related("membership__person", "membership__side")
        .order_by("membership__side__position", "membership__person__family_name")
    )
