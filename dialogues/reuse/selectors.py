"""What a member of the convening team may reuse: the agendas of the dialogue's other sessions
and the dialogue's agenda templates, as far as they may see them.

**Another session's agenda** is read as the agenda editor reads it: the session through
``dialogues.selectors.session_for`` (404 if the viewer may not see it) and its working items
through ``agenda_items_visible_to``, that is through ``dialogues.confidentiality``. So a copy
holds only what its maker may see (never a Restricted item they are not named on), each item
at its level, and no readers (``dialogues.reuse.drafts``).

**Templates** belong to a dialogue and are listed to its convening team (the views'
``convening_team_only``). Their items are no longer under a session, so no rule of
``dialogues.confidentiality`` is written for them; instead the confidentiality module's own
answer decides what each viewer sees of one:

- a template keeps no item at a level for named people (a level whose audience is ``named``):
  it keeps no readers, so nobody would be named on it (saving one says how many it left out);
- an item is shown, and applied, only if its level is among the levels at which the viewer may
  read anything of the dialogue, ``dialogues.confidentiality.readable_levels(viewer,
  dialogue_id)`` (their clearance; the convening team's levels for the team), and is not a
  level for named people (a level whose audience changed since it was saved).

So nobody sees or copies from a template an item they could not have seen at its level, and
nothing about the items hidden from them (no count) is shown.

Every query here is a fixed number whatever the number of sessions, items or templates.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from .. import selectors as core
from ..confidentiality import Viewer, readable_levels, visible
from ..models import AgendaItem, AgendaTemplate, AgendaTemplateItem, ConfidentialityLevel, Session
from .drafts import ItemDraft, drafts_of_items, drafts_of_template


@dataclass(frozen=True)
class ReuseSource:
    """Another session of the dialogue, with how many of its working items the viewer sees."""

    session: Session
    items: int


def reuse_sources(*, viewer: Viewer, session: Session) -> list[ReuseSource]:
    """The dialogue's other sessions that the viewer may see and that have working agenda
    items the viewer may see, latest first (the last round is the likeliest shape). Two
    queries."""
    dialogue_id = session.dialogue_id
    counts = dict(
        visible(
            viewer,
            AgendaItem.objects.filter(session__dialogue_id=dialogue_id).exclude(
                session_id=session.pk
            ),
            dialogue_id=dialogue_id,
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    if not counts:
        return []
    sessions = visible(
        viewer,
        Session.objects.filter(pk__in=sorted(counts)).select_related("level"),
        dialogue_id=dialogue_id,
    ).order_by("-start", "-id")
    return [ReuseSource(s, counts[s.pk]) for s in sessions]


def source_for(*, viewer: Viewer, session: Session, source_id: int) -> Session:
    """Another session of the same dialogue whose agenda the viewer may copy; 404 otherwise
    (and for the session itself). Noted for the audit trail by its lookup."""
    if source_id == session.pk:
        raise Http404
    return core.session_for(viewer=viewer, dialogue_id=session.dialogue_id, session_id=source_id)


def session_drafts(*, viewer: Viewer, session: Session) -> list[ItemDraft]:
    """The session's working agenda as the viewer may see it, as drafts to copy or keep. One
    query (``session.level`` loaded)."""
    items = list(
        core.agenda_items_visible_to(viewer=viewer, session=session).select_related("moderator")
    )
    return drafts_of_items(items, session)


def template_level_ids(viewer: Viewer, dialogue_id: int) -> list[int]:
    """The levels at which the viewer may see a template item of the dialogue (see above)."""
    return [
        level.pk
        for level in readable_levels(viewer, dialogue_id)
        if level.audience != ConfidentialityLevel.Audience.NAMED
    ]


def _shown_items(viewer: Viewer, dialogue_id: int) -> Prefetch:
    return Prefetch(
        "items",
        queryset=AgendaTemplateItem.objects.filter(
            level_id__in=template_level_ids(viewer, dialogue_id)
        )
        .select_related("level")
        .order_by("order", "id"),
        to_attr="shown_items",
    )


def templates_of(*, viewer: Viewer, dialogue_id: int) -> QuerySet[AgendaTemplate]:
    """The dialogue's templates by name, each with ``shown_items``: the items this viewer may
    see. Two queries."""
    return (
        AgendaTemplate.objects.filter(dialogue_id=dialogue_id)
        .select_related("created_by__person")
        .prefetch_related(_shown_items(viewer, dialogue_id))
        .order_by("name", "id")
    )


def template_for(*, viewer: Viewer, dialogue_id: int, template_id: int) -> AgendaTemplate:
    """One template of the dialogue (with ``shown_items``), or 404."""
    try:
        return templates_of(viewer=viewer, dialogue_id=dialogue_id).get(pk=template_id)
    except AgendaTemplate.DoesNotExist:
        raise Http404 from None


def template_drafts(template: AgendaTemplate) -> list[ItemDraft]:
    """The template's items the viewer may see (as ``template_for`` or ``templates_of`` found
    them), as drafts."""
    return drafts_of_template(template.shown_items)  # type: ignore[attr-defined]
