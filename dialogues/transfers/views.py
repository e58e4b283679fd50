"""Transfers and observed changes (rule 10). A transfer's page and a change's page are read by
whoever may see them (404 otherwise); logging a transfer, recording a reaction, the list of
observed changes and recording one are the convening team's (404 for anyone else). Thin: a
form validates, a service acts, the view redirects with a message or shows the form again with
its errors, nothing typed lost."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..concurrency import EditConflict
from ..confidentiality import can_plan, viewer_of
from ..forms import add_service_error
from ..http import convening_team_only, isolated
from . import selectors, services
from .forms import ChangeForm, ReactionForm, TransferForm


def _transfer_form(viewer, dialogue, idea, data=None) -> TransferForm:
    return TransferForm(
        data,
        officials=selectors.officials_briefed(dialogue=dialogue),
        carriers=selectors.carriers(dialogue=dialogue),
        copies=selectors.copies_sent(dialogue=dialogue, idea=idea),
        levels=selectors.record_levels(viewer=viewer, dialogue_id=dialogue.pk, at_least=idea.level),
        people=selectors.people_to_name(dialogue=dialogue),
        initial={"occurred_on": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@convening_team_only
def transfer_create(request, idea_id: int, dialogue, viewer):
    idea = selectors.idea_to_transfer(viewer=viewer, dialogue_id=dialogue.pk, idea_id=idea_id)
    form = _transfer_form(viewer, dialogue, idea, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            transfer = services.transfer_log(idea=idea, by=request.user, **form.values())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                isolated(
                    _("Logged: “%(idea)s” reached %(official)s."),
                    idea=idea.title,
                    official=transfer.official.name,
                ),
            )
            return redirect("dialogues:transfer_detail", dialogue.pk, transfer.pk)
    status = 400 if request.method == "POST" else 200
    context = {"dialogue": dialogue, "idea": idea, "form": form}
    return render(request, "dialogues/transfers/transfer_form.html", context, status=status)


def _transfer_page(request, viewer, transfer, *, reaction_form=None, conflict=None, status=200):
    planning = can_plan(viewer, transfer.dialogue_id)
    if planning and reaction_form is None:
        reaction_form = ReactionForm.of(transfer)
    context = {
        "dialogue": transfer.dialogue,
        "transfer": transfer,
        "can_plan": planning,
        "readers": list(transfer.readers.order_by("full_name", "pk")) if planning else [],
        "changes": selectors.changes_listed(
            viewer=viewer, dialogue_id=transfer.dialogue_id, transfer=transfer
        ),
        "reaction_form": reaction_form,
        "conflict": conflict,
    }
    return render(request, "dialogues/transfers/transfer_detail.html", context, status=status)


@require_GET
@login_required
def transfer_detail(request, dialogue_id: int, transfer_id: int):
    viewer = viewer_of(request)
    transfer = selectors.transfer_for(
        viewer=viewer, dialogue_id=dialogue_id, transfer_id=transfer_id
    )
    return _transfer_page(request, viewer, transfer)


@require_POST
@convening_team_only
def transfer_reaction(request, transfer_id: int, dialogue, viewer):
    transfer = selectors.transfer_for(
        viewer=viewer, dialogue_id=dialogue.pk, transfer_id=transfer_id
    )
    form = ReactionForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_react(
                transfer=transfer,
                reaction_kind=form.cleaned_data["reaction_kind"],
                reaction=form.cleaned_data["reaction"],
                revision=form.cleaned_data["edit_revision"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        except EditConflict as conflict:  # someone recorded a reaction since this form was read
            return _transfer_page(
                request,
                viewer,
                transfer,
                reaction_form=form.after_conflict(conflict.current),
                conflict=conflict,
                status=409,
            )
        else:
            messages.success(request, _("The reaction was recorded."))
            return redirect("dialogues:transfer_detail", dialogue.pk, transfer.pk)
    return _transfer_page(request, viewer, transfer, reaction_form=form, status=400)


@require_GET
@convening_team_only
def change_list(request, dialogue, viewer):
    context = {
        "dialogue": dialogue,
        "changes": selectors.changes_listed(viewer=viewer, dialogue_id=dialogue.pk),
    }
    return render(request, "dialogues/transfers/change_list.html", context)


@require_http_methods(["GET", "POST"])
@convening_team_only
def change_create(request, dialogue, viewer):
    form = ChangeForm(
        request.POST or None,
        ideas=selectors.ideas_to_link(viewer=viewer, dialogue=dialogue),
        transfers=selectors.transfers_to_link(viewer=viewer, dialogue=dialogue),
        levels=selectors.record_levels(viewer=viewer, dialogue_id=dialogue.pk),
        people=selectors.people_to_name(dialogue=dialogue),
        initial={"ideas": request.GET.getlist("idea")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_record(
                dialogue=dialogue, viewer=viewer, by=request.user, **form.values()
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The observed change was recorded."))
            return redirect("dialogues:change_detail", dialogue.pk, change.pk)
    status = 400 if request.method == "POST" else 200
    context = {"dialogue": dialogue, "form": form}
    return render(request, "dialogues/transfers/change_form.html", context, status=status)


@require_GET
@login_required
def change_detail(request, dialogue_id: int, change_id: int):
    viewer = viewer_of(request)
    change = selectors.change_for(viewer=viewer, dialogue_id=dialogue_id, change_id=change_id)
    ideas, transfers = selectors.links_of(viewer=viewer, change=change)
    planning = can_plan(viewer, dialogue_id)
    context = {
        "dialogue": change.dialogue,
        "change": change,
        "ideas": ideas,
        "transfers": transfers,
        "can_plan": planning,
        "readers": list(change.readers.order_by("full_name", "pk")) if planning else [],
    }
    return render(request, "dialogues/transfers/change_detail.html", context)
