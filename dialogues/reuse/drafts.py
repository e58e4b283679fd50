"""What reusing an agenda copies, as plain values, and where its times land.

An item to be copied is an ``ItemDraft``: what it says, its level, its moderator (a session's
item only) and its times as ``WallClock`` values: the day of the round (0 is the first day of
the session it comes from, in its venue's zone) and the time of day on the venue's clock. A
template item stores exactly that (``AgendaTemplateItem.day``, ``start_time``, ``end_time``).

``place`` puts drafts on a session's days: day N is the N-th day of that session in *its*
venue's zone, at the same wall-clock time, so a 09:30 opening in Rome on the first day becomes
a 09:30 opening in Amman on the first day of the round there. Each placed item says what would
refuse it (a day the session does not have, a time outside the session, a time the venue's
clocks skip or show twice or an item across that change, as the agenda's own form refuses
them, a level below the session's: material can be narrowed, never widened), so the page shows
it before anyone copies, and the service refuses the copy as a whole. No query is made here:
the callers fetch the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.utils import dateformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.models import Membership
from trackii import timezones

from ..models import AgendaItem, AgendaTemplateItem, ConfidentialityLevel, Session


@dataclass(frozen=True)
class WallClock:
    """A moment of a round as its venue's clock shows it: the day (0: the first) and the time."""

    day: int
    time: time


@dataclass(frozen=True)
class ItemDraft:
    title: str
    description: str
    kind: str
    room: str
    level: ConfidentialityLevel
    start: WallClock | None
    end: WallClock | None
    moderator: Membership | None = None
    # What it is copied from, for the audit trail: ("item", id) or ("template_item", id).
    origin: tuple[str, int] | None = None

    @property
    def names_readers(self) -> bool:
        """At a level for named people only: a template cannot keep it (it names nobody)."""
        return self.level.audience == ConfidentialityLevel.Audience.NAMED


def first_day(session: Session) -> date:
    return session.start.astimezone(session.tz).date()


def days_of(session: Session) -> int:
    """How many calendar days the session covers in its venue's zone."""
    return (session.end.astimezone(session.tz).date() - first_day(session)).days + 1


def wall_clock(moment: datetime, session: Session) -> WallClock:
    local = moment.astimezone(session.tz)
    return WallClock((local.date() - first_day(session)).days, local.time())


def on_days_of(clock: WallClock, session: Session) -> datetime:
    """The moment (UTC) that shows ``clock`` in the session's venue."""
    day = first_day(session) + timedelta(days=clock.day)
    return datetime.combine(day, clock.time, tzinfo=session.tz).astimezone(UTC)


def _stricter(a: ConfidentialityLevel, b: ConfidentialityLevel) -> ConfidentialityLevel:
    return a if a.rank >= b.rank else b


def drafts_of_items(items: list[AgendaItem], session: Session) -> list[ItemDraft]:
    """The session's items (as the caller may see them, ``level``, ``moderator`` loaded) as
    drafts. Each keeps its effective level: its own, or its session's where that is stricter
    (the narrow-only rule keeps them equal or the item's higher)."""
    return [
        ItemDraft(
            title=item.title,
            description=item.description,
            kind=item.kind,
            room=item.room,
            level=_stricter(item.level, session.level),
            start=wall_clock(item.start, session) if item.start else None,
            end=wall_clock(item.end, session) if item.end else None,
            moderator=item.moderator,
            origin=("item", item.pk),
        )
        for item in items
    ]


def drafts_of_template(items: list[AgendaTemplateItem]) -> list[ItemDraft]:
    """A template's items (``level`` loaded) as drafts: an end at or before the start is on the
    next day."""
    drafts = []
    for item in items:
        start = WallClock(item.day, item.start_time) if item.start_time else None
        end = None
        if item.end_time is not None:
            past_midnight = start is not None and item.end_time <= start.time
            end = WallClock(item.day + (1 if past_midnight else 0), item.end_time)
        drafts.append(
            ItemDraft(
                title=item.title,
                description=item.description,
                kind=item.kind,
                room=item.room,
                level=item.level,
                start=start,
                end=end,
                origin=("template_item", item.pk),
            )
        )
    return drafts


def template_slot(draft: ItemDraft) -> dict:
    """The day and times a template keeps of a draft: the day it starts (or ends, if it has no
    start). A slot is a day at most; a longer item keeps its end's time of day only."""
    clock = draft.start or draft.end
    return {
        "day": clock.day if clock else 0,
        "start_time": draft.start.time if draft.start else None,
        "end_time": draft.end.time if draft.end else None,
    }


