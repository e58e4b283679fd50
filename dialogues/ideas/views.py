"""A dialogue's ideas: listed and read by whoever may see each (rule 9: its level and every
source); derived, moved along their states and followed up by the convening team. Anyone else
gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants.models import Person
from participants.selectors import roster_of

from .. import selectors as core
from ..confidentiality import can_plan, readable_levels, viewer_of, visible
from ..forms import add_service_error
from ..http import convening_team_only
from ..models import ConfidentialityLevel, Idea, Outcome
from ..transfers.selectors import changes_listed, transfers_of_idea
from . import services
from .forms import FollowUpForm, IdeaForm, StateForm
from .selectors import follow_up_owners, idea_for, ideas_listed, speakers_of


@require_GET
@login_required
def idea_list(request, dialogue_id: int):
    viewer = viewer_of(request)
    dialogue = core.dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    state = request.GET.get("state", "")
    state = state if state in Idea.State.values else ""
    context = {
        "dialogue": dialogue,
        "ideas": ideas_listed(viewer=viewer, dialogue=dialogue, state=state),
        "state": state,
        "states": Idea.State.choices,
        "can_plan": can_plan(viewer, dialogue.pk),
    }
    return render(request, "dialogues/ideas/list.html", context)


def _detail_context(viewer, idea: Idea, *, follow_up_form=None) -> dict:
    """What an idea's page shows: the idea, who put it forward (on the record only), where it
    went and what changed after, as far as the viewer may see them (rule 10); for the convening
    team, its state and follow-up forms."""
    planning = can_plan(viewer, idea.dialogue_id)
    if planning and follow_up_form is None:
        follow_up_form = FollowUpForm(owners=follow_up_owners(dialogue=idea.dialogue))
    return {
        "dialogue": idea.dialogue,
        "idea": idea,
        "speakers": speakers_of(idea),
        "can_plan": planning,
        "state_form": StateForm(initial={"state": idea.state}) if planning else None,
        "follow_up_form": follow_up_form,
        "transfers": transfers_of_idea(viewer=viewer, idea=idea),
        "changes": changes_listed(viewer=viewer, dialogue_id=idea.dialogue_id, idea=idea),
    }


@require_GET
@login_required
def idea_detail(request, dialogue_id: int, idea_id: int):
    viewer = viewer_of(request)
    idea = idea_for(viewer=viewer, dialogue_id=dialogue_id, idea_id=idea_id)
    return render(request, "dialogues/ideas/detail.html", _detail_context(viewer, idea))


def _idea_form(request, viewer, dialogue, data=None):
    outcomes = visible(
        viewer,
        Outcome.objects.filter(session__dialogue=dialogue).select_related("session", "level"),
        dialogue_id=dialogue.pk,
    ).order_by("session__start", "session_id", "position", "id")
    levels = ConfidentialityLevel.objects.filter(
        pk__in=[lv.pk for lv in readable_levels(viewer, dialogue.pk)]
    ).order_by("rank")
    roster = roster_of(dialogue_id=dialogue.pk)
    people = Person.objects.filter(
        pk__in=[m.person_id for m in roster if m.state not in ("rejected", "declined")]
    )
    initial = {"sources": request.GET.getlist("outcome")}
    return IdeaForm(data, outcomes=outcomes, levels=levels, people=people, initial=initial)


@require_http_methods(["GET", "POST"])
@convening_team_only
def idea_create(request, dialogue, viewer):
    form = _idea_form(request, viewer, dialogue, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea = services.idea_derive(
                dialogue=dialogue,
                viewer=viewer,
                sources=data["sources"],
                title=data["title"],
                summary=data["summary"],
                level=data["level"],
                readers=data["readers"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The idea was recorded."))
            return redirect("dialogues:idea_detail", dialogue.pk, idea.pk)
    return render(request, "dialogues/ideas/form.html", {"dialogue": dialogue, "form": form})


def _planned_idea(viewer, dialogue, idea_id: int) -> Idea:
    return idea_for(viewer=viewer, dialogue_id=dialogue.pk, idea_id=idea_id)


@require_POST
@convening_team_only
def idea_state(request, idea_id: int, dialogue, viewer):
    idea = _planned_idea(viewer, dialogue, idea_id)
    form = StateForm(request.POST)
    if form.is_valid():
        services.idea_set_state(idea=idea, state=form.cleaned_data["state"], by=request.user)
        messages.success(
            request, _("The idea is now “%(state)s”.") % {"state": idea.get_state_display()}
        )
    else:
        messages.error(request, _("Choose one of the states."))
    return redirect("dialogues:idea_detail", dialogue.pk, idea.pk)


@require_POST
@convening_team_only
def follow_up_create(request, idea_id: int, dialogue, viewer):
    idea = _planned_idea(viewer, dialogue, idea_id)
    form = FollowUpForm(request.POST, owners=follow_up_owners(dialogue=dialogue))
    if form.is_valid():
        try:
            services.follow_up_add(idea=idea, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Follow-up added."))
            return redirect("dialogues:idea_detail", dialogue.pk, idea.pk)
    context = _detail_context(viewer, idea, follow_up_form=form)
    return render(request, "dialogues/ideas/detail.html", context, status=400)


@require_POST
@convening_team_only
def follow_up_done(request, idea_id: int, follow_up_id: int, dialogue, viewer):
    idea = _planned_idea(viewer, dialogue, idea_id)
    follow_up = next((f for f in idea.follow_ups.all() if f.pk == follow_up_id), None)
    if follow_up is None:
        raise Http404
    services.follow_up_done(follow_up=follow_up, by=request.user)
    messages.success(request, _("Follow-up done."))
    return redirect("dialogues:idea_detail", dialogue.pk, idea.pk)
