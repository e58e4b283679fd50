"""The reference pages: what a plain Django view of the same page would do. The reader is signed
in (the same session and middleware as Trackii's pages); a membership check per page (one query);
plain ``select_related`` / ``prefetch_related`` queries for the rows Trackii's page shows the
benchmark's readers (who may see every row there, ``bench/pages_data.py``); the audit trail's one
insert through the same middleware (``trackii.audit.reads``). Dates, sizes and level badges are
formatted here with Django's own functions (each level's badge once), as a view written for speed
would; the template only places them."""

import zoneinfo
from collections import defaultdict
from datetime import UTC, datetime

from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils import dateformat
from django.utils.html import format_html
from django.views.decorators.http import require_GET

from dialogues.models import Dialogue, Document, PublishedAgendaItem, Session, SessionAttendance
from participants.models import Membership
from trackii.audit import reads

DATE_TIME = "D j M Y, H:i"


class Badges(dict):
    """A level's badge (its markup, as ours), made once per level and request."""

    def __missing__(self, level):
        self[level] = badge = format_html(
            '<span class="level level--{}" title="{}">{}</span>',
            level.audience,
            level.description,
            level.name,
        )
        return badge


def when(start: datetime, end: datetime, zone, *, day_of_end: bool) -> str:
    start, end = start.astimezone(zone), end.astimezone(zone)
    shown_end = dateformat.format(end, DATE_TIME if day_of_end else "H:i")
    return format_html(
        '<time datetime="{}">{}</time>\u2013<time datetime="{}">{}</time> {}',
        start.isoformat(),
        dateformat.format(start, DATE_TIME),
        end.isoformat(),
        shown_end,
        start.tzname(),
    )


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
    badges, zone = Badges(), zoneinfo.ZoneInfo(session.time_zone)
    session.badge = badges[session.level]
    session.when = when(session.start, session.end, zone, day_of_end=True)
    titles = {}
    for item in items:
        titles[item.source_id] = item.title
        item.badge = badges[item.level]
        item.when = when(item.start, item.end, zone, day_of_end=False)
    kinds = {value: str(label) for value, label in Document.Kind.choices}
    papers = list(
        Document.objects.filter(session=session)
        .select_related("level")
        .order_by("kind", "title", "id")
    )
    for paper in papers:
        paper.item_title = titles.get(paper.agenda_item_id, "")
        paper.kind_shown = kinds[paper.kind]
        paper.badge = badges[paper.level]
        paper.size_shown = filesizeformat(paper.size)
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
    badges = Badges()
    for dialogue in dialogues:
        reads.note_listed(dialogue, dialogue_id=dialogue.pk)
        for session in dialogue.listed_sessions:
            zone = zoneinfo.ZoneInfo(session.time_zone)
            session.badge = badges[session.level]
            session.when = when(session.start, session.end, zone, day_of_end=True)
            start = session.start.astimezone(zone)
            session.starts = format_html(
                '<time datetime="{}">{}</time> {}',
                start.isoformat(),
                dateformat.format(start, DATE_TIME),
                start.tzname(),
            )
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
