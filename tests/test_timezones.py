"""Time-zone fields (trackii.timezones): the likely zones first, then every current zone by
region; old names (US/Eastern, GB, Etc/GMT+3) hidden unless already stored, and then kept."""

import re
import zoneinfo
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from participants.models import Membership
from participants.profile.forms import TimeZoneForm
from tests.factories import DialogueFactory, SessionFactory, level
from tests.world import member_with_account
from trackii.timezones import LIKELY, current_zones, zone_choices

OLD_NAMES = ("US/Eastern", "GB", "Etc/GMT+3", "EST5EDT", "Asia/Calcutta", "Europe/Kiev")


def offered(choices) -> list[str]:
    values = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            values.extend(v for v, _ in label)
        else:
            values.append(value)
    return values


def groups(choices) -> list[str]:
    return [value for value, label in choices if isinstance(label, list | tuple)]


def test_old_names_are_hidden_and_current_ones_offered_once():
    choices = zone_choices(likely=[])
    values = offered(choices)
    assert len(values) == len(set(values)) == len(current_zones())
    assert [name for name in OLD_NAMES if name in values] == []
    for name in OLD_NAMES:  # each an alias the database still knows
        assert name in zoneinfo.available_timezones()
    assert {"Europe/Rome", "America/New_York", "Asia/Kolkata", "Europe/Kyiv", "UTC"} <= set(values)
    assert len(values) < 450  # against 598 names in all


def test_zones_are_grouped_by_region_after_the_likely_ones():
    choices = zone_choices(
        likely=["Asia/Amman", "Europe/Rome", "", "Mars/Olympus"], empty_label="-"
    )
    assert choices[0] == ("", "-")
    assert choices[1] == (LIKELY, [("Asia/Amman", "Asia/Amman"), ("Europe/Rome", "Europe/Rome")])
    assert groups(choices) == [
        LIKELY,
        "Africa",
        "Americas",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic Ocean",
        "Australia",
        "Europe",
        "Indian Ocean",
        "Pacific Ocean",
        "Other",
    ]
    europe = dict(choices)["Europe"]
    assert ("Europe/Rome", "Europe/Rome") not in europe  # offered once, among the likely
    assert europe[0] == ("Europe/Amsterdam", "Europe/Amsterdam")
    assert ("America/New_York", "America/New York") in dict(choices)["Americas"]
    assert dict(choices)["Other"] == [("UTC", "UTC")]


def test_a_stored_old_name_is_offered_first_and_accepted():
    form = TimeZoneForm(initial={"time_zone": "US/Eastern"}, likely_zones=["US/Eastern"])
    likely = dict(form.fields["time_zone"].choices)[LIKELY]
    assert likely == [("US/Eastern", "US/Eastern (old name of America/New York)")]
    assert 'value="US/Eastern" selected' in str(form["time_zone"])
    assert TimeZoneForm({"time_zone": "US/Eastern"}, likely_zones=["US/Eastern"]).is_valid()
    # Not stored: refused like any unknown value.
    refused = TimeZoneForm({"time_zone": "US/Eastern"}, likely_zones=["Europe/Rome"])
    assert refused.errors == {
        "time_zone": ["Select a valid choice. US/Eastern is not one of the available choices."]
    }


# -- the session form ------------------------------------------------------------------------------


def likely_of(html: str) -> list[str]:
    group = re.search(r'<optgroup label="Likely">(.*?)</optgroup>', html, flags=re.S)
    return re.findall(r'value="([^"]+)"', group[1]) if group else []


def selected_of(html: str) -> list[str]:
    select = re.search(r'<select name="time_zone".*?</select>', html, flags=re.S)[0]
    return re.findall(r'value="([^"]*)" selected', select)


@pytest.fixture
def convenor(db):
    return member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )


