"""The workspace: starting a dialogue, editing it, its sides and its roster. For the convening
team of that dialogue only (staff and convening members may start a new one); anyone else gets
404, so a dialogue's existence does not leak. Thin: a form validates, a service acts, the view
redirects with a message."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from participants.invitations.selectors import latest_invitations
from trackii.audit import reads
from trackii.lists import page_of

from ..concurrency import EditConflict
from ..confidentiality import (
    assignable_roles,
    can_change_membership,
    can_view_as,
    grantable_levels,
    outbound_levels,
)
from ..forms import add_service_error
from ..http import convening_team_only, form_after_conflict, isolated
from ..outbound import selectors as outbound_selectors
from . import selectors as ws_selectors
from . import services as ws_services
from .forms import (
    DialogueEditForm,
    DialogueForm,
    MembershipEditForm,
    PersonSearchForm,
    RosterBulkForm,
    RosterExistingPersonForm,
    RosterFilterForm,
    RosterNewPersonForm,
    SideChoiceForm,
    SideForm,
)


def _changeable_member(viewer, dialogue, membership_id: int):
    """One member of the dialogue's roster the viewer may change (or invite); 404 otherwise."""
    membership = ws_selectors.membership_on_roster(
        dialogue_id=dialogue.pk, membership_id=membership_id
    )
    if not can_change_membership(viewer, membership):
        raise Http404
    return membership


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
                dialogue = ws_services.dialogue_create(
                    by=request.user, request=request, **form.values()
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Dialogue started. You are its convenor."))
                if dialogue.outbound_requests.filter(state="open").exists():
                    messages.info(
                        request,
                        _(
                            "Its outbound level starts at the lowest level: raising it waits for "
                            "another member of the convening team to confirm it."
                        ),
                    )
                return redirect("dialogues:dialogue_detail", dialogue.pk)
    else:
        programme = ws_selectors.programme_level()
        form = DialogueForm(initial={"default_level": programme.pk if programme else None})
    return render(request, "dialogues/workspace/dialogue_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@convening_team_only
def dialogue_edit(request, dialogue, viewer):
    levels = outbound_levels(viewer, dialogue)
    conflict = None
    if request.method == "POST":
        form = DialogueEditForm(request.POST, outbound_levels=levels)
        if form.is_valid():
            try:
                raise_request = ws_services.dialogue_edit(
                    dialogue=dialogue,
                    expected_revision=form.cleaned_data["edit_revision"],
                    values=form.values(),
                    by=request.user,
                    viewer=viewer,
                    request=request,
                )
            except EditConflict as error:
                conflict = error
                form = form_after_conflict(
                    request, error, lambda data: DialogueEditForm(data, outbound_levels=levels)
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("Dialogue saved."))
                if raise_request is not None:
                    messages.info(
                        request,
                        isolated(
                            _(
                                "Raising the outbound level to “%(level)s” is now a request: it "
                                "takes effect when another member of the convening team, "
                                "cleared for that level, confirms it (within 72 hours)."
                            ),
                            level=raise_request.to_level.label,
                        ),
                    )
                return redirect("dialogues:dialogue_detail", dialogue.pk)
    else:
        form = DialogueEditForm(
            initial=DialogueEditForm.initial_for(dialogue), outbound_levels=levels
        )
    context = {
        "dialogue": dialogue,
        "form": form,
        "conflict": conflict,
        "outbound_requests": outbound_selectors.outbound_requests_shown_to(
            viewer=viewer, dialogue=dialogue
        ),
    }
    return render(
        request,
        "dialogues/workspace/dialogue_form.html",
        context,
        status=409 if conflict else 200,
    )


def _unknown_action():
    # A malformed form shows nothing of the page it was posted to: nothing to record.
    reads.nothing_shown()
    return HttpResponseBadRequest(_("Unknown action."))


# -- sides ----------------------------------------------------------------------------------------


def _side_saved(request, form: SideForm, save, done: str) -> bool:
    """Save a side's form through ``save`` (a service, given the form's values): True once
    saved, with ``done`` for the next page; False if refused, the reason on the form."""
    if not form.is_valid():
        return False
    try:
        save(**form.values())
    except ValidationError as error:
        add_service_error(form, error)
        return False
    messages.success(request, done)
    return True


def _posted_side(request, dialogue):
    choice = SideChoiceForm(request.POST, dialogue=dialogue)
    if not choice.is_valid():
        raise Http404  # not a side of this dialogue
    return choice.cleaned_data["side"]


@require_http_methods(["GET", "POST"])
@convening_team_only
def sides_edit(request, dialogue, viewer):
    add_form = SideForm(dialogue=dialogue, prefix="add")
    failed = None  # the side whose rename failed, with its bound form
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            add_form = SideForm(request.POST, dialogue=dialogue, prefix="add")
            create = partial(
                ws_services.side_create, dialogue=dialogue, by=request.user, request=request
            )
            if _side_saved(request, add_form, create, _("Side added.")):
                return redirect("dialogues:sides_edit", dialogue.pk)
        elif action == "delete":
            side = _posted_side(request, dialogue)
            try:
                ws_services.side_delete(side=side, by=request.user, request=request)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Side deleted."))
            return redirect("dialogues:sides_edit", dialogue.pk)
        elif action == "update":
            side = _posted_side(request, dialogue)
            form = SideForm(request.POST, dialogue=dialogue, side=side, prefix=f"side-{side.pk}")
            update = partial(ws_services.side_update, side=side, by=request.user, request=request)
            if _side_saved(request, form, update, _("Side saved.")):
                return redirect("dialogues:sides_edit", dialogue.pk)
            failed = (side.pk, form)
        else:
            return _unknown_action()
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
        "dialogues/workspace/sides.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


# -- the roster -----------------------------------------------------------------------------------


@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@convening_team_only
def roster(request, dialogue, viewer):
    known = ws_selectors.persons_known_to(viewer=viewer, exclude_dialogue_id=dialogue.pk)
    search = PersonSearchForm(request.GET)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    levels = grantable_levels(viewer, dialogue.pk)
    roles = assignable_roles(viewer, dialogue.pk)
    existing_form = RosterExistingPersonForm(
        dialogue=dialogue,
        persons=ws_selectors.persons_known_to(
            viewer=viewer, exclude_dialogue_id=dialogue.pk, search=query
        ),
        levels=levels,
        roles=roles,
        prefix="existing",
    )
    new_form = RosterNewPersonForm(dialogue=dialogue, levels=levels, roles=roles, prefix="new")
    sides = list(dialogue.sides.order_by("position", "name", "pk"))
    held = {"search": search, "query": query, "sides": sides}
    held.update(existing_form=existing_form, new_form=new_form)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "bulk":
            return _roster_bulk(request, dialogue, viewer, held)
        if action == "existing":
            # Validated against everyone known, not only the last search's matches.
            form = existing_form = RosterExistingPersonForm(
                request.POST,
                dialogue=dialogue,
                persons=known,
                levels=levels,
                roles=roles,
                prefix="existing",
            )
        elif action == "new":
            form = new_form = RosterNewPersonForm(
                request.POST, dialogue=dialogue, levels=levels, roles=roles, prefix="new"
            )
        else:
            return _unknown_action()
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
                    request,
                    isolated(
                        _("%(name)s added to the roster as nominated."),
                        name=membership.person.full_name,
                    ),
                )
                return redirect("dialogues:roster", dialogue.pk)
    held.update(existing_form=existing_form, new_form=new_form)
    return _roster_page(request, dialogue, viewer, held)


def _roster_page(request, dialogue, viewer, held: dict, *, bulk_form=None, status=None):
    """The roster page: the list as the toolbar asks for it (25 a page), each member with their
    latest invitation and whether the viewer may change them, then the forms to add someone.
    ``held``: the forms and sides the view already holds."""
    sides = held["sides"]
    filters = RosterFilterForm(
        request.GET, sides=sides, levels=grantable_levels(viewer, dialogue.pk)
    )
    chosen = filters.values()
    listed = page_of(
        request,
        ws_selectors.roster_listed(
            dialogue_id=dialogue.pk,
            search=chosen["search"],
            side=chosen["side"],
            role=chosen["role"],
            state=chosen["state"],
            clearance=chosen["clearance"],
            ordering=filters.ordering,
        ),
    )
    members = list(listed.object_list)
    invitations = latest_invitations(dialogue.pk, membership_ids=[m.pk for m in members])
    for membership in members:
        membership.latest_invitation = invitations.get(membership.pk)
        # The convening team sees everyone; changing or inviting follows the team's rules.
        membership.changeable = can_change_membership(viewer, membership)
        membership.viewable_as = can_view_as(viewer, membership)
    context = {
        "dialogue": dialogue,
        "members": members,
        "page_obj": listed,
        "filters": filters,
        "sort": chosen["sort"],
        "bulk_form": bulk_form or RosterBulkForm(sides=sides),
        "selected": set(),
        **held,
    }
    if status is None:
        status = 400 if request.method == "POST" else 200
    return render(request, "dialogues/workspace/roster.html", context, status=status)


# Primary keys are 64-bit: a larger number cannot even be asked of the database.
_ID_LIMIT = 2**63


def _posted_member_ids(request) -> list[int]:
    """The members ticked, as ids; 404 for anything that cannot name a member (as a URL would)."""
    ids = []
    for value in request.POST.getlist("members"):
        if not value.isascii() or not value.isdigit() or int(value) >= _ID_LIMIT:
            raise Http404
        ids.append(int(value))
    return ids


def _roster_bulk(request, dialogue, viewer, held: dict):
    """Invite the members ticked, or put them on a side: all or nothing (the services check
    each against the team's rules first). A member of another roster among them: 404, nothing
    done. Refused: the page again, naming each one refused and why, their boxes still ticked."""
    members = ws_selectors.roster_memberships(
        dialogue_id=dialogue.pk, membership_ids=_posted_member_ids(request)
    )
    if members is None:
        raise Http404
    form = RosterBulkForm(request.POST, sides=held["sides"])
    held["selected"] = {m.pk for m in members}
    refusals = []
    if form.is_valid():
        act = {"dialogue": dialogue, "memberships": members, "by": request.user}
        act.update(viewer=viewer, request=request)
        try:
            if form.side is None:
                done = _bulk_invited(ws_services.roster_bulk_invite(**act), members)
            else:
                done = _bulk_moved(
                    ws_services.roster_bulk_set_side(side=form.side, **act), members, form.side
                )
        except ws_services.RosterBulkRefused as refused:
            refusals = refused.refusals
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            # Back to the list as it was (its filters, order and page are in the address).
            back = reverse("dialogues:roster", args=[dialogue.pk])
            query = request.GET.urlencode()
            return redirect(f"{back}?{query}" if query else back)
    held.update(bulk_refusals=refusals, bulk_chosen=len(members))
    return _roster_page(request, dialogue, viewer, held, bulk_form=form, status=400)


def _bulk_invited(invitations, members) -> str:
    again = sum(1 for m in members if m.state == m.State.INVITED)
    sent = len(invitations)
    done = ngettext(
        "Invitations sent to %(count)s member.", "Invitations sent to %(count)s members.", sent
    ) % {"count": sent}
    if again:
        done += " " + ngettext(
            "%(count)s of them had been invited before: their earlier links no longer work.",
            "%(count)s of them had been invited before: their earlier links no longer work.",
            again,
        ) % {"count": again}
    return done


def _bulk_moved(moved, members, side) -> str:
    done = isolated(
        ngettext(
            "%(count)s member put on the side “%(side)s”.",
            "%(count)s members put on the side “%(side)s”.",
            len(moved),
        ),
        count=len(moved),
        side=side.name,
    )
    already = len(members) - len(moved)
    if already:
        also = ngettext(
            "%(count)s member already on it.", "%(count)s members already on it.", already
        ) % {"count": already}
        done = format_html("{} {}", done, also)  # still safe: the side's name stays isolated
    return done


@require_http_methods(["GET", "POST"])
@convening_team_only
def membership_edit(request, membership_id: int, dialogue, viewer):
    # Not theirs to change (a senior's or a peer's membership, or their own): 404.
    membership = _changeable_member(viewer, dialogue, membership_id)
    levels = grantable_levels(viewer, dialogue.pk, keep=membership.clearance)
    roles = assignable_roles(viewer, dialogue.pk, current=membership.role)
    fields = {"dialogue": dialogue, "membership": membership, "levels": levels, "roles": roles}
    if request.method == "POST":
        form = MembershipEditForm(request.POST, **fields)
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
                messages.success(
                    request,
                    isolated(_("%(name)s: saved."), name=membership.person.full_name),
                )
                return redirect("dialogues:roster", dialogue.pk)
    else:
        form = MembershipEditForm(**fields)
    context = {"dialogue": dialogue, "membership": membership, "form": form}
    return render(
        request,
        "dialogues/workspace/membership_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


# -- invitations ----------------------------------------------------------------------------------


@require_POST
@convening_team_only
def invitation_send(request, membership_id: int, dialogue, viewer):
    """Invite a cleared member, or send a fresh link to one already invited."""
    membership = _changeable_member(viewer, dialogue, membership_id)
    try:
        ws_services.roster_invite(
            membership=membership, by=request.user, viewer=viewer, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            isolated(_("Invitation sent to %(name)s."), name=membership.person.full_name),
        )
    return redirect("dialogues:roster", dialogue.pk)


@require_POST
@convening_team_only
def invitation_revoke(request, membership_id: int, invitation_id: int, dialogue, viewer):
    membership = _changeable_member(viewer, dialogue, membership_id)
    invitation = ws_selectors.invitation_of(membership=membership, invitation_id=invitation_id)
    try:
        ws_services.roster_invitation_revoke(
            invitation=invitation, by=request.user, viewer=viewer, request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            isolated(_("Invitation to %(name)s revoked."), name=membership.person.full_name),
        )
    return redirect("dialogues:roster", dialogue.pk)
