"""The organisation's confidentiality scale: adding a level or changing one (its name, rank,
audience or description) is a request of a member of staff (``scale_change_request``) that
another member of staff confirms (``scale_change_confirm``); the staff pages are
``trackii.ops.views``. A change lapses after 72 hours or if the level changed meanwhile; names
and ranks stay unique (checked when asked and again when confirmed). A confirmed change lapses
the open requests of dialogues that name the changed level (``dialogues.outbound``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trackii.audit.services import Action, audit_record

from ..confidentiality import can_change_scale, can_confirm_scale_change
from ..models import ConfidentialityLevel, ScaleChangeRequest
from ..models.changes import REQUEST_VALID_FOR
from ..outbound import services as outbound_services
from ..services import EXPIRED, request_lapse

if TYPE_CHECKING:
    from django.http import HttpRequest

# Why a request lapsed: shown on the staff's page, and kept with the request (in the language
# of whoever made it lapse).
LEVEL_CHANGED = gettext_lazy("The level has changed since it was asked for.")

SCALE_FIELDS = ("name", "rank", "audience", "description")


def _level_values(level: ConfidentialityLevel) -> dict:
    return {name: getattr(level, name) for name in SCALE_FIELDS}


def _check_scale_values(*, level: ConfidentialityLevel | None, values: dict) -> None:
    """The scale stays a scale: names and ranks unique, audiences known."""
    if level is None:
        candidate = ConfidentialityLevel(**values)
    else:
        # A fresh copy of the stored level, so its own name and rank do not count as taken.
        candidate = ConfidentialityLevel.objects.get(pk=level.pk)
        for name, value in values.items():
            setattr(candidate, name, value)
    candidate.full_clean()


def scale_change_lapse_reason(change: ScaleChangeRequest, *, now=None) -> str:
    now = now or timezone.now()
    if now >= change.expires_at:
        return EXPIRED
    if change.level_id is not None:
        level = ConfidentialityLevel.objects.get(pk=change.level_id)
        if _level_values(level) != change.was:
            return str(LEVEL_CHANGED)
    return ""


@transaction.atomic
def scale_change_request(
    *,
    level: ConfidentialityLevel | None,
    values: dict,
    by,
    request: HttpRequest | None = None,
) -> ScaleChangeRequest:
    """Ask to add a level (``level`` None) or to change one (name, rank, audience,
    description). Checked now (a scale with unique names and ranks) and again on
    confirmation."""
    if not can_change_scale(by):
        raise ValidationError(_("Only staff can ask for a change of the confidentiality scale."))
    unknown = set(values) - set(SCALE_FIELDS)
    if unknown:
        raise TypeError(f"Not fields of a level: {sorted(unknown)}")
    if level is not None:
        level = ConfidentialityLevel.objects.select_for_update().get(pk=level.pk)
        if all(getattr(level, name) == value for name, value in values.items()):
            raise ValidationError(_("Nothing would change: the level already reads like this."))
    _check_scale_values(level=level, values=values)
    change = ScaleChangeRequest(
        kind=ScaleChangeRequest.Kind.ADD if level is None else ScaleChangeRequest.Kind.CHANGE,
        level=level,
        was=_level_values(level) if level is not None else {},
        requested_by=by,
        requested_at=(now := timezone.now()),
        expires_at=now + REQUEST_VALID_FOR,
        **values,
    )
    change.full_clean()
    change.save()
    audit_record(
        action=Action.CREATED,
        obj=change,
        actor=by,
        request=request,
        detail={"kind": change.kind, "level_id": change.level_id},
    )
    return change


@transaction.atomic
def scale_change_confirm(
    *, change: ScaleChangeRequest, by, request: HttpRequest | None = None
) -> ScaleChangeRequest:
    """A second member of staff confirms: the level is added or changed. Open requests of
    dialogues that name a changed level lapse (their levels now mean something else), and so do
    other open changes of the same level."""
    change = ScaleChangeRequest.objects.select_for_update().get(pk=change.pk)
    if not change.is_open:
        raise ValidationError(
            _("This request is %(state)s: nothing to confirm.")
            % {"state": change.get_state_display().lower()}
        )
    if not can_confirm_scale_change(by, change):
        raise ValidationError(_("Another member of staff, not the one who asked, confirms it."))
    reason = scale_change_lapse_reason(change)
    if reason:
        request_lapse(change, reason=reason, by=by, request=request)
        return change
    values = {name: getattr(change, name) for name in SCALE_FIELDS}
    if change.level_id is None:
        _check_scale_values(level=None, values=values)
        level = ConfidentialityLevel.objects.create(**values)
    else:
        level = ConfidentialityLevel.objects.select_for_update().get(pk=change.level_id)
        _check_scale_values(level=level, values=values)
        for name, value in values.items():
            setattr(level, name, value)
        level.save()
    change.level = level
    change.state = ScaleChangeRequest.State.CONFIRMED
    change.decided_by = by
    change.decided_at = timezone.now()
    change.save(update_fields=["level", "state", "decided_by", "decided_at"])
    audit_record(
        action=Action.DECIDED,
        obj=change,
        actor=by,
        request=request,
        detail={"state": "confirmed", "kind": change.kind, "level_id": level.pk},
    )
    if change.kind == ScaleChangeRequest.Kind.CHANGE:
        for other in ScaleChangeRequest.objects.select_for_update().filter(
            level=level, state=ScaleChangeRequest.State.OPEN
        ):
            request_lapse(other, reason=str(LEVEL_CHANGED), by=by, request=request)
        outbound_services.outbound_requests_naming_lapse(level=level, by=by, request=request)
    return change


@transaction.atomic
def scale_change_withdraw(
    *, change: ScaleChangeRequest, by, request: HttpRequest | None = None
) -> ScaleChangeRequest:
    """Any member of staff withdraws an open change."""
    change = ScaleChangeRequest.objects.select_for_update().get(pk=change.pk)
    if not can_change_scale(by):
        raise ValidationError(_("Only staff can withdraw a change of the confidentiality scale."))
    if not change.is_open:
        raise ValidationError(
            _("This request is %(state)s: nothing to withdraw.")
            % {"state": change.get_state_display().lower()}
        )
    change.state = ScaleChangeRequest.State.WITHDRAWN
    change.decided_by = by
    change.decided_at = timezone.now()
    change.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(
        action=Action.CHANGED, obj=change, actor=by, request=request, detail={"state": "withdrawn"}
    )
    return change
