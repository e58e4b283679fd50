"""Publishing a new agenda version e-mails the attendees what changed, within what they may
see and what may leave Trackii."""

import pytest
from django.core import mail
from icalendar import Calendar

from dialogues.planning.services import agenda_item_update, agenda_publish
from tests.factories import level

pytestmark = pytest.mark.django_db


def edit(item, **values):
    base = {
        "title": item.title,
        "start": item.start,
        "end": item.end,
        "room": item.room,
        "description": item.description,
        "kind": item.kind,
        "moderator": item.moderator,
        "level": item.level,
    }
    agenda_item_update(item=item, expected_revision=item.edit_revision, values=base | values)


@pytest.fixture
def published_again(world, django_capture_on_commit_callbacks):
    dialogue = world["dialogue"]
    dialogue.cover_name = "Lakeside meetings"
    dialogue.outbound_level = level("Public")
    dialogue.save()
    edit(world["items"]["Public"], room="Terrace")
    edit(world["items"]["Participants"], room="Library")
    edit(world["items"]["Facilitators"], room="Office")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        agenda_publish(session=world["round_1"])
    assert len(callbacks) == 1
    return {m.to[0]: m for m in mail.outbox}


def test_attendees_with_accounts_get_one_email_each(world, published_again):
    attendees = {
        world[name].person.user.email for name in ("participant", "other_side", "observer")
    }
    assert set(published_again) == attendees


def test_the_subject_names_the_cover_name_only(world, published_again):
    for message in published_again.values():
        assert message.subject == "[Trackii] Lakeside meetings: the agenda changed"
        assert "Salt River" not in message.body  # the dialogue's title never leaves
        # Round 1 itself is Public, so its title may be named.
        assert message.body.startswith("The agenda of Round 1 has a new version (version 2).")


def test_a_session_above_the_outbound_level_goes_by_the_cover_name(world, published_again):
    from dialogues.planning.notifications import agenda_published_notify

    mail.outbox.clear()
    world["pre"].refresh_from_db()
    agenda_published_notify(session_id=world["pre"].pk, version=world["pre"].published_version)
    [message] = mail.outbox  # the participant is the pre-consultation's only attendee
    assert message.body.startswith("The agenda of Lakeside meetings has a new version")
    assert "Pre-consultation" not in message.body


def test_the_body_follows_clearance_and_the_outbound_rule(world, published_again):
    participant = published_again[world["participant"].person.user.email].body
    observer = published_again[world["observer"].person.user.email].body
    assert "- R1 Public item (room)" in participant
    assert "1 more change you can read when you sign in." in participant  # Participants item
    assert "R1 Participants item" not in participant  # above the outbound level: not named
    assert "Facilitators" not in participant
    assert "Office" not in participant
    assert "- R1 Public item (room)" in observer
    assert "more change" not in observer  # the Participants item is not theirs to know of


def test_the_ics_attachment_follows_the_same_rule(world, published_again):
    message = published_again[world["participant"].person.user.email]
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("agenda.ics", "text/calendar")
    text = content.decode() if isinstance(content, bytes) else content
    calendar = Calendar.from_ical(text)
    summaries = {str(event["summary"]) for event in calendar.walk("VEVENT")}
    assert summaries == {"Round 1"}  # the session (Public); the items have no times here
    assert "Salt River" not in text


def test_a_superseded_version_sends_nothing(world):
    from dialogues.planning.notifications import agenda_published_notify

    assert agenda_published_notify(session_id=world["round_1"].pk, version=99) == 0
    assert mail.outbox == []
