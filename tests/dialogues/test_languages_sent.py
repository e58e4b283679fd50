"""What Trackii sends is written in its reader's language (issue 20; docs/i18n.md): a briefing
pack's copy and the e-mail with its link in the language the officials register gives the
official; the agenda PDF in its reader's (the page's); the calendar feed in its owner's, whoever
fetches it; the planner's and the non-papers' e-mails in each recipient's, the same words to
every reader of one language.

The catalogues hold no translation yet, so these tests do not look for French words: they ask
which language was active when each text was written, through a stand-in for ``gettext`` that
tags every message with it ("[fr]...")."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

import dialogues.models as dialogue_models
from dialogues import pdf
from dialogues.briefing import exports as briefing_exports
from dialogues.briefing import services as briefing
from dialogues.briefing import stamping
from dialogues.calendar import views as calendar_views
from dialogues.models import DEFAULT_COVER_NAME, Session
from dialogues.nonpapers import notifications as nonpaper_notifications
from dialogues.planning import exports as agenda_exports
from dialogues.planning import notifications as planning_notifications
from participants.profile.services import calendar_secret_regenerate
from tests.world import idea, non_paper, official, outcome, pack

pytestmark = pytest.mark.django_db


def tagged(message: str) -> str:
    """``gettext`` as a catalogue for every language would answer: the message, marked with the
    language it was asked in."""
    return f"[{translation.get_language()}]{message}"


def cover_in(world, language: str) -> str:
    """The dialogue's cover name as written in ``language``: the default one is translated."""
    with translation.override(language):
        return str(world["dialogue"].cover_label)


def speaks(member, language: str) -> None:
    member.person.language = language
    member.person.save(update_fields=["language"])


def email_of(member) -> str:
    return member.person.user.email


# -- briefing packs ------------------------------------------------------------------------------


@pytest.fixture
def officials(world):
    dialogue = world["dialogue"]
    return {
        "amal": official(dialogue, "Amal Haddad", "amal@mfa.example", "Programme", language="fr"),
        "ben": official(dialogue, "Ben Okafor", "ben@water.example", "Public"),
        "chen": official(dialogue, "Chen Li", "chen@mfa.example", "Public", language="ar"),
    }


def test_each_copy_of_a_pack_is_rendered_in_the_language_the_register_gives_its_official(
    world, officials, monkeypatch
):
    rendered: dict[str, tuple[str, str]] = {}
    titles: list[str] = []
    real = briefing_exports.briefing_marks_html

    def recording(*, contents, copies, group):
        html = real(contents=contents, copies=copies, group=group)
        for copy in copies:
            rendered[copy.recipient_name] = (translation.get_language(), html)
        return html

    def stamped(base, marks, copies):
        titles.extend(copy.title for copy in copies)
        return [b"%PDF-1.7 stand-in"] * len(copies)

    monkeypatch.setattr(briefing_exports, "briefing_marks_html", recording)
    monkeypatch.setattr(briefing_exports, "_", tagged)
    monkeypatch.setattr(pdf, "render_pdf", lambda html, log=None: (b"%PDF-1.7 stand-in", 1))
    monkeypatch.setattr(stamping, "stamp_copies", stamped)
    made = pack(
        of=world["dialogue"],
        by=world["convenor"].person.user,
        recipients=[officials["amal"], officials["ben"], officials["chen"]],
        render=True,
    )
    assert {name: language for name, (language, _html) in rendered.items()} == {
        "Amal Haddad": "fr",
        "Ben Okafor": "en-gb",
        "Chen Li": "ar",
    }
    cover = world["dialogue"].cover_name
    # Each copy's PDF title, in its language; its marks too.
    assert f"[fr]{cover_in(world, 'fr')}: copy 1 of 3" in titles
    assert f"[en-gb]{cover}: copy 2 of 3" in titles
    assert "Établi pour" in rendered["Amal Haddad"][1]
    assert "Prepared for" in rendered["Ben Okafor"][1]
    assert sorted(made.copies.values_list("state", flat=True)) == ["ready"] * 3


def test_the_e_mail_with_a_pack_link_is_written_in_the_officials_language(
    world, officials, monkeypatch, settings
):
    made = pack(
        of=world["dialogue"], by=world["convenor"].person.user, recipients=list(officials.values())
    )
    monkeypatch.setattr(briefing, "_", tagged)
    for copy in made.copies.order_by("number"):
        copy.link_nonce = f"{copy.pk:032d}"
        copy.link_expires_at = timezone.now() + timedelta(days=7)
        copy.save(update_fields=["link_nonce", "link_expires_at"])
        assert briefing.link_email_send(copy_id=copy.pk, nonce=copy.link_nonce)
    sent = {m.to[0]: m for m in mail.outbox}
    for email, language, name in [
        ("amal@mfa.example", "fr", "Amal Haddad"),
        ("ben@water.example", "en-gb", "Ben Okafor"),
        ("chen@mfa.example", "ar", "Chen Li"),
    ]:
        message = sent[email]
        assert message.subject == (
            f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}[{language}]{cover_in(world, language)}: "
            "a briefing pack for you"
        )
        assert message.body.startswith(f"[{language}]Dear {name},\n")


