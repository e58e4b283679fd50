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
    assert entry.detail == {"ground_rules_version": 1, "language": "en-gb"}
    assert acceptance.language == "en-gb"


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


# -- in several languages (issue 20) ------------------------------------------------------------

RULES_FR = "Règle de Chatham House : utilisez ce que vous entendez, jamais le nom de qui parle."
RULES_AR = "قاعدة تشاتام هاوس: استخدم ما تسمعه، ولا تذكر أبدًا من قاله."


def _write_translations(setting, translations: dict[str, str]):
    dialogue = setting["dialogue"]
    values = {name: getattr(dialogue, name) for name in DIALOGUE_FIELDS}
    values["ground_rules_translations"] = translations
    return dialogue_update(
        dialogue=dialogue,
        expected_revision=dialogue.edit_revision,
        values=values,
        by=setting["convenor"].person.user,
        viewer=viewer_for_user(setting["convenor"].person.user),
    )


def _read_in(client, language: str):
    from trackii.i18n import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = language
    session.save()


def test_a_member_reads_and_accepts_the_text_in_their_language(setting, login):
    dialogue = _write_translations(setting, {"fr": RULES_FR, "ar": RULES_AR})
    assert dialogue.ground_rules_version == 2  # a new text, in any language, is a new version
    client = login(setting["participant"])
    _read_in(client, "fr")
    url = reverse("dialogues:ground_rules", args=[dialogue.pk])
    page = client.get(url).content.decode()
    assert RULES_FR in page
    assert RULES not in page
    assert 'class="panel prose ground-rules" lang="fr" dir="auto"' in page
    # The other texts are a link away.
    assert '<a href="?language=en-gb" lang="en-gb" hreflang="en-gb">English</a>' in page
    assert '<a href="?language=ar" lang="ar" hreflang="ar">العربية</a>' in page
    assert "has not written the ground rules" not in page
    client.post(url, {"version": 2, "language": "fr"})
    acceptance = GroundRulesAcceptance.objects.get()
    assert (acceptance.language, acceptance.text_sha256) == (
        "fr",
        hashlib.sha256(RULES_FR.encode()).hexdigest(),
    )


def test_without_a_text_in_their_language_a_member_reads_the_main_one_and_is_told(setting, login):
    dialogue = _write_translations(setting, {"ar": RULES_AR})
    client = login(setting["participant"])
    _read_in(client, "ru")
    url = reverse("dialogues:ground_rules", args=[dialogue.pk])
    page = client.get(url).content.decode()
    assert RULES in page
    assert 'class="panel prose ground-rules" lang="en-gb" dir="auto"' in page
    assert '<html lang="ru" dir="ltr">' in page
    client.post(url, {"version": 2, "language": "ru"})
    acceptance = GroundRulesAcceptance.objects.get()
    assert (acceptance.language, acceptance.text_sha256) == (
        "en-gb",
        hashlib.sha256(RULES.encode()).hexdigest(),
    )


def test_a_member_may_read_and_sign_another_text_the_team_wrote(setting, login):
    dialogue = _write_translations(setting, {"ar": RULES_AR})
    client = login(setting["participant"])
    url = reverse("dialogues:ground_rules", args=[dialogue.pk])
    page = client.get(url + "?language=ar").content.decode()
    assert RULES_AR in page
    client.post(url, {"version": 2, "language": "ar"})
    assert GroundRulesAcceptance.objects.get().language == "ar"
    # A language without a text of its own is never signed: the main text is.
    GroundRulesAcceptance.objects.all().delete()
    client.post(url, {"version": 2, "language": "es"})
    assert GroundRulesAcceptance.objects.get().language == "en-gb"


def test_the_convening_team_writes_the_translations_in_the_dialogues_form(setting, login):
    dialogue = setting["dialogue"]
    client = login(setting["convenor"])
    url = reverse("dialogues:dialogue_edit", args=[dialogue.pk])
    page = client.get(url).content.decode()
    assert 'name="ground_rules_in_ar"' in page
    assert 'name="ground_rules_in_en-gb"' not in page  # the main language has the main box
    from django.forms.models import model_to_dict

    data = {
        k: v if v is not None else ""
        for k, v in model_to_dict(dialogue, fields=DIALOGUE_FIELDS).items()
        if k != "ground_rules_translations"
    }
    data.update(
        {
            "edit_revision": dialogue.edit_revision,
            "ground_rules_in_ar": RULES_AR,
            "ground_rules_in_fr": "  ",
            "attendance_visible": "on",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    dialogue.refresh_from_db()
    assert dialogue.ground_rules_translations == {"ar": RULES_AR}
    assert dialogue.ground_rules_version == 2
    assert dialogue.ground_rules_languages() == ["en-gb", "ar"]
