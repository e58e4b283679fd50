"""The timelines in a browser (issue 17), on the demo organisation, at 1366 px and at a 390 px
phone: the Sessions tab's month and the home page's month and list pass axe-core's WCAG 2.2 A
and AA rules and are no wider than the window (on a phone the month is a list of the days that
have sessions); screenshots in test-artifacts/journeys/ (``inspect``)."""

import io

import pytest
from django.core.management import call_command

from dialogues.models import Dialogue
from participants.models import User
from tests.browser.conftest import inspect, sign_in
from tests.conftest import enable_mfa

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Round 2 of the demo's Salt River Dialogue: Monday 15 to Wednesday 17 March 2027.
MARCH = "?view=month&month=2027-03"


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return Dialogue.objects.get(title="Salt River Dialogue")


def days_listed(page) -> list[str]:
    """The days of the month table that are shown (on a phone, only those with sessions)."""
    return page.locator("table.month td[data-date]:visible").evaluate_all(
        "cells => cells.map(cell => cell.dataset.date)"
    )


def test_facilitator_timelines(journey, demo, width):
    convenor = User.objects.get(email="facilitator@demo.trackii.org")
    enable_mfa(convenor)
    page = journey("facilitator")
    sign_in(page, convenor.email, user=convenor)

    page.goto(f"/dialogues/{demo.pk}/sessions/")
    page.get_by_role("navigation", name="Views of the sessions").get_by_role(
        "link", name="Month"
    ).click()
    page.wait_for_url("**/sessions/?view=month*")
    inspect(page, "timeline-01-sessions-month")

    page.goto(f"/dialogues/{demo.pk}/sessions/{MARCH}")
    assert page.locator("table.month caption").inner_text() == "March 2027"
    shown = days_listed(page)
    assert {"2027-03-15", "2027-03-16", "2027-03-17"} <= set(shown)
    if width == "phone":
        assert shown == ["2027-03-15", "2027-03-16", "2027-03-17"]
    else:
        assert len(shown) == 31
    inspect(page, "timeline-02-sessions-march")

    page.goto("/" + MARCH + "#timeline")
    inspect(page, "timeline-03-home-march")
    page.goto("/")
    inspect(page, "timeline-04-home-list")


def test_participant_timelines(journey, demo):
    page = journey("participant")
    sign_in(page, "participant@demo.trackii.org")
    page.goto("/?view=month&month=2027-01#timeline")
    inspect(page, "timeline-01-home-january")
    page.goto(f"/dialogues/{demo.pk}/sessions/{MARCH}")
    inspect(page, "timeline-02-sessions-march")
