"""Months as a timeline shows them: a month named in an address (``2027-01``), its weeks
(Monday first), and the days each session falls on in its venue's time zone. Pure functions
over rows already fetched: they cost no queries."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.utils import formats
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

from ..models import Session

# A month in an address: four-digit year, two-digit month.
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# Years a timeline opens: a day either side of any of their months is still a date.
FIRST_YEAR, LAST_YEAR = date.min.year + 1, date.max.year - 1
# Monday first, as in the United Kingdom (and ISO 8601).
WEEK = calendar.Calendar(firstweekday=calendar.MONDAY)
# The weekdays' column headers, Monday first: (abbreviation, full name).
WEEKDAY_NAMES = tuple((WEEKDAYS_ABBR[n], WEEKDAYS[n]) for n in WEEK.iterweekdays())


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, value: str | None) -> Month | None:
        """``2027-01`` -> January 2027; None for anything else (a month that does not exist,
        a year a timeline does not open)."""
        found = _MONTH.fullmatch(value or "")
        if found is None:
            return None
        year, month = int(found[1]), int(found[2])
        if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
            return None
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    @property
    def previous(self) -> Month | None:
        month = Month.of(self.first_day - timedelta(days=1))
        return month if month.year >= FIRST_YEAR else None

    @property
    def following(self) -> Month | None:
        month = Month.of(self.last_day + timedelta(days=1))
        return month if month.year <= LAST_YEAR else None

    @property
    def key(self) -> str:
        """How an address names it: ``2027-01``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """How a page names it: ``January 2027`` (in the reader's language, as it writes a month
        and its year)."""
        return formats.date_format(self.first_day, "YEAR_MONTH_FORMAT")

    def moments(self) -> tuple[datetime, datetime]:
        """Moments (UTC) between which every session falling on a day of the month, in
        whatever zone its venue is, starts before the second and ends after the first: the
        month's days widened by a day either side (zones lie within a day of UTC)."""
        since = datetime.combine(self.first_day - timedelta(days=1), time.min, tzinfo=UTC)
        until = datetime.combine(self.last_day + timedelta(days=2), time.min, tzinfo=UTC)
        return since, until


def month_to_open(next_start: date | None, *, today: date) -> Month:
    """The month a month view opens on: that of the next session (``next_start``: the day it
    starts, in its venue's zone), unless it began before this month (``today``'s) or there is
    none: then this month."""
    this_month = Month.of(today)
    return this_month if next_start is None else max(this_month, Month.of(next_start))


def is_ahead(session: Session, *, now: datetime) -> bool:
    """Whether the session counts as the next one: it has not ended and is not called off."""
    return session.end > now and session.status != Session.Status.CANCELLED


def session_days(session: Session) -> tuple[date, date]:
    """The first and last day of the session in its venue's time zone. A session that ends at
    midnight ends on the day before."""
    zone = session.tz
    start = session.start.astimezone(zone)
    end = session.end.astimezone(zone)
    last = (end - timedelta(microseconds=1)).date()
    return start.date(), max(start.date(), last)


def start_month(session: Session) -> Month:
    """The month in which the session starts, in its venue's time zone."""
    return Month.of(session.start.astimezone(session.tz).date())


@dataclass(frozen=True)
class DayEntry:
    """A session on one of its days: whether it starts or ends that day."""

    session: Session
    starts: bool
    ends: bool

    @property
    def cancelled(self) -> bool:
        return self.session.status == Session.Status.CANCELLED

    @property
    def draft(self) -> bool:
        return self.session.status == Session.Status.DRAFT


@dataclass(frozen=True)
class Day:
    date: date
    in_month: bool
    today: bool
    entries: tuple[DayEntry, ...]


@dataclass(frozen=True)
class MonthGrid:
    """A month as a table: its weeks (Monday to Sunday; the days of the weeks that lie in the
    months before and after are there, not ``in_month``, and list nothing)."""

    month: Month
    weeks: tuple[tuple[Day, ...], ...]
    weekdays: tuple[tuple[str, str], ...] = WEEKDAY_NAMES

    @property
    def has_sessions(self) -> bool:
        return any(day.entries for week in self.weeks for day in week)


def month_grid(month: Month, sessions: Iterable[Session], *, today: date) -> MonthGrid:
    """The month's weeks, each day of the month listing the sessions that fall on it, in the
    order given (by start): a session of several days on each of them."""
    on: dict[date, list[DayEntry]] = {}
    for session in sessions:
        first, last = session_days(session)
        day = max(first, month.first_day)
        while day <= min(last, month.last_day):
            on.setdefault(day, []).append(DayEntry(session, day == first, day == last))
            day += timedelta(days=1)
    weeks = tuple(
        tuple(
            Day(
                date=day,
                in_month=Month.of(day) == month,
                today=day == today,
                entries=tuple(on.get(day, ())) if Month.of(day) == month else (),
            )
            for day in week
        )
        for week in WEEK.monthdatescalendar(month.year, month.month)
    )
    return MonthGrid(month=month, weeks=weeks)


@dataclass(frozen=True)
class MonthOfSessions:
    """One month of a list of sessions: the sessions that start in it, by start."""

    month: Month
    sessions: tuple[Session, ...]


def by_month(sessions: Iterable[Session]) -> list[MonthOfSessions]:
    """Sessions grouped by the month each starts in, in its venue's zone, months in order and
    sessions in the order given (by start). Two venues' zones may put a later start in an
    earlier month: each still goes to its own."""
    groups: dict[Month, list[Session]] = {}
    for session in sessions:
        groups.setdefault(start_month(session), []).append(session)
    return [MonthOfSessions(month, tuple(groups[month])) for month in sorted(groups)]
