"""A participant whose language is Arabic, then one whose language is Russian, goes the whole way
in it (issue 20): the invitation e-mail, the one-time code, the ground rules, the agenda, the
agenda PDF and the calendar feed; pages right to left in Arabic, checked by axe-core and
screenshotted at 1366 and 390 px (tests/browser/conftest.py's ``journey`` and ``inspect``)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from dialogues.models import Session
from participants.invitations.services import invitation_send
from participants.models import GroundRulesAcceptance, Membership, Person
from tests.browser.conftest import inspect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SCRIPTS = {"ar": re.compile(r"[\u0600-\u06ff]{3,}"), "ru": re.compile(r"[\u0400-\u04ff]{3,}")}
# The first words of the demo's ground rules in each language (dialogues/demo/seed.py).
RULES_START = {"ar": "يشارك المشاركون بصفتهم الشخصية", "ru": "Участники принимают участие"}


def said(language: str, message: str, **values) -> str:
    with translation.override(language):
        text = gettext(message)
    return text % values if values else text


def _bare(text: str) -> str:
    """Without Arabic's short vowels and shadda (a PDF's text may drop them), nor tatweel."""
    return re.sub(r"[\u064b-\u065f\u0670\u0640]", "", text)


def _holds_words(text: str, phrase: str) -> bool:
    """Every word of three letters or more of ``phrase`` is in ``text``: as written, or (pypdf
    gives right-to-left lines in visual order at times) with its letters reversed."""
    text = _bare(text)
    words = [w.strip(".,:;«»()") for w in _bare(phrase).split()]
    words = [w for w in words if len(w) >= 3]
    assert words, phrase
    return all(w in text or w[::-1] in text for w in words)


def _html_root(page) -> tuple[str, str]:
    return (
        page.locator("html").get_attribute("lang") or "",
        page.locator("html").get_attribute("dir") or "",
    )


@pytest.mark.parametrize("language", ["ar", "ru"])
def test_a_participant_goes_the_whole_way_in_their_language(
    journey, width, live_server, tmp_path, language
):
    call_command("seed_demo", stdout=io.StringIO())
    nadia = Membership.objects.get(person__full_name="Nadia Farouk")
    Person.objects.filter(pk=nadia.person_id).update(language=language)
    round_2 = Session.objects.get(title="Round 2: Water-sharing options")
    round_2.attendances.create(membership=nadia)
    facilitator = Membership.objects.get(person__user__email="facilitator@demo.trackii.org")
    mail.outbox.clear()
    invitation_send(membership=nadia, by=facilitator.person.user)
    [invited] = mail.outbox
    assert invited.subject == "[Trackii] " + said(
        language, "An invitation: %(cover_name)s", cover_name="Lakeside meetings"
    )
    assert SCRIPTS[language].search(invited.body)
    path = re.search(r"https?://[^/]+(/invitations/\S+/)", invited.body).group(1)
    direction = "rtl" if language == "ar" else "ltr"

    page = journey(f"invitee-{language}")
    page.goto(path)
    assert _html_root(page) == (language, direction)
    inspect(page, "1-invitation")
    page.get_by_role("button", name=said(language, "Send me a code")).click()
    code_mail = mail.outbox[-1]
    assert code_mail.subject == "[Trackii] " + said(
        language, "Your code: %(cover_name)s", cover_name="Lakeside meetings"
    )
    code = re.search(r"\b(\d{6})\b", code_mail.body).group(1)
    page.locator("input[name=code]").fill(code)
    page.get_by_role("button", name=said(language, "Confirm")).click()
    page.locator("input[type=password]").first.fill("a river runs through it 7")
    page.locator("input[type=password]").nth(1).fill("a river runs through it 7")
    inspect(page, "2-password")
    page.get_by_role("button", name=said(language, "Accept and create my account")).click()

    page.wait_for_url("**/ground-rules/")
    assert _html_root(page) == (language, direction)
    assert RULES_START[language] in page.locator("main").inner_text()
    inspect(page, "3-ground-rules")
    page.get_by_role("button", name=said(language, "I accept these ground rules")).click()
    page.wait_for_url(f"**/dialogues/{round_2.dialogue_id}/")
    acceptance = GroundRulesAcceptance.objects.get(membership=nadia)
    assert acceptance.language == language

    page.goto(f"/dialogues/{round_2.dialogue_id}/sessions/{round_2.pk}/")
    assert _html_root(page) == (language, direction)
    titles = [t.split("\n")[0].strip() for t in page.locator(".agenda__title").all_inner_texts()]
    assert "Three options for dry-season sharing" in titles
    inspect(page, "4-agenda")

    with page.expect_download() as download:
        page.get_by_role("link", name=said(language, "Download the agenda (PDF)")).click()
    pdf = tmp_path / "agenda.pdf"
    download.value.save_as(pdf)
    reader = PdfReader(pdf)
    first = reader.pages[0].extract_text()
    # Positive control: a Latin name that extraction gives back in any order of writing.
    assert "Nadia Farouk" in first
    level = said(language, "Participants")
    for number, sheet in enumerate(reader.pages, start=1):
        assert level.lower() in sheet.extract_text().lower(), f"page {number} carries no level"
    prepared = said(language, "Prepared for <bdi>%(name)s</bdi>").split("<bdi>")[0]
    assert _holds_words(first, prepared), first
    assert _holds_words(first, said(language, "Agenda")), first
    if language == "ar":
        fonts = subprocess.run(
            [shutil.which("pdffonts") or "pdffonts", str(pdf)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        naskh = [line for line in fonts.splitlines() if "Noto-Naskh-Arabic" in line]
        assert naskh, fonts
        # pdffonts' columns emb, sub, uni: embedded, as a subset, with its Unicode map.
        assert all(re.search(r"\byes\s+yes\s+yes\b", line) for line in naskh), fonts
        assert SCRIPTS["ar"].search(first)

    page.goto("/account/")
    page.get_by_role("button", name=said(language, "Create my calendar address")).click()
    feed_path = re.search(r"(/calendar/[\w-]+\.ics)", page.content()).group(1)
    response = page.request.get(feed_path)
    assert response.status == 200
    body = response.text()
    assert "BEGIN:VCALENDAR" in body
    assert SCRIPTS[language].search(body)
    inspect(page, "5-calendar")
