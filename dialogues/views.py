"""Pages of dialogue content. Thin: a selector reads through the confidentiality module (which
notes what the page shows, for the audit trail: ``trackii.audit.reads``) and the view renders.
Anything not visible answers 404.
The core pages: home, a dialogue's page, a session's page and the ground rules; each feature's
pages are in its own package (``planning.views``, ``workspace.views``, ``papers.views``...)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from participants.services import ground_rules_accept

from . import selectors
from .confidentiality import can_plan, can_record, viewer_of
from .outcomes.selectors import outcomes_shown_with_records, outcomes_visible_to


@require_GET
@login_required
def home(request):
    viewer = viewer_of(request)
    dialogues = selectors.dialogues_listed_for(viewer=viewer)
    pending = selectors.ground_rules_pending_listed(user=request.user)
    context = {"dialogues": dialogues, "pending_rules": pending}
    return render(request, "dialogues/home.html", context)


def _posted_version(value: str | None) -> int:
    """The version the page showed; anything but a number counts as none (0), which the service
    refuses as "the ground rules changed"."""
    try:
        return int(value or 0)
    except ValueError:
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def ground_rules(request, dialogue_id: int):
    """A member reads and accepts the dialogue's ground rules; until then they see nothing
    else of it. Anyone else: 404."""
    membership = selectors.ground_rules_membership(user=request.user, dialogue_id=dialogue_id)
    dialogue = membership.dialogue
    error = None
    if request.method == "POST":
        try:
            ground_rules_accept(
                membership=membership,
                version=_posted_version(request.POST.get("version")),
                text=dialogue.ground_rules,
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, "Thank you: you accepted the ground rules.")
            return redirect("dialogues:dialogue_detail", dialogue.pk)
    return render(request, "dialogues/ground_rules.html", {"dialogue": dialogue, "error": error})


@require_GET
@login_required
def dialogue_detail(request, dialogue_id: int):
    viewer = viewer_of(request)
    dialogue = selectors.dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    roster = selectors.roster_visible_to(viewer=viewer, dialogue=dialogue)
    context = {
        "dialogue": dialogue,
        "can_plan": can_plan(viewer, dialogue.pk),
        "sessions": selectors.sessions_visible_to(viewer=viewer, dialogue=dialogue),
        "sides": dialogue.sides.all(),
        "roster": list(roster) if roster is not None else None,
        "documents": selectors.documents_visible_to(viewer=viewer, dialogue_id=dialogue.pk),
    }
    return render(request, "dialogues/dialogue_detail.html", context)


@require_GET
@login_required
def session_detail(request, dialogue_id: int, session_id: int):
    viewer = viewer_of(request)
    session = selectors.session_for(viewer=viewer, dialogue_id=dialogue_id, session_id=session_id)
    recording = can_record(viewer, dialogue_id)
    outcomes = (
        outcomes_shown_with_records(viewer=viewer, session=session)
        if recording
        else outcomes_visible_to(viewer=viewer, session=session)
    )
    context = {
        "dialogue": session.dialogue,
        "session": session,
        "can_plan": can_plan(viewer, dialogue_id),
        "published_items": selectors.published_agenda_visible_to(viewer=viewer, session=session),
        "attendees": selectors.attendees_visible_to(viewer=viewer, session=session),
        "documents": selectors.documents_visible_to(
            viewer=viewer, dialogue_id=dialogue_id, session=session
        ),
        "outcomes": outcomes,
        "can_record": recording,
    }
    return render(request, "dialogues/session_detail.html", context)
