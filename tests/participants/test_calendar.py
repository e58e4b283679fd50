"""The personal calendar feed and the profile page: the feed holds only what its owner may see,
and nothing above each dialogue's outbound level; its address is a secret that can be replaced."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from dialogues.models import PublishedAgendaItem, Session
from dialogues.planning.services import agenda_publish
from dialogues.templatetags.times import in_zone
from participants.profile.services import calendar_secret_regenerate, profile_time_zone_set
from tests.conftest import sign_in
from tests.dialogues.conftest import world  # noqa: F401 (the shared fixture)
from tests.factories import AgendaItemFactory, DialogueFactory, SessionFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

COVER = "Lakeside meetings"


def _timed(*sessions) -> None:
    """Give the published items of these sessions times (the factories leave them empty)."""
    start = datetime(2027, 3, 15, 9, tzinfo=UTC)
    for n, item in enumerate(PublishedAgendaItem.objects.filter(session__in=sessions)):
        item.start = start + timedelta(hours=n)
        item.end = item.start + timedelta(minutes=45)
        item.save(update_fields=["start", "end"])


@pytest.fixture
def covered(world):  # noqa: F811
    dialogue = world["dialogue"]
    dialogue.cover_name = COVER
    dialogue.save(update_fields=["cover_name"])
    _timed(world["round_1"], world["pre"], world["elsewhere"].sessions.get())
    return world


def _feed(client, membership) -> Calendar:
    user = membership.person.user
    secret = calendar_secret_regenerate(user=user)
    response = client.get(reverse("calendar_feed", args=[secret]))
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def _summaries(calendar: Calendar) -> list[str]:
    return sorted(str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))


def test_feed_participant_sees_attended_sessions_with_titles_above_outbound_covered(
    client, covered
):
    calendar = _feed(client, covered["participant"])

    assert str(calendar["PRODID"]) == "-//Trackii//EN"
    assert str(calendar["X-WR-CALNAME"]) == "Trackii"
    # Public leaves as it is; Programme and Participants material (the pre-consultation, its
    # item and the Round 1 items above Public) go out under the cover name.
    assert _summaries(calendar) == sorted(["Round 1", "R1 Public item", COVER, COVER, COVER, COVER])
    body = calendar.to_ical().decode()
    assert "Salt River" not in body
    assert "Pre-consultation" not in body


def test_feed_gives_place_and_description_only_to_what_may_leave(client, covered):
    events = _events(_feed(client, covered["participant"]))
    round_1, pre = covered["round_1"], covered["pre"]
    published = covered["published"]

    assert str(events[f"session-{round_1.pk}@trackii"]["LOCATION"]) == (
        f"{round_1.venue}, {round_1.city}"
    )
    assert "LOCATION" not in events[f"session-{pre.pk}@trackii"]
    public_item = events[f"item-{round_1.pk}-{published['R1 Public item'].source_id}@trackii"]
    assert str(public_item["DESCRIPTION"]) == "Discussion."
    for title in ("R1 Programme item", "R1 Participants item"):
        event = events[f"item-{round_1.pk}-{published[title].source_id}@trackii"]
        assert str(event["SUMMARY"]) == COVER
        assert "LOCATION" not in event
        assert "DESCRIPTION" not in event
    pre_item = events[f"item-{pre.pk}-{published['Pre item'].source_id}@trackii"]
    assert "LOCATION" not in pre_item
    assert "DESCRIPTION" not in pre_item


def test_feed_times_carry_the_venue_time_zone_only_where_it_may_leave(client, covered):
    covered["pre"].time_zone = "Asia/Tbilisi"
    covered["pre"].save(update_fields=["time_zone"])
    calendar = _feed(client, covered["participant"])
    events = _events(calendar)

    start = events[f"session-{covered['round_1'].pk}@trackii"].decoded("DTSTART")
    assert str(start.tzinfo) == "Europe/Rome"
    assert start == datetime(2027, 3, 15, 8, tzinfo=UTC)
    # A time zone names a region: above the outbound level, times go out in UTC.
    pre_start = events[f"session-{covered['pre'].pk}@trackii"].decoded("DTSTART")
    assert str(pre_start.tzinfo) == "UTC"
    assert pre_start == datetime(2027, 3, 15, 8, tzinfo=UTC)
    assert "Tbilisi" not in calendar.to_ical().decode()


def test_feed_observer_sees_no_participants_material(client, covered):
    calendar = _feed(client, covered["observer"])
    assert _summaries(calendar) == sorted(["Round 1", "R1 Public item", COVER])
    assert set(_events(calendar)) == {
        f"session-{covered['round_1'].pk}@trackii",
        f"item-{covered['round_1'].pk}-{covered['items']['Public'].pk}@trackii",
        f"item-{covered['round_1'].pk}-{covered['items']['Programme'].pk}@trackii",
    }


def test_feed_outsider_sees_only_their_dialogue(client, covered):
    calendar = _feed(client, covered["outsider"])
    assert _summaries(calendar) == ["Harbour", "Harbour item"]
    assert COVER not in calendar.to_ical().decode()


def test_feed_nominee_sees_nothing(client, covered):
    assert _summaries(_feed(client, covered["nominee"])) == []


def test_feed_raised_outbound_level_lets_titles_through(client, covered):
    dialogue = covered["dialogue"]
    dialogue.outbound_level = level("Participants")
    dialogue.save(update_fields=["outbound_level"])

    calendar = _feed(client, covered["participant"])

    assert _summaries(calendar) == sorted(
        [
            "Round 1",
            "Pre-consultation A",
            "R1 Public item",
            "R1 Programme item",
            "R1 Participants item",
            "Pre item",
        ]
    )
    assert "Salt River" not in calendar.to_ical().decode()
    pre = _events(calendar)[f"session-{covered['pre'].pk}@trackii"]
    assert str(pre["LOCATION"]) == f"{covered['pre'].venue}, {covered['pre'].city}"


def test_feed_drops_control_characters_rfc_5545_does_not_allow(client, covered):
    round_1, published = covered["round_1"], covered["published"]
    Session.objects.filter(pk=round_1.pk).update(
        title="Round\x011\x1b[31m\x7f", venue="Villa\x0b Lago", city="Como\x85"
    )
    PublishedAgendaItem.objects.filter(pk=published["R1 Public item"].pk).update(
        description="First\r\nsecond\rthird\x08\tend\x9f", room="Sala\x01 A"
    )
    raw = _feed(client, covered["participant"]).to_ical()

    events = _events(Calendar.from_ical(raw))
    session = events[f"session-{round_1.pk}@trackii"]
    assert str(session["SUMMARY"]) == "Round1[31m"
    assert str(session["LOCATION"]) == "Villa Lago, Como"
    item = events[f"item-{round_1.pk}-{published['R1 Public item'].source_id}@trackii"]
    assert str(item["DESCRIPTION"]) == "First\nsecond\nthird\tend"
    assert str(item["LOCATION"]) == "Sala A, Villa Lago, Como"
    # Nothing but CR LF (line ends) and tabs below the space in the whole feed.
    controls = {chr(c) for c in range(0x20)} - {"\t", "\r", "\n"} | {"\x7f"}
    text = raw.decode()
    assert not controls & set(text)
    assert not {chr(c) for c in range(0x80, 0xA0)} & set(text)


def test_feed_marks_a_cancelled_session_cancelled(client, covered):
    Session.objects.filter(pk=covered["round_1"].pk).update(status=Session.Status.CANCELLED)
    events = _events(_feed(client, covered["observer"]))
    assert {str(event["STATUS"]) for event in events.values()} == {"CANCELLED"}


def test_regenerating_the_secret_ends_the_old_address(client, world):  # noqa: F811
    user = world["participant"].person.user
    old = calendar_secret_regenerate(user=user)
    assert len(old) >= 43
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 200

    sign_in(client, user)
    response = client.post(reverse("calendar_address_renew"))
    assert response.status_code == 302
    client.logout()
    user.refresh_from_db()
    new = user.calendar_secret

    assert new != old
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    response = client.get(reverse("calendar_feed", args=[new]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'inline; filename="trackii.ics"'


def test_regenerating_the_secret_is_audited_without_the_secret(world):  # noqa: F811
    user = world["participant"].person.user
    secret = calendar_secret_regenerate(user=user)
    entry = AuditEntry.objects.filter(object_id=str(user.pk), action="changed").get()
    assert entry.detail == {"calendar_secret": "regenerated"}
    assert secret not in str(entry.detail)


@pytest.mark.parametrize("secret", ["short", "x" * 31, "x" * 43, ""])
def test_feed_unknown_or_short_secret_is_404(client, world, secret):  # noqa: F811
    calendar_secret_regenerate(user=world["participant"].person.user)
    assert client.get(f"/calendar/{secret}.ics").status_code == 404


def test_feed_of_an_inactive_account_is_404(client, world):  # noqa: F811
    user = world["participant"].person.user
    secret = calendar_secret_regenerate(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(reverse("calendar_feed", args=[secret])).status_code == 404


def test_profile_requires_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(reverse("calendar_address_renew")).status_code == 302


def test_profile_shows_the_absolute_feed_address(client, world):  # noqa: F811
    user = world["participant"].person.user
    sign_in(client, user)
    content = client.get(reverse("profile")).content.decode()
    assert "Create my calendar address" in content
    assert "/calendar/" not in content

    secret = calendar_secret_regenerate(user=user)
    content = client.get(reverse("profile")).content.decode()
    assert f"http://testserver/calendar/{secret}.ics" in content
    assert "Make a new address (the old one stops working)" in content


def test_profile_time_zone_saved(client, world):  # noqa: F811
    user = world["participant"].person.user
    sign_in(client, user)
    response = client.post(reverse("profile"), {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.time_zone == "Asia/Tokyo"

    client.post(reverse("profile"), {"time_zone": ""})
    user.refresh_from_db()
    assert user.time_zone == ""


def test_profile_bad_time_zone_is_refused(client, world):  # noqa: F811
    user = world["participant"].person.user
    user.time_zone = "Europe/Paris"
    user.save(update_fields=["time_zone"])
    sign_in(client, user)

    response = client.post(reverse("profile"), {"time_zone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["time_zone"]
    user.refresh_from_db()
    assert user.time_zone == "Europe/Paris"


def test_profile_time_zone_service_refuses_an_unknown_zone(world):  # noqa: F811
    user = world["participant"].person.user
    with pytest.raises(ValidationError) as refused:
        profile_time_zone_set(user=user, time_zone="Mars/Olympus_Mons")
    assert list(refused.value.error_dict) == ["time_zone"]
    user.refresh_from_db()
    assert user.time_zone == ""


def test_in_zone_formats_wall_clock_time_and_tolerates_bad_input():
    moment = datetime(2027, 3, 15, 9, tzinfo=UTC)
    assert in_zone(moment, "Asia/Tokyo") == "18:00"
    assert in_zone(moment, "Not/AZone") == ""
    assert in_zone(moment, "") == ""
    assert in_zone(None, "Asia/Tokyo") == ""
    assert in_zone(datetime(2027, 3, 15, 9), "Asia/Tokyo") == ""


def test_session_page_shows_your_time_when_zones_differ(client, covered):
    user = covered["participant"].person.user
    sign_in(client, user)
    round_1 = covered["round_1"]
    url = reverse("dialogues:session_detail", args=[round_1.dialogue_id, round_1.pk])

    assert "your time" not in client.get(url).content.decode()

    user.time_zone = "America/New_York"
    user.save(update_fields=["time_zone"])
    content = client.get(url).content.decode()
    # 09:00 UTC on 15 March 2027: 10:00 in Rome (still CET), 05:00 in New York (already EDT).
    assert "10:00" in content
    assert "(05:00\u201305:45 your time, EDT)" in content

    user.time_zone = "Europe/Rome"
    user.save(update_fields=["time_zone"])
    assert "your time" not in client.get(url).content.decode()


def _dialogue_with_sessions(n: int):
    dialogue = DialogueFactory(cover_name=COVER)
    member = member_with_account(dialogue=dialogue, clearance="Participants")
    for i in range(n):
        session = SessionFactory(dialogue=dialogue, level=level("Public"))
        session.attendances.create(membership=member)
        start = datetime(2027, 3, 15, 9, tzinfo=UTC) + timedelta(days=i)
        for order, name in enumerate(("Public", "Participants"), start=1):
            AgendaItemFactory(
                session=session,
                order=order,
                level=level(name),
                start=start + timedelta(hours=order),
                end=start + timedelta(hours=order, minutes=30),
            )
        agenda_publish(session=session)
    return calendar_secret_regenerate(user=member.person.user)


@pytest.mark.parametrize("sessions", [2, 20])
def test_feed_query_count_does_not_grow(client, django_assert_num_queries, sessions):
    secret = _dialogue_with_sessions(sessions)
    # One query writes the audit trail: an entry per session carried, in one insert; one reads
    # the owner's person, whose language the feed is written in.
    with django_assert_num_queries(9):
        response = client.get(reverse("calendar_feed", args=[secret]))
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 3 * sessions
