"""The scaled demo organisation (``seed_demo --scale``), built small: valid data in the counts
the factor asks for, idempotent, and a scaled participant signs in through the login form and
sees their dialogue, their sessions' agendas and nothing of the other dialogues."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from dialogues.demo.demo_scale import SCALE_DOMAIN, TITLE_PREFIX, participant_email, scale_build
from dialogues.models import (
    AgendaItem,
    AgendaVersion,
    Dialogue,
    Document,
    PublishedAgendaItem,
    Session,
    SessionAttendance,
)
from participants.models import GroundRulesAcceptance, Membership, Person, User, VettingCase
from participants.selectors import active_memberships_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_seed_demo_scale_builds_the_organisation_at_the_factor():
    out = io.StringIO()
    # Factor 0.04: 2 dialogues of 40 people, 10 sessions of 20 items and 40 papers each.
    call_command("seed_demo", "--scale", "--scale-factor", "0.04", stdout=out)

    dialogues = Dialogue.objects.filter(title__startswith=TITLE_PREFIX)
    assert dialogues.count() == 2
    people = Person.objects.filter(email__endswith=f"@{SCALE_DOMAIN}")
    assert people.count() == 80
    assert User.objects.filter(email__endswith=f"@{SCALE_DOMAIN}").count() == 80
    assert Session.objects.filter(dialogue__in=dialogues).count() == 20
    assert AgendaItem.objects.filter(session__dialogue__in=dialogues).count() == 400
    # Every agenda published; every fifth session twice (the older version kept).
    assert AgendaVersion.objects.filter(session__dialogue__in=dialogues).count() == 24
    assert PublishedAgendaItem.objects.filter(session__dialogue__in=dialogues).count() == 480
    sessions = Session.objects.filter(dialogue__in=dialogues)
    assert set(sessions.values_list("published_version", flat=True)) == {1, 2}
    current = PublishedAgendaItem.objects.filter(session__in=sessions).exclude(
        version__number=1, session__published_version=2
    )
    assert current.count() == 400
    documents = Document.objects.filter(dialogue__in=dialogues)
    assert documents.count() == 80
    for document in documents:
        with document.file.open("rb") as handle:
            assert len(handle.read()) == document.size
    # Every member cleared (the convenors open their dialogues), accepted, ground rules
    # accepted; seven participants of each dialogue are in the other one too.
    memberships = Membership.objects.filter(dialogue__in=dialogues)
    assert memberships.count() == 80 + 14
    assert set(memberships.values_list("state", flat=True)) == {Membership.State.ACCEPTED}
    assert VettingCase.objects.filter(membership__in=memberships).count() == 94 - 2
    assert set(
        VettingCase.objects.filter(membership__in=memberships).values_list("status", flat=True)
    ) == {VettingCase.Status.CLEARED}
    assert GroundRulesAcceptance.objects.filter(membership__in=memberships).count() == 94
    # A dialogue's convening team attends its 10 sessions, its 2 observers 4 of them, and half
    # of its 35 participants and 7 guests from the other dialogue each one: 30 + 8 + 210.
    assert SessionAttendance.objects.filter(session__in=sessions).count() == 2 * 248
    levels = set(
        AgendaItem.objects.filter(session__dialogue__in=dialogues).values_list(
            "level__name", flat=True
        )
    )
    assert levels == {"Public", "Programme", "Participants", "Facilitators", "Restricted"}
    assert "2 dialogues, 80 people, 20 sessions, 400 agenda items, 80 papers" in out.getvalue()
    assert participant_email(1) in out.getvalue()


def test_scale_build_is_idempotent():
    admin = UserFactory(is_staff=True)
    first = scale_build(password="trackii-demo", decided_by=admin, factor=0.01)
    assert first is not None
    assert (first.dialogues, first.people, first.sessions, first.agenda_items) == (1, 20, 5, 100)
    before = {
        model: model.objects.count()
        for model in (Dialogue, Person, Membership, Session, AgendaItem, Document)
    }
    assert scale_build(password="trackii-demo", decided_by=admin, factor=0.01) is None
    after = {model: model.objects.count() for model in before}
    assert after == before


def test_a_scaled_participant_signs_in_and_sees_their_dialogue_only(client):
    scale_build(password="trackii-demo", decided_by=UserFactory(is_staff=True), factor=0.04)
    email = participant_email(2)  # in one dialogue (the first is in two)
    membership = Membership.objects.get(person__user__email=email)
    assert membership.role == Membership.Role.PARTICIPANT
    assert [m.dialogue_id for m in active_memberships_of(membership.person.user)] == [
        membership.dialogue_id
    ]

    response = client.post(reverse("account_login"), {"login": email, "password": "trackii-demo"})
    assert (response.status_code, response["Location"]) == (302, reverse("home"))

    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert [d.pk for d in home.context["dialogues"]] == [membership.dialogue_id]
    other = Dialogue.objects.filter(title__startswith=TITLE_PREFIX).exclude(
        pk=membership.dialogue_id
    )
    assert other.count() == 1
    assert escape(other.get().title).encode() not in home.content
    assert escape(membership.dialogue.title).encode() in home.content

    dialogue_page = client.get(reverse("dialogues:dialogue_detail", args=[membership.dialogue_id]))
    assert dialogue_page.status_code == 200
    assert (
        client.get(reverse("dialogues:dialogue_detail", args=[other.get().pk])).status_code == 404
    )

    # An attended session at Participants: its agenda, item by item within the clearance,
    # and the Restricted item that names this participant.
    attended = (
        Session.objects.filter(attendances__membership=membership, level__name="Participants")
        .order_by("start")
        .first()
    )
    page = client.get(
        reverse("dialogues:session_detail", args=[membership.dialogue_id, attended.pk])
    )
    assert page.status_code == 200
    shown = [item.title for item in page.context["published_items"]]
    current = PublishedAgendaItem.objects.filter(
        session=attended, version__number=attended.published_version
    ).order_by("order")
    within = {"Public", "Programme", "Participants"}
    expected = [
        item.title
        for item in current
        if item.level.name in within
        or (item.level.name == "Restricted" and membership.person in item.readers.all())
    ]
    assert shown == expected
    assert len(expected) == 17  # of 20: two at Facilitators, one Restricted naming others
    assert [i.level.name for i in current if i.title not in expected] == [
        "Facilitators",
        "Restricted",
        "Facilitators",
    ]
