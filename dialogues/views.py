"""Pages of dialogue content. Thin: a selector reads through the confidentiality module (which
notes what the page shows, for the audit trail: ``trackii.audit.reads``) and the view renders.
Anything not visible answers 404.
The core pages: home, a dialogue's overview and its sessions (two tabs of the dialogue's
workspace), a session's page and the ground rules; each feature's pages are in its own package
(``planning.views``, ``workspace.views``, ``papers.views``...)."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from participants.models import Membership
from participants.selectors import ground_rules_acceptance_of
from participants.services import ground_rules_accept

from . import selectors
from .briefing.selectors import packs_awaiting_approval
from .confidentiality import Viewer, can_plan, can_record, viewer_of
from .http import isolated
from .models import Dialogue
from .outbound.selectors import outbound_requests_to_confirm
from .outcomes.selectors import outcomes_shown_with_records, outcomes_visible_to
from .planning.selectors import unpublished_changes_of
from .timeline.views import dialogue_timeline, home_timeline
from .workspace.selectors import roster_to_do

# A dialogue's context or ground rules longer than this (characters) are folded on its overview,
# so the overview stays short.
FOLD = 600


@require_GET
@login_required
def home(request):
    viewer = viewer_of(request)
    dialogues = selectors.dialogues_listed_for(viewer=viewer)
    pending = selectors.ground_rules_pending_listed(user=request.user)
    context = {
        "dialogues": dialogues,
        "pending_rules": pending,
        "timeline": home_timeline(request, dialogues=dialogues),
    }
    return render(request, "dialogues/home.html", context)


def _posted_version(value: str | None) -> int:
    """The version the page showed; anything but a number counts as none (0), which the service
    refuses as "the ground rules changed"."""
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _language_entry(code: str) -> dict[str, str]:
    """A language as the ground rules' page names it: its code and its own name."""
    return {"code": code, "name": dict(settings.LANGUAGES).get(code, code)}


@login_required
@require_http_methods(["GET", "POST"])
def ground_rules(request, dialogue_id: int):
    """A member reads and accepts the dialogue's ground rules; until then they see nothing
    else of it. Anyone else: 404. Viewing as a member, the member's page, which only they
    accept."""
    viewer = viewer_of(request)
    membership = selectors.ground_rules_membership(
        user=request.user, viewer=viewer, dialogue_id=dialogue_id
    )
    dialogue = membership.dialogue
    error = None
    # The text in the reader's language, or in another the team wrote that they ask for, else
    # the main language's, said so.
    own = translation.get_language() or settings.LANGUAGE_CODE
    asked = request.POST.get("language") or request.GET.get("language") or ""
    wanted = asked if asked in dialogue.ground_rules_languages() else own
    text, text_language = dialogue.ground_rules_in(wanted)
    if request.method == "POST" and viewer.viewing_as is not None:
        raise PermissionDenied("Only the member accepts their ground rules.")
    if request.method == "POST":
        try:
            ground_rules_accept(
                membership=membership,
                version=_posted_version(request.POST.get("version")),
                language=text_language,
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("Thank you: you accepted the ground rules."))
            return redirect("dialogues:dialogue_detail", dialogue.pk)
    context = {
        "dialogue": dialogue,
        "error": error,
        "text": text,
        "text_language": _language_entry(text_language),
        # Their language has no text of its own: they read the main language's (said so).
        "fallback_from": _language_entry(own) if text_language != wanted else None,
        "other_languages": [
            _language_entry(code)
            for code in dialogue.ground_rules_languages()
            if code != text_language
        ],
        # Asked only of those who have not accepted this version; the convening team writes them.
        "accepted": ground_rules_acceptance_of(membership),
        "writes_them": membership.role in Membership.CONVENING_ROLES,
    }
    return render(request, "dialogues/ground_rules.html", context)


@dataclass(frozen=True)
class ToDo:
    """One line of the convening team's "What needs action": where it is done, and how many."""

    label: str
    count: int
    url: str