# -- the agenda PDF ------------------------------------------------------------------------------


def agenda_languages(client, world, monkeypatch, **headers) -> list[str]:
    seen: list[str] = []
    real = agenda_exports.render_to_string

    def recording(*args, **kwargs):
        seen.append(translation.get_language())
        return real(*args, **kwargs)

    monkeypatch.setattr(agenda_exports, "render_to_string", recording)
    monkeypatch.setattr(agenda_exports, "render_pdf", lambda html: (b"%PDF-1.7 stand-in", 1))
    round_1 = world["round_1"]
    response = client.get(
        reverse("dialogues:agenda_pdf", args=[round_1.dialogue_id, round_1.pk]), **headers
    )
    assert response.status_code == 200
    return seen


def test_the_agenda_pdf_is_written_in_its_readers_language(world, login, monkeypatch):
    speaks(world["participant"], "ru")
    client = login(world["participant"])
    assert agenda_languages(client, world, monkeypatch, HTTP_ACCEPT_LANGUAGE="es") == ["ru"]


def test_the_agenda_pdf_of_a_reader_without_a_language_follows_their_browser(
    world, login, monkeypatch
):
    client = login(world["participant"])
    assert agenda_languages(client, world, monkeypatch, HTTP_ACCEPT_LANGUAGE="es") == ["es"]


# -- the calendar feed ---------------------------------------------------------------------------


@pytest.fixture
def feeds(world, monkeypatch):
    """The feed's view, recording the language it writes in; the default cover name, which
    stands in for the pre-consultation (above the outbound level), tagged as translated."""
    world["dialogue"].cover_name = DEFAULT_COVER_NAME
    world["dialogue"].save(update_fields=["cover_name"])
    monkeypatch.setattr(dialogue_models, "gettext", tagged)
    real = calendar_views.calendar_for

    def recording(**kwargs):
        recording.languages.append(translation.get_language())
        return real(**kwargs)

    recording.languages = []
    monkeypatch.setattr(calendar_views, "calendar_for", recording)
    return recording


