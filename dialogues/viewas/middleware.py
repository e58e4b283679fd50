"""The view-as mode, held for every request of a session in it (``selectors.SESSION_KEY``).

Each request, the mode is asked again (``confidentiality.view_as_for_request``): if the account
may no longer view as the member, it ends (audited) and the request goes to the home page. Else
the request's viewer is the intersection of the two, every read it records names the member
(``trackii.audit.reads.viewing_as``), and only this answers:

- a GET (or HEAD) of one of the dialogue's reading pages (``READING_PAGES``), as both may see
  it; the home page leads to the dialogue (``selectors.landing``);
- the POST that stops the mode, and signing out (which ends the session, and the mode with it).

Anything else is refused (403, with a page that says why, nothing done): every other method
(no form is sent, nothing is written, no ground rules accepted), every download (papers, agenda
PDFs, pack copies, calendar feeds: refused by name, and any answer that is a file anyway), and
every other page (another dialogue's, the account's: its calendar address and links are secrets,
the staff's, a form's). Comes after the authentication, the sign-in clock and the MFA rule, and
after the read audit, which then records what this middleware lets through, never a refusal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trackii.audit import reads

from ..confidentiality import view_as_for_request
from . import selectors, services

# The pages read in the mode (GET only, of the dialogue viewed): what a member reads, and the
# convening team's lists, as both may see them. Their forms are hidden (``view_as`` in the
# templates' context) and refused here anyway.
READING_PAGES = frozenset(
    {
        "dialogues:dialogue_detail",
        "dialogues:sessions",
        "dialogues:session_detail",
        "dialogues:ground_rules",
        "dialogues:documents",
        "dialogues:outcomes",
        "dialogues:ideas",
        "dialogues:idea_detail",
        "dialogues:non_papers",
        "dialogues:non_paper_detail",
        "dialogues:non_paper_version",
        "dialogues:non_paper_compare",
        "dialogues:path",
        "dialogues:transfer_detail",
        "dialogues:changes",
        "dialogues:change_detail",
        "dialogues:roster",
        "dialogues:pack_list",
        "dialogues:pack_detail",
    }
)
STOP = "dialogues:view_as_stop"
SIGN_OUT = "account_logout"
# Answers that are files, named for the refusal's reason (any other file is refused too).
DOWNLOADS = frozenset(
    {
        "dialogues:document_download",
        "dialogues:agenda_pdf",
        "dialogues:copy_download",
        "calendar_feed",
        "pack_link_download",
    }
)
READING = ("GET", "HEAD")

WRITE = gettext_lazy(
    "Nothing can be changed, sent or accepted while you view Trackii as someone else."
)
FILE = gettext_lazy("Nothing can be downloaded while you view Trackii as someone else.")
ELSEWHERE = gettext_lazy(
    "Only the pages of this dialogue that its members read can be seen while you view Trackii "
    "as someone else: no other dialogue, no form, no account page."
)


def _is_file(response: HttpResponseBase) -> bool:
    return (
        isinstance(response, FileResponse | StreamingHttpResponse)
        or reads.is_download(response)
        or response.has_header("X-Accel-Redirect")
        or (
            response.status_code == 200
            and not response.get("Content-Type", "").startswith("text/html")
        )
    )


@receiver(user_logged_out, dispatch_uid="trackii.view_as_end_at_sign_out")
def _end_at_sign_out(sender, request, user, **kwargs):
    # Signing out (or the sign-in clock running out) ends the session, and the mode with it:
    # recorded as it ends, while the session still says whom it viewed as.
    if request is not None and hasattr(request, "session"):
        services.view_as_stop(request=request, reason="ended: signed out")


def refused(request, reason: str):
    """The refusal: 403, a page saying why (with the banner and its Stop button)."""
    return render(request, "dialogues/viewas/refused.html", {"reason": reason}, status=403)


class ViewAsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        held = selectors.mode_in(request.session) if request.user.is_authenticated else None
        if held is None:
            return self.get_response(request)
        dialogue_id, membership_id = held
        viewer = view_as_for_request(request, dialogue_id=dialogue_id, membership_id=membership_id)
        mode = selectors.mode_of(viewer) if viewer is not None else None
        if viewer is None or mode is None:
            services.view_as_stop(request=request, reason="ended: no longer allowed")
            messages.info(request, _("Viewing Trackii as someone else ended: no longer allowed."))
            return redirect("home")
        request.trackii_view_as = mode
        reads.viewing_as(membership_id=membership_id, person_id=mode.viewing.person_id)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)  # the "not found" page, with the banner
        name = match.view_name
        if name in (STOP, SIGN_OUT):
            return self.get_response(request)
        if request.method not in READING:
            return refused(request, WRITE)
        if name == "home":
            return redirect(selectors.landing(viewer))
        if name in DOWNLOADS:
            return refused(request, FILE)
        if name not in READING_PAGES or match.kwargs.get("dialogue_id") != dialogue_id:
            return refused(request, ELSEWHERE)
        response = self.get_response(request)
        if _is_file(response):  # a reading page that answered with a file: never in this mode
            response.close()
            return refused(request, FILE)
        return response
