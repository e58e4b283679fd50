"""A MINIMAL stand-in for the design system's ``ui`` library (issue 16, built on another branch):
only ``name`` and ``when``, as design-spec.md describes them, so that the lists' templates load
and their tests run. The design system's own ``ui.py`` replaces this file when the branches
meet."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

from django import template
from django.core.exceptions import ObjectDoesNotExist
from django.utils import dateformat, timezone
from django.utils.html import format_html

register = template.Library()

EM_DASH = "\u2014"


@register.filter
def name(person) -> str:
    """A person or an account by name: a Person's full name; an account's display name, or its
    person's full name; the e-mail address only when there is no name."""
    if person is None or person == "":
        return EM_DASH
    full_name = getattr(person, "full_name", None)
    if full_name is not None:
        return full_name or EM_DASH
    display = getattr(person, "display_name", "")
    if display:
        return display
    try:
        own = person.person
    except (AttributeError, ObjectDoesNotExist):
        own = None
    if own is not None and own.full_name:
        return own.full_name
    return getattr(person, "email", "") or str(person)


@register.filter
def when(moment, zone_name: str = ""):
    """``Mon 7 Dec 2026, 14:30 GMT`` in a ``<time>`` element, in ``zone_name`` or else the
    reader's zone (the active one); a dash for no value."""
    if not moment or not isinstance(moment, datetime):
        return EM_DASH
    zone = None
    if zone_name:
        try:
            zone = zoneinfo.ZoneInfo(zone_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None
    local = timezone.localtime(moment, zone) if timezone.is_aware(moment) else moment
    return format_html(
        '<time datetime="{}">{}</time>',
        dateformat.format(local, "c"),
        dateformat.format(local, "D j M Y, H:i T"),
    )