def test_the_calendar_feed_is_written_in_its_owners_language_not_the_fetchers(client, world, feeds):
    speaks(world["participant"], "ar")
    secret = calendar_secret_regenerate(user=world["participant"].person.user)
    response = client.get(reverse("calendar_feed", args=[secret]), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    summaries = {
        str(event["summary"]) for event in Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert feeds.languages == ["ar"]
    assert "[ar]Meetings" in summaries  # the pre-consultation, under the cover name
    assert "Round 1" in summaries  # a title that may leave, as its team wrote it


def test_the_calendar_feed_of_an_owner_without_a_language_is_in_english(client, world, feeds):
    secret = calendar_secret_regenerate(user=world["participant"].person.user)
    response = client.get(reverse("calendar_feed", args=[secret]), HTTP_ACCEPT_LANGUAGE="fr")
    summaries = {
        str(event["summary"]) for event in Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert feeds.languages == ["en-gb"]
    assert "[en-gb]Meetings" in summaries


def test_a_cover_name_the_team_wrote_is_never_translated(world, monkeypatch):
    monkeypatch.setattr(dialogue_models, "gettext", tagged)
    dialogue = world["dialogue"]
    dialogue.cover_name = "Lakeside meetings"
    assert dialogue.cover_label == "Lakeside meetings"
    dialogue.cover_name = DEFAULT_COVER_NAME
    with translation.override("fr"):
        assert dialogue.cover_label == "[fr]Meetings"


# -- the planner's e-mails -----------------------------------------------------------------------


@pytest.fixture
def planner_mail(world, monkeypatch):
    """Round 1's attendees: the participant reads French, the observer Spanish, the other side
    has chosen no language. Each e-mail's attached calendar entry is recorded with the
    language it was written in."""
    speaks(world["participant"], "fr")
    speaks(world["observer"], "es")
    monkeypatch.setattr(planning_notifications, "_", tagged)
    real = planning_notifications.calendar_for
    entries: dict[str, str] = {}

    def recording(*, user, session_id):
        entries[user.email] = translation.get_language()
        return real(user=user, session_id=session_id)

    monkeypatch.setattr(planning_notifications, "calendar_for", recording)
    mail.outbox.clear()
    return entries


def test_the_agenda_e_mail_is_written_in_each_attendees_language(world, planner_mail):
    round_1 = world["round_1"]
    sent = planning_notifications.agenda_published_notify(
        session_id=round_1.pk, version=round_1.published_version
    )
    assert sent == 3
    languages = {
        email_of(world["participant"]): "fr",
        email_of(world["observer"]): "es",
        email_of(world["other_side"]): "en-gb",
    }
    for message in mail.outbox:
        language = languages[message.to[0]]
        assert message.subject == (
            f"[Trackii] [{language}]{cover_in(world, language)}: the agenda changed"
        )
        assert message.body.startswith(
            f"[{language}]The agenda of Round 1 has a new version (version 1)."
        )
        assert f"[{language}]What changed:" in message.body
    assert planner_mail == languages


def test_the_publishing_preview_groups_attendees_whatever_their_language(world, planner_mail):
    from dialogues.confidentiality import viewer_for_user
    from dialogues.planning.publishing import publish_preview

    round_1 = world["round_1"]
    viewer = viewer_for_user(world["convenor"].person.user)
    preview = publish_preview(session=round_1, viewer=viewer)
    with translation.override("fr"):
        again = publish_preview(session=round_1, viewer=viewer)
    # The two sides read the same items: one group, though one of them reads French; and the
    # same preview whatever language the planner reads it in.
    participants = sorted(
        [world["participant"].person.full_name, world["other_side"].person.full_name]
    )
    assert participants in [group.people for group in preview.groups]
    assert [g.people for g in again.groups] == [g.people for g in preview.groups]
    assert again.fingerprint == preview.fingerprint
    assert mail.outbox == []


@pytest.mark.parametrize("status", [Session.Status.CANCELLED, Session.Status.PUBLISHED])
def test_a_session_called_off_or_back_on_is_told_once_per_language(world, planner_mail, status):
    speaks(world["other_side"], "fr")
    round_1 = world["round_1"]
    Session.objects.filter(pk=round_1.pk).update(status=status)
    assert planning_notifications.session_status_notify(session_id=round_1.pk, status=status) == 3
    by_recipient = {m.to[0]: m for m in mail.outbox}
    french = [by_recipient[email_of(world[name])] for name in ("participant", "other_side")]
    spanish = by_recipient[email_of(world["observer"])]
    # The same words to both French readers, in French; the Spanish reader's in Spanish.
    assert french[0].subject == french[1].subject
    assert french[0].body == french[1].body
    assert french[0].body.startswith("[fr]Round 1 ")
    assert spanish.body.startswith("[es]Round 1 ")
    assert spanish.subject.startswith("[Trackii] [es]")
    assert planner_mail == {
        email_of(world["participant"]): "fr",
        email_of(world["other_side"]): "fr",
        email_of(world["observer"]): "es",
    }


# -- the non-papers' e-mail ----------------------------------------------------------------------


def test_a_circulated_non_paper_is_told_in_each_readers_language(world, monkeypatch):
    source = outcome(world["round_1"], level="Programme", summary="A joint gauge network.")
    gauge = idea(world["dialogue"], sources=[source], level="Programme", title="Gauges")
    made = non_paper(
        world["dialogue"],
        ideas=[gauge],
        level="Programme",
        title="Joint gauges",
        paragraphs=["Paragraph one."],
        circulated=1,
    )
    speaks(world["participant"], "fr")
    speaks(world["other_side"], "fr")
    speaks(world["observer"], "ru")
    monkeypatch.setattr(nonpaper_notifications, "_", tagged)
    mail.outbox.clear()
    sent = nonpaper_notifications.circulated_notify(version_id=made.versions.get(number=1).pk)
    assert sent == 4
    by_recipient = {m.to[0]: m for m in mail.outbox}
    words = {
        name: (
            by_recipient[email_of(world[name])].subject,
            by_recipient[email_of(world[name])].body,
        )
        for name in ("participant", "other_side", "observer", "rapporteur")
    }
    assert words["participant"] == words["other_side"]  # one language, the same words
    cover = world["dialogue"].cover_name
    assert words["participant"][0] == f"[Trackii] [fr]{cover_in(world, 'fr')}: a text to read"
    assert words["observer"][0] == f"[Trackii] [ru]{cover_in(world, 'ru')}: a text to read"
    assert words["rapporteur"][0] == f"[Trackii] [en-gb]{cover}: a text to read"
    # The non-paper is above the outbound level: no title, in Russian too.
    assert words["observer"][1].startswith(f"[ru]Version 1 of a text of {cover_in(world, 'ru')} ")
