"""Reads of a dialogue's ideas: each only as far as the confidentiality module shows it (its own
level and every one of its sources, rule 9), with what its page shows fetched up front."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from participants.models import Membership, Person

from ..confidentiality import Viewer, listed, resolve, speakers_may_accompany, visible
from ..models import Dialogue, FollowUp, Idea, Outcome


def _ideas() -> QuerySet[Idea]:
    return Idea.objects.select_related("level").prefetch_related(
        Prefetch(
            "sources",
            queryset=Outcome.objects.select_related("session").order_by(
                "session__start", "session_id", "position", "id"
            ),
        )
    )


def ideas_listed(*, viewer: Viewer, dialogue: Dialogue, state: str = "") -> list[Idea]:
    """The dialogue's ideas the viewer may see, newest first, each recorded as listed."""
    ideas = visible(viewer, _ideas().filter(dialogue=dialogue), dialogue_id=dialogue.pk)
    if state:
        ideas = ideas.filter(state=state)
    found = list(ideas.order_by("-created_at", "-id"))
    for idea in found:
        listed(idea, dialogue_id=dialogue.pk)
    return found


def idea_for(*, viewer: Viewer, dialogue_id: int, idea_id: int) -> Idea:
    """An idea the viewer may see (noted as the page's subject), or 404."""
    try:
        return resolve(
            viewer,
            _ideas()
            .filter(dialogue_id=dialogue_id)
            .prefetch_related(
                Prefetch(
                    "follow_ups",
                    queryset=FollowUp.objects.select_related("owner__person").order_by(
                        "done_at", "due", "id"
                    ),
                )
            ),
            pk=idea_id,
            dialogue_id=dialogue_id,
        )
    except Idea.DoesNotExist:
        raise Http404 from None


def speakers_of(idea: Idea) -> list[Person]:
    """Who put the idea forward, from its sources: only when every source is on the record
    (``speakers_may_accompany``); otherwise nobody, whoever asks."""
    if not speakers_may_accompany(idea):
        return []
    return list(
        Person.objects.filter(
            pk__in=Outcome.speakers.through.objects.filter(
                outcome_id__in=[s.pk for s in idea.sources.all()]
            ).values("person_id")
        ).order_by("full_name")
    )


def follow_up_owners(*, dialogue: Dialogue) -> QuerySet[Membership]:
    """Who may own a follow-up: the dialogue's accepted members (for its convening team, who
    see the roster)."""
    return (
        Membership.objects.filter(dialogue=dialogue, state=Membership.State.ACCEPTED)
        .select_related("person")
        .order_by("person__full_name")
    )