@dataclass(frozen=True)
class PlacedItem:
    """A draft put on a session's days: its times there (UTC; the pages show them in the
    venue's zone), and the reasons the copy would be refused, if any."""

    draft: ItemDraft
    start: datetime | None
    end: datetime | None
    keeps_moderator: bool
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return self.draft.title

    @property
    def level(self) -> ConfidentialityLevel:
        return self.draft.level

    @property
    def kind_label(self) -> str:
        return str(AgendaItem.Kind(self.draft.kind).label)

    def item_fields(self) -> dict:
        """The fields ``planning.services.agenda_item_create`` takes for it (no readers)."""
        draft = self.draft
        return {
            "title": draft.title,
            "description": draft.description,
            "kind": draft.kind,
            "room": draft.room,
            "level": draft.level,
            "start": self.start,
            "end": self.end,
            "moderator": draft.moderator if self.keeps_moderator else None,
        }


def _shown(moment: datetime, session: Session) -> str:
    return dateformat.format(moment.astimezone(session.tz), timezones.DATE_TIME)


def _clock_problem(title: str, clock: WallClock, session: Session) -> str | None:
    """A wall-clock time the venue's clocks skip or show twice on that day (PEP 495: fold 0
    reads it with the offset before the change, fold 1 after): which moment is meant cannot be
    known, as the agenda's own form says."""
    naive = datetime.combine(first_day(session) + timedelta(days=clock.day), clock.time)
    before = naive.replace(tzinfo=session.tz).utcoffset()
    after = naive.replace(tzinfo=session.tz, fold=1).utcoffset()
    if before == after or before is None or after is None:
        return None
    values = {
        "title": title,
        "time": f"{clock.time:%H:%M}",
        "day": dateformat.format(naive.date(), timezones.DAY),
        "zone": session.time_zone,
    }
    if before > after:
        return _(
            "“%(title)s” would be at %(time)s on %(day)s, which happens twice in %(zone)s."
        ) % (values)
    return (
        _("“%(title)s” would be at %(time)s on %(day)s, which does not exist in %(zone)s.") % values
    )


def _problems(draft: ItemDraft, start, end, session: Session) -> tuple[str, ...]:
    problems = []
    title = draft.title
    if draft.level.rank < session.level.rank:
        problems.append(
            _(
                "“%(title)s” is at “%(level)s”, below this session's level “%(session_level)s”: "
                "material can be narrowed, never widened."
            )
            % {"title": title, "level": draft.level.label, "session_level": session.level.label}
        )
    days = days_of(session)
    beyond = [c.day for c in (draft.start, draft.end) if c is not None and c.day >= days]
    if beyond:
        problems.append(
            ngettext(
                "“%(title)s” is on day %(day)s of its agenda, and this session has %(count)s day.",
                "“%(title)s” is on day %(day)s of its agenda, and this session has %(count)s days.",
                days,
            )
            % {"title": title, "day": max(beyond) + 1, "count": days}
        )
    elif any(m is not None and not (session.start <= m <= session.end) for m in (start, end)):
        shown = [_shown(m, session) for m in (start, end) if m is not None]
        values = {"title": title, "zone": session.time_zone}
        if len(shown) == 2:
            problem = _(
                "“%(title)s” would be at %(start)s to %(end)s (%(zone)s), outside this "
                "session's times."
            ) % {**values, "start": shown[0], "end": shown[1]}
        else:
            problem = _(
                "“%(title)s” would be at %(moment)s (%(zone)s), outside this session's times."
            ) % {**values, "moment": shown[0]}
        problems.append(problem)
    else:
        clocks = [c for c in (draft.start, draft.end) if c is not None]
        skipped = [p for p in (_clock_problem(title, c, session) for c in clocks) if p]
        problems += skipped
        if start is not None and end is not None and not skipped:
            if end <= start:
                problems.append(_("“%(title)s” would end before it starts.") % {"title": title})
            elif start.astimezone(session.tz).utcoffset() != end.astimezone(session.tz).utcoffset():
                problems.append(
                    _("The clocks change in %(zone)s during “%(title)s”.")
                    % {"zone": session.time_zone, "title": title}
                )
    return tuple(problems)


def place(drafts: list[ItemDraft], session: Session) -> list[PlacedItem]:
    """The drafts on the session's days (``session.level`` loaded), in their order."""
    placed = []
    for draft in drafts:
        start = on_days_of(draft.start, session) if draft.start else None
        end = on_days_of(draft.end, session) if draft.end else None
        placed.append(
            PlacedItem(
                draft=draft,
                start=start,
                end=end,
                keeps_moderator=draft.moderator is not None
                and draft.moderator.dialogue_id == session.dialogue_id,
                problems=_problems(draft, start, end, session),
            )
        )
    return placed
