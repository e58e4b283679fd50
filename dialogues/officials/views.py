"""The officials register: its list, adding and editing an official, retiring and reinstating
one. For the dialogue's convening team only (404 otherwise). Thin: a form validates, a service
acts, the view redirects with a message."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trackii.lists import page_of

from ..concurrency import EditConflict
from ..confidentiality import grantable_levels
from ..forms import add_service_error
from ..http import convening_team_only, form_after_conflict
from . import services
from .forms import OfficialForm, OfficialsFilterForm
from .selectors import official_for, officials_listed


@require_GET
@convening_team_only
def official_list(request, dialogue, viewer):
    filters = OfficialsFilterForm(request.GET)
    chosen = filters.values()
    officials = page_of(
        request,
        officials_listed(
            dialogue=dialogue,
            search=chosen["search"],
            state=chosen["state"],
            ordering=filters.ordering,
        ),
    )
    context = {
        "dialogue": dialogue,
        "officials": list(officials.object_list),
        "page_obj": officials,
        "filters": filters,
        "sort": chosen["sort"],
    }
    return render(request, "dialogues/officials/official_list.html", context)


@require_http_methods(["GET", "POST"])
@convening_team_only
def official_create(request, dialogue, viewer):
    levels = grantable_levels(viewer, dialogue.pk)
    form = OfficialForm(request.POST or None, levels=levels)
    if request.method == "POST" and form.is_valid():
        try:
            official = services.official_create(
                dialogue=dialogue,
                viewer=viewer,
                by=request.user,
                values=form.values(),
                request=request,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("%(name)s was added to the register.") % {"name": official.name}
            )
            return redirect("dialogues:official_list", dialogue.pk)
    context = {"dialogue": dialogue, "form": form, "official": None}
    status = 400 if request.method == "POST" else 200
    return render(request, "dialogues/officials/official_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@convening_team_only
def official_edit(request, official_id: int, dialogue, viewer):
    official = official_for(dialogue=dialogue, official_id=official_id)
    levels = grantable_levels(viewer, dialogue.pk, keep=official.clearance)
    conflict = None
    if request.method == "POST":
        form = OfficialForm(request.POST, levels=levels)
        if form.is_valid():
            try:
                services.official_edit(
                    official=official,
                    viewer=viewer,
                    by=request.user,
                    expected_revision=form.cleaned_data["edit_revision"] or 0,
                    values=form.values(),
                    request=request,
                )
            except EditConflict as clash:
                conflict = clash
                form = form_after_conflict(
                    request, clash, lambda data: OfficialForm(data, levels=levels)
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, _("%(name)s: saved.") % {"name": form.cleaned_data["name"]}
                )
                return redirect("dialogues:official_list", dialogue.pk)
    else:
        form = OfficialForm(levels=levels, official=official)
    context = {"dialogue": dialogue, "form": form, "official": official, "conflict": conflict}
    status = 409 if conflict else 400 if request.method == "POST" else 200
    return render(request, "dialogues/officials/official_form.html", context, status=status)


def _set_retired(request, dialogue, viewer, official_id: int, *, retired: bool):
    official = official_for(dialogue=dialogue, official_id=official_id)
    services.official_set_retired(
        official=official, viewer=viewer, by=request.user, retired=retired, request=request
    )
    if retired:
        messages.success(
            request,
            _("%(name)s was retired: no longer offered for packs, kept for history.")
            % {"name": official.name},
        )
    else:
        messages.success(request, _("%(name)s was reinstated.") % {"name": official.name})
    return redirect("dialogues:official_list", dialogue.pk)


@require_POST
@convening_team_only
def official_retire(request, official_id: int, dialogue, viewer):
    return _set_retired(request, dialogue, viewer, official_id, retired=True)


@require_POST
@convening_team_only
def official_reinstate(request, official_id: int, dialogue, viewer):
    return _set_retired(request, dialogue, viewer, official_id, retired=False)
