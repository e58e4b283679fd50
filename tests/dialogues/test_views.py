"""The pages of dialogue content: what each role gets, the 404s, the audit entries and the query
counts of the list pages at two data sizes."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from dialogues.models import Dialogue, Session
from dialogues.planning.services import agenda_publish
from participants.models import Membership
from tests.factories import (
    AgendaItemFactory,
    DialogueFactory,
    OutcomeFactory,
    SessionFactory,
    level,
)
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def dialogue_url(dialogue):
    return reverse("dialogues:dialogue_detail", args=[dialogue.pk])


def session_url(session):
    return reverse("dialogues:session_detail", args=[session.dialogue_id, session.pk])


def sessions_url(dialogue):
    """The dialogue's Sessions tab (the sessions' table was on the dialogue's page)."""
    return reverse("dialogues:sessions", args=[dialogue.pk])


def roster_url(dialogue):
    """The Roster tab (the dialogue's page no longer repeats the roster)."""
    return reverse("dialogues:roster", args=[dialogue.pk])


def test_anonymous_is_sent_to_login(client, world):
    for url in (reverse("home"), dialogue_url(world["dialogue"]), session_url(world["round_1"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_outsider_gets_404_for_every_page_of_the_dialogue(login, world):
    client = login(world["outsider"])
    for url in (
        dialogue_url(world["dialogue"]),
        session_url(world["round_1"]),
        session_url(world["pre"]),
    ):
        assert client.get(url).status_code == 404


def test_session_of_another_dialogue_is_404_even_for_its_own_members(login, world):
    # The URL names the outsider's session under a dialogue they are not in.
    client = login(world["outsider"])
    harbour = Session.objects.get(title="Harbour")
    url = reverse("dialogues:session_detail", args=[world["dialogue"].pk, harbour.pk])
    assert client.get(url).status_code == 404
    assert client.get(session_url(harbour)).status_code == 200


def test_non_attendee_gets_404_for_a_pre_consultation(login, world):
    client = login(world["other_side"])
    assert client.get(session_url(world["pre"])).status_code == 404


def test_home_lists_own_dialogues_only(login, world):
    response = login(world["participant"]).get(reverse("home"))
    assert response.status_code == 200
    assert [d.title for d in response.context["dialogues"]] == ["Salt River"]
    assert b"Coastal Fisheries" not in response.content
    assert [s.title for s in response.context["dialogues"][0].visible_sessions] == [
        "Round 1",
        "Pre-consultation A",
    ]


def test_session_page_shows_only_items_within_clearance(login, world):
    response = login(world["observer"]).get(session_url(world["round_1"]))
    assert response.status_code == 200
    assert [i.title for i in response.context["published_items"]] == [
        "R1 Public item",
        "R1 Programme item",
    ]
    for hidden in ("R1 Participants item", "R1 Facilitators item", "R1 Restricted item"):
        assert hidden.encode() not in response.content


def test_dialogue_page_shows_roster_to_convening_team_only(login, world):
    # The roster is the convening team's Roster tab; nobody else gets it, nor a link to it.
    participant = login(world["participant"])
    assert participant.get(roster_url(world["dialogue"])).status_code == 404
    participant_page = participant.get(dialogue_url(world["dialogue"]))
    assert world["other_side"].person.full_name.encode() not in participant_page.content
    assert roster_url(world["dialogue"]).encode() not in participant_page.content
    convenor_page = login(world["convenor"]).get(roster_url(world["dialogue"]))
    assert {m.person.full_name for m in convenor_page.context["members"]} == {
        m.person.full_name
        for m in Membership.objects.filter(dialogue=world["dialogue"]).select_related("person")
    }


def test_pages_record_views_in_the_audit_trail(login, world):
    client = login(world["participant"])
    client.get(dialogue_url(world["dialogue"]))
    client.get(session_url(world["round_1"]))
    client.get(session_url(world["elsewhere"].sessions.get()))  # 404: nothing recorded
    user = world["participant"].person.user
    entries = list(
        AuditEntry.objects.filter(actor=user).values_list("action", "content_type", "object_id")
    )
    assert entries == [
        ("viewed", ContentType.objects.get_for_model(Session).pk, str(world["round_1"].pk)),
        ("viewed", ContentType.objects.get_for_model(Dialogue).pk, str(world["dialogue"].pk)),
    ]


def test_times_are_shown_in_the_venue_time_zone(login, world):
    session = world["round_1"]  # starts 2027-03-15 08:00 UTC, venue in Europe/Rome (UTC+1)
    AgendaItemFactory(
        session=session,
        order=99,
        title="Timed",
        level=level("Public"),
        start=session.start,
        end=session.start.replace(hour=9),
    )
    agenda_publish(session=session)
    content = login(world["participant"]).get(session_url(session)).content.decode()
    assert "Mon 15 Mar 2027, 09:00" in content
    assert "(Europe/Rome)" in content


# -- query counts: the same literal at two data sizes ---------------------------------------------


def build_dialogue(size: int, member):
    dialogue = member.dialogue
    for n in range(size):
        session = SessionFactory(dialogue=dialogue, level=level("Programme"))
        session.attendances.create(membership=member)
        for name in ("Programme", "Participants", "Restricted"):
            AgendaItemFactory(session=session, level=level(name), title=f"S{n} {name}")
    return dialogue


@pytest.mark.parametrize("size", [1, 25])
def test_home_query_count_does_not_grow(login, django_assert_num_queries, size):
    member = member_with_account(dialogue=DialogueFactory())
    for _ in range(size):
        other = member_with_account(dialogue=DialogueFactory())
        Membership.objects.filter(pk=other.pk).update(person=member.person)
    build_dialogue(size, member)
    client = login(member)
    client.get(reverse("home"))  # warm caches (content types, session)
    # One of them writes the audit trail: an entry per dialogue listed, in one insert.
    with django_assert_num_queries(7):
        response = client.get(reverse("home"))
    assert len(response.context["dialogues"]) == size + 1


@pytest.mark.parametrize("size", [1, 30])
def test_sessions_tab_query_count_does_not_grow(login, django_assert_num_queries, size):
    member = member_with_account(dialogue=DialogueFactory())
    dialogue = build_dialogue(size, member)
    client = login(member)
    client.get(sessions_url(dialogue))
    with django_assert_num_queries(6):
        response = client.get(sessions_url(dialogue))
    assert len(response.context["sessions"]) == size


@pytest.mark.parametrize("size", [1, 30])
def test_dialogue_page_query_count_does_not_grow(login, django_assert_num_queries, size):
    member = member_with_account(dialogue=DialogueFactory())
    dialogue = build_dialogue(size, member)
    client = login(member)
    client.get(dialogue_url(dialogue))
    with django_assert_num_queries(7):
        response = client.get(dialogue_url(dialogue))
    assert response.status_code == 200
    assert response.context["todos"] is None  # a participant's overview has no action list


@pytest.mark.parametrize("size", [1, 30])
def test_convenor_dialogue_page_with_roster_query_count_does_not_grow(
    login, django_assert_num_queries, size
):
    """The convening team's overview, with what needs action counted over a roster, sessions
    and agenda items that grow (the roster itself is on the Roster tab)."""
    convenor = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    dialogue = build_dialogue(size, convenor)
    for _ in range(size):
        member_with_account(dialogue=dialogue)
    client = login(convenor)
    client.get(dialogue_url(dialogue))
    # Besides the participant's: the convenor's second factor, and what needs action (the
    # roster's counts; the working and published agendas with their sessions, and the readers
    # of the items whose level names them; the packs; the outbound requests).
    with django_assert_num_queries(13):
        response = client.get(dialogue_url(dialogue))
    # Every session's items wait to be published; the Restricted one names its readers, and
    # the convenor is not among them: not counted.
    assert [(t.label, t.count) for t in response.context["todos"]] == [
        (f"Agenda changes not yet published in “<bdi>{session.title}</bdi>”", 2)
        for session in dialogue.sessions.order_by("start", "id")
    ]


@pytest.mark.parametrize("size", [3, 60])
def test_session_page_query_count_does_not_grow(login, django_assert_num_queries, size):
    member = member_with_account(dialogue=DialogueFactory())
    session = SessionFactory(dialogue=member.dialogue, level=level("Programme"))
    session.attendances.create(membership=member)
    for n in range(size):
        AgendaItemFactory(session=session, level=level("Participants"), title=f"Item {n}")
        AgendaItemFactory(session=session, level=level("Restricted"), title=f"Hidden {n}")
    for _ in range(size // 3):  # the attendance list grows too
        other = member_with_account(dialogue=member.dialogue)
        session.attendances.create(membership=other)
    for n in range(size // 3):  # and the outcomes, with their speakers
        outcome = OutcomeFactory(session=session, level=level("Participants"), summary=f"O {n}")
        outcome.speakers.set([member.person])
        OutcomeFactory(session=session, level=level("Restricted"), summary=f"Hidden {n}")
    agenda_publish(session=session)
    client = login(member)
    client.get(session_url(session))
    with django_assert_num_queries(10):
        response = client.get(session_url(session))
    assert len(response.context["published_items"]) == size
    assert len(response.context["attendees"]) == size // 3 + 1
    assert len(response.context["outcomes"]) == size // 3


def test_who_takes_part_is_for_attendees_and_the_convening_team(login, world):
    round_1 = world["round_1"]
    url = session_url(round_1)
    expected = {world[n].person.full_name for n in ("participant", "other_side", "observer")}

    def names(member):
        attendees = login(member).get(url).context["attendees"]
        return None if attendees is None else {a.membership.person.full_name for a in attendees}

    assert names(world["participant"]) == expected
    assert names(world["convenor"]) == expected
    assert names(world["rapporteur"]) is None  # cleared to see the session, but not there
    dialogue = world["dialogue"]
    dialogue.attendance_visible = False
    dialogue.save()
    assert names(world["participant"]) is None
    assert names(world["convenor"]) == expected
    content = login(world["participant"]).get(url).content.decode()
    assert world["other_side"].person.full_name not in content
