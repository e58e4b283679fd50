"""Reads of a session's notes and outcomes: each as far as its reader may see it (through
``dialogues.confidentiality``), with its speakers fetched up front."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from participants.models import Person

from ..confidentiality import Viewer, listed, resolve, visible, visible_in_session
from ..models import Dialogue, Outcome, Session


def _outcomes() -> QuerySet[Outcome]:
    return Outcome.objects.select_related("level").prefetch_related(
        Prefetch("speakers", queryset=Person.objects.order_by("full_name"))
    )


def outcomes_visible_to(*, viewer: Viewer, session: Session) -> QuerySet[Outcome]:
    return visible_in_session(
        viewer, _outcomes(), dialogue_id=session.dialogue_id, session=session
    ).order_by("position", "id")


def outcomes_shown_with_records(*, viewer: Viewer, session: Session) -> list[Outcome]:
    """The session page's outcomes for those who record (``can_record``), who see each one's
    attributed record (who said what): each is noted for the audit trail, so "who saw this" of
    an outcome finds the session pages that showed its record, not only its edit page."""
    outcomes = list(outcomes_visible_to(viewer=viewer, session=session))
    for outcome in outcomes:
        listed(outcome, dialogue_id=session.dialogue_id, record=True)
    return outcomes


def _outcomes_of_dialogue(
    *, viewer: Viewer, dialogue_id: int, outcomes: QuerySet[Outcome] | None = None
) -> QuerySet[Outcome]:
    # Each session's rule and each outcome's own, asked in the query (rule 7).
    outcomes = Outcome.objects.all() if outcomes is None else outcomes
    return visible(
        viewer, outcomes.filter(session__dialogue_id=dialogue_id), dialogue_id=dialogue_id
    )


def outcomes_of_dialogue_listed(
    *, viewer: Viewer, dialogue: Dialogue, with_records: bool
) -> list[Outcome]:
    """The outcomes the viewer may read across the dialogue's sessions, by session (in the order
    of the sessions) and position, each with its session and speakers, and each noted for the
    audit trail as shown: ``record`` when the page shows it with its attributed record (for
    those who record, ``can_record``), so "who saw this" of an outcome finds the page."""
    outcomes = list(
        _outcomes_of_dialogue(
            viewer=viewer,
            dialogue_id=dialogue.pk,
            outcomes=_outcomes().select_related("session__level"),
        ).order_by("session__start", "session_id", "position", "id")
    )
    detail = {"record": True} if with_records else {}
    for outcome in outcomes:
        listed(outcome, dialogue_id=dialogue.pk, **detail)
    return outcomes


def outcome_for(*, viewer: Viewer, session: Session, outcome_id: int) -> Outcome:
    """An outcome of a session found by ``session_for``, or 404 (noted as the page's subject)."""
    try:
        return resolve(viewer, _outcomes(), pk=outcome_id, session=session)
    except Outcome.DoesNotExist:
        raise Http404 from None
