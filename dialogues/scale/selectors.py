"""Reads of the confidentiality scale for the staff pages (``trackii.ops``): its levels, the
audiences a level may have, and the recent requests to change it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from ..confidentiality import can_confirm_scale_change
from ..models import ConfidentialityLevel, ScaleChangeRequest
from .services import scale_change_lapse_reason


def scale_levels() -> QuerySet[ConfidentialityLevel]:
    """The scale, lowest level first."""
    return ConfidentialityLevel.objects.order_by("rank")


def audience_choices() -> list[tuple[str, str]]:
    """Who, besides a clearance, a level may be for: (value, label in the reader's language)."""
    return [(value, str(label)) for value, label in ConfidentialityLevel.Audience.choices]


def scale_changes_recent(*, recent: int = 20) -> list[ScaleChangeRequest]:
    """The latest requests to change the scale, newest first, with who asked and decided."""
    return list(
        ScaleChangeRequest.objects.select_related(
            "level", "requested_by__person", "decided_by__person"
        )[:recent]
    )


def scale_changes_shown_to(*, user, recent: int = 20) -> list[ScaleChangeRequest]:
    """The latest requests as the staff page shows them, each with, if it can no longer be
    confirmed, why, and whether this member of staff may confirm it."""
    changes = scale_changes_recent(recent=recent)
    for change in changes:
        change.lapsed_because = scale_change_lapse_reason(change) if change.is_open else ""
        change.may_confirm = (
            change.is_open and not change.lapsed_because and can_confirm_scale_change(user, change)
        )
    return changes


def scale_change_for(*, change_id: int) -> ScaleChangeRequest:
    """One request to change the scale, or 404."""
    try:
        return ScaleChangeRequest.objects.get(pk=change_id)
    except ScaleChangeRequest.DoesNotExist:
        raise Http404 from None
