"""The personal calendar feed: the sessions and published agenda items an account may see, as
iCalendar, within the outbound rule.

A feed leaves our control (calendar services copy it into their clouds), so it carries nothing
above each dialogue's outbound level: a title above it becomes the dialogue's cover name, and
venue, city, room and description go out only with an object that may leave. The dialogue's own
title never appears. The venue's time zone is itself a clue to where a meeting is held (a
TZID names a city), so it goes out only with an object that may leave; other times go out in UTC.

Cancelled sessions (and their items) stay in the feed marked ``STATUS:CANCELLED``, so a
subscribed calendar shows the cancellation instead of silently keeping or dropping the event;
sessions in draft (seen by the convening team only) are ``TENTATIVE``.

RFC 5545 allows no control characters in a TEXT value but the line break (escaped as ``\\n``)
and the tab; calendar clients refuse or misread a feed that carries others. They are dropped
from every text that goes out (what was typed stays as it is in Trackii).

What Trackii itself writes in it (the default cover name) is in the active language: the feed's
owner's (``views.calendar_feed``; the planner's notices attach entries in each attendee's).
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event

from ..confidentiality import listed, may_leave, outbound_rank, viewer_for_user, visible
from ..models import Dialogue, PublishedAgendaItem, Session

PRODID = "-//Trackii//EN"
CALENDAR_NAME = "Trackii"
CALENDAR_DESCRIPTION = gettext_lazy(
    "Your sessions and agenda items in Trackii. What may not leave Trackii is shown under the "
    "dialogue's cover name."
)

_STATUS = {
    Session.Status.DRAFT: "TENTATIVE",
    Session.Status.PUBLISHED: "CONFIRMED",
    Session.Status.HELD: "CONFIRMED",
    Session.Status.CANCELLED: "CANCELLED",
}


_UTC = zoneinfo.ZoneInfo("UTC")


def _zone(session: Session, *, may_leave: bool) -> zoneinfo.ZoneInfo:
    if not may_leave:
        return _UTC
    try:
        return zoneinfo.ZoneInfo(session.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return _UTC


# C0 controls but tab and line feed, DEL and the C1 controls. CR is handled first: CR LF and a
# lone CR are line breaks.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _text(value: str) -> str:
    """A TEXT value as RFC 5545 allows it: line breaks as LF, no other control character."""
    return _CONTROLS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def _location(*parts: str) -> str:
    return _text(", ".join(part for part in parts if part))


def _summary(dialogue: Dialogue, titled, *, leaves: bool) -> str:
    """``confidentiality.outbound_title``: the title of what may leave, else the dialogue's
    cover name (in the reader's language when it is the default one)."""
    return titled.title if leaves else dialogue.cover_label


class _OutboundRanks:
    """``outbound_rank`` once per dialogue, however many sessions and items it has."""

    def __init__(self) -> None:
        self._ranks: dict[int, int] = {}

    def __call__(self, dialogue: Dialogue) -> int:
        if dialogue.pk not in self._ranks:
            self._ranks[dialogue.pk] = outbound_rank(dialogue)
        return self._ranks[dialogue.pk]


def _event(
    *,
    uid: str,
    session: Session,
    start: datetime,
    end: datetime,
    summary: str,
    stamp: datetime,
    leaves: bool,
) -> Event:
    zone = _zone(session, may_leave=leaves)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(zone))
    event.add("dtend", end.astimezone(zone))
    event.add("summary", _text(summary))
    event.add("status", _STATUS.get(session.status, "CONFIRMED"))
    return event


def calendar_for(*, user, session_id: int | None = None, fetched: bool = False) -> bytes:
    """The account's feed, as iCalendar bytes (one session's events only, with ``session_id``:
    the attachment of an agenda notification). ``fetched``: the feed's own address was fetched,
    and each session it carries (with its agenda) is noted for the audit trail."""
    viewer = viewer_for_user(user)
    ranks = _OutboundRanks()
    stamp = timezone.now()

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    # What the feed is, in its owner's language (the caller renders it in theirs).
    calendar.add("x-wr-caldesc", str(CALENDAR_DESCRIPTION))

    sessions = visible(
        viewer,
        Session.objects.select_related("level", "dialogue__outbound_level").order_by("start", "id"),
    )
    if session_id is not None:
        sessions = sessions.filter(pk=session_id)
    for session in sessions:
        if fetched:
            listed(session, dialogue_id=session.dialogue_id)
        dialogue = session.dialogue
        rank = ranks(dialogue)
        leaves = may_leave(dialogue, session, rank=rank)
        event = _event(
            uid=f"session-{session.pk}@trackii",
            session=session,
            start=session.start,
            end=session.end,
            summary=_summary(dialogue, session, leaves=leaves),
            stamp=stamp,
            leaves=leaves,
        )
        if leaves:
            location = _location(session.venue, session.city)
            if location:
                event.add("location", location)
        calendar.add_component(event)

    # The agenda as published: the current version only (the convening team may see earlier
    # ones, but those are for comparing, not for a calendar).
    items = visible(
        viewer,
        PublishedAgendaItem.objects.filter(
            version__number=F("session__published_version"),
            start__isnull=False,
            end__isnull=False,
        )
        .select_related("level", "session__level", "session__dialogue__outbound_level")
        .order_by("start", "session_id", "order", "id"),
    )
    if session_id is not None:
        items = items.filter(session_id=session_id)
    for item in items:
        session = item.session
        dialogue = session.dialogue
        rank = ranks(dialogue)
        leaves = may_leave(dialogue, session, item, rank=rank)
        event = _event(
            uid=f"item-{session.pk}-{item.source_id or item.pk}@trackii",
            session=session,
            start=item.start,
            end=item.end,
            summary=_summary(dialogue, item, leaves=leaves),
            stamp=stamp,
            leaves=leaves,
        )
        if leaves:
            location = _location(item.room, session.venue, session.city)
            if location:
                event.add("location", location)
            if item.description:
                event.add("description", _text(item.description))
        calendar.add_component(event)

    calendar.add_missing_timezones()
    return calendar.to_ical()
