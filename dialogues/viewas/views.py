"""Starting and stopping the view-as mode. Starting is the convening team's (404 for anyone
else, and for anyone but an accepted member of the dialogue other than oneself): a page that
says what the mode is, then its POST. Stopping is a POST from the banner."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..confidentiality import view_as_for_request
from ..http import convening_team_only
from . import selectors, services


@require_http_methods(["GET", "POST"])
@convening_team_only
def view_as_start(request, membership_id: int, dialogue, viewer):
    member, sees_dialogue = selectors.member_to_view_as(
        viewer=viewer, dialogue_id=dialogue.pk, membership_id=membership_id
    )
    if request.method == "POST":
        services.view_as_start(request=request, membership=member)
        as_member = view_as_for_request(request, dialogue_id=dialogue.pk, membership_id=member.pk)
        return redirect(selectors.landing(as_member) if as_member else "home")
    context = {"dialogue": dialogue, "member": member, "sees_dialogue": sees_dialogue}
    return render(request, "dialogues/viewas/start.html", context)


@require_POST
@login_required
def view_as_stop(request):
    ended = services.view_as_stop(request=request)
    if ended is None:
        return redirect("home")
    messages.success(request, _("You see Trackii as yourself again."))
    dialogue_id, _membership_id = ended
    return redirect("dialogues:roster", dialogue_id)
