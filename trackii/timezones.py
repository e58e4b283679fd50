"""Time zones as people meet them: which names to offer, in what order, and how a moment is
written.

The tz database holds some 600 names, a third of them old aliases (``US/Eastern``, ``GB``,
``Etc/GMT+3``, whose sign is the reverse of what it seems). Fields offer the names of its
``zone.tab`` (one per country and region, what a person looks for) and UTC, grouped by region,
after the zones likely for this form; a stored old name stays accepted and shown.

Pages write a moment in the *reader's* zone: the signed-in account's own, else UTC. A
middleware (``trackii.middleware.ReaderTimeZoneMiddleware``) sets it for the request; nothing
else changes Django's current time zone, which the forms use to read the times people type."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from importlib import resources

from babel.core import UnknownLocaleError
from babel.dates import get_timezone_location
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext, to_locale
from django.utils.translation import gettext_lazy as _

UTC_NAME = "UTC"
# How a moment and a day are written, in the reader's language (trackii/formats/<language>/):
# lazy, so that each use reads the language active then. English: Mon 7 Dec 2026, 14:30 and
# 7 Dec 2026; Russian: Пн, 7 декабря 2026, 14:30; Arabic: الإثنين 7 ديسمبر 2026، 14:30.
# A language without a module of its own (one added without one) writes them as English does.
_ENGLISH_FORMATS = {"TRACKII_DATE_TIME": "D j M Y, H:i", "TRACKII_DAY": "j M Y"}


def _format(name: str) -> str:
    found = str(get_format(name))
    return _ENGLISH_FORMATS[name] if found == name else found


DATE_TIME = lazy(lambda: _format("TRACKII_DATE_TIME"), str)()
DAY = lazy(lambda: _format("TRACKII_DAY"), str)()
CLOCK = "H:i"  # 14:30

# The first part of a zone's name, as a heading people recognise.
REGIONS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}
LIKELY = _("Likely")
OTHER = _("Other")


def _tzdata_text(name: str) -> str:
    return resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")


@cache
def _zone_table() -> tuple[tuple[str, str], ...]:
    """(country code, zone) pairs of zone.tab, for the zones this Python can load."""
    available = _available()
    rows = []
    for line in _tzdata_text("zone.tab").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        country, _coordinates, zone = line.split("\t")[:3]
        if zone in available:
            rows.append((country, zone))
    return tuple(rows)


@cache
def current_zones() -> frozenset[str]:
    """The names fields offer: zone.tab's and UTC."""
    return frozenset(zone for _country, zone in _zone_table()) | {UTC_NAME}


@cache
def _links() -> dict[str, str]:
    """Old name -> the zone it now stands for (the database's links)."""
    links = {}
    for line in _tzdata_text("tzdata.zi").splitlines():
        if line.startswith("L "):
            _l, target, name = line.split()[:3]
            links[name] = target
    return links


def country_of(zone: str) -> str:
    for country, name in _zone_table():
        if name == zone:
            return country
    return ""


def zones_of_country(country: str) -> list[str]:
    return [zone for code, zone in _zone_table() if code == country]


@cache
def _available() -> frozenset[str]:
    """Every zone name this Python can load (a walk over the tz database's files: once)."""
    return frozenset(zoneinfo.available_timezones())


def is_known(zone: str) -> bool:
    return bool(zone) and zone in _available()


def zone_label(zone: str) -> str:
    """How a zone's name reads in a list, in the reader's language: ``America/New York``,
    ``Amériques/New York``, ``Азия/Бейрут``; an old name says what it is."""
    language = get_language() or "en"
    label = _zone_words(zone, language)
    if zone in current_zones():
        return label
    target = _links().get(zone)
    if target:
        return gettext("%(zone)s (old name of %(target)s)") % {
            "zone": label,
            "target": _zone_words(target, language),
        }
    return gettext("%(zone)s (old name)") % {"zone": label}


@cache
def _zone_words(zone: str, language: str) -> str:
    """The zone's region and city in ``language``: the region from Trackii's catalogue, the
    city from the CLDR's names (Babel); in English, or where the CLDR has no such language (or
    no such city), the tz database's own words."""
    english = zone.replace("_", " ")
    region, _slash, _rest = zone.partition("/")
    if language.startswith("en") or region not in REGIONS:
        return english
    try:
        city = get_timezone_location(zone, locale=to_locale(language), return_city=True)
    except (UnknownLocaleError, LookupError, ValueError):
        return english
    return f"{REGIONS[region]}/{city}"


