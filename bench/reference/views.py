"""The reference pages: what a plain Django view of the same page would do. The reader is signed
in (the same session and middleware as Trackii's pages); a membership check per page (one query);
plain ``select_related`` / ``prefetch_related`` queries for the rows Trackii's page shows the
benchmark's readers (who may see every row there, ``bench/pages_data.py``); the audit trail's one
insert through the same middleware (``trackii.audit.reads``); one template, with Django's own
filters only."""

from collections import defaultdict
from datetime import UTC, datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dialogues.models import Dialogue, Document, PublishedAgendaItem, Session, SessionAttendance
from participants.models import Membership
from trackii.audit import reads


@require_GET
@login_required
def session_page(request, dialogue_id: int, session_id: int):
    if not Membership.objects.filter(
        person__user=request.user, dialogue_id=dialogue_id, state=Membership.State.ACCEPTED
    ).exists():
        raise Http404
    try:
        session = Session.objects.select_related("dialogue", "level").get(
            pk=session_id, dialogue_id=dialogue_id
        )
    except Session.DoesNotExist:
        raise Http404 from None
    items = list(
        PublishedAgendaItem.objects.filter(
            session=session, version__number=session.published_version
        )
        .select_related("level", "moderator__person")
        .order_by("order", "id")
    )
    titles = {item.source_id: item.title for item in items}
    papers = list(
        Document.objects.filter(session=session)
        .select_related("level")
        .order_by("kind", "title", "id")
    )
    for paper in papers:
        paper.item_title = titles.get(paper.agenda_item_id, "")
    attendees = (
        SessionAttendance.objects.filter(session=session)
        .select_related("membership__person", "membership__side")
        .order_by("membership__side__position", "membership__person__family_name")
    )
    reads.note(session, dialogue_id=dialogue_id)
    context = {"session": session, "items": items, "papers": papers, "attendees": attendees}
    return render(request, "bench_reference/session.html", context)


@require_GET
@login_required
def home(request):
    sessions = Session.objects.select_related("level").order_by("start", "id")
    dialogues = list(
        Dialogue.objects.filter(
            memberships__person__user=request.user,
            memberships__state=Membership.State.ACCEPTED,
        )
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="listed_sessions"))
        .order_by("title")
    )
    months = defaultdict(list)
    now = datetime.now(UTC)
    for dialogue in dialogues:
        reads.note_listed(dialogue, dialogue_id=dialogue.pk)
        for session in dialogue.listed_sessions:
            if session.end > now:
                session.dialogue = dialogue
                months[(session.start.year, session.start.month)].append(session)
    upcoming = []
    for _month, group in sorted(months.items()):
        group.sort(key=lambda session: (session.start, session.pk))
        upcoming.append({"month": group[0].start, "sessions": group})
    return render(
        request, "bench_reference/home.html", {"dialogues": dialogues, "upcoming": upcoming}
    )
