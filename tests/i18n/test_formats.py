"""Dates, times and time zones in the reader's language (issue 20): Trackii's own formats per
language (trackii/formats), Django's names of days and months, the CLDR's names of cities."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from trackii import timezones

MOMENT = datetime.datetime(2026, 12, 7, 14, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("language", "moment", "day"),
    [
        ("en-gb", "Mon 7 Dec 2026, 14:30 UTC", "7 Dec 2026"),
        ("fr", "lun 7 déc. 2026, 14:30 UTC", "7 déc. 2026"),
        ("es", "lun 7 dic. 2026, 14:30 UTC", "7 dic. 2026"),
        ("ru", "Пн, 7 декабря 2026, 14:30 UTC", "7 декабря 2026"),
        ("ar", "الاثنين 7 ديسمبر 2026، 14:30 UTC", "7 ديسمبر 2026"),
    ],
)
def test_a_moment_and_a_day_are_written_in_the_readers_language(language, moment, day):
    with translation.override(language):
        assert timezones.date_time_text(MOMENT) == moment
        assert timezones.day_text(MOMENT.date()) == day


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en-gb", "Asia/Beirut"),
        ("fr", "Asie/Beyrouth"),
        ("es", "Asia/Beirut"),
        ("ru", "Азия/Бейрут"),
        ("ar", "آسيا/بيروت"),
    ],
)
def test_a_zone_is_named_in_the_readers_language(language, label):
    with translation.override(language):
        assert timezones.zone_label("Asia/Beirut") == label


def test_a_language_the_cldr_does_not_know_keeps_the_databases_words():
    with translation.override("zz"):
        assert timezones.zone_label("America/New_York") == "America/New York"


def test_a_language_without_formats_of_its_own_writes_them_as_english_does():
    with translation.override("zz"):
        assert timezones.day_text(MOMENT.date()) == "7 Dec 2026"
