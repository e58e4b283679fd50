"""The writes every feature shares. Services are keyword-only, validated with ``full_clean``,
atomic; the narrow-only rule (a child never below its container's level) is enforced on the
server with ``check_narrow_only``. Each feature's own writes are in its ``services`` module
(``dialogues.planning.services``, ``dialogues.papers.services``...)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from participants.models import Membership, Person
from participants.services import membership_nominate, membership_start_as_convenor

from ..confidentiality import check_narrow_only
from ..models import ConfidentialityLevel, Dialogue, Session, Side


def person_of(user) -> Person | None:
    return getattr(user, "person", None) if user is not None else None


def name_readers(obj, *, readers=(), created_by=None) -> None:
    """Set the people named on ``obj``; whoever creates it is named too, so restricted material
    stays theirs."""
    named = {p.pk for p in readers}
    creator = person_of(created_by)
    if creator is not None:
        named.add(creator.pk)
    obj.readers.set(named)


@transaction.atomic
def dialogue_create(*, created_by, convenor: Person, clearance: ConfidentialityLevel, **fields):
    """Create a dialogue with its convenor, who is an accepted member from the start. What
    may leave Trackii defaults to the lowest level of the scale."""
    if fields.get("outbound_level") is None:
        fields["outbound_level"] = ConfidentialityLevel.objects.order_by("rank").first()
    dialogue = Dialogue(**fields)
    dialogue.full_clean()
    dialogue.save()
    membership = membership_nominate(
        person=convenor,
        dialogue=dialogue,
        role=Membership.Role.CONVENOR,
        clearance=clearance,
        nominated_by=created_by,
        vet=False,
    )
    membership_start_as_convenor(membership=membership)
    return dialogue


@transaction.atomic
def side_create(*, dialogue: Dialogue, name: str, is_third_party=False, position=0) -> Side:
    side = Side(dialogue=dialogue, name=name, is_third_party=is_third_party, position=position)
    side.full_clean()
    side.save()
    return side


def sessions_mark_held(*, now: datetime | None = None) -> int:
    """Published sessions whose end has passed are held. Returns how many changed."""
    now = now or timezone.now()
    return Session.objects.filter(status=Session.Status.PUBLISHED, end__lt=now).update(
        status=Session.Status.HELD, updated_at=now
    )


__all__ = [
    "check_narrow_only",
    "dialogue_create",
    "name_readers",
    "person_of",
    "sessions_mark_held",
    "side_create",
]
