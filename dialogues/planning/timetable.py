"""The timetable: a session's working agenda on a time grid, a column per day of the session (and,
on a day where rooms run in parallel, a column per room), in 15-minute rows, in the venue's time
zone. Pure layout over items the editor has already fetched (through the confidentiality
module): no query here.

The grid is placed by classes (``tt-col-N``, ``tt-row-N``, ``tt-span-N`` in the stylesheet), not
by inline style, which the CSP forbids; the editor's script reads the same numbers from data
attributes to drag an item, and posts the times it computes to the server, which decides."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ..models import AgendaItem, Session

SLOT_MINUTES = 15
# The grid shows at least this window of each day, and widens to the hour around every item.
DAY_FROM = time(8, 0)
DAY_TO = time(18, 0)
MAX_COLUMNS = 40  # as many as the stylesheet places (tt-col-1 .. tt-col-40)
MAX_ROWS = 24 * 60 // SLOT_MINUTES  # a whole day (tt-row-1 .. 96, tt-span-1 .. 96)


@dataclass(frozen=True)
class Column:
    number: int  # 1-based: the stylesheet's tt-col-N
    day: date
    room: str | None  # None: the whole day (no rooms in parallel that day)
    first_of_day: bool


@dataclass(frozen=True)
class Placed:
    item: AgendaItem
    column: Column
    row: int  # 1-based: tt-row-N
    span: int  # rows: tt-span-N
    clashes: tuple[AgendaItem, ...] = ()
    starts_before: bool = False  # cut at the top of the grid (before its first row)
    ends_after: bool = False  # cut at the bottom (after its last row, or after midnight)


@dataclass(frozen=True)
class Hour:
    row: int
    label: str


@dataclass
class Timetable:
    zone: str
    first: time  # the time of the grid's first row
    rows: int
    columns: list[Column]
    hours: list[Hour]
    placed: list[Placed] = field(default_factory=list)
    untimed: list[AgendaItem] = field(default_factory=list)
    outside: list[AgendaItem] = field(default_factory=list)  # on no day of the grid

    @property
    def days(self) -> list[tuple[date, int]]:
        """Each day with how many columns it has (its header spans them)."""
        counts: dict[date, int] = {}
        for column in self.columns:
            counts[column.day] = counts.get(column.day, 0) + 1
        return list(counts.items())


def _local(value: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    return value.astimezone(zone)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _rooms_in_parallel(items: list[tuple[AgendaItem, datetime, datetime]]) -> list[str]:
    """The rooms of one day's items, in order of first use, if two items in different rooms
    overlap in time (else none: the day is one column)."""
    parallel = False
    for n, (a, a_start, a_end) in enumerate(items):
        for b, b_start, b_end in items[n + 1 :]:
            rooms = {a.room.strip().casefold(), b.room.strip().casefold()}
            if len(rooms) == 2 and a_start < b_end and b_start < a_end:
                parallel = True
    if not parallel:
        return []
    seen: dict[str, str] = {}
    for item, _start, _end in sorted(items, key=lambda t: (t[1], t[0].order, t[0].pk)):
        seen.setdefault(item.room.strip().casefold(), item.room.strip())
    return list(seen.values())


def session_days(session: Session) -> list[date]:
    """The session's days in the venue's zone, first to last (at most ``MAX_COLUMNS``)."""
    zone = zoneinfo.ZoneInfo(session.time_zone)
    first = _local(session.start, zone).date()
    last = _local(session.end, zone).date()
    count = min((last - first).days + 1, MAX_COLUMNS)
    return [first + timedelta(days=n) for n in range(max(count, 1))]


def timetable_of(
    session: Session, items: list[AgendaItem], clashes: dict[int, list[AgendaItem]]
) -> Timetable:
    """Where each of ``items`` sits on the session's grid; items without a time, and items on
    no day of the session (which the services no longer allow), listed apart."""
    zone = zoneinfo.ZoneInfo(session.time_zone)
    days = session_days(session)
    timed: dict[date, list[tuple[AgendaItem, datetime, datetime]]] = {}
    untimed, outside = [], []
    for item in items:
        if not item.start:
            untimed.append(item)
            continue
        start = _local(item.start, zone)
        end = _local(item.end, zone) if item.end else start + timedelta(minutes=SLOT_MINUTES)
        if start.date() not in days:
            outside.append(item)
            continue
        timed.setdefault(start.date(), []).append((item, start, end))

    # The window: 08:00-18:00 at least, widened to the whole hours around every item.
    first, last = _minutes(DAY_FROM), _minutes(DAY_TO)
    for entries in timed.values():
        for _item, start, end in entries:
            first = min(first, start.hour * 60)
            same_day = end.date() == start.date()
            end_minute = _minutes(end.time()) if same_day else 24 * 60
            last = max(last, min(24 * 60, -(-end_minute // 60) * 60))
    rows = (last - first) // SLOT_MINUTES

    columns: list[Column] = []
    by_day_room: dict[tuple[date, str | None], Column] = {}
    for day in days:
        rooms = _rooms_in_parallel(timed.get(day, []))
        for n, room in enumerate(rooms or [None]):
            if len(columns) >= MAX_COLUMNS:
                break
            column = Column(len(columns) + 1, day, room, n == 0)
            columns.append(column)
            by_day_room[(day, room.casefold() if room is not None else None)] = column

    placed = []
    for day in days:
        for item, start, end in sorted(
            timed.get(day, []), key=lambda t: (t[1], t[0].order, t[0].pk)
        ):
            key = item.room.strip().casefold()
            column = by_day_room.get((day, key)) or by_day_room.get((day, None))
            if column is None:
                column = next(c for c in columns if c.day == day)
            begin = _minutes(start.time()) - first
            finish = (_minutes(end.time()) if end.date() == day else 24 * 60) - first
            row = max(begin // SLOT_MINUTES, 0) + 1
            span = max(min(-(-finish // SLOT_MINUTES), rows) - row + 1, 1)
            placed.append(
                Placed(
                    item,
                    column,
                    row,
                    span,
                    tuple(clashes.get(item.pk, ())),
                    starts_before=begin < 0,
                    ends_after=end.date() != day,
                )
            )
    hours = [
        Hour(
            row=(minute - first) // SLOT_MINUTES + 1,
            label=f"{minute // 60:02d}:00",
        )
        for minute in range(first, last, 60)
    ]
    return Timetable(
        zone=session.time_zone,
        first=time(first // 60, first % 60),
        rows=rows,
        columns=columns,
        hours=hours,
        placed=placed,
        untimed=untimed,
        outside=outside,
    )
