"""Reads of invitations that other code reuses (the dialogue's roster, a lockdown)."""

from django.db.models import QuerySet
from django.utils import timezone

from ..models import Invitation, Person


def latest_invitations(dialogue_id: int, *, membership_ids=None) -> dict:
    """Each membership's newest invitation in the dialogue (only those of ``membership_ids`` if
    given: a page of the roster), in one query: membership id -> ``Invitation``."""
    latest: dict = {}
    invitations = Invitation.objects.filter(membership__dialogue_id=dialogue_id)
    if membership_ids is not None:
        invitations = invitations.filter(membership_id__in=list(membership_ids))
    for invitation in invitations.order_by("membership_id", "-created_at", "-id"):
        latest.setdefault(invitation.membership_id, invitation)
    return latest


def open_invitations_of(person: Person) -> QuerySet[Invitation]:
    """Invitations of the person's memberships still waiting for an answer."""
    return Invitation.objects.filter(
        membership__person=person,
        revoked_at__isnull=True,
        accepted_at__isnull=True,
        declined_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
