"""PLACEHOLDER of the design system's template tags (``{% load ui %}``), only so that the
workspace's pages load on this branch: ``when``, ``day`` and ``name`` as the design spec states
them. The design-system branch brings the real library; on merge, take its version."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

EM_DASH = "\u2014"


@register.filter
def when(value: datetime | None, zone: str | None = None) -> SafeString | str:
    """``Mon 7 Dec 2026, 14:30 GMT`` in ``zone`` (else the current time zone), in a <time>."""
    if not isinstance(value, datetime):
        return EM_DASH
    tz = zoneinfo.ZoneInfo(zone) if zone else timezone.get_current_timezone()
    moment = value.astimezone(tz)
    shown = f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M} {moment.tzname()}"
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), shown)


@register.filter
def day(value: date | None) -> str:
    """``7 Dec 2026``."""
    if not isinstance(value, date):
        return EM_DASH
    return f"{value.day} {value:%b %Y}"


@register.filter
def name(value) -> str:
    """A person or an account by name; the e-mail only when there is no name."""
    if value is None:
        return EM_DASH
    full_name = getattr(value, "full_name", "")
    if full_name:
        return full_name
    display = getattr(value, "display_name", "")
    if display:
        return display
    person = getattr(value, "person", None)
    if person is not None and getattr(person, "full_name", ""):
        return person.full_name
    return getattr(value, "email", "") or EM_DASH
