"""Times in another zone than the page's: ``{{ moment|in_zone:zone }}`` gives "HH:MM" in
``zone`` (a participant's own time zone beside the venue's)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def in_zone(value: datetime | None, zone: str | None) -> str:
    """The wall-clock time of an aware ``value`` in ``zone``; empty for a missing time or an
    unknown zone, so a stale profile setting never breaks a page."""
    if not value or not zone or not isinstance(value, datetime):
        return ""
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    if timezone.is_naive(value):
        return ""
    return value.astimezone(tz).strftime("%H:%M")
