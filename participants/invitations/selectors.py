"""Reads of invitations that other code reuses (the dialogue's roster)."""

from ..models import Invitation


def latest_invitations(dialogue_id: int) -> dict:
    """Each membership's newest invitation in the dialogue, in one query: membership id ->
    ``Invitation``."""
    latest: dict = {}
    for invitation in Invitation.objects.filter(membership__dialogue_id=dialogue_id).order_by(
        "membership_id", "-created_at", "-id"
    ):
        latest.setdefault(invitation.membership_id, invitation)
    return latest
