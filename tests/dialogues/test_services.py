"""Writes of dialogue content: narrow-only levels, constraints, creators named, held sessions."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from dialogues import services
from dialogues.models import AgendaItem, Session
from dialogues.planning import services as planning
from dialogues.workspace import services as workspace
from participants.models import Membership
from tests.factories import (
    DialogueFactory,
    MembershipFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
    level,
)

pytestmark = pytest.mark.django_db


def test_agenda_item_below_its_session_level_is_refused():
    session = SessionFactory(level=level("Participants"))
    with pytest.raises(ValidationError) as raised:
        planning.agenda_item_create(session=session, title="Too open", level=level("Programme"))
    assert "never widened" in str(raised.value.message_dict["level"])
    assert AgendaItem.objects.count() == 0


def test_agenda_item_at_or_above_session_level_is_created_in_order():
    session = SessionFactory(level=level("Participants"))
    first = planning.agenda_item_create(session=session, title="A", level=level("Participants"))
    second = planning.agenda_item_create(session=session, title="B", level=level("Restricted"))
    assert (first.order, second.order) == (1, 2)


def test_creator_is_named_on_what_they_create():
    user = UserFactory()
    person = PersonFactory(user=user)
    session = planning.session_create(
        dialogue=DialogueFactory(),
        created_by=user,
        title="Quiet",
        level=level("Restricted"),
        start=datetime(2027, 1, 1, 9, tzinfo=UTC),
        end=datetime(2027, 1, 1, 17, tzinfo=UTC),
        time_zone="Asia/Amman",
    )
    item = planning.agenda_item_create(
        session=session, created_by=user, title="Quieter", level=level("Restricted")
    )
    assert list(session.readers.all()) == [person]
    assert list(item.readers.all()) == [person]


def test_session_must_end_after_it_starts():
    start = datetime(2027, 1, 1, 9, tzinfo=UTC)
    with pytest.raises(ValidationError):
        planning.session_create(
            dialogue=DialogueFactory(),
            title="Backwards",
            level=level("Programme"),
            start=start,
            end=start - timedelta(hours=1),
        )
    with pytest.raises(IntegrityError):
        SessionFactory(start=start, end=start)


def test_unknown_time_zone_is_refused():
    with pytest.raises(ValidationError) as raised:
        planning.session_create(
            dialogue=DialogueFactory(),
            title="Nowhere",
            level=level("Programme"),
            start=datetime(2027, 1, 1, 9, tzinfo=UTC),
            end=datetime(2027, 1, 1, 10, tzinfo=UTC),
            time_zone="Mars/Olympus",
        )
    assert "time_zone" in raised.value.message_dict


def test_agenda_order_is_unique_per_session():
    session = SessionFactory()
    planning.agenda_item_create(session=session, title="A", level=level("Programme"), order=1)
    with pytest.raises(ValidationError):
        planning.agenda_item_create(session=session, title="B", level=level("Programme"), order=1)


def test_attendance_only_for_members_of_the_same_dialogue():
    session = SessionFactory()
    stranger = MembershipFactory()
    with pytest.raises(ValidationError):
        planning.session_attendance_add(session=session, membership=stranger)


def test_dialogue_create_makes_its_convenor_an_accepted_member():
    person = PersonFactory()
    dialogue = workspace.dialogue_create(
        by=None,
        convenor=person,
        clearance=level("Restricted"),
        title="New",
        default_level=level("Programme"),
    )
    membership = Membership.objects.get(dialogue=dialogue)
    assert (membership.person, membership.role, membership.state) == (
        person,
        Membership.Role.CONVENOR,
        Membership.State.ACCEPTED,
    )


def test_sessions_mark_held_moves_only_finished_published_sessions():
    now = datetime(2027, 6, 1, tzinfo=UTC)
    past = now - timedelta(days=10)
    finished = SessionFactory(start=past, end=past + timedelta(days=1))
    draft = SessionFactory(start=past, end=past + timedelta(days=1), status=Session.Status.DRAFT)
    upcoming = SessionFactory(start=now + timedelta(days=1), end=now + timedelta(days=2))
    assert services.sessions_mark_held(now=now) == 1
    statuses = dict(Session.objects.values_list("pk", "status"))
    assert statuses == {finished.pk: "held", draft.pk: "draft", upcoming.pk: "published"}
