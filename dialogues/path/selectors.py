"""Reads of a dialogue's path: its ideas, the sessions they come from, their transfers to
officials and the changes observed after, each kind in one query through the confidentiality
module, whatever the dialogue's size. What the viewer may not see is not fetched at all, so
nothing downstream can betray it."""

from dataclasses import dataclass

from django.http import Http404

from ..confidentiality import Viewer, listed, visible
from ..models import Dialogue, Idea, ObservedChange, Outcome, Session, Transfer

# The rows shown are ordered by what the viewer sees of them only (dates, their own ids), never
# by anything hidden: the picture is the same whether a hidden row exists or not.


@dataclass(frozen=True)
class DialoguePath:
    """What the path shows, and how its parts link (pairs of primary keys)."""

    sessions: list[Session]
    ideas: list[Idea]
    transfers: list[Transfer]
    changes: list[ObservedChange]
    session_ideas: frozenset[tuple[int, int]]  # (session, idea): a source of the idea is there
    change_ideas: frozenset[tuple[int, int]]  # (change, idea)
    change_transfers: frozenset[tuple[int, int]]  # (change, transfer)
    idea_id: int | None  # the one idea asked for, or None for the whole path

    @property
    def empty(self) -> bool:
        return not (self.ideas or self.changes)


def path_of(*, viewer: Viewer, dialogue: Dialogue, idea_id: int | None = None) -> DialoguePath:
    """The dialogue's path as the viewer may see it; with ``idea_id``, one idea's only (404 if
    the viewer may not see that idea). Every row shown is recorded as listed."""
    did = dialogue.pk
    ideas_q = visible(viewer, Idea.objects.filter(dialogue_id=did), dialogue_id=did)
    if idea_id is not None:
        ideas_q = ideas_q.filter(pk=idea_id)
    ideas = list(ideas_q.order_by("created_at", "pk"))
    if idea_id is not None and not ideas:
        raise Http404
    idea_ids = [i.pk for i in ideas]

    seen_outcomes = visible(
        viewer, Outcome.objects.filter(session__dialogue_id=did), dialogue_id=did
    ).values("pk")
    session_ideas = frozenset(
        (session_id, idea)
        for idea, session_id in Idea.sources.through.objects.filter(
            idea_id__in=idea_ids, outcome_id__in=seen_outcomes
        ).values_list("idea_id", "outcome__session_id")
    )
    sessions = list(
        visible(
            viewer,
            Session.objects.filter(dialogue_id=did, pk__in={s for s, _ in session_ideas}),
            dialogue_id=did,
        ).order_by("start", "pk")
    )
    shown_sessions = {s.pk for s in sessions}
    session_ideas = frozenset(pair for pair in session_ideas if pair[0] in shown_sessions)

    transfers = list(
        visible(
            viewer,
            Transfer.objects.filter(dialogue_id=did, idea_id__in=idea_ids).select_related(
                "official"
            ),
            dialogue_id=did,
        ).order_by("occurred_on", "pk")
    )
    transfer_ids = [t.pk for t in transfers]

    # The links first (to the ideas and transfers shown), then the changes the viewer may see:
    # with one idea asked, only those linked to it or to its transfers.
    to_ideas = set(
        ObservedChange.ideas.through.objects.filter(idea_id__in=idea_ids).values_list(
            "observedchange_id", "idea_id"
        )
    )
    to_transfers = set(
        ObservedChange.transfers.through.objects.filter(transfer_id__in=transfer_ids).values_list(
            "observedchange_id", "transfer_id"
        )
    )
    changes_q = ObservedChange.objects.filter(dialogue_id=did)
    if idea_id is not None:
        changes_q = changes_q.filter(pk__in=sorted({c for c, _ in to_ideas | to_transfers}))
    changes = list(visible(viewer, changes_q, dialogue_id=did).order_by("observed_on", "pk"))
    shown_changes = {c.pk for c in changes}

    for row in (*sessions, *ideas, *transfers, *changes):
        listed(row, dialogue_id=did)
    return DialoguePath(
        sessions=sessions,
        ideas=ideas,
        transfers=transfers,
        changes=changes,
        session_ideas=session_ideas,
        change_ideas=frozenset(pair for pair in to_ideas if pair[0] in shown_changes),
        change_transfers=frozenset(pair for pair in to_transfers if pair[0] in shown_changes),
        idea_id=idea_id,
    )
