"""Writes of ideas: derived from outcomes the deriver may see (all of one dialogue), at a level
no lower than any source's (derivation only narrows), with the strictest of their sources'
attribution; its state, and its follow-ups. Each write is recorded in the audit trail."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import Membership
from trackii.audit.services import Action, audit_record

from ..confidentiality import Viewer, strictest_attribution, visible
from ..models import ConfidentialityLevel, Dialogue, FollowUp, Idea, Outcome
from ..services import check_narrow_only, name_readers


def _sources_checked(*, viewer: Viewer, dialogue: Dialogue, sources) -> list[Outcome]:
    ids = sorted({s.pk for s in sources})
    if not ids:
        raise ValidationError({"sources": _("Derive the idea from at least one outcome.")})
    seen = list(
        visible(
            viewer,
            Outcome.objects.filter(pk__in=ids, session__dialogue=dialogue).select_related("level"),
            dialogue_id=dialogue.pk,
        )
    )
    if len(seen) != len(ids):
        raise ValidationError({"sources": _("Choose outcomes of this dialogue that you may read.")})
    return seen


def _check_level(*, level: ConfidentialityLevel, sources: list[Outcome]) -> None:
    for source in sources:
        try:
            check_narrow_only(level=level, container_level=source.level)
        except ValidationError:
            raise ValidationError(
                {
                    "level": _(
                        "An idea is held at least at its sources' levels: “%(source)s” is at "
                        "%(level)s."
                    )
                    % {"source": source.summary[:60], "level": source.level.label}
                }
            ) from None


@transaction.atomic
def idea_derive(
    *,
    dialogue: Dialogue,
    viewer: Viewer,
    sources,
    title: str,
    summary: str,
    level: ConfidentialityLevel,
    readers=(),
    by=None,
) -> Idea:
    seen = _sources_checked(viewer=viewer, dialogue=dialogue, sources=sources)
    _check_level(level=level, sources=seen)
    idea = Idea(
        dialogue=dialogue,
        title=title,
        summary=summary,
        level=level,
        attribution=strictest_attribution(s.attribution for s in seen),
        created_by=by,
    )
    idea.full_clean()
    idea.save()
    idea.sources.set(seen)
    name_readers(idea, readers=readers, created_by=by)
    audit_record(
        action=Action.CREATED,
        obj=idea,
        actor=by,
        dialogue_id=dialogue.pk,
        detail={"sources": [s.pk for s in seen], "attribution": idea.attribution},
    )
    return idea


@transaction.atomic
def idea_set_state(*, idea: Idea, state: str, by=None) -> Idea:
    if state not in Idea.State.values:
        raise ValidationError({"state": _("Choose one of the states.")})
    before = idea.state
    Idea.objects.filter(pk=idea.pk).update(state=state, updated_at=timezone.now())
    idea.state = state
    audit_record(
        action=Action.CHANGED,
        obj=idea,
        actor=by,
        dialogue_id=idea.dialogue_id,
        detail={"state": [before, state]},
    )
    return idea


@transaction.atomic
def follow_up_add(*, idea: Idea, owner: Membership, task: str, due: date, by=None) -> FollowUp:
    if owner.dialogue_id != idea.dialogue_id or owner.state != Membership.State.ACCEPTED:
        raise ValidationError(
            {"owner": _("The owner must be an accepted member of this dialogue.")}
        )
    follow_up = FollowUp(idea=idea, owner=owner, task=task, due=due, created_by=by)
    follow_up.full_clean()
    follow_up.save()
    audit_record(
        action=Action.CREATED,
        obj=follow_up,
        actor=by,
        dialogue_id=idea.dialogue_id,
        detail={"idea": idea.pk, "due": due.isoformat()},
    )
    return follow_up


@transaction.atomic
def follow_up_done(*, follow_up: FollowUp, by=None) -> FollowUp:
    if follow_up.done_at is None:
        follow_up.done_at = timezone.now()
        follow_up.save(update_fields=["done_at"])
        audit_record(
            action=Action.CHANGED,
            obj=follow_up,
            actor=by,
            dialogue_id=follow_up.idea.dialogue_id,
            detail={"done": True},
        )
    return follow_up
