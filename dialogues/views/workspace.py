"""The workspace: starting a dialogue, editing it, its sides and its roster. For the convening
team of that dialogue only (staff and convening members may start a new one); anyone else gets
404, so a dialogue's existence does not leak. Thin: a form validates, a service acts, the view
redirects with a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from participants.selectors import latest_invitations, roster_of

from .. import selectors
from ..confidentiality import grantable_levels, viewer_of
from ..forms import add_service_error
from ..forms.workspace import (
    DialogueEditForm,
    DialogueForm,
    MembershipEditForm,
    PersonSearchForm,
    RosterExistingPersonForm,
    RosterNewPersonForm,
    SideChoiceForm,
    SideForm,
)
from ..models import ConfidentialityLevel, Dialogue
from ..selectors import workspace as ws_selectors
from ..services import workspace as ws_services
from ..services.concurrency import EditConflict


def _planned_dialogue(request, dialogue_id: int) -> Dialogue:
    return selectors.planned_dialogue_for(viewer=viewer_of(request), dialogue_id=dialogue_id)


# -- the dialogue ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dialogue_create(request):
    if not ws_selectors.can_start_dialogue(request.user):
        raise Http404
    if request.method == "POST":
        form = DialogueForm(request.POST)
        if form.is_valid():
            try:
                dialogue = ws_services.dialogue_start(
                    user=request.user, request=request, **form.values()
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Dialogue started. You are its convenor.")
                return redirect("dialogues:dialogue_detail", dialogue.pk)
    else:
        programme = ConfidentialityLevel.objects.filter(
            audience=ConfidentialityLevel.Audience.PROGRAMME
        ).first()
        form = DialogueForm(initial={"default_level": programme.pk if programme else None})
    return render(request, "dialogues/workspace_dialogue_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def dialogue_edit(request, dialogue_id: int):
    dialogue = _planned_dialogue(request, dialogue_id)
    conflict = None
    if request.method == "POST":
        form = DialogueEditForm(request.POST)
        if form.is_valid():
            try:
                ws_services.dialogue_update(
                    dialogue=dialogue,
                    expected_revision=form.cleaned_data["edit_revision"],
                    values=form.values(),
                    by=request.user,
                    request=request,
                )
            except EditConflict as error:
                # Keep this editor's values, at the revision now saved: saving again is a
                # decision taken with the differences in view.
                conflict = error
                data = request.POST.copy()
                data["edit_revision"] = str(error.current.edit_revision)
                form = DialogueEditForm(data)
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Dialogue saved.")
                return redirect("dialogues:dialogue_detail", dialogue.pk)
    else:
        form = DialogueEditForm(initial=DialogueEditForm.initial_for(dialogue))
    context = {"dialogue": dialogue, "form": form, "conflict": conflict}
    return render(
        request,
        "dialogues/workspace_dialogue_form.html",
        context,
        status=409 if conflict else 200,
    )


# -- sides ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sides_edit(request, dialogue_id: int):
    dialogue = _planned_dialogue(request, dialogue_id)
    add_form = SideForm(dialogue=dialogue, prefix="add")
    failed = None  # the side whose rename failed, with its bound form
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            add_form = SideForm(request.POST, dialogue=dialogue, prefix="add")
            if add_form.is_valid():
                try:
                    ws_services.side_add(
                        dialogue=dialogue, by=request.user, request=request, **add_form.values()
                    )
                except ValidationError as error:
                    add_service_error(add_form, error)
                else:
                    messages.success(request, "Side added.")
                    return redirect("dialogues:sides_edit", dialogue.pk)
        elif action in ("update", "delete"):
            choice = SideChoiceForm(request.POST, dialogue=dialogue)
            if not choice.is_valid():
                raise Http404  # not a side of this dialogue
            side = choice.cleaned_data["side"]
            if action == "delete":
                try:
                    ws_services.side_delete(side=side, by=request.user, request=request)
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                else:
                    messages.success(request, "Side deleted.")
                return redirect("dialogues:sides_edit", dialogue.pk)
            form = SideForm(request.POST, dialogue=dialogue, side=side, prefix=f"side-{side.pk}")
            if form.is_valid():
                try:
                    ws_services.side_update(
                        side=side, by=request.user, request=request, **form.values()
                    )
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, "Side saved.")
                    return redirect("dialogues:sides_edit", dialogue.pk)
            failed = (side.pk, form)
        else:
            return HttpResponseBadRequest("Unknown action.")
    rows = []
    for side in ws_selectors.sides_with_member_counts(dialogue_id=dialogue.pk):
        if failed and failed[0] == side.pk:
            form = failed[1]
        else:
            form = SideForm(dialogue=dialogue, side=side, prefix=f"side-{side.pk}")
        rows.append((side, form))
    context = {"dialogue": dialogue, "rows": rows, "add_form": add_form}
    return render(
        request,
        "dialogues/workspace_sides.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


# -- the roster -----------------------------------------------------------------------------------


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def roster(request, dialogue_id: int):
    dialogue = _planned_dialogue(request, dialogue_id)
    viewer = viewer_of(request)
    known = ws_selectors.persons_known_to(viewer=viewer, exclude_dialogue_id=dialogue.pk)
    search = PersonSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    levels = grantable_levels(viewer, dialogue.pk)
    existing_form = RosterExistingPersonForm(
        dialogue=dialogue,
        persons=ws_selectors.persons_known_to(
            viewer=viewer, exclude_dialogue_id=dialogue.pk, search=query
        ),
        levels=levels,
        prefix="existing",
    )
    new_form = RosterNewPersonForm(dialogue=dialogue, levels=levels, prefix="new")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "existing":
            # Validated against everyone known, not only the last search's matches.
            form = existing_form = RosterExistingPersonForm(
                request.POST, dialogue=dialogue, persons=known, levels=levels, prefix="existing"
            )
        elif action == "new":
            form = new_form = RosterNewPersonForm(
                request.POST, dialogue=dialogue, levels=levels, prefix="new"
            )
        else:
            return HttpResponseBadRequest("Unknown action.")
        if form.is_valid():
            if action == "existing":
                who = {"person": form.cleaned_data["person"]}
            else:
                who = {"new_person": form.person_values()}
            try:
                membership = ws_services.roster_add_person(
                    dialogue=dialogue,
                    by=request.user,
                    viewer=viewer,
                    request=request,
                    **who,
                    **form.membership_values(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, f"{membership.person.full_name} added to the roster as nominated."
                )
                return redirect("dialogues:roster", dialogue.pk)
    members = list(roster_of(dialogue_id=dialogue.pk))
    invitations = latest_invitations(dialogue.pk)
    for membership in members:
        membership.latest_invitation = invitations.get(membership.pk)
    context = {
        "dialogue": dialogue,
        "members": members,
        "search": search,
        "query": query,
        "existing_form": existing_form,
        "new_form": new_form,
    }
    return render(
        request,
        "dialogues/workspace_roster.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_edit(request, dialogue_id: int, membership_id: int):
    dialogue = _planned_dialogue(request, dialogue_id)
    membership = ws_selectors.membership_on_roster(
        dialogue_id=dialogue.pk, membership_id=membership_id
    )
    viewer = viewer_of(request)
    levels = grantable_levels(viewer, dialogue.pk, keep=membership.clearance)
    if request.method == "POST":
        form = MembershipEditForm(
            request.POST, dialogue=dialogue, membership=membership, levels=levels
        )
        if form.is_valid():
            try:
                ws_services.roster_update_membership(
                    membership=membership,
                    by=request.user,
                    viewer=viewer,
                    request=request,
                    **form.membership_values(),
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"{membership.person.full_name}: saved.")
                return redirect("dialogues:roster", dialogue.pk)
    else:
        form = MembershipEditForm(dialogue=dialogue, membership=membership, levels=levels)
    context = {"dialogue": dialogue, "membership": membership, "form": form}
    return render(
        request,
        "dialogues/workspace_membership_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
