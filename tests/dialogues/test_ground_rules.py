"""Ground rules: a participant accepts them before seeing anything of a dialogue, and again
whenever the text changes."""

import hashlib

import pytest
from django.urls import reverse

from dialogues.confidentiality import viewer_for_user
from dialogues.workspace.services import DIALOGUE_FIELDS, dialogue_update
from participants.models import GroundRulesAcceptance, Membership
from tests.factories import DialogueFactory, SessionFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

RULES = "Chatham House Rule: use what you hear, never who said it."


@pytest.fixture
def setting(db):
    dialogue = DialogueFactory(title="Salt River", ground_rules=RULES)
    session = SessionFactory(dialogue=dialogue, title="Round 1", level=level("Programme"))
    participant = member_with_account(dialogue=dialogue)
    convenor = member_with_account(
        dialogue=dialogue, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    return {
        "dialogue": dialogue,
        "session": session,
        "participant": participant,
        "convenor": convenor,
    }


def pages(dialogue, session):
    return [
        reverse("dialogues:dialogue_detail", args=[dialogue.pk]),
        reverse("dialogues:session_detail", args=[dialogue.pk, session.pk]),
    ]


def test_nothing_is_seen_before_the_ground_rules_are_accepted(setting, login):
    client = login(setting["participant"])
    dialogue, session = setting["dialogue"], setting["session"]
    assert [client.get(url).status_code for url in pages(dialogue, session)] == [404, 404]
    home = client.get(reverse("home"))
    assert [m.dialogue_id for m in home.context["pending_rules"]] == [dialogue.pk]
    assert list(home.context["dialogues"]) == []
    page = client.get(reverse("dialogues:ground_rules", args=[dialogue.pk]))
    assert page.status_code == 200
    assert RULES.encode() in page.content
    response = client.post(reverse("dialogues:ground_rules", args=[dialogue.pk]), {"version": 1})
    assert response.status_code == 302
    assert [client.get(url).status_code for url in pages(dialogue, session)] == [200, 200]
    acceptance = GroundRulesAcceptance.objects.get()
    assert (acceptance.membership, acceptance.version, acceptance.text_sha256) == (
        setting["participant"],
        1,
        hashlib.sha256(RULES.encode()).hexdigest(),
    )
    entry = AuditEntry.objects.get(action="decided")
    assert entry.detail == {"ground_rules_version": 1}


def test_changed_rules_must_be_accepted_again(setting, login):
    dialogue, session = setting["dialogue"], setting["session"]
    client = login(setting["participant"])
    client.post(reverse("dialogues:ground_rules", args=[dialogue.pk]), {"version": 1})
    values = {name: getattr(dialogue, name) for name in DIALOGUE_FIELDS}
    values["ground_rules"] = RULES + "\nNo photographs."
    dialogue = dialogue_update(
        dialogue=dialogue,
        expected_revision=dialogue.edit_revision,
        values=values,
        by=setting["convenor"].person.user,
        viewer=viewer_for_user(setting["convenor"].person.user),
    )
    assert dialogue.ground_rules_version == 2
    assert [client.get(url).status_code for url in pages(dialogue, session)] == [404, 404]
    # Accepting the old version (a page opened before the change) is refused.
    stale = client.post(reverse("dialogues:ground_rules", args=[dialogue.pk]), {"version": 1})
    assert b"The ground rules changed while you were reading them" in stale.content
    assert GroundRulesAcceptance.objects.filter(version=2).count() == 0
    client.post(reverse("dialogues:ground_rules", args=[dialogue.pk]), {"version": 2})
    assert [client.get(url).status_code for url in pages(dialogue, session)] == [200, 200]


def test_ground_rules_once_accepted_are_shown_with_the_acceptance_and_no_button(setting, login):
    dialogue = setting["dialogue"]
    url = reverse("dialogues:ground_rules", args=[dialogue.pk])
    client = login(setting["participant"])
    button = b"I accept these ground rules</button>"
    assert button in client.get(url).content
    client.post(url, {"version": 1})
    accepted = GroundRulesAcceptance.objects.get()
    accepted.accepted_at = accepted.accepted_at.replace(
        year=2027, month=3, day=15, hour=8, minute=5, second=0, microsecond=0
    )
    accepted.save()
    html = client.get(url).content.decode()
    assert button.decode() not in html
    assert (
        "You accepted these ground rules (version 1) on "
        '<time datetime="2027-03-15T08:05:00+00:00">Mon 15 Mar 2027, 08:05 UTC</time>.'
    ) in html
    assert RULES in html
    # The convening team writes them and is not asked: the text, and no button either.
    html = login(setting["convenor"]).get(url).content.decode()
    assert RULES in html
    assert button.decode() not in html
    assert "the convening team, who write them, is not asked to" in html


def test_the_convening_team_is_not_held_back(setting, login):
    client = login(setting["convenor"])
    dialogue, session = setting["dialogue"], setting["session"]
    assert [client.get(url).status_code for url in pages(dialogue, session)] == [200, 200]


def test_others_cannot_read_the_ground_rules(setting, login):
    outsider = member_with_account(dialogue=DialogueFactory())
    nominee = member_with_account(dialogue=setting["dialogue"], state=Membership.State.NOMINATED)
    for member in (outsider, nominee):
        client = login(member)
        url = reverse("dialogues:ground_rules", args=[setting["dialogue"].pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": 1}).status_code == 404
    assert GroundRulesAcceptance.objects.count() == 0


def test_a_dialogue_without_ground_rules_asks_nothing(login):
    dialogue = DialogueFactory(ground_rules="")
    member = member_with_account(dialogue=dialogue)
    client = login(member)
    assert client.get(reverse("dialogues:dialogue_detail", args=[dialogue.pk])).status_code == 200
