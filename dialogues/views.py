"""Pages of dialogue content. Thin: a selector reads through the confidentiality module, the
view records the read in the audit trail and renders. Anything not visible answers 404."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from trackii.audit.services import Action, audit_record

from . import selectors
from .confidentiality import viewer_of


@require_GET
@login_required
def home(request):
    viewer = viewer_of(request)
    dialogues = selectors.dialogues_visible_to(viewer=viewer)
    return render(request, "dialogues/home.html", {"dialogues": dialogues})


@require_GET
@login_required
def dialogue_detail(request, dialogue_id: int):
    viewer = viewer_of(request)
    dialogue = selectors.dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    audit_record(action=Action.VIEWED, obj=dialogue, request=request, dialogue_id=dialogue.pk)
    context = {
        "dialogue": dialogue,
        "sessions": selectors.sessions_visible_to(viewer=viewer, dialogue=dialogue),
        "sides": dialogue.sides.all(),
        "roster": selectors.roster_visible_to(viewer=viewer, dialogue=dialogue),
    }
    return render(request, "dialogues/dialogue_detail.html", context)


@require_GET
@login_required
def session_detail(request, dialogue_id: int, session_id: int):
    viewer = viewer_of(request)
    session = selectors.session_for(viewer=viewer, dialogue_id=dialogue_id, session_id=session_id)
    audit_record(action=Action.VIEWED, obj=session, request=request, dialogue_id=dialogue_id)
    context = {
        "dialogue": session.dialogue,
        "session": session,
        "agenda_items": selectors.agenda_items_visible_to(viewer=viewer, session=session),
    }
    return render(request, "dialogues/session_detail.html", context)
