"""An invitee follows the link from the e-mail, proves the address with the code, creates an
account, accepts the ground rules, reads the agenda, and takes it home as a PDF and a calendar."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from dialogues.models import Session
from participants.invitations.services import invitation_send
from participants.models import Membership
from tests.browser.conftest import sign_in  # noqa: F401 - same conftest helpers as the others

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_invitee_comes_in_and_reads_the_agenda(page, screenshot, live_server, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    nadia = Membership.objects.get(person__full_name="Nadia Farouk")
    round_2 = Session.objects.get(title="Round 2: Water-sharing options")
    round_2.attendances.create(membership=nadia)
    facilitator = Membership.objects.get(person__user__email="facilitator@demo.trackii.org")
    mail.outbox.clear()
    invitation_send(membership=nadia, by=facilitator.person.user)  # the seed's link is revoked
    [invited] = mail.outbox
    assert invited.subject == "[Trackii] An invitation: Lakeside meetings"
    assert "Salt River" not in invited.body
    path = re.search(r"https?://[^/]+(/invitations/\S+/)", invited.body).group(1)

    page.goto(path)
    screenshot("1-invitation")
    page.get_by_role("button", name="Send me a code").click()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("The code we sent you").fill(code)
    page.get_by_role("button", name="Confirm").click()
    page.locator("input[type=password]").first.fill("a river runs through it 7")
    page.locator("input[type=password]").nth(1).fill("a river runs through it 7")
    screenshot("2-password")
    page.get_by_role("button", name="Accept and create my account").click()

    page.wait_for_url("**/ground-rules/")
    screenshot("3-ground-rules")
    page.get_by_role("button", name="I accept these ground rules").click()
    page.wait_for_url(f"**/dialogues/{round_2.dialogue_id}/")
    nadia.refresh_from_db()
    assert nadia.state == Membership.State.ACCEPTED

    page.goto(f"/dialogues/{round_2.dialogue_id}/sessions/{round_2.pk}/")
    titles = [t.split("\n")[0].strip() for t in page.locator(".agenda__title").all_inner_texts()]
    assert "Three options for dry-season sharing" in titles
    assert "Facilitators' review of day one" not in titles
    screenshot("4-agenda")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the agenda (PDF)").click()
    pdf = tmp_path / "agenda.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.endswith("-agenda.pdf")

    page.goto("/account/")
    page.get_by_role("button", name="Create my calendar address").click()
    feed_path = re.search(r"(/calendar/[\w-]+\.ics)", page.content()).group(1)
    response = page.request.get(feed_path)
    assert response.status == 200
    body = response.text()
    assert "BEGIN:VCALENDAR" in body
    assert "Salt River" not in body
    screenshot("5-calendar")