def _what_needs_action(viewer: Viewer, dialogue: Dialogue) -> list[ToDo]:
    """For the convening team, each feature's count of what waits for them, as far as this
    viewer may see it (a session or an agenda item above their sight is not counted). Composed
    here, above the features, which do not import each other. A constant number of queries."""
    roster = reverse("dialogues:roster", args=[dialogue.pk])
    waiting = roster_to_do(dialogue=dialogue)
    todos = [
        ToDo(_("Nominees awaiting vetting"), waiting.nominated, f"{roster}?state=nominated"),
        ToDo(_("Invitations sent, not yet accepted"), waiting.invited, f"{roster}?state=invited"),
        ToDo(_("Members who have not accepted the ground rules"), waiting.rules_pending, roster),
    ]
    for pending in unpublished_changes_of(viewer=viewer, dialogue=dialogue):
        session = pending.session
        todos.append(
            ToDo(
                isolated(_("Agenda changes not yet published in “%(title)s”"), title=session.title),
                len(pending.changes),
                reverse("dialogues:agenda_edit", args=[dialogue.pk, session.pk]),
            )
        )
    todos.append(
        ToDo(
            _("Briefing packs awaiting approval"),
            packs_awaiting_approval(dialogue=dialogue),
            reverse("dialogues:pack_list", args=[dialogue.pk]),
        )
    )
    todos.append(
        ToDo(
            _("Requests awaiting your confirmation: raising what may leave Trackii"),
            len(outbound_requests_to_confirm(viewer=viewer, dialogue=dialogue)),
            reverse("dialogues:dialogue_edit", args=[dialogue.pk]) + "#outbound-h",
        )
    )
    return [todo for todo in todos if todo.count]


@require_GET
@login_required
def dialogue_detail(request, dialogue_id: int):
    """The dialogue's overview: its facts, the next session and, for the convening team, what
    needs action."""
    viewer = viewer_of(request)
    dialogue = selectors.dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    planning = can_plan(viewer, dialogue.pk)
    rules, rules_language = dialogue.ground_rules_in(translation.get_language() or "")
    context = {
        "dialogue": dialogue,
        "can_plan": planning,
        "sides": list(dialogue.sides.all()),
        "context_folded": len(dialogue.context) > FOLD,
        "rules": rules,
        "rules_language": rules_language,
        "rules_folded": len(rules) > FOLD,
        "next_session": selectors.next_session_for(viewer=viewer, dialogue=dialogue),
        "todos": _what_needs_action(viewer, dialogue) if planning else None,
    }
    return render(request, "dialogues/dialogue_detail.html", context)


@require_GET
@login_required
def session_list(request, dialogue_id: int):
    """The dialogue's sessions the viewer may see (its Sessions tab), as a list or, with
    ``?view=month``, a month (``dialogues.timeline``)."""
    viewer = viewer_of(request)
    dialogue = selectors.dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    context = {
        "dialogue": dialogue,
        "can_plan": can_plan(viewer, dialogue.pk),
        "sessions": selectors.sessions_visible_to(viewer=viewer, dialogue=dialogue),
        "timeline": dialogue_timeline(request, viewer=viewer, dialogue=dialogue),
    }
    return render(request, "dialogues/session_list.html", context)


@require_GET
@login_required
def session_detail(request, dialogue_id: int, session_id: int):
    viewer = viewer_of(request)
    session = selectors.session_for(viewer=viewer, dialogue_id=dialogue_id, session_id=session_id)
    recording = can_record(viewer, dialogue_id)
    outcomes = (
        outcomes_shown_with_records(viewer=viewer, session=session)
        if recording
        else outcomes_visible_to(viewer=viewer, session=session)
    )
    published_items = list(selectors.published_agenda_visible_to(viewer=viewer, session=session))
    context = {
        "dialogue": session.dialogue,
        "session": session,
        "can_plan": can_plan(viewer, dialogue_id),
        "published_items": published_items,
        "attendees": selectors.attendees_visible_to(viewer=viewer, session=session),
        "documents": selectors.session_papers_for(
            viewer=viewer, session=session, published_items=published_items
        ),
        "outcomes": outcomes,
        "can_record": recording,
    }
    return render(request, "dialogues/session_detail.html", context)
