"""Writes of dialogue content. Keyword-only, validated with ``full_clean``, atomic. The
narrow-only rule (a child never below its container's level) is enforced here, on the server."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from participants.models import Membership, Person
from participants.services import membership_nominate, membership_start_as_convenor

from .models import AgendaItem, ConfidentialityLevel, Dialogue, Session, SessionAttendance, Side


def _person_of(user) -> Person | None:
    return getattr(user, "person", None) if user is not None else None


def _check_narrow_only(*, level: ConfidentialityLevel, container_level: ConfidentialityLevel):
    if level.rank < container_level.rank:
        raise ValidationError(
            {
                "level": f"“{level}” is below its container's level “{container_level}”: "
                "material can be narrowed, never widened."
            }
        )


@transaction.atomic
def dialogue_create(*, created_by, convenor: Person, clearance: ConfidentialityLevel, **fields):
    """Create a dialogue with its convenor, who is an accepted member from the start."""
    dialogue = Dialogue(**fields)
    dialogue.full_clean()
    dialogue.save()
    membership = membership_nominate(
        person=convenor,
        dialogue=dialogue,
        role=Membership.Role.CONVENOR,
        clearance=clearance,
        nominated_by=created_by,
    )
    membership_start_as_convenor(membership=membership)
    return dialogue


@transaction.atomic
def side_create(*, dialogue: Dialogue, name: str, is_third_party=False, position=0) -> Side:
    side = Side(dialogue=dialogue, name=name, is_third_party=is_third_party, position=position)
    side.full_clean()
    side.save()
    return side


@transaction.atomic
def session_create(*, dialogue: Dialogue, created_by=None, readers=(), **fields) -> Session:
    """Create a session; whoever creates it is named on it, so it stays theirs when it is
    restricted to named people."""
    session = Session(dialogue=dialogue, created_by=created_by, **fields)
    session.full_clean()
    session.save()
    named = {p.pk for p in readers}
    creator = _person_of(created_by)
    if creator is not None:
        named.add(creator.pk)
    session.readers.set(named)
    return session


@transaction.atomic
def session_attendance_add(*, session: Session, membership: Membership) -> SessionAttendance:
    if membership.dialogue_id != session.dialogue_id:
        raise ValidationError("Only members of the session's dialogue can attend it.")
    attendance, _ = SessionAttendance.objects.get_or_create(session=session, membership=membership)
    return attendance


@transaction.atomic
def agenda_item_create(*, session: Session, created_by=None, readers=(), **fields) -> AgendaItem:
    level = fields["level"]
    _check_narrow_only(level=level, container_level=session.level)
    if "order" not in fields:
        last = session.agenda_items.order_by("-order").values_list("order", flat=True).first()
        fields["order"] = (last or 0) + 1
    item = AgendaItem(session=session, created_by=created_by, **fields)
    item.full_clean()
    item.save()
    named = {p.pk for p in readers}
    creator = _person_of(created_by)
    if creator is not None:
        named.add(creator.pk)
    item.readers.set(named)
    return item


def sessions_mark_held(*, now: datetime | None = None) -> int:
    """Published sessions whose end has passed are held. Returns how many changed."""
    now = now or timezone.now()
    return Session.objects.filter(status=Session.Status.PUBLISHED, end__lt=now).update(
        status=Session.Status.HELD, updated_at=now
    )
