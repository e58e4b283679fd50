"""Non-papers (rule 12). The list, a version's page and a comparison are read by whoever may see
them (404 otherwise): the sides read circulated versions only, each with its own side's
comments. Drafting, editing the working version and freezing it are the convening team's, as
replying in a side's thread; commenting is a participant's, for their side. Thin: a form
validates, a service acts, the view redirects with a message or shows the form again with its
errors, nothing typed lost."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors as core
from ..concurrency import EditConflict
from ..confidentiality import can_plan, caucus_side_of, viewer_of
from ..forms import add_service_error
from ..http import convening_team_only, form_after_conflict
from ..models import ConfidentialityLevel, NonPaperVersion, Side
from ..services import person_of
from . import selectors, services
from .diff import compare as compare_paragraphs
from .forms import CommentForm, NonPaperForm, VersionForm

State = NonPaperVersion.State


@require_GET
@login_required
def non_paper_list(request, dialogue_id: int):
    viewer = viewer_of(request)
    dialogue = core.dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    context = {
        "dialogue": dialogue,
        "non_papers": selectors.non_papers_listed(viewer=viewer, dialogue=dialogue),
        "can_plan": can_plan(viewer, dialogue.pk),
    }
    return render(request, "dialogues/nonpapers/list.html", context)


def _draft_form(request, viewer, dialogue, data=None) -> NonPaperForm:
    levels = ConfidentialityLevel.objects.filter(
        pk__in=[lv.pk for lv in selectors.levels_for(viewer=viewer, dialogue_id=dialogue.pk)]
    ).order_by("rank")
    ideas = selectors.ideas_to_draft_from(viewer=viewer, dialogue=dialogue)
    chosen = [i for i in request.GET.getlist("idea") if i.isdigit()]
    initial: dict = {"ideas": chosen}
    first = ideas.filter(pk__in=chosen).first() if chosen else None
    if first is not None:
        initial |= {"title": first.title, "text": first.summary, "level": first.level_id}
    return NonPaperForm(
        data,
        ideas=ideas,
        levels=levels,
        people=selectors.people_to_name(dialogue=dialogue),
        initial=initial,
    )


@require_http_methods(["GET", "POST"])
@convening_team_only
def non_paper_create(request, dialogue, viewer):
    form = _draft_form(request, viewer, dialogue, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            non_paper = services.non_paper_draft(
                dialogue=dialogue, viewer=viewer, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("The non-paper was drafted: version 1 is its working text.")
            )
            return redirect("dialogues:non_paper_detail", dialogue.pk, non_paper.pk)
    status = 400 if request.method == "POST" else 200
    context = {"dialogue": dialogue, "form": form}
    return render(request, "dialogues/nonpapers/form.html", context, status=status)


def _side_of(viewer, dialogue_id: int) -> int | None:
    """The side whose thread the viewer reads: their own caucus, or (viewing as a member) the
    member's."""
    own = caucus_side_of(viewer, dialogue_id)
    if own is not None:
        return own
    return selectors.caucus_side_for_view_as(viewer=viewer, dialogue_id=dialogue_id)


def _version_page(
    request, viewer, non_paper, version, *, comment_form=None, form_at=None, status=200
):
    dialogue = non_paper.dialogue
    planning = can_plan(viewer, dialogue.pk)
    side_id = _side_of(viewer, dialogue.pk)
    sides = selectors.sides_for_threads(viewer=viewer, dialogue=dialogue, side_id=side_id)
    versions = selectors.versions_of(viewer=viewer, non_paper=non_paper)
    circulated = [v for v in versions if v.state == State.CIRCULATED]
    current = bool(circulated) and circulated[-1].pk == version.pk
    paragraphs = selectors.paragraphs_with_threads(viewer=viewer, version=version, sides=sides)
    for paragraph in paragraphs:
        for thread in paragraph.threads:
            thread.form_here = form_at == (paragraph.paragraph_id, thread.side.pk)
    context = {
        "dialogue": dialogue,
        "non_paper": non_paper,
        "version": version,
        "versions": versions,
        "paragraphs": paragraphs,
        "can_plan": planning,
        "commenting": current and caucus_side_of(viewer, dialogue.pk) is not None,
        "own_side": next((s for s in sides if s.pk == side_id), None),
        "replying": current and planning and viewer.viewing_as is None,
        "comment_form": comment_form,
        "form_at": form_at,  # (paragraph id, side id) whose form holds comment_form
        "counts": selectors.comment_counts_by_side(viewer=viewer, non_paper=non_paper, sides=sides),
        "max_comment": services.MAX_COMMENT_CHARS,
        "sides": sides,
        "previous": next((v for v in reversed(versions) if v.number < version.number), None),
    }
    return render(request, "dialogues/nonpapers/version.html", context, status=status)


@require_GET
@login_required
def non_paper_detail(request, dialogue_id: int, non_paper_id: int):
    viewer = viewer_of(request)
    non_paper = selectors.non_paper_for(
        viewer=viewer, dialogue_id=dialogue_id, non_paper_id=non_paper_id
    )
    version = selectors.version_for(viewer=viewer, non_paper=non_paper, number=None)
    return _version_page(request, viewer, non_paper, version)


@require_GET
@login_required
def non_paper_version(request, dialogue_id: int, non_paper_id: int, number: int):
    viewer = viewer_of(request)
    non_paper = selectors.non_paper_for(
        viewer=viewer, dialogue_id=dialogue_id, non_paper_id=non_paper_id
    )
    version = selectors.version_for(viewer=viewer, non_paper=non_paper, number=number)
    return _version_page(request, viewer, non_paper, version)


