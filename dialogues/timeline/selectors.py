"""Reads for the timelines. A dialogue's: its sessions the viewer may see in one month
(``dialogues.selectors.sessions_visible_to``, the query built once per grant), and the month to
open on; one query each. The home page's: the sessions of the dialogues it lists, as
``dialogues.selectors.dialogues_listed_for`` fetched them (``visible`` across every grant, in one
query whatever their number, with their levels and dialogues): the home page's timeline reads
nothing more. A session the viewer may not see (a draft, outside the convening team; a
Restricted session they are not named on; a pre-consultation they do not attend; another
dialogue's) is never read."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import QuerySet

from ..confidentiality import Viewer, built_once
from ..models import Dialogue, Session
from ..selectors import sessions_visible_to
from .months import Month, MonthGrid, month_grid, month_to_open


def _of_dialogue(viewer: Viewer, dialogue: Dialogue) -> QuerySet[Session]:
    """The dialogue's sessions the viewer may see (with their levels); the query is built once
    per grant (``built_once``), the month or the time applied to a fresh copy."""
    return built_once(
        viewer,
        dialogue_id=dialogue.pk,
        name="timeline",
        build=lambda: sessions_visible_to(viewer=viewer, dialogue=dialogue),
    )


def dialogue_month(*, viewer: Viewer, dialogue: Dialogue, month: Month, today: date) -> MonthGrid:
    """The dialogue's month, each day listing the sessions the viewer may see on it."""
    since, until = month.moments()
    sessions = _of_dialogue(viewer, dialogue).filter(start__lt=until, end__gt=since)
    return month_grid(month, sessions.order_by("start", "id"), today=today)


def dialogue_opening_month(
    *, viewer: Viewer, dialogue: Dialogue, now: datetime, today: date
) -> Month:
    """The month the dialogue's month view opens on (``months.month_to_open``): the next
    session is asked of the database, as ``months.is_ahead`` tells it."""
    upcoming = (
        _of_dialogue(viewer, dialogue)
        .filter(end__gt=now)
        .exclude(status=Session.Status.CANCELLED)
        .order_by("start", "id")
        .values_list("start", "time_zone")
        .first()
    )
    if upcoming is None:
        return month_to_open(None, today=today)
    start, zone = upcoming
    return month_to_open(start.astimezone(zoneinfo.ZoneInfo(zone)).date(), today=today)


def sessions_of_listed(dialogues: Iterable[Dialogue]) -> list[Session]:
    """The sessions of the dialogues the home page lists (``dialogues_listed_for``: each
    dialogue's ``visible_sessions``, its own set on every session), by start."""
    listed = (
        session
        for dialogue in dialogues
        for session in dialogue.visible_sessions  # type: ignore[attr-defined]
    )
    return sorted(listed, key=lambda session: (session.start, session.pk))
