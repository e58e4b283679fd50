"""Viewing a dialogue as a member (issue 17) in the browser, at 1366 and 390 px: the facilitator
opens it from the roster, confirms, reads the overview and a session as the participant (the
banner on every page, nothing of the Facilitators' material, no form but the banner's), is
refused a download with the reason, and stops. Every page passes axe-core and fits the window
(``inspect``)."""

import io

import pytest
from django.core.management import call_command

from dialogues.models import Dialogue, Session
from participants.models import User
from tests.browser.conftest import inspect, sign_in
from tests.conftest import enable_mfa

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROUND_2 = "Round 2: Water-sharing options"
BANNER = "Viewing Trackii as Leila Nasrawi in Salt River Dialogue"


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return Dialogue.objects.get(title="Salt River Dialogue")


def test_the_facilitator_views_the_dialogue_as_a_participant(journey, demo):
    facilitator = User.objects.get(email="facilitator@demo.trackii.org")
    enable_mfa(facilitator)
    page = journey("view-as")
    sign_in(page, facilitator.email, user=facilitator)
    page.goto(f"/dialogues/{demo.pk}/roster/?search=Nasrawi")
    page.get_by_role("link", name="View as Leila Nasrawi").click()
    page.get_by_role("button", name="Start viewing as Leila Nasrawi").wait_for()
    inspect(page, "01-confirm")

    page.get_by_role("button", name="Start viewing as Leila Nasrawi").click()
    page.wait_for_url(f"**/dialogues/{demo.pk}/")
    banner = page.get_by_role("status").filter(has_text="Viewing Trackii as")
    assert banner.inner_text().startswith(BANNER)
    tabs = page.get_by_role("navigation", name="Sections of this dialogue")
    assert tabs.get_by_role("link").all_inner_texts() == [
        "Overview",
        "Sessions",
        "Papers",
        "Outcomes",
        "Ideas",
        "Non-papers",
        "Path",
    ]
    inspect(page, "02-overview")

    round_2 = Session.objects.get(dialogue=demo, title=ROUND_2)
    page.goto(f"/dialogues/{demo.pk}/sessions/{round_2.pk}/")
    titles = [t.split("\n")[0].strip() for t in page.locator(".agenda__title").all_inner_texts()]
    assert "Three options for dry-season sharing" in titles
    assert "Facilitators' review of day one" not in titles
    assert page.locator("main form").count() == 0
    assert BANNER in page.get_by_role("status").filter(has_text="Viewing Trackii as").inner_text()
    inspect(page, "03-session")

    page.goto(f"/dialogues/{demo.pk}/sessions/{round_2.pk}/agenda.pdf")
    assert page.locator("h1").inner_text() == "Not while viewing as someone else"
    inspect(page, "04-refused")

    page.get_by_role("button", name="Stop viewing as Leila Nasrawi").click()
    page.wait_for_url(f"**/dialogues/{demo.pk}/roster/")
    assert page.get_by_role("status").filter(has_text="Viewing Trackii as").count() == 0
    inspect(page, "05-stopped")