def _unique_known(zones: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for zone in zones:
        if zone and is_known(zone) and zone not in seen:
            seen.append(zone)
    return seen


def zone_choices(*, likely: Iterable[str], empty_label: str | None = None) -> list:
    """Choices for a select: an optional empty choice, then the ``likely`` zones (in their
    order, old names too: a stored value stays accepted), then every other current zone
    grouped by region."""
    first = _unique_known(likely)
    choices: list = [("", empty_label)] if empty_label is not None else []
    if first:
        choices.append((str(LIKELY), [(zone, zone_label(zone)) for zone in first]))
    grouped: dict[str, list[tuple[str, str]]] = {}
    for zone in sorted(current_zones() - set(first)):
        region = str(REGIONS.get(zone.split("/")[0], OTHER))
        grouped.setdefault(region, []).append((zone, zone_label(zone)))
    for region in sorted(grouped, key=lambda r: (r == str(OTHER), r)):
        choices.append((region, grouped[region]))
    return choices


def with_country(zones: Iterable[str]) -> list[str]:
    """``zones`` followed by the other zones of their countries (a venue in the same country
    as the last one may well be in another of its zones)."""
    zones = _unique_known(zones)
    more = [z for zone in zones if (c := country_of(zone)) for z in zones_of_country(c)]
    return _unique_known([*zones, *more])


# -- the reader's zone and how moments are written ------------------------------------------------

_reader_zone: ContextVar[str] = ContextVar("trackii_reader_zone", default=UTC_NAME)


@contextmanager
def reading_in(zone: str) -> Iterator[None]:
    """Moments written inside this block are in ``zone`` (UTC if empty or unknown)."""
    token = _reader_zone.set(zone if is_known(zone) else UTC_NAME)
    try:
        yield
    finally:
        _reader_zone.reset(token)


def reader_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(_reader_zone.get())


def zone_or_reader(zone: str | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(zone) if zone and is_known(zone) else reader_zone()


def localised(moment: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(UTC_NAME))
    return moment.astimezone(zone)


def abbreviation(local: datetime) -> str:
    """The zone as a reader knows it at that moment: GMT, BST, CET, EDT, JST; where the
    database has no letters for it, the offset (UTC+4, UTC+5:45, UTC-3)."""
    name = local.tzname() or ""
    if name[:1].isalpha():
        return name
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else UTC_NAME


def date_time_text(local: datetime) -> str:
    return f"{date_time(local)} {abbreviation(local)}"


# What a day's part of ``DATE_TIME`` may hold for ``date_time`` to write it once per day: the
# day, the month and the year, in any of Django's ways, and punctuation (no time, no zone, no
# escaped letter).
_DAY_LETTERS = frozenset("dDjlNwzEFmMnbtyY")


def date_time(local: datetime) -> str:
    """``local`` as ``DATE_TIME`` writes it in the active language (``Mon 7 Dec 2026, 14:30``),
    without the zone. The same text as ``dateformat.format(local, DATE_TIME)``, written faster:
    every format ends with the clock (``H:i``), and the part before it, which names the day in
    the reader's language, is written once per language and day (``_day_part``), not once per
    moment; a page lists many moments on few days."""
    pattern = _format("TRACKII_DATE_TIME")
    day = _day_pattern(pattern)
    if day is None:
        return dateformat.format(local, pattern)
    return f"{_day_part(get_language(), day, local.date())}{local.hour:02d}:{local.minute:02d}"


@cache
def _day_pattern(pattern: str) -> str | None:
    """The part of a date-and-time pattern before its closing clock, if it names only the day;
    else None (the pattern is then written whole, as Django writes it)."""
    day, clock = pattern[: -len(CLOCK)], pattern[-len(CLOCK) :]
    plain = "\\" not in day and all(c in _DAY_LETTERS or not c.isalpha() for c in day)
    return day if clock == CLOCK and plain else None


@lru_cache(maxsize=2048)
def _day_part(language: str | None, pattern: str, day: date) -> str:
    """A day written by a pattern in a language (the language active when asked: ``language``
    is part of the key only). Pure: the same arguments always give the same text."""
    return dateformat.format(day, pattern)


def day_text(day: date) -> str:
    return dateformat.format(day, DAY)


def iso(local: datetime | date) -> str:
    return local.isoformat()
