"""The planner: sessions, who attends, the agenda editor and publishing. For the convening team
of a dialogue only (``dialogues.http.convening_team_only``); everyone else gets 404. Every page
works without JavaScript through plain forms; with htmx, the agenda editor updates in place.

The agenda as a PDF (``agenda_pdf``) is for whoever may see the session: looked up through the
confidentiality module (404 for anyone who may not see it, and for an agenda not yet
published), rendered in the request (an agenda is a few pages), never cached, and recorded in
the audit trail as a download (``trackii.audit.reads``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants.selectors import roster_of
from trackii.audit import reads

from .. import selectors
from ..concurrency import EditConflict
from ..confidentiality import noted, viewer_of
from ..forms import add_service_error
from ..http import convening_team_only, form_after_conflict
from ..models import AgendaItem, Session
from . import exports, publishing, services
from .forms import (
    AgendaItemForm,
    RetimeForm,
    SessionForm,
    item_initial,
    new_item_initial,
    session_initial,
)
from .selectors import (
    agenda_changes,
    likely_session_zones,
    overlapping_items,
    published_agenda_to_compare,
)
from .timetable import timetable_of


def _planned_session(viewer, dialogue, session_id: int) -> Session:
    return selectors.session_for(viewer=viewer, dialogue_id=dialogue.pk, session_id=session_id)


def _planned_item(viewer, session: Session, item_id: int) -> AgendaItem:
    return selectors.agenda_item_for(viewer=viewer, session=session, item_id=item_id)


def _agenda_url(session: Session) -> str:
    return reverse("dialogues:agenda_edit", args=[session.dialogue_id, session.pk])


# -- sessions -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@convening_team_only
def session_create(request, dialogue, viewer):
    roster = list(roster_of(dialogue_id=dialogue.pk))
    likely = likely_session_zones(
        dialogue_id=dialogue.pk, session=None, own_zone=request.user.time_zone
    )
    form = SessionForm(
        request.POST or None,
        dialogue=dialogue,
        roster=roster,
        likely_zones=likely,
        # The likeliest zone, never UTC by default: with no clue at all, the planner chooses.
        initial={"level": dialogue.default_level_id, "time_zone": likely[0] if likely else ""},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the session and who attends, or neither
                session = services.session_create(
                    dialogue=dialogue,
                    created_by=request.user,
                    readers=form.cleaned_data["readers"],
                    **form.session_values(),
                )
                services.session_attendance_set(
                    session=session, memberships=form.chosen_attendees(), by=request.user
                )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Session planned. Now build its agenda."))
            return redirect(_agenda_url(session))
    return render(
        request, "dialogues/planning/session_form.html", {"dialogue": dialogue, "form": form}
    )


@require_http_methods(["GET", "POST"])
@convening_team_only
def session_edit(request, session_id: int, dialogue, viewer):
    session = _planned_session(viewer, dialogue, session_id)
    dialogue = session.dialogue
    roster = list(roster_of(dialogue_id=dialogue.pk))
    likely = likely_session_zones(
        dialogue_id=dialogue.pk, session=session, own_zone=request.user.time_zone
    )
    form = SessionForm(
        request.POST or None,
        dialogue=dialogue,
        roster=roster,
        likely_zones=likely,
        initial=session_initial(session),
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the edit and who attends, or neither
                session = services.session_update(
                    session=session,
                    expected_revision=form.cleaned_data["edit_revision"] or 0,
                    values=form.session_values(),
                    readers=form.cleaned_data["readers"],
                    by=request.user,
                )
                services.session_attendance_set(
                    session=session, memberships=form.chosen_attendees(), by=request.user
                )
        except EditConflict as clash:
            conflict = clash
            form = form_after_conflict(
                request,
                clash,
                lambda data: SessionForm(
                    data, dialogue=dialogue, roster=roster, likely_zones=likely
                ),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Session saved."))
            return redirect("dialogues:session_detail", dialogue.pk, session.pk)
    return render(
        request,
        "dialogues/planning/session_form.html",
        {"dialogue": dialogue, "session": session, "form": form, "conflict": conflict},
    )


_STATUS_ACTIONS = {
    "cancel": (
        services.session_cancel,
        gettext_lazy("Session cancelled: its attendees are being told."),
    ),
    "reinstate": (
        services.session_reinstate,
        gettext_lazy("Session reinstated: its attendees are being told."),
    ),
}


@require_POST
@convening_team_only
def session_status(request, session_id: int, dialogue, viewer):
    """Cancel a published session, or reinstate a cancelled one (``action``)."""
    session = _planned_session(viewer, dialogue, session_id)
    chosen = _STATUS_ACTIONS.get(request.POST.get("action", ""))
    if chosen is None:
        messages.error(request, _("Choose to cancel or to reinstate the session."))
    else:
        change, done = chosen
        try:
            change(session=session, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, str(done))
    return redirect("dialogues:session_detail", session.dialogue_id, session.pk)


# -- the agenda editor --------------------------------------------------------------------------


def _editor_context(viewer, session: Session, *, add_form=None, retime_errors=None) -> dict:
    items = list(
        selectors.agenda_items_visible_to(viewer=viewer, session=session).prefetch_related(
            "readers"
        )
    )
    published = (
        list(published_agenda_to_compare(viewer=viewer, session=session))
        if session.published_version
        else []
    )
    roster = list(roster_of(dialogue_id=session.dialogue_id))
    clashes = overlapping_items(items)
    return {
        "dialogue": session.dialogue,
        "session": session,
        "items": [(item, clashes.get(item.pk, [])) for item in items],
        "timetable": timetable_of(session, items, clashes),
        "retime_errors": retime_errors,
        "changes": agenda_changes(working=items, published=published)
        if session.published_version
        else None,
        "add_form": add_form
        or AgendaItemForm(session=session, roster=roster, initial=new_item_initial(session, items)),
    }


def _render_editor(
    request, viewer, session: Session, *, add_form=None, retime_errors=None, status=200
):
    # The editor shows the session's agenda, also after an action on one of its items.
    noted(session, dialogue_id=session.dialogue_id)
    template = (
        "dialogues/planning/_agenda_editor.html"
        if request.htmx
        else "dialogues/planning/agenda_edit.html"
    )
    context = _editor_context(viewer, session, add_form=add_form, retime_errors=retime_errors)
    response = render(request, template, context)
    response.status_code = status
    if request.htmx:
        response["HX-Retarget"] = "#agenda-editor"
        response["HX-Reswap"] = "outerHTML"
    return response


@require_http_methods(["GET"])
@convening_team_only
def agenda_edit(request, session_id: int, dialogue, viewer):
    session = _planned_session(viewer, dialogue, session_id)
    return _render_editor(request, viewer, session)


@require_POST
@convening_team_only
def agenda_item_create(request, session_id: int, dialogue, viewer):
    session = _planned_session(viewer, dialogue, session_id)
    roster = list(roster_of(dialogue_id=session.dialogue_id))
    form = AgendaItemForm(request.POST, session=session, roster=roster)
    if form.is_valid():
        try:
            services.agenda_item_create(
                session=session,
                created_by=request.user,
                readers=form.cleaned_data["readers"],
                **form.item_values(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Item added."))
                return redirect(_agenda_url(session))
            return _render_editor(request, viewer, session)
    return _render_editor(request, viewer, session, add_form=form)


@require_http_methods(["GET", "POST"])
@convening_team_only
def agenda_item_edit(request, session_id: int, item_id: int, dialogue, viewer):
    session = _planned_session(viewer, dialogue, session_id)
    item = _planned_item(viewer, session, item_id)
    roster = list(roster_of(dialogue_id=session.dialogue_id))
    form = AgendaItemForm(
        request.POST or None, session=session, roster=roster, initial=item_initial(item)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(
                item=item,
                expected_revision=form.cleaned_data["edit_revision"] or 0,
                values=form.item_values(),
                readers=form.cleaned_data["readers"],
                by=request.user,
            )
        except EditConflict as clash:
            conflict = clash
            form = form_after_conflict(
                request, clash, lambda data: AgendaItemForm(data, session=session, roster=roster)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if request.htmx:
                return _render_editor(request, viewer, session)
            messages.success(request, _("Item saved."))
            return redirect(_agenda_url(session))
    context = {
        "dialogue": session.dialogue,
        "session": session,
        "item": item,
        "form": form,
        "conflict": conflict,
    }
    template = (
        "dialogues/planning/_agenda_item_form.html"
        if request.htmx
        else "dialogues/planning/agenda_item_edit.html"
    )
    return render(request, template, context)


@require_POST
@convening_team_only
def agenda_item_delete(request, session_id: int, item_id: int, dialogue, viewer):
    session = _planned_session(viewer, dialogue, session_id)
    item = _planned_item(viewer, session, item_id)
    services.agenda_item_delete(item=item, by=request.user)
    if request.htmx:
        return _render_editor(request, viewer, session)
    messages.success(request, _("Item deleted."))
    return redirect(_agenda_url(session))


@require_POST
@convening_team_only
def agenda_item_move(request, session_id: int, item_id: int, dialogue, viewer):
    session = _planned_session(viewer, dialogue, session_id)
    item = _planned_item(viewer, session, item_id)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        raise Http404
    services.agenda_item_move(item=item, direction=direction, by=request.user)
    if request.htmx:
        return _render_editor(request, viewer, session)
    return redirect(_agenda_url(session))


@require_POST
@convening_team_only
def agenda_item_retime(request, session_id: int, item_id: int, dialogue, viewer):
    """Move or resize an item on the timetable: new times (dragged, or typed), or a keyboard
    step. A refused move changes nothing and says why, on the editor, about that item."""
    session = _planned_session(viewer, dialogue, session_id)
    item = _planned_item(viewer, session, item_id)
    form = RetimeForm(request.POST, item=item)
    errors = None
    if form.is_valid():
        room = form.cleaned_data["room"] if "room" in request.POST else None
        try:
            services.agenda_item_retime(
                item=item,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                room=room,
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
    if form.errors:
        errors = (item, _messages_of(form))
        if not request.htmx:
            for message in errors[1]:
                messages.error(
                    request,
                    _("“%(title)s” was not moved: %(reason)s")
                    % {"title": item.title, "reason": message},
                )
            return redirect(_agenda_url(session))
        return _render_editor(request, viewer, session, retime_errors=errors)
    if not request.htmx:
        messages.success(request, _("“%(title)s” moved.") % {"title": item.title})
        return redirect(_agenda_url(session))
    return _render_editor(request, viewer, session)


def _messages_of(form) -> list[str]:
    """A form's errors as sentences, each naming its field ("End: ..."), the form's own last."""
    found = []
    for name, errors in form.errors.items():
        if name == "__all__":
            found += list(errors)
            continue
        label = form.fields[name].label or name.capitalize()
        found += [
            _("%(field)s: %(message)s") % {"field": label, "message": message} for message in errors
        ]
    return found


@require_POST
@convening_team_only
def agenda_item_duplicate(request, session_id: int, item_id: int, dialogue, viewer):
    session = _planned_session(viewer, dialogue, session_id)
    item = _planned_item(viewer, session, item_id)
    try:
        services.agenda_item_duplicate(item=item, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if request.htmx:
        return _render_editor(request, viewer, session)
    messages.success(request, _("“%(title)s” duplicated.") % {"title": item.title})
    return redirect(_agenda_url(session))


@require_http_methods(["GET", "POST"])
@convening_team_only
def agenda_publish(request, session_id: int, dialogue, viewer):
    """The preview of publishing (GET): what changed, the room clashes, who will be told what;
    and publishing (POST) exactly that, with any clash confirmed."""
    session = _planned_session(viewer, dialogue, session_id)
    noted(session, dialogue_id=session.dialogue_id)
    error = None
    if request.method == "POST":
        try:
            version = publishing.publish_as_previewed(
                session=session,
                viewer=viewer,
                fingerprint=request.POST.get("fingerprint", ""),
                clashes_confirmed=request.POST.get("confirm_clashes") == "yes",
                by=request.user,
            )
        except ValidationError as refused:
            error = refused
        else:
            messages.success(
                request,
                _("Published version %(number)s: participants now see this agenda.")
                % {"number": version.number},
            )
            return redirect(_agenda_url(session))
        session.refresh_from_db()
    try:
        preview = publishing.publish_preview(session=session, viewer=viewer)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return redirect(_agenda_url(session))
    errors = []
    if error is not None:
        errors = (
            error.message_dict.get("confirm_clashes", [])
            if hasattr(error, "error_dict")
            else error.messages
        )
    context = {
        "dialogue": session.dialogue,
        "session": session,
        "preview": preview,
        "errors": errors,
        "clash_error": error is not None and hasattr(error, "error_dict"),
    }
    return render(
        request,
        "dialogues/planning/publish_preview.html",
        context,
        status=200 if error is None else 409 if not hasattr(error, "error_dict") else 400,
    )


# -- the agenda as a PDF ------------------------------------------------------------------------


@require_GET
@login_required
def agenda_pdf(request, dialogue_id: int, session_id: int):
    viewer = viewer_of(request)
    session = selectors.session_for(viewer=viewer, dialogue_id=dialogue_id, session_id=session_id)
    if not session.published_version:
        raise Http404
    pdf, filename = exports.agenda_pdf(viewer=viewer, user=request.user, session=session)
    # The trail records the download (the session, noted by its lookup) and which version it was.
    reads.describe(version=session.published_version)
    response = HttpResponse(pdf, content_type=exports.AGENDA_PDF_CONTENT_TYPE)
    response["Content-Disposition"] = exports.attachment_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
