"""What may leave a dialogue: its outbound level is never set above the editor's own clearance,
and raising it is a request (``outbound_raise_request``) that another accepted convenor or
facilitator of the dialogue, cleared at or above the new level, confirms
(``outbound_request_confirm``). Lowering it is immediate (``workspace.services.dialogue_update``).

A request names what it would change and what stood when it was made; it lapses after 72 hours
or as soon as anything it names changes (``outbound_request_lapse_reason``): a lapsed request is
recorded as such when someone tries to confirm it, and when the change it names happens
otherwise (a lower outbound level, a confirmed change of the scale:
``outbound_requests_lapse``, ``outbound_requests_naming_lapse``). Who may ask and confirm is
decided by ``dialogues.confidentiality``; every step is audited, and the convening team is told
(by e-mail, within the outbound rule) of each request on their dialogue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from participants.models import Membership
from trackii.audit.services import Action, audit_record

from ..confidentiality import (
    Viewer,
    can_confirm_outbound_raise,
    check_grantable,
    raises_outbound,
)
from ..models import ConfidentialityLevel, Dialogue, OutboundLevelRequest
from ..models.changes import REQUEST_VALID_FOR
from ..services import EXPIRED, person_of, request_lapse
from . import tasks

if TYPE_CHECKING:
    from django.http import HttpRequest

# Why a request lapsed: recorded in English, as marked, and translated where it is shown
# (``services.request_lapse``).
OUTBOUND_CHANGED = gettext_noop("The dialogue's outbound level has changed since it was asked for.")
SCALE_CHANGED = gettext_noop("The confidentiality scale has changed since it was asked for.")
REQUESTER_GONE = gettext_noop(
    "The person who asked may no longer ask for it (their place in the team changed)."
)
SUPERSEDED = gettext_noop("A newer request replaced it.")


def _lowest_level() -> ConfidentialityLevel | None:
    return ConfidentialityLevel.objects.order_by("rank").first()


def _notify(raise_request: OutboundLevelRequest) -> None:
    """Tell the convening team, once committed, of the request in its new state."""
    request_id, status = raise_request.pk, raise_request.state
    transaction.on_commit(
        lambda: tasks.outbound_request_notify.delay(request_id=request_id, status=status)
    )


# -- what may leave a dialogue ---------------------------------------------------------------------


def outbound_request_lapse_reason(raise_request: OutboundLevelRequest, *, now=None) -> str:
    """Why an open request can no longer be confirmed ("" while it can): expired, or something it
    names changed (the dialogue's outbound level, either level's rank or audience, the
    requester's place in the convening team)."""
    now = now or timezone.now()
    if now >= raise_request.expires_at:
        return EXPIRED
    dialogue = raise_request.dialogue
    # No outbound level set means the lowest level, as a request records it.
    standing = dialogue.outbound_level_id or getattr(_lowest_level(), "pk", None)
    if standing != raise_request.from_level_id:
        return OUTBOUND_CHANGED
    to_level = raise_request.to_level
    from_level = raise_request.from_level
    if (to_level.rank, to_level.audience) != (raise_request.to_rank, raise_request.to_audience):
        return SCALE_CHANGED
    if from_level is not None and from_level.rank != raise_request.from_rank:
        return SCALE_CHANGED
    still = Membership.objects.filter(
        person_id=raise_request.requester_id,
        dialogue_id=raise_request.dialogue_id,
        state=Membership.State.ACCEPTED,
        role__in=Membership.CONVENING_ROLES,
        clearance__rank__gte=to_level.rank,
    ).exists()
    return "" if still else REQUESTER_GONE


@transaction.atomic
def outbound_raise_request(
    *,
    dialogue: Dialogue,
    to_level: ConfidentialityLevel,
    by,
    viewer: Viewer,
    request: HttpRequest | None = None,
) -> OutboundLevelRequest:
    """Ask to raise the dialogue's outbound level to ``to_level`` (never above the asker's own
    clearance). An earlier open request of the dialogue lapses: one question at a time."""
    dialogue = (
        Dialogue.objects.select_for_update(of=("self",))
        .select_related("outbound_level")
        .get(pk=dialogue.pk)
    )
    requester = person_of(by)
    if requester is None or not viewer.is_convening(dialogue.pk):
        raise ValidationError(_("Only the dialogue's convening team can ask for this."))
    try:
        check_grantable(viewer, dialogue_id=dialogue.pk, clearance=to_level)
    except ValidationError:
        raise ValidationError(
            {
                "outbound_level": _(
                    "“%(level)s” is above your own clearance in this dialogue: only someone "
                    "cleared for it can ask to let it leave."
                )
                % {"level": to_level.label}
            }
        ) from None
    if not raises_outbound(dialogue, to_level):
        raise ValidationError(
            {"outbound_level": _("This is not a raise: lowering the level needs no confirmation.")}
        )
    for earlier in OutboundLevelRequest.objects.select_for_update().filter(
        dialogue=dialogue, state=OutboundLevelRequest.State.OPEN
    ):
        request_lapse(earlier, reason=SUPERSEDED, by=by, request=request, dialogue_id=dialogue.pk)
    from_level = dialogue.outbound_level or _lowest_level()
    raise_request = OutboundLevelRequest(
        dialogue=dialogue,
        requester=requester,
        requested_by=by,
        from_level=from_level,
        from_rank=from_level.rank if from_level else -1,
        to_level=to_level,
        to_rank=to_level.rank,
        to_audience=to_level.audience,
        requested_at=(now := timezone.now()),
        expires_at=now + REQUEST_VALID_FOR,
    )
    raise_request.full_clean()
    raise_request.save()
    audit_record(
        action=Action.CREATED,
        obj=raise_request,
        actor=by,
        request=request,
        dialogue_id=dialogue.pk,
        detail={
            "from_level_id": raise_request.from_level_id,
            "to_level_id": to_level.pk,
        },
    )
    _notify(raise_request)
    return raise_request


def _locked_request(raise_request: OutboundLevelRequest) -> OutboundLevelRequest:
    # The dialogue first, then the request: the same order as every other writer of both.
    Dialogue.objects.select_for_update().get(pk=raise_request.dialogue_id)
    return (
        OutboundLevelRequest.objects.select_for_update(of=("self",))
        .select_related("dialogue__outbound_level", "from_level", "to_level")
        .get(pk=raise_request.pk)
    )


@transaction.atomic
def outbound_request_confirm(
    *,
    raise_request: OutboundLevelRequest,
    by,
    viewer: Viewer,
    request: HttpRequest | None = None,
) -> OutboundLevelRequest:
    """Confirm a raise: the dialogue's outbound level becomes the new level. Refused (nothing
    written) to anyone ``can_confirm_outbound_raise`` does not allow, the asker included. A
    request that has lapsed is recorded as lapsed and returned so: the caller says why."""
    raise_request = _locked_request(raise_request)
    if not raise_request.is_open:
        raise ValidationError(
            _("This request is %(state)s: nothing to confirm.")
            % {"state": raise_request.get_state_display().lower()}
        )
    if not can_confirm_outbound_raise(viewer, raise_request):
        raise ValidationError(
            _(
                "It takes another member of the convening team, cleared “%(level)s” or higher, "
                "to confirm this."
            )
            % {"level": raise_request.to_level.label}
        )
    reason = outbound_request_lapse_reason(raise_request)
    if reason:
        request_lapse(
            raise_request,
            reason=reason,
            by=by,
            request=request,
            dialogue_id=raise_request.dialogue_id,
        )
        return raise_request
    dialogue = raise_request.dialogue
    dialogue.outbound_level = raise_request.to_level
    # A new revision: an edit form opened before this change is refused instead of undoing it.
    dialogue.edit_revision += 1
    dialogue.full_clean()
    dialogue.save(update_fields=["outbound_level", "edit_revision", "updated_at"])
    raise_request.state = OutboundLevelRequest.State.CONFIRMED
    raise_request.decided_by = by
    raise_request.decided_at = timezone.now()
    raise_request.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(
        action=Action.DECIDED,
        obj=raise_request,
        actor=by,
        request=request,
        dialogue_id=dialogue.pk,
        detail={
            "state": "confirmed",
            "from_level_id": raise_request.from_level_id,
            "to_level_id": raise_request.to_level_id,
        },
    )
    audit_record(
        action=Action.CHANGED,
        obj=dialogue,
        actor=by,
        request=request,
        dialogue_id=dialogue.pk,
        detail={"fields": ["outbound_level"], "revision": dialogue.edit_revision},
    )
    _notify(raise_request)
    return raise_request


@transaction.atomic
def outbound_request_withdraw(
    *,
    raise_request: OutboundLevelRequest,
    by,
    viewer: Viewer,
    request: HttpRequest | None = None,
) -> OutboundLevelRequest:
    """The asker, or any member of the convening team who could confirm it, withdraws an open
    request."""
    raise_request = _locked_request(raise_request)
    if not raise_request.is_open:
        raise ValidationError(
            _("This request is %(state)s: nothing to withdraw.")
            % {"state": raise_request.get_state_display().lower()}
        )
    grant = viewer.grant(raise_request.dialogue_id)
    own = grant is not None and grant.person_id == raise_request.requester_id
    if not (own or can_confirm_outbound_raise(viewer, raise_request)):
        raise ValidationError(
            _("Only the person who asked, or someone who could confirm it, withdraws it.")
        )
    raise_request.state = OutboundLevelRequest.State.WITHDRAWN
    raise_request.decided_by = by
    raise_request.decided_at = timezone.now()
    raise_request.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(
        action=Action.CHANGED,
        obj=raise_request,
        actor=by,
        request=request,
        dialogue_id=raise_request.dialogue_id,
        detail={"state": "withdrawn"},
    )
    _notify(raise_request)
    return raise_request


def outbound_requests_lapse(
    *, dialogue_id: int, reason: str, by=None, request: HttpRequest | None = None
) -> int:
    """Record the open requests of a dialogue as lapsed (something they name changed)."""
    lapsed = 0
    for open_request in OutboundLevelRequest.objects.select_for_update().filter(
        dialogue_id=dialogue_id, state=OutboundLevelRequest.State.OPEN
    ):
        request_lapse(open_request, reason=reason, by=by, request=request, dialogue_id=dialogue_id)
        lapsed += 1
    return lapsed


def outbound_requests_naming_lapse(
    *, level: ConfidentialityLevel, by=None, request: HttpRequest | None = None
) -> int:
    """Record the open requests that name ``level`` (from or to) as lapsed: a confirmed change
    of the scale made that level mean something else."""
    lapsed = 0
    for open_request in OutboundLevelRequest.objects.select_for_update().filter(
        Q(from_level=level) | Q(to_level=level), state=OutboundLevelRequest.State.OPEN
    ):
        request_lapse(
            open_request,
            reason=SCALE_CHANGED,
            by=by,
            request=request,
            dialogue_id=open_request.dialogue_id,
        )
        lapsed += 1
    return lapsed
