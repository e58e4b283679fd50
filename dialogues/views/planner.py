"""The planner: sessions, who attends, the agenda editor and publishing. For the convening team
of a dialogue only; everyone else gets 404. Every page works without JavaScript through plain
forms; with htmx, the agenda editor updates in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from participants.selectors import roster_of

from .. import selectors
from ..concurrency import EditConflict
from ..confidentiality import noted, viewer_of
from ..forms import add_service_error
from ..forms.planner import AgendaItemForm, SessionForm, item_initial, session_initial
from ..models import AgendaItem, Dialogue, Session
from ..selectors.agenda import agenda_changes, overlapping_items, published_agenda_to_compare
from ..services import agenda as agenda_services
from ..services import session_create as create_session
from ..services.sessions import (
    session_attendance_set,
    session_cancel,
    session_reinstate,
    session_update,
)


def _planned_dialogue(request, dialogue_id: int) -> Dialogue:
    return selectors.planned_dialogue_for(viewer=viewer_of(request), dialogue_id=dialogue_id)


def _planned_session(request, dialogue_id: int, session_id: int) -> Session:
    _planned_dialogue(request, dialogue_id)
    return selectors.session_for(
        viewer=viewer_of(request), dialogue_id=dialogue_id, session_id=session_id
    )


def _planned_item(request, session: Session, item_id: int) -> AgendaItem:
    return selectors.agenda_item_for(viewer=viewer_of(request), session=session, item_id=item_id)


def _agenda_url(session: Session) -> str:
    return reverse("dialogues:agenda_edit", args=[session.dialogue_id, session.pk])


# -- sessions -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request, dialogue_id: int):
    dialogue = _planned_dialogue(request, dialogue_id)
    roster = list(roster_of(dialogue_id=dialogue.pk))
    form = SessionForm(
        request.POST or None,
        dialogue=dialogue,
        roster=roster,
        initial={"level": dialogue.default_level_id, "time_zone": "UTC"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the session and who attends, or neither
                session = create_session(
                    dialogue=dialogue,
                    created_by=request.user,
                    readers=form.cleaned_data["readers"],
                    **form.session_values(),
                )
                session_attendance_set(
                    session=session, memberships=form.chosen_attendees(), by=request.user
                )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Session planned. Now build its agenda.")
            return redirect(_agenda_url(session))
    return render(request, "dialogues/session_form.html", {"dialogue": dialogue, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, dialogue_id: int, session_id: int):
    session = _planned_session(request, dialogue_id, session_id)
    dialogue = session.dialogue
    roster = list(roster_of(dialogue_id=dialogue.pk))
    form = SessionForm(
        request.POST or None, dialogue=dialogue, roster=roster, initial=session_initial(session)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the edit and who attends, or neither
                session = session_update(
                    session=session,
                    expected_revision=form.cleaned_data["edit_revision"] or 0,
                    values=form.session_values(),
                    readers=form.cleaned_data["readers"],
                    by=request.user,
                )
                session_attendance_set(
                    session=session, memberships=form.chosen_attendees(), by=request.user
                )
        except EditConflict as clash:
            conflict = clash
            data = request.POST.copy()
            data["edit_revision"] = clash.current.edit_revision
            form = SessionForm(data, dialogue=dialogue, roster=roster)
            form.is_valid()
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Session saved.")
            return redirect("dialogues:session_detail", dialogue.pk, session.pk)
    return render(
        request,
        "dialogues/session_form.html",
        {"dialogue": dialogue, "session": session, "form": form, "conflict": conflict},
    )


_STATUS_ACTIONS = {
    "cancel": (session_cancel, "Session cancelled: its attendees are being told."),
    "reinstate": (session_reinstate, "Session reinstated: its attendees are being told."),
}


@login_required
@require_POST
def session_status(request, dialogue_id: int, session_id: int):
    """Cancel a published session, or reinstate a cancelled one (``action``)."""
    session = _planned_session(request, dialogue_id, session_id)
    chosen = _STATUS_ACTIONS.get(request.POST.get("action", ""))
    if chosen is None:
        messages.error(request, "Choose to cancel or to reinstate the session.")
    else:
        change, done = chosen
        try:
            change(session=session, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done)
    return redirect("dialogues:session_detail", session.dialogue_id, session.pk)


# -- the agenda editor --------------------------------------------------------------------------


def _editor_context(request, session: Session, *, add_form=None) -> dict:
    viewer = viewer_of(request)
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
        "changes": agenda_changes(working=items, published=published)
        if session.published_version
        else None,
        "add_form": add_form or AgendaItemForm(session=session, roster=roster),
    }


def _render_editor(request, session: Session, *, add_form=None, status=200):
    # The editor shows the session's agenda, also after an action on one of its items.
    noted(session, dialogue_id=session.dialogue_id)
    template = "dialogues/_agenda_editor.html" if request.htmx else "dialogues/agenda_edit.html"
    response = render(request, template, _editor_context(request, session, add_form=add_form))
    response.status_code = status
    if request.htmx:
        response["HX-Retarget"] = "#agenda-editor"
        response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_http_methods(["GET"])
def agenda_edit(request, dialogue_id: int, session_id: int):
    session = _planned_session(request, dialogue_id, session_id)
    return _render_editor(request, session)


@login_required
@require_POST
def agenda_item_create(request, dialogue_id: int, session_id: int):
    session = _planned_session(request, dialogue_id, session_id)
    roster = list(roster_of(dialogue_id=session.dialogue_id))
    form = AgendaItemForm(request.POST, session=session, roster=roster)
    if form.is_valid():
        try:
            agenda_services.agenda_item_create(
                session=session,
                created_by=request.user,
                readers=form.cleaned_data["readers"],
                **form.item_values(),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if not request.htmx:
                messages.success(request, "Item added.")
                return redirect(_agenda_url(session))
            return _render_editor(request, session)
    return _render_editor(request, session, add_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def agenda_item_edit(request, dialogue_id: int, session_id: int, item_id: int):
    session = _planned_session(request, dialogue_id, session_id)
    item = _planned_item(request, session, item_id)
    roster = list(roster_of(dialogue_id=session.dialogue_id))
    form = AgendaItemForm(
        request.POST or None, session=session, roster=roster, initial=item_initial(item)
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            agenda_services.agenda_item_update(
                item=item,
                expected_revision=form.cleaned_data["edit_revision"] or 0,
                values=form.item_values(),
                readers=form.cleaned_data["readers"],
                by=request.user,
            )
        except EditConflict as clash:
            conflict = clash
            data = request.POST.copy()
            data["edit_revision"] = clash.current.edit_revision
            form = AgendaItemForm(data, session=session, roster=roster)
            form.is_valid()
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if request.htmx:
                return _render_editor(request, session)
            messages.success(request, "Item saved.")
            return redirect(_agenda_url(session))
    context = {
        "dialogue": session.dialogue,
        "session": session,
        "item": item,
        "form": form,
        "conflict": conflict,
    }
    template = (
        "dialogues/_agenda_item_form.html" if request.htmx else "dialogues/agenda_item_edit.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def agenda_item_delete(request, dialogue_id: int, session_id: int, item_id: int):
    session = _planned_session(request, dialogue_id, session_id)
    item = _planned_item(request, session, item_id)
    agenda_services.agenda_item_delete(item=item, by=request.user)
    if request.htmx:
        return _render_editor(request, session)
    messages.success(request, "Item deleted.")
    return redirect(_agenda_url(session))


@login_required
@require_POST
def agenda_item_move(request, dialogue_id: int, session_id: int, item_id: int):
    session = _planned_session(request, dialogue_id, session_id)
    item = _planned_item(request, session, item_id)
    direction = request.POST.get("direction", "")
    if direction not in ("up", "down"):
        raise Http404
    agenda_services.agenda_item_move(item=item, direction=direction, by=request.user)
    if request.htmx:
        return _render_editor(request, session)
    return redirect(_agenda_url(session))


@login_required
@require_POST
def agenda_publish(request, dialogue_id: int, session_id: int):
    session = _planned_session(request, dialogue_id, session_id)
    try:
        version = agenda_services.agenda_publish(session=session, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Published version {version.number}: participants now see this agenda."
        )
    return redirect(_agenda_url(session))
