"""Calling a session off and putting it back on: only the convening team, only a published
session (a draft is nobody else's to know of), audited, shown on the session page and in the
calendar, and told to its attendees within the outbound rule."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from dialogues.models import Session
from dialogues.planning.services import session_cancel, session_reinstate
from tests.factories import SessionFactory, level
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

COVER = "Lakeside meetings"


@pytest.fixture
def covered(world):
    dialogue = world["dialogue"]
    dialogue.cover_name = COVER
    dialogue.outbound_level = level("Public")
    dialogue.save(update_fields=["cover_name", "outbound_level"])
    return world


def status_url(session: Session) -> str:
    return reverse("dialogues:session_status", args=[session.dialogue_id, session.pk])


def detail_url(session: Session) -> str:
    return reverse("dialogues:session_detail", args=[session.dialogue_id, session.pk])


def by_recipient() -> dict[str, object]:
    return {message.to[0]: message for message in mail.outbox}


def attendee_emails(world, *names) -> set[str]:
    return {world[name].person.user.email for name in names}


# -- the service ---------------------------------------------------------------------------------


def test_cancel_marks_the_session_audits_and_tells_attendees_on_commit(
    covered, django_capture_on_commit_callbacks
):
    round_1, convenor = covered["round_1"], covered["convenor"].person.user
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        session_cancel(session=round_1, by=convenor)
    assert len(callbacks) == 1
    round_1.refresh_from_db()
    assert round_1.status == Session.Status.CANCELLED
    entry = AuditEntry.objects.filter(object_id=str(round_1.pk)).latest("id")
    assert (entry.action, entry.actor_id, entry.dialogue_id, entry.detail) == (
        AuditEntry.Action.DECIDED,
        convenor.pk,
        round_1.dialogue_id,
        {"status": "cancelled"},
    )
    assert set(by_recipient()) == attendee_emails(covered, "participant", "other_side", "observer")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        ("draft", "A draft session is known to the convening team only"),
        ("held", "This session has been held: it cannot be cancelled."),
        ("cancelled", "This session is already cancelled."),
    ],
)
def test_only_a_published_session_can_be_cancelled(covered, status, message):
    round_1 = covered["round_1"]
    Session.objects.filter(pk=round_1.pk).update(status=status)
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        session_cancel(session=round_1)
    assert refused.value.messages[0].startswith(message)
    assert Session.objects.get(pk=round_1.pk).status == status
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("status", ["draft", "published", "held"])
def test_only_a_cancelled_session_can_be_reinstated(covered, status):
    round_1 = covered["round_1"]
    Session.objects.filter(pk=round_1.pk).update(status=status)
    with pytest.raises(ValidationError) as refused:
        session_reinstate(session=round_1)
    assert refused.value.messages == ["Only a cancelled session can be reinstated."]
    assert Session.objects.get(pk=round_1.pk).status == status


def test_reinstate_puts_it_back_on_and_tells_attendees(covered, django_capture_on_commit_callbacks):
    round_1 = covered["round_1"]
    Session.objects.filter(pk=round_1.pk).update(status=Session.Status.CANCELLED)
    with django_capture_on_commit_callbacks(execute=True):
        session_reinstate(session=round_1, by=covered["convenor"].person.user)
    assert Session.objects.get(pk=round_1.pk).status == Session.Status.PUBLISHED
    message = by_recipient()[covered["participant"].person.user.email]
    assert message.subject == f"[Trackii] {COVER}: a session is back on"
    assert message.body.startswith("Round 1 is back on: it was cancelled and is reinstated.")


# -- what the attendees are told -----------------------------------------------------------------


def test_the_email_names_the_session_only_if_it_may_leave(
    covered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=covered["round_1"])  # Public: its title may leave
        session_cancel(session=covered["pre"])  # Participants: above the outbound level
    messages = [m for m in mail.outbox if m.to == [covered["participant"].person.user.email]]
    assert [m.subject for m in messages] == [f"[Trackii] {COVER}: a session was cancelled"] * 2
    assert messages[0].body.startswith("Round 1 has been cancelled.")
    assert messages[1].body.startswith(f"{COVER} has been cancelled.")
    for message in messages:
        assert "Salt River" not in message.body + message.subject
        assert "Pre-consultation" not in message.body + message.subject
    link = f"/dialogues/{covered['pre'].dialogue_id}/sessions/{covered['pre'].pk}/"
    assert messages[1].body.rstrip().endswith(link)
    # Only the pre-consultation's own attendee hears of it.
    assert len([m for m in mail.outbox if "Lakeside meetings has been" in m.body]) == 1


def test_the_calendar_entry_is_marked_cancelled(covered, django_capture_on_commit_callbacks):
    round_1 = covered["round_1"]
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=round_1)
    message = by_recipient()[covered["observer"].person.user.email]
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("session.ics", "text/calendar")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["uid"]) == f"session-{round_1.pk}@trackii"
    assert str(event["status"]) == "CANCELLED"


def test_a_later_change_supersedes_the_news(covered):
    from dialogues.planning.notifications import session_status_notify

    round_1 = covered["round_1"]
    assert session_status_notify(session_id=round_1.pk, status="cancelled") == 0  # it is on
    assert session_status_notify(session_id=0, status="cancelled") == 0
    assert mail.outbox == []


def test_attendees_who_may_not_see_it_are_not_told(covered, django_capture_on_commit_callbacks):
    # The observer (Programme) is no attendee of a session they are not cleared for.
    higher = SessionFactory(
        dialogue=covered["dialogue"], level=level("Participants"), status="published"
    )
    higher.attendances.create(membership=covered["observer"])
    higher.attendances.create(membership=covered["participant"])
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=higher)
    assert set(by_recipient()) == attendee_emails(covered, "participant")


# -- the page ------------------------------------------------------------------------------------


def test_the_convenor_cancels_and_reinstates_from_the_session_page(
    covered, login, django_capture_on_commit_callbacks
):
    round_1 = covered["round_1"]
    client = login(covered["convenor"])
    page = client.get(detail_url(round_1)).content.decode()
    assert 'value="cancel"' in page
    assert "This session has been cancelled." not in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url(round_1), {"action": "cancel"}, follow=True)
    assert response.redirect_chain == [(detail_url(round_1), 302)]
    page = response.content.decode()
    assert "Session cancelled: its attendees are being told." in page
    assert "This session has been cancelled." in page
    assert 'value="reinstate"' in page
    assert Session.objects.get(pk=round_1.pk).status == Session.Status.CANCELLED

    response = client.post(status_url(round_1), {"action": "reinstate"}, follow=True)
    assert "Session reinstated: its attendees are being told." in response.content.decode()
    assert Session.objects.get(pk=round_1.pk).status == Session.Status.PUBLISHED


def test_a_refusal_is_shown_and_changes_nothing(covered, login):
    round_1 = covered["round_1"]
    client = login(covered["convenor"])
    response = client.post(status_url(round_1), {"action": "reinstate"}, follow=True)
    assert "Only a cancelled session can be reinstated." in response.content.decode()
    response = client.post(status_url(round_1), {"action": "delete"}, follow=True)
    assert "Choose to cancel or to reinstate the session." in response.content.decode()
    assert Session.objects.get(pk=round_1.pk).status == Session.Status.PUBLISHED


def test_a_draft_offers_no_cancel_button(covered, login):
    draft = SessionFactory(dialogue=covered["dialogue"], level=level("Public"), status="draft")
    assert draft.status == Session.Status.DRAFT
    page = login(covered["convenor"]).get(detail_url(draft)).content.decode()
    assert "session-status" not in page


@pytest.mark.parametrize("who", ["participant", "observer", "rapporteur", "outsider"])
def test_anyone_but_the_convening_team_gets_404_and_changes_nothing(covered, login, who):
    round_1 = covered["round_1"]
    client = login(covered[who])
    assert 'value="cancel"' not in client.get(detail_url(round_1)).content.decode()
    response = client.post(status_url(round_1), {"action": "cancel"})
    assert response.status_code == 404
    assert Session.objects.get(pk=round_1.pk).status == Session.Status.PUBLISHED
    assert mail.outbox == []


def test_get_is_not_allowed(covered, login):
    response = login(covered["convenor"]).get(status_url(covered["round_1"]))
    assert response.status_code == 405


def test_attendees_see_the_cancellation_on_the_page(covered, login):
    round_1 = covered["round_1"]
    Session.objects.filter(pk=round_1.pk).update(status=Session.Status.CANCELLED)
    page = login(covered["participant"]).get(detail_url(round_1)).content.decode()
    assert "This session has been cancelled." in page
    assert "session-status" not in page
