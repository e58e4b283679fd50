"""Small pieces of markup that pages repeat in their loops (a level's badge, a session's dates,
an agenda item's times), written as tags: an ``{% include %}`` per row costs more than the rest
of the row (measured by ``make loadtest``, docs/measurements.md). Moments are written in the
one format of ``trackii.timezones`` with their zone; values are escaped by ``format_html``."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from trackii import timezones

from ..models import ConfidentialityLevel

register = template.Library()

EN_DASH = "\u2013"  # between a start and an end
EM_DASH = "\u2014"  # no time at all


@register.simple_tag
def level_badge(level) -> SafeString:
    """The level's name, its audience for the stylesheet and its description on hover (a
    default level's in the reader's language: ``ConfidentialityLevel.label``). Written once per
    language and level as it reads (a page badges every row with one of a few levels)."""
    return _badge(get_language(), level.audience, level.name, level.description)


@lru_cache(maxsize=256)
def _badge(language: str | None, audience: str, name: str, description: str) -> SafeString:
    """Pure: what the badge of a level with this audience, name and description says in this
    language (the language active when asked: ``language`` is part of the key only)."""
    level = ConfidentialityLevel(name=name, audience=audience, description=description)
    return format_html(
        '<span class="level level--{}" title="{}">{}</span>',
        level.audience,
        level.label_description,
        level.label,
    )


def _time(moment: datetime, shown: str) -> SafeString:
    return format_html('<time datetime="{}">{}</time>', timezones.iso(moment), shown)


def _when(moment: datetime) -> SafeString:
    """A moment already in its zone, in the one format without the zone (``Mon 15 Mar 2027,
    09:00``): the zone follows the range."""
    return _time(moment, timezones.date_time(moment))


def _hh_mm(moment: datetime) -> str:
    """The wall-clock time (``timezones.CLOCK``: 09:00)."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _clock(moment: datetime) -> SafeString:
    return _time(moment, _hh_mm(moment))


def _range(start: datetime, end: datetime | None) -> SafeString:
    """``Mon 15 Mar 2027, 09:00-17:00 CET``, ``Mon 7 Jun 2027, 09:00 - Tue 8 Jun 2027, 17:00
    CEST`` (en dashes), each end with its own zone's abbreviation when they differ (summer
    time began or ended between them)."""
    first = timezones.abbreviation(start)
    if end is None:
        return format_html("{} {}", _when(start), first)
    last = timezones.abbreviation(end)
    if start.date() != end.date():
        if first == last:
            return format_html("{} " + EN_DASH + " {} {}", _when(start), _when(end), last)
        return format_html("{} {} " + EN_DASH + " {} {}", _when(start), first, _when(end), last)
    if first == last:
        return format_html("{}" + EN_DASH + "{} {}", _when(start), _clock(end), last)
    return format_html("{} {}" + EN_DASH + "{} {}", _when(start), first, _clock(end), last)


@register.simple_tag
def session_dates(session) -> SafeString:
    """Start and end in the venue's time zone (trackii.timezones' one format), then the zone's
    name: ``Mon 15 Mar 2027, 09:00-17:00 CET (Europe/Rome)``."""
    zone = zoneinfo.ZoneInfo(session.time_zone)
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    shown = _range(start, end)
    if session.time_zone == timezones.abbreviation(start):  # UTC: no need to say it twice
        return shown
    return format_html("{} ({})", shown, session.time_zone)


@register.simple_tag
def item_times(item, session, reader_zone: str = "") -> SafeString:
    """An agenda item's start and end in the venue's time zone and, when the reader lives in
    another zone, in theirs too (with the day when it is another day there); a dash for an
    item without a time."""
    if not item.start:
        return format_html("{}", EM_DASH)
    zone = zoneinfo.ZoneInfo(session.time_zone)
    start = item.start.astimezone(zone)
    end = item.end.astimezone(zone) if item.end else None
    shown = _range(start, end)
    if reader_zone and reader_zone != session.time_zone and timezones.is_known(reader_zone):
        # Each moment turned into the reader's zone once and written once (as ``in_zone``
        # writes a time), the day added when it is another day there.
        reader = zoneinfo.ZoneInfo(reader_zone)
        theirs = timezones.localised(item.start, reader)
        text = timezones.date_time(theirs) if theirs.date() != start.date() else _hh_mm(theirs)
        if item.end:
            text = f"{text}{EN_DASH}{_hh_mm(timezones.localised(item.end, reader))}"
        shown = format_html(
            '{} <span class="meta">{}</span>',
            shown,
            _("(%(time)s your time, %(zone)s)")
            % {"time": text, "zone": timezones.abbreviation(theirs)},
        )
    return shown
