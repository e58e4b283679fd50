"""Writes of sessions beyond creation: edits (no lost edits) and who attends."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from participants.models import Membership
from trackii.audit.services import Action, audit_record

from ..models import Session, SessionAttendance
from .common import name_readers
from .concurrency import save_with_revision


@transaction.atomic
def session_update(
    *, session: Session, expected_revision: int, values: dict[str, Any], readers=(), by=None
) -> Session:
    session = save_with_revision(
        instance=session, expected_revision=expected_revision, values=values
    )
    name_readers(session, readers=readers, created_by=session.created_by)
    audit_record(
        action=Action.CHANGED,
        obj=session,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={"edit_revision": session.edit_revision},
    )
    return session


@transaction.atomic
def session_attendance_set(*, session: Session, memberships: list[Membership], by=None) -> None:
    """Make exactly these members the session's attendees."""
    if any(m.dialogue_id != session.dialogue_id for m in memberships):
        raise ValidationError("Only members of the session's dialogue can attend it.")
    wanted = {m.pk for m in memberships}
    current = set(session.attendances.values_list("membership_id", flat=True))
    SessionAttendance.objects.filter(session=session, membership_id__in=current - wanted).delete()
    SessionAttendance.objects.bulk_create(
        SessionAttendance(session=session, membership_id=pk) for pk in wanted - current
    )
    if wanted != current:
        audit_record(
            action=Action.CHANGED,
            obj=session,
            actor=by,
            dialogue_id=session.dialogue_id,
            detail={"attendees": len(wanted)},
        )
