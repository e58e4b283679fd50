"""Writes of the view-as mode: starting and ending it (the request's session), each audited on
the member's membership (``detail.view_as``: started, stopped, or why it ended)."""

from __future__ import annotations

from django.http import HttpRequest

from participants.models import Membership
from trackii.audit.models import AuditEntry
from trackii.audit.services import audit_record

from .selectors import SESSION_KEY, mode_in


def view_as_start(*, request: HttpRequest, membership: Membership) -> None:
    """The session views the member's dialogue as them from its next request. Callers decided
    the account may (``confidentiality.can_view_as``)."""
    request.session[SESSION_KEY] = {
        "dialogue": membership.dialogue_id,
        "membership": membership.pk,
    }
    audit_record(
        action=AuditEntry.Action.DECIDED,
        obj=membership,
        request=request,
        dialogue_id=membership.dialogue_id,
        detail={"view_as": "started"},
    )


def view_as_stop(*, request: HttpRequest, reason: str = "stopped") -> tuple[int, int] | None:
    """The session stops viewing as a member: (dialogue id, membership id) of the mode ended,
    or None if it was in none. ``reason``: "stopped" (the banner's button), "ended: no longer
    allowed" (the account left the convening team, the member is no longer an accepted
    member), "ended: signed out"."""
    mode = mode_in(request.session)
    request.session.pop(SESSION_KEY, None)
    if mode is None:
        return None
    dialogue_id, membership_id = mode
    audit_record(
        action=AuditEntry.Action.DECIDED,
        # The membership may be gone: the entry names it by id, as every entry does.
        obj=Membership(pk=membership_id),
        request=request,
        dialogue_id=dialogue_id,
        detail={"view_as": reason},
    )
    return mode
