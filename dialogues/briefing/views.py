"""Briefing packs: the convening team requests, follows, reviews and releases them and keeps the
distribution register; an official opens their copy through a personal link, without an
account. Everything but the link pages is for the dialogue's convening team (404 otherwise)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trackii.audit.reads import polled
from trackii.lists import page_of

from .. import selectors
from ..confidentiality import can_read_copy, noted
from ..forms import add_service_error
from ..http import convening_team_only, private_file_response
from . import services
from .exports import briefing_pack_filename
from .forms import NonPaperVersionChoiceForm, PackRequestForm, PacksFilterForm, ReviewForm
from .selectors import (
    copy_for,
    downloads_of,
    guard_findings_of,
    ideas_carried,
    non_paper_version_to_send,
    officials_to_brief,
    pack_for,
    pack_name,
    pack_non_paper_seen,
    packs_listed,
)


def _pack_url(pack) -> str:
    return reverse("dialogues:pack_detail", args=[pack.dialogue_id, pack.pk])


@require_GET
@convening_team_only
def pack_list(request, dialogue, viewer):
    filters = PacksFilterForm(request.GET)
    chosen = filters.values()
    packs = page_of(
        request,
        packs_listed(
            viewer=viewer, dialogue=dialogue, state=chosen["state"], ordering=filters.ordering
        ),
    )
    listed = list(packs.object_list)
    for pack in listed:
        pack.name = pack_name(pack, viewer=viewer)
    context = {
        "dialogue": dialogue,
        "packs": listed,
        "page_obj": packs,
        "filters": filters,
        "sort": chosen["sort"],
    }
    return render(request, "dialogues/briefing/pack_list.html", context)


def _non_paper_choice(request, viewer, dialogue):
    """The non-paper version the pack is to send (``?non_paper_version=`` on the page, a hidden
    field of its form): (None, None) if none is named, 404 unless it is a circulated version the
    viewer may read."""
    given = request.POST if request.method == "POST" else request.GET
    if "non_paper_version" not in given:
        return None, None
    choice = NonPaperVersionChoiceForm(given)
    if not choice.is_valid():
        raise Http404
    version = non_paper_version_to_send(
        viewer=viewer, dialogue=dialogue, version_id=choice.cleaned_data["non_paper_version"]
    )
    return version, choice


@require_http_methods(["GET", "POST"])
@convening_team_only
def pack_request(request, dialogue, viewer):
    posted = request.POST if request.method == "POST" else None
    version, choice = _non_paper_choice(request, viewer, dialogue)
    officials = officials_to_brief(viewer=viewer, dialogue=dialogue)
    form = PackRequestForm(
        posted,
        sessions=selectors.sessions_visible_to(viewer=viewer, dialogue=dialogue),
        officials=officials,
        non_paper=version is not None,
    )
    if posted is not None and form.is_valid():
        try:
            pack = services.pack_request(
                dialogue=dialogue,
                viewer=viewer,
                requested_by=request.user,
                officials=list(form.cleaned_data["officials"]),
                sessions=form.cleaned_data.get("sessions", ()),
                note=form.cleaned_data["note"],
                non_paper_version=version,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The pack was requested."))
            return redirect(_pack_url(pack))
    context = {
        "dialogue": dialogue,
        "form": form,
        "no_officials": not officials.exists(),
        "non_paper_version": version,
        "choice": choice,
    }
    return render(request, "dialogues/briefing/pack_request.html", context)


def _detail_context(request, viewer, dialogue, pack):
    copies = list(pack.copies.all())
    downloads = downloads_of(pack=pack)
    carried = ideas_carried(pack=pack, viewer=viewer)
    for copy in copies:
        copy.downloads = downloads.get(copy.pk, [])
        copy.ideas_carried = carried.get(copy.pk, [])
        copy.pack = pack  # the same object: no query per copy
        copy.readable = can_read_copy(viewer, copy)
    blockers = services.release_blockers(pack, by=request.user)
    if pack.non_paper_version_id:
        pack.non_paper_seen = pack_non_paper_seen(pack, viewer=viewer)
    return {
        "dialogue": dialogue,
        "pack": pack,
        "copies": copies,
        "blockers": blockers,
        "stale": str(services.CHANGED_SINCE_RENDER) in blockers,
        "four_eyes": settings.BRIEFING_FOUR_EYES,
        "review_form": ReviewForm(),
        "findings": guard_findings_of(pack=pack, viewer=viewer),
        # A pack sending a non-paper is called by it (its title only if the viewer may see it).
        "name": pack_name(pack, viewer=viewer) if pack.non_paper_version_id else "",
    }


@require_GET
@never_cache
@polled  # the status partial, every two seconds while copies render
@convening_team_only
def pack_detail(request, pack_id: int, dialogue, viewer):
    pack = pack_for(dialogue=dialogue, pack_id=pack_id)
    template = (
        "dialogues/briefing/_pack_status.html"
        if request.htmx
        else "dialogues/briefing/pack_detail.html"
    )
    return render(request, template, _detail_context(request, viewer, dialogue, pack))


def _act(request, dialogue, pack_id: int, action, done: str):
    pack = pack_for(dialogue=dialogue, pack_id=pack_id)
    try:
        action(pack)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, done)
    return redirect(_pack_url(pack))


@require_POST
@convening_team_only
def pack_render_again(request, pack_id: int, dialogue, viewer):
    failed_only = request.POST.get("failed_only") == "1"
    return _act(
        request,
        dialogue,
        pack_id,
        lambda pack: services.pack_render_again(
            pack=pack, by=request.user, failed_only=failed_only
        ),
        _("The copies were queued again."),
    )


@require_POST
@convening_team_only
def pack_review(request, pack_id: int, dialogue, viewer):
    form = ReviewForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _act(
        request,
        dialogue,
        pack_id,
        lambda pack: services.pack_review(pack=pack, by=request.user, reason=reason),
        _("Your review was recorded."),
    )


@require_POST
@convening_team_only
def pack_release(request, pack_id: int, dialogue, viewer):
    return _act(
        request,
        dialogue,
        pack_id,
        lambda pack: services.pack_release(pack=pack, by=request.user),
        _("The pack was released: each recipient was sent their personal link."),
    )


def _copy_action(request, dialogue, pack_id, copy_id, action, done):
    def run(pack):
        action(copy_for(pack=pack, copy_id=copy_id))

    return _act(request, dialogue, pack_id, run, done)


@require_POST
@convening_team_only
def copy_link_revoke(request, pack_id: int, copy_id: int, dialogue, viewer):
    return _copy_action(
        request,
        dialogue,
        pack_id,
        copy_id,
        lambda copy: services.copy_link_revoke(copy=copy, by=request.user),
        _("The link was revoked: it no longer opens the copy."),
    )


@require_POST
@convening_team_only
def copy_link_issue(request, pack_id: int, copy_id: int, dialogue, viewer):
    return _copy_action(
        request,
        dialogue,
        pack_id,
        copy_id,
        lambda copy: services.copy_link_issue(copy=copy, by=request.user),
        _("A new link was sent; the old one no longer works."),
    )


def _pdf_response(copy):
    return private_file_response(
        copy.file, filename=briefing_pack_filename(copy), content_type="application/pdf"
    )


@require_GET
@convening_team_only
def copy_download(request, pack_id: int, copy_id: int, dialogue, viewer):
    pack = pack_for(dialogue=dialogue, pack_id=pack_id)
    copy = copy_for(pack=pack, copy_id=copy_id)
    if copy.state != copy.State.READY or not can_read_copy(viewer, copy):
        raise Http404
    return _pdf_response(copy)


# -- the official's link -----------------------------------------------------------------------


def _linked_copy(token: str):
    """The copy a link opens (404 otherwise), noted for the audit trail as read through the link
    (by its id: never the token)."""
    copy = services.copy_by_token(token)
    if copy is None:
        raise Http404
    return noted(
        copy, dialogue_id=copy.pack.dialogue_id, via="link", pack=copy.pack_id, number=copy.number
    )


@require_GET
@never_cache
def pack_link(request, token: str):
    """The page a recipient's link opens: what it is, and the download. No account needed; an
    invalid, expired or revoked link answers 404."""
    copy = _linked_copy(token)
    response = render(request, "dialogues/briefing/pack_link.html", {"copy": copy, "token": token})
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def pack_link_download(request, token: str):
    response = _pdf_response(_linked_copy(token))
    response["Referrer-Policy"] = "no-referrer"
    return response
