"""A session's notes and outcomes: written by the convening team and rapporteurs, read by
whoever may see each one (on the session's page, and across the dialogue on its Outcomes tab).
Anyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants.selectors import roster_of

from .. import selectors
from ..concurrency import EditConflict
from ..confidentiality import can_record, viewer_of
from ..forms import add_service_error
from ..http import form_after_conflict
from . import services
from .forms import OutcomeForm, outcome_initial
from .selectors import outcome_for, outcomes_of_dialogue_listed


@require_GET
@login_required
def outcome_list(request, dialogue_id: int):
    """The outcomes the viewer may read across the dialogue's sessions, by session: its
    Outcomes tab. The attributed record is shown to those who record only, as on the session
    page, and each outcome shown is recorded in the audit trail (``record`` with it)."""
    viewer = viewer_of(request)
    dialogue = selectors.dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    recording = can_record(viewer, dialogue.pk)
    context = {
        "dialogue": dialogue,
        "outcomes": outcomes_of_dialogue_listed(
            viewer=viewer, dialogue=dialogue, with_records=recording
        ),
        "can_record": recording,
    }
    return render(request, "dialogues/outcomes/list.html", context)


def _recorded_session(request, dialogue_id: int, session_id: int):
    viewer = viewer_of(request)
    session = selectors.session_for(viewer=viewer, dialogue_id=dialogue_id, session_id=session_id)
    if not can_record(viewer, dialogue_id):
        raise Http404
    return viewer, session


def _back(session) -> str:
    return reverse("dialogues:session_detail", args=[session.dialogue_id, session.pk]) + "#outcomes"


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def outcome_create(request, dialogue_id: int, session_id: int):
    _viewer, session = _recorded_session(request, dialogue_id, session_id)
    roster = list(roster_of(dialogue_id=dialogue_id))
    form = OutcomeForm(request.POST or None, session=session, roster=roster)
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_create(
                session=session,
                created_by=request.user,
                speakers=form.cleaned_data["speakers"],
                readers=form.cleaned_data["readers"],
                **form.values(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The outcome was recorded."))
            return redirect(_back(session))
    context = {"dialogue": session.dialogue, "session": session, "form": form}
    return render(request, "dialogues/outcomes/form.html", context)


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request, dialogue_id: int, session_id: int, outcome_id: int):
    viewer, session = _recorded_session(request, dialogue_id, session_id)
    outcome = outcome_for(viewer=viewer, session=session, outcome_id=outcome_id)
    roster = list(roster_of(dialogue_id=dialogue_id))
    form = OutcomeForm(
        request.POST or None, session=session, roster=roster, initial=outcome_initial(outcome)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.outcome_update(
                outcome=outcome,
                expected_revision=form.cleaned_data["edit_revision"] or 0,
                values=form.values(),
                speakers=form.cleaned_data["speakers"],
                readers=form.cleaned_data["readers"],
                by=request.user,
            )
        except EditConflict as clash:
            conflict = clash
            form = form_after_conflict(
                request, clash, lambda data: OutcomeForm(data, session=session, roster=roster)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The outcome was saved."))
            return redirect(_back(session))
    context = {
        "dialogue": session.dialogue,
        "session": session,
        "outcome": outcome,
        "form": form,
        "conflict": conflict,
    }
    return render(request, "dialogues/outcomes/form.html", context)


@login_required
@require_POST
def outcome_delete(request, dialogue_id: int, session_id: int, outcome_id: int):
    viewer, session = _recorded_session(request, dialogue_id, session_id)
    outcome = outcome_for(viewer=viewer, session=session, outcome_id=outcome_id)
    services.outcome_delete(outcome=outcome, by=request.user)
    messages.success(request, _("The outcome was deleted."))
    return redirect(_back(session))