def _edit_page(request, dialogue, non_paper, version, form, *, conflict=None, status=200):
    theirs = None
    if conflict is not None:
        yours = [
            {"id": pid, "text": form.data.get(f"text_{pid}", "")} for pid in form.paragraph_ids
        ]
        theirs = compare_paragraphs(yours, conflict.current.paragraphs)
    context = {
        "dialogue": dialogue,
        "non_paper": non_paper,
        "version": version,
        "form": form,
        "conflict": conflict,
        "theirs": theirs,
    }
    return render(request, "dialogues/nonpapers/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@convening_team_only
def version_edit(request, non_paper_id: int, dialogue, viewer):
    non_paper = selectors.non_paper_for(
        viewer=viewer, dialogue_id=dialogue.pk, non_paper_id=non_paper_id
    )
    version = selectors.working_version(viewer=viewer, non_paper=non_paper)
    form = VersionForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.version_edit(
                version=version,
                viewer=viewer,
                expected_revision=form.cleaned_data["edit_revision"],
                paragraphs=form.paragraphs(),
                added=form.cleaned_data["added"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except EditConflict as conflict:
            form = form_after_conflict(
                request, conflict, lambda data: VersionForm(data, version=version)
            )
            return _edit_page(
                request, dialogue, non_paper, version, form, conflict=conflict, status=409
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Version %(number)s saved (still working).") % {"number": version.number},
            )
            return redirect("dialogues:non_paper_detail", dialogue.pk, non_paper.pk)
    status = 400 if request.method == "POST" else 200
    return _edit_page(request, dialogue, non_paper, version, form, status=status)


@require_POST
@convening_team_only
def version_freeze(request, non_paper_id: int, dialogue, viewer):
    non_paper = selectors.non_paper_for(
        viewer=viewer, dialogue_id=dialogue.pk, non_paper_id=non_paper_id
    )
    version = selectors.working_version(viewer=viewer, non_paper=non_paper)
    circulate = request.POST.get("action") == "circulate"
    try:
        services.version_freeze(
            version=version, viewer=viewer, circulate=circulate, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("dialogues:non_paper_detail", dialogue.pk, non_paper.pk)
    if circulate:
        messages.success(
            request,
            _(
                "Version %(number)s is circulated: the sides may read it and comment. "
                "Version %(next)s is the new working text."
            )
            % {"number": version.number, "next": version.number + 1},
        )
    else:
        messages.success(
            request,
            _("Version %(number)s is kept internal. Version %(next)s is the new working text.")
            % {"number": version.number, "next": version.number + 1},
        )
    return redirect("dialogues:non_paper_version", dialogue.pk, non_paper.pk, version.number)


@require_GET
@login_required
def non_paper_compare(request, dialogue_id: int, non_paper_id: int):
    viewer = viewer_of(request)
    non_paper = selectors.non_paper_for(
        viewer=viewer, dialogue_id=dialogue_id, non_paper_id=non_paper_id
    )
    versions = selectors.versions_of(viewer=viewer, non_paper=non_paper)
    numbers = [v.number for v in versions]

    def asked(name: str, default: int | None) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else default

    after = asked("b", numbers[-1] if numbers else None)
    before = asked("a", numbers[-2] if len(numbers) > 1 else after)
    if before is None or after is None:
        raise Http404
    first, second, changes = selectors.compare_versions(
        viewer=viewer, non_paper=non_paper, before=before, after=after
    )
    context = {
        "dialogue": non_paper.dialogue,
        "non_paper": non_paper,
        "versions": versions,
        "first": first,
        "second": second,
        "changes": changes,
        "changed": sum(1 for c in changes if c.kind != "same" or c.moved),
    }
    return render(request, "dialogues/nonpapers/compare.html", context)


def _comment_target(request, dialogue_id: int, non_paper_id: int, number: int):
    viewer = viewer_of(request)
    non_paper = selectors.non_paper_for(
        viewer=viewer, dialogue_id=dialogue_id, non_paper_id=non_paper_id
    )
    version = selectors.version_for(viewer=viewer, non_paper=non_paper, number=number)
    return viewer, non_paper, version


@require_POST
@login_required
def comment_create(request, dialogue_id: int, non_paper_id: int, number: int, paragraph_id: int):
    viewer, non_paper, version = _comment_target(request, dialogue_id, non_paper_id, number)
    side_id = caucus_side_of(viewer, dialogue_id)
    if side_id is None:
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_add(
                version=version,
                paragraph_id=paragraph_id,
                viewer=viewer,
                person=person_of(request.user),
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Your side's comment was added."))
            return redirect(_anchor(non_paper, number, paragraph_id))
    return _version_page(
        request,
        viewer,
        non_paper,
        version,
        comment_form=form,
        form_at=(paragraph_id, side_id),
        status=400,
    )


@require_POST
@login_required
def comment_reply(
    request, dialogue_id: int, non_paper_id: int, number: int, paragraph_id: int, side_id: int
):
    viewer, non_paper, version = _comment_target(request, dialogue_id, non_paper_id, number)
    if not can_plan(viewer, dialogue_id):
        raise Http404
    side = Side.objects.filter(pk=side_id, dialogue_id=dialogue_id).first()
    if side is None:
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_reply(
                version=version,
                paragraph_id=paragraph_id,
                side=side,
                viewer=viewer,
                person=person_of(request.user),
                body=form.cleaned_data["body"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Your reply was added to %(side)s's thread.") % {"side": side.name}
            )
            return redirect(_anchor(non_paper, number, paragraph_id))
    return _version_page(
        request,
        viewer,
        non_paper,
        version,
        comment_form=form,
        form_at=(paragraph_id, side.pk),
        status=400,
    )


def _anchor(non_paper, number: int, paragraph_id: int) -> str:
    url = reverse("dialogues:non_paper_version", args=[non_paper.dialogue_id, non_paper.pk, number])
    return f"{url}#p-{paragraph_id}"
