"""Follow-up reminders by e-mail (issue 18): once when due within two days, once when overdue,
never twice for a stage; within the outbound rule like every e-mail that leaves Trackii (the
cover name, never the dialogue's title; the idea's title and the task only when its level may
leave; never a speaker or a source)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from dialogues.ideas import reminders
from dialogues.ideas.reminders import follow_ups_remind
from dialogues.ideas.services import follow_up_add, follow_up_done
from dialogues.ideas.tasks import follow_ups_remind as remind_task
from dialogues.models import Outcome
from participants.models import Membership
from tests.factories import level
from tests.world import idea, member_with_account, outcome
from trackii.celery import app

pytestmark = pytest.mark.django_db

TODAY = date(2027, 4, 13)
BASE = "https://trackii.example.org"
SPEAKER = "Speaker Sentinel"
SOURCE = "SENTINEL-SOURCE-Q7 what was said in the room"


@pytest.fixture
def lakeside(world, settings):
    settings.TRACKII_BASE_URL = BASE
    dialogue = world["dialogue"]
    dialogue.cover_name = "Lakeside meetings"
    dialogue.outbound_level = level("Programme")
    dialogue.save()
    owner = world["convenor"]
    owner.person.email = "owner@example.org"
    owner.person.save()
    said = member_with_account(dialogue=dialogue, clearance="Participants")
    said.person.full_name = SPEAKER
    said.person.save()
    source = outcome(world["round_1"], level="Public", speakers=[said.person], summary=SOURCE)
    return {"owner": owner, "source": source}


def follow_up(world, lakeside, *, at: str, due: date, title="Joint gauge network", **kwargs):
    made = idea(world["dialogue"], sources=[lakeside["source"]], level=at, title=title, **kwargs)
    task = "Draft a non-paper for the water ministry"
    return follow_up_add(idea=made, owner=lakeside["owner"], task=task, due=due)


def link(world, follow_up) -> str:
    return BASE + reverse("dialogues:idea_detail", args=[world["dialogue"].pk, follow_up.idea_id])


def test_an_idea_that_may_leave_is_named_with_its_task(world, lakeside):
    due = follow_up(world, lakeside, at="Public", due=TODAY + timedelta(days=2))
    assert follow_ups_remind(today=TODAY) == 1
    (message,) = mail.outbox
    assert message.to == ["owner@example.org"]
    assert message.subject == "[Trackii] Lakeside meetings: a follow-up is due soon"
    assert message.body == (
        "A follow-up you own on the idea “Joint gauge network” (Lakeside meetings) is due on "
        "15 April 2027.\n"
        "\n"
        "The task: Draft a non-paper for the water ministry\n"
        "\n"
        f"Once it is done, mark it so on the idea's page: {link(world, due)}\n"
        "\n"
        "You are reminded once when a follow-up is due within 2 days, and once when it is "
        "overdue."
    )
    assert link(world, due).startswith("https://")


def test_the_reminder_is_written_in_its_owners_language(world, lakeside, monkeypatch, settings):
    """Rendered inside the owner's language (the catalogues are empty yet: the language active
    while the message is made is what tells), and the language of the run is left as it was."""
    lakeside["owner"].person.language = "ar"
    lakeside["owner"].person.save(update_fields=["language"])
    follow_up(world, lakeside, at="Public", due=TODAY + timedelta(days=2))
    languages = []
    make = reminders.reminder_message

    def spy(*args, **kwargs):
        languages.append(translation.get_language())
        return make(*args, **kwargs)

    monkeypatch.setattr(reminders, "reminder_message", spy)
    assert follow_ups_remind(today=TODAY) == 1
    assert languages == ["ar"]
    assert translation.get_language() == settings.LANGUAGE_CODE
    (message,) = mail.outbox
    assert message.subject == "[Trackii] Lakeside meetings: اقترب موعد إجراء متابعة"


def test_an_idea_above_the_outbound_level_is_neither_named_nor_its_task_told(world, lakeside):
    due = follow_up(world, lakeside, at="Facilitators", due=TODAY, title="SENTINEL-TITLE-F4")
    assert follow_ups_remind(today=TODAY) == 1
    (message,) = mail.outbox
    assert message.subject == "[Trackii] Lakeside meetings: a follow-up is due soon"
    assert message.body == (
        "A follow-up you own on an idea of Lakeside meetings is due on 13 April 2027.\n"
        "\n"
        "Sign in to read the task.\n"
        "\n"
        f"Once it is done, mark it so on the idea's page: {link(world, due)}\n"
        "\n"
        "You are reminded once when a follow-up is due within 2 days, and once when it is "
        "overdue."
    )
    for secret in ("SENTINEL-TITLE-F4", "non-paper", world["dialogue"].title):
        assert secret not in message.subject + message.body


def test_each_stage_is_reminded_once_soon_then_overdue(world, lakeside):
    due = follow_up(world, lakeside, at="Public", due=TODAY + timedelta(days=1))
    assert follow_ups_remind(today=TODAY - timedelta(days=2)) == 0  # not yet due soon
    assert follow_ups_remind(today=TODAY) == 1
    assert follow_ups_remind(today=TODAY) == 0  # the same day again
    assert follow_ups_remind(today=TODAY + timedelta(days=1)) == 0  # the due day: same stage
    due.refresh_from_db()
    assert due.reminded_on == TODAY
    assert follow_ups_remind(today=TODAY + timedelta(days=2)) == 1  # overdue
    assert follow_ups_remind(today=TODAY + timedelta(days=3)) == 0
    assert follow_ups_remind(today=TODAY + timedelta(days=30)) == 0
    soon, overdue = mail.outbox
    assert soon.subject == "[Trackii] Lakeside meetings: a follow-up is due soon"
    assert overdue.subject == "[Trackii] Lakeside meetings: a follow-up is overdue"
    assert overdue.body.startswith(
        "A follow-up you own on the idea “Joint gauge network” (Lakeside meetings) was due on "
        "14 April 2027 and is not marked done.\n"
    )
    due.refresh_from_db()
    assert due.reminded_on == TODAY + timedelta(days=2)


def test_a_follow_up_found_overdue_is_reminded_once_and_a_done_one_never(world, lakeside):
    late = follow_up(world, lakeside, at="Public", due=TODAY - timedelta(days=10))
    done = follow_up(world, lakeside, at="Public", due=TODAY, title="Done already")
    follow_up_done(follow_up=done)
    assert follow_ups_remind(today=TODAY) == 1
    assert follow_ups_remind(today=TODAY + timedelta(days=1)) == 0
    (message,) = mail.outbox
    assert message.subject == "[Trackii] Lakeside meetings: a follow-up is overdue"
    assert link(world, late) in message.body
    assert "Done already" not in message.body


def test_an_owner_no_longer_accepted_or_without_an_address_is_skipped(world, lakeside):
    follow_up(world, lakeside, at="Public", due=TODAY)
    owner = lakeside["owner"]
    Membership.objects.filter(pk=owner.pk).update(state=Membership.State.DECLINED)
    assert follow_ups_remind(today=TODAY) == 0
    Membership.objects.filter(pk=owner.pk).update(state=Membership.State.ACCEPTED)
    owner.person.email = ""
    owner.person.save()
    owner.person.user.email = ""
    owner.person.user.save()
    assert follow_ups_remind(today=TODAY) == 0
    assert mail.outbox == []
    # Their account's address, when their person has none.
    owner.person.user.email = "account@example.org"
    owner.person.user.save()
    assert follow_ups_remind(today=TODAY) == 1
    assert mail.outbox[0].to == ["account@example.org"]


@pytest.mark.parametrize("rule", [Outcome.Attribution.CHATHAM_HOUSE, Outcome.Attribution.ON_RECORD])
def test_no_speaker_or_source_is_ever_in_the_e_mail(world, lakeside, rule):
    # At Public, so that the title and the task go out (the positive control).
    lakeside["source"].attribution = rule
    lakeside["source"].save()
    made = follow_up(world, lakeside, at="Public", due=TODAY)
    assert made.idea.attribution == rule
    assert follow_ups_remind(today=TODAY) == 1
    (message,) = mail.outbox
    text = message.subject + message.body
    assert "Joint gauge network" in text
    assert "Draft a non-paper" in text
    assert SPEAKER not in text
    assert "SENTINEL-SOURCE-Q7" not in text


def test_the_daily_beat_runs_the_task_and_the_task_reminds(world, lakeside):
    entry = app.conf.beat_schedule["follow-ups-remind"]
    assert entry == {"task": "dialogues.follow_ups_remind", "schedule": 24 * 60 * 60}
    assert remind_task.name == "dialogues.follow_ups_remind"
    follow_up(world, lakeside, at="Public", due=timezone.localdate())
    remind_task.delay()
    assert len(mail.outbox) == 1
