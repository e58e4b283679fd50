"""The timelines' part of two pages: a dialogue's Sessions tab (``dialogues.views.session_list``)
and the home page (``dialogues.views.home``), each asking here for what its timeline shows.

Both pages keep their address; ``?view=month&month=2027-01`` asks for a month (the one of the
next session when none is named, ``forms.TimelineForm``), anything else for the list: on the
Sessions tab its table of sessions (the page's own), on the home page the sessions ahead,
month by month. The reads go through ``selectors`` (the confidentiality module's filters): a
dialogue's month costs one query for its rows, and one more to find the month to open on; the
home page's timeline is drawn from the sessions its list of dialogues already fetched, and costs
none. The audit trail records these pages as before (the dialogue on its tab, the dialogues
listed on the home page): every session a timeline shows belongs to one of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import pgettext

from trackii import timezones

from ..confidentiality import Viewer
from ..models import Dialogue
from .forms import LIST, MONTH, TimelineForm
from .months import (
    Month,
    MonthGrid,
    MonthOfSessions,
    by_month,
    is_ahead,
    month_grid,
    month_to_open,
    session_days,
)
from .selectors import dialogue_month, dialogue_opening_month, sessions_of_listed

# Where the home page's timeline starts: its links come back to it.
HOME_ANCHOR = "#timeline"


@dataclass(frozen=True)
class ViewLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Timeline:
    """What a page's timeline shows: the view, the links to switch views, and either a month
    (with links to the months before and after) or, on the home page's list, the sessions
    ahead by month. ``names_dialogue``: each session says which dialogue it is of."""

    view: str
    links: tuple[ViewLink, ...]
    grid: MonthGrid | None = None
    previous_url: str = ""
    next_url: str = ""
    upcoming: list[MonthOfSessions] | None = None
    names_dialogue: bool = False


def _address(path: str, anchor: str, **query: str) -> str:
    return f"{path}?{urlencode(query)}{anchor}" if query else f"{path}{anchor}"


def _links(path: str, anchor: str, view: str, month: Month | None) -> tuple[ViewLink, ...]:
    shown = {"month": month.key} if month is not None else {}
    return (
        ViewLink(pgettext("timeline view", "List"), _address(path, anchor), view == LIST),
        ViewLink(
            pgettext("timeline view", "Month"),
            _address(path, anchor, view=MONTH, **shown),
            view == MONTH,
        ),
    )


def _month_timeline(path: str, anchor: str, grid: MonthGrid, *, names_dialogue: bool) -> Timeline:
    month = grid.month

    def url(other: Month | None) -> str:
        return "" if other is None else _address(path, anchor, view=MONTH, month=other.key)

    return Timeline(
        view=MONTH,
        links=_links(path, anchor, MONTH, month),
        grid=grid,
        previous_url=url(month.previous),
        next_url=url(month.following),
        names_dialogue=names_dialogue,
    )


def _now() -> tuple[datetime, date]:
    """Now, and today in the reader's time zone (which month is "this month")."""
    now = timezone.now()
    return now, timezones.localised(now, timezones.reader_zone()).date()


def dialogue_timeline(request: HttpRequest, *, viewer: Viewer, dialogue: Dialogue) -> Timeline:
    """The Sessions tab's timeline. Its list is the tab's own table (nothing is read here)."""
    view, month = TimelineForm(request.GET).values()
    if view == LIST:
        return Timeline(view=LIST, links=_links(request.path, "", LIST, None))
    now, today = _now()
    if month is None:
        month = dialogue_opening_month(viewer=viewer, dialogue=dialogue, now=now, today=today)
    grid = dialogue_month(viewer=viewer, dialogue=dialogue, month=month, today=today)
    return _month_timeline(request.path, "", grid, names_dialogue=False)


def home_timeline(request: HttpRequest, *, dialogues: list[Dialogue]) -> Timeline:
    """The home page's timeline, across the dialogues it lists (with the sessions the viewer
    may see of each, ``dialogues.selectors.dialogues_listed_for``)."""
    view, month = TimelineForm(request.GET).values()
    now, today = _now()
    sessions = sessions_of_listed(dialogues)
    if view == LIST:
        return Timeline(
            view=LIST,
            links=_links(request.path, HOME_ANCHOR, LIST, None),
            upcoming=by_month(session for session in sessions if session.end > now),
            names_dialogue=True,
        )
    if month is None:
        ahead = next((session for session in sessions if is_ahead(session, now=now)), None)
        month = month_to_open(session_days(ahead)[0] if ahead else None, today=today)
    grid = month_grid(month, sessions, today=today)
    return _month_timeline(request.path, HOME_ANCHOR, grid, names_dialogue=True)
