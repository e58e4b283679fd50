"""Reads of a dialogue's requests to raise its outbound level (for its convening team: callers
found the dialogue through ``convening_team_only``)."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext

from ..confidentiality import Viewer, can_confirm_outbound_raise
from ..models import Dialogue, OutboundLevelRequest
from .services import outbound_request_lapse_reason


def outbound_requests_of(*, dialogue_id: int, recent: int = 5) -> list[OutboundLevelRequest]:
    """A dialogue's requests to raise its outbound level: the open one and the latest decided,
    newest first, with what they name."""
    return list(
        OutboundLevelRequest.objects.filter(dialogue_id=dialogue_id)
        .select_related(
            "dialogue__outbound_level", "from_level", "to_level", "requester", "decided_by"
        )
        .order_by("-requested_at", "-id")[:recent]
    )


def outbound_request_of(*, dialogue_id: int, request_id: int) -> OutboundLevelRequest:
    try:
        return OutboundLevelRequest.objects.get(dialogue_id=dialogue_id, pk=request_id)
    except OutboundLevelRequest.DoesNotExist:
        raise Http404 from None


def outbound_requests_shown_to(*, viewer: Viewer, dialogue: Dialogue) -> list[OutboundLevelRequest]:
    """The dialogue's requests as its edit page shows them, newest first, each with whether this
    viewer may confirm or withdraw it and, if it can no longer be confirmed, why (in the
    reader's language: a reason is recorded as marked, in English)."""
    rows = outbound_requests_of(dialogue_id=dialogue.pk)
    grant = viewer.grant(dialogue.pk)
    for row in rows:
        lapsed_because = outbound_request_lapse_reason(row) if row.is_open else ""
        row.lapsed_because = gettext(lapsed_because) if lapsed_because else ""
        if row.lapse_reason:  # shown, never saved from here
            row.lapse_reason = gettext(row.lapse_reason)
        row.may_confirm = (
            row.is_open and not row.lapsed_because and can_confirm_outbound_raise(viewer, row)
        )
        row.may_withdraw = row.is_open and (
            row.may_confirm or (grant is not None and grant.person_id == row.requester_id)
        )
    return rows


def outbound_requests_to_confirm(
    *, viewer: Viewer, dialogue: Dialogue
) -> list[OutboundLevelRequest]:
    """The dialogue's open requests to raise its outbound level that wait for this viewer, the
    second person (``can_confirm_outbound_raise``) and can still be confirmed. A dialogue has at
    most one open request: a constant number of queries."""
    rows = list(
        OutboundLevelRequest.objects.filter(
            dialogue_id=dialogue.pk, state=OutboundLevelRequest.State.OPEN
        )
    )
    for row in rows:
        # What the lapse reason compares, without joining for it: the dialogue is in hand, and
        # the levels are the viewer's scale, read at the start of this request.
        row.dialogue = dialogue
        row.to_level = viewer.levels.get(row.to_level_id) or row.to_level
        if row.from_level_id is not None:
            row.from_level = viewer.levels.get(row.from_level_id) or row.from_level
    return [
        row
        for row in rows
        if can_confirm_outbound_raise(viewer, row) and not outbound_request_lapse_reason(row)
    ]
