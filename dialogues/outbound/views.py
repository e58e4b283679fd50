"""Deciding a request to raise a dialogue's outbound level: confirm it or withdraw it. For the
dialogue's convening team (``convening_team_only``: 404 to everyone else); within the team, a
refusal (403) names who decides. The requests are listed on the dialogue's edit page
(``workspace``, through ``selectors.outbound_requests_shown_to``)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..confidentiality import can_confirm_outbound_raise
from ..http import convening_team_only, isolated
from . import services
from .selectors import outbound_request_of


@require_POST
@convening_team_only
def outbound_request_decide(request, request_id: int, action: str, dialogue, viewer):
    """Confirm or withdraw a request to raise the outbound level (the convening team's; 404 to
    everyone else)."""
    raise_request = outbound_request_of(dialogue_id=dialogue.pk, request_id=request_id)
    may_confirm = can_confirm_outbound_raise(viewer, raise_request)
    grant = viewer.grant(dialogue.pk)
    own = grant is not None and grant.person_id == raise_request.requester_id
    if not (may_confirm if action == "confirm" else may_confirm or own):
        # The convening team knows the request exists: a refusal, not a 404.
        raise PermissionDenied(
            "Another member of the convening team, cleared for the new level, decides this."
        )
    try:
        if action == "confirm":
            decided = services.outbound_request_confirm(
                raise_request=raise_request, by=request.user, viewer=viewer, request=request
            )
        else:
            decided = services.outbound_request_withdraw(
                raise_request=raise_request, by=request.user, viewer=viewer, request=request
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if decided.state == decided.State.LAPSED:
            # The reason is recorded as marked, in English: shown in the reader's language.
            reason = _(decided.lapse_reason)
            messages.error(request, _("This request has lapsed: %(reason)s") % {"reason": reason})
        elif decided.state == decided.State.CONFIRMED:
            messages.success(
                request,
                isolated(
                    _("Confirmed: the outbound level is now “%(level)s”."),
                    level=decided.to_level.label,
                ),
            )
        else:
            messages.success(request, _("Request withdrawn."))
    return redirect("dialogues:dialogue_edit", dialogue.pk)
