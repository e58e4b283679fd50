"""Writes of sessions beyond creation: edits (no lost edits), who attends, cancelling and
reinstating."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from participants.models import Membership
from trackii.audit.services import Action, audit_record

from ..concurrency import save_with_revision
from ..models import Session, SessionAttendance
from . import name_readers


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


def _status_set(session: Session, status: str, *, by) -> Session:
    """Save the new status (the row is locked by the caller), audit it, and tell the attendees
    once it is committed (ids only to the task)."""
    from ..tasks import session_status_notify  # the task module imports the services

    session.status = status
    session.save(update_fields=["status", "updated_at"])
    audit_record(
        action=Action.DECIDED,
        obj=session,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={"status": status},
    )
    session_id = session.pk
    transaction.on_commit(lambda: session_status_notify.delay(session_id=session_id, status=status))
    return session


@transaction.atomic
def session_cancel(*, session: Session, by=None) -> Session:
    """Call off a published session: it stays where its attendees see it, marked cancelled (in
    their calendars too), and they are told by e-mail. A draft is known to the convening team
    only, so there is nothing to call off (and cancelling it would show it to everyone cleared);
    a session already held cannot be undone."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.DRAFT:
        raise ValidationError(
            "A draft session is known to the convening team only: there is nothing to cancel."
        )
    if session.status == Session.Status.HELD:
        raise ValidationError("This session has been held: it cannot be cancelled.")
    if session.status == Session.Status.CANCELLED:
        raise ValidationError("This session is already cancelled.")
    return _status_set(session, Session.Status.CANCELLED, by=by)


@transaction.atomic
def session_reinstate(*, session: Session, by=None) -> Session:
    """Put a cancelled session back on, as published (the nightly task marks it held once its
    end has passed); its attendees are told."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.CANCELLED:
        raise ValidationError("Only a cancelled session can be reinstated.")
    return _status_set(session, Session.Status.PUBLISHED, by=by)
