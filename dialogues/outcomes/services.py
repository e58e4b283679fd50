"""Writes of a session's notes and outcomes (the convening team and rapporteurs)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from trackii.audit.services import Action, audit_record

from ..concurrency import save_with_revision
from ..models import Outcome, Session
from ..services import check_narrow_only, name_readers

OUTCOME_FIELDS = ("kind", "attribution", "summary", "record", "level")


def _check_speakers(*, session: Session, speakers) -> None:
    from participants.models import Membership

    ids = {p.pk for p in speakers}
    on_roster = set(
        Membership.objects.filter(dialogue_id=session.dialogue_id, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    if ids - on_roster:
        raise ValidationError({"speakers": _("Speakers must be on this dialogue's roster.")})


@transaction.atomic
def outcome_create(
    *, session: Session, created_by=None, speakers=(), readers=(), **fields
) -> Outcome:
    check_narrow_only(level=fields["level"], container_level=session.level)
    _check_speakers(session=session, speakers=speakers)
    last = session.outcomes.aggregate(last=Max("position"))["last"]
    outcome = Outcome(session=session, created_by=created_by, position=(last or 0) + 1, **fields)
    outcome.full_clean()
    outcome.save()
    outcome.speakers.set(speakers)
    name_readers(outcome, readers=readers, created_by=created_by)
    audit_record(
        action=Action.CREATED, obj=outcome, actor=created_by, dialogue_id=session.dialogue_id
    )
    return outcome


@transaction.atomic
def outcome_update(
    *,
    outcome: Outcome,
    expected_revision: int,
    values: dict[str, Any],
    speakers=(),
    readers=(),
    by=None,
) -> Outcome:
    session = outcome.session
    check_narrow_only(level=values["level"], container_level=session.level)
    _check_speakers(session=session, speakers=speakers)
    outcome = save_with_revision(
        instance=outcome, expected_revision=expected_revision, values=values
    )
    outcome.speakers.set(speakers)
    name_readers(outcome, readers=readers, created_by=outcome.created_by)
    audit_record(
        action=Action.CHANGED,
        obj=outcome,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={"edit_revision": outcome.edit_revision},
    )
    return outcome


@transaction.atomic
def outcome_delete(*, outcome: Outcome, by=None) -> None:
    audit_record(
        action=Action.DELETED, obj=outcome, actor=by, dialogue_id=outcome.session.dialogue_id
    )
    outcome.delete()