def test_a_new_session_offers_the_dialogues_zones_and_the_planners_own(login, convenor):
    user = convenor.person.user
    user.time_zone = "Europe/Rome"
    user.save(update_fields=["time_zone"])
    dialogue = convenor.dialogue
    SessionFactory(
        dialogue=dialogue, time_zone="Asia/Tbilisi", start=datetime(2027, 1, 1, tzinfo=UTC)
    )
    SessionFactory(
        dialogue=dialogue, time_zone="Asia/Amman", start=datetime(2027, 5, 1, tzinfo=UTC)
    )
    SessionFactory(dialogue=DialogueFactory(), time_zone="Asia/Tokyo")  # another dialogue's
    html = login(convenor).get(reverse("dialogues:session_create", args=[dialogue.pk])).content
    html = html.decode()
    # The latest session's zone (and its country's), the earlier ones, the planner's own.
    assert likely_of(html) == ["Asia/Amman", "Asia/Tbilisi", "Europe/Rome"]
    assert selected_of(html) == ["Asia/Amman"]


def test_with_no_clue_a_new_session_has_no_zone_chosen_not_utc(login, convenor):
    client = login(convenor)
    url = reverse("dialogues:session_create", args=[convenor.dialogue_id])
    html = client.get(url).content.decode()
    assert likely_of(html) == []
    assert selected_of(html) == [""]  # the empty choice: the planner must choose
    assert '<option value="" selected>Choose the venue&#x27;s time zone</option>' in html
    posted = {
        "title": "Round 9",
        "kind": "round",
        "start": "2027-06-07T09:00",
        "end": "2027-06-07T17:00",
        "level": level("Public").pk,
    }
    response = client.post(url, posted)
    assert response.context["form"].errors == {"time_zone": ["This field is required."]}


def test_a_planned_session_offers_its_zone_and_its_countrys(login, convenor):
    session = SessionFactory(dialogue=convenor.dialogue, time_zone="Europe/Kyiv")
    url = reverse("dialogues:session_edit", args=[session.dialogue_id, session.pk])
    html = login(convenor).get(url).content.decode()
    # Ukraine's zones in zone.tab: Kyiv and Simferopol.
    assert likely_of(html) == ["Europe/Kyiv", "Europe/Simferopol"]
    assert selected_of(html) == ["Europe/Kyiv"]


def test_a_session_stored_with_an_old_name_keeps_it(login, convenor):
    session = SessionFactory(dialogue=convenor.dialogue, time_zone="US/Eastern")
    client = login(convenor)
    url = reverse("dialogues:session_edit", args=[session.dialogue_id, session.pk])
    html = client.get(url).content.decode()
    assert likely_of(html) == ["US/Eastern"]
    assert selected_of(html) == ["US/Eastern"]
    assert "US/Eastern (old name of America/New York)" in html
    create = client.get(reverse("dialogues:session_create", args=[session.dialogue_id]))
    assert likely_of(create.content.decode()) == ["US/Eastern"]


# -- the profile -----------------------------------------------------------------------------------


def test_the_profile_offers_the_persons_zone_then_their_sessions(login, db):
    member = member_with_account(dialogue=DialogueFactory())
    user = member.person.user
    user.time_zone = "Asia/Tokyo"
    user.save(update_fields=["time_zone"])
    for zone, month in (("Asia/Tbilisi", 1), ("Europe/Rome", 6), ("Asia/Tbilisi", 9)):
        session = SessionFactory(
            dialogue=member.dialogue, time_zone=zone, start=datetime(2027, month, 1, tzinfo=UTC)
        )
        session.attendances.create(membership=member)
    SessionFactory(dialogue=member.dialogue, time_zone="America/Lima")  # not attended
    html = login(member).get(reverse("profile")).content.decode()
    assert likely_of(html) == ["Asia/Tokyo", "Asia/Tbilisi", "Europe/Rome"]
    assert selected_of(html) == ["Asia/Tokyo"]
    assert '<option value="">— Venue time only —</option>' in html
