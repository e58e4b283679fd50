"""Small pieces of markup that pages repeat in their loops (a level's badge, a session's dates,
an agenda item's times), written as tags: an ``{% include %}`` per row costs more than the rest
of the row (measured by ``make loadtest``, docs/measurements.md). Each gives exactly the markup
the include gave; values are escaped by ``format_html``."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django import template
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .times import in_zone

register = template.Library()

EN_DASH = "\u2013"  # between a start and an end
EM_DASH = "\u2014"  # no time at all


@register.simple_tag
def level_badge(level) -> SafeString:
    """The level's name, its audience for the stylesheet and its description on hover."""
    return format_html(
        '<span class="level level--{}" title="{}">{}</span>',
        level.audience,
        level.description,
        level.name,
    )


def _time(moment: datetime, shown: str) -> SafeString:
    return format_html('<time datetime="{}">{}</time>', dateformat.format(moment, "c"), shown)


@register.simple_tag
def session_dates(session) -> SafeString:
    """Start and end in the venue's time zone, the end's date only when it is another day,
    then the zone's name."""
    zone = zoneinfo.ZoneInfo(session.time_zone)
    start, end = session.start.astimezone(zone), session.end.astimezone(zone)
    same_day = start.date() == end.date()
    return format_html(
        "{}" + EN_DASH + "{} ({})",
        _time(start, dateformat.format(start, "j M Y, H:i")),
        _time(end, dateformat.format(end, "H:i" if same_day else "j M Y, H:i")),
        session.time_zone,
    )


@register.simple_tag
def item_times(item, session, reader_zone: str = "") -> SafeString:
    """An agenda item's start and end in the venue's time zone and, when the reader lives in
    another zone, in theirs too; a dash for an item without a time."""
    if not item.start:
        return format_html("{}", EM_DASH)
    zone = zoneinfo.ZoneInfo(session.time_zone)
    start = item.start.astimezone(zone)
    shown = _time(start, dateformat.format(start, "D j M, H:i"))
    if item.end:
        end = item.end.astimezone(zone)
        shown = format_html("{}" + EN_DASH + "{}", shown, _time(end, dateformat.format(end, "H:i")))
    if reader_zone and reader_zone != session.time_zone:
        theirs = in_zone(item.start, reader_zone)
        if item.end:
            theirs = f"{theirs}{EN_DASH}{in_zone(item.end, reader_zone)}"
        shown = format_html('{} <span class="meta">({} your time)</span>', shown, theirs)
    return shown
