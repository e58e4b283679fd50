"""An admin works through the vetting queue in the browser and decides a case."""

import io

import pytest
from django.core.management import call_command

from participants.models import Membership, PossibleMatch, User, VettingCase
from tests.browser.conftest import sign_in
from tests.conftest import enable_mfa

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_admin_decides_a_case(page, screenshot):
    call_command("seed_demo", stdout=io.StringIO())
    admin = User.objects.get(email="admin@demo.trackii.org")
    enable_mfa(admin)
    case = VettingCase.objects.get(membership__person__full_name="Yusuf Karimov")
    assert case.status == VettingCase.Status.IN_REVIEW

    sign_in(page, "admin@demo.trackii.org", user=admin)
    page.get_by_role("link", name="Vetting", exact=True).click()
    screenshot("1-queue")
    page.get_by_role("link", name="Yusuf Karimov").click()
    page.locator("text=DEMO-001").first.wait_for()
    screenshot("2-case")

    match = page.locator("article.match").filter(has_text="DEMO-001")
    match.get_by_label("Not the same person").check()
    match.locator("textarea").fill(
        "Born 1979 in Valdera, MP since 2015; the listed financier is older."
    )
    match.get_by_role("button", name="Record this decision").click()
    page.locator("text=Possible match decided.").wait_for()

    page.get_by_label("Cleared", exact=True).check()
    page.locator("#id_reason").fill(
        "The only possible match was ruled out; references from two MPs."
    )
    page.locator("#id_jurisdictions").fill("CH, GB")
    page.get_by_role("button", name="Decide the case").click()
    page.locator("text=Case decided.").wait_for()
    screenshot("3-decided")

    case.refresh_from_db()
    assert (case.status, case.membership.state, case.decided_by) == (
        VettingCase.Status.CLEARED,
        Membership.State.CLEARED,
        admin,
    )
    assert list(case.matches.values_list("entry__reference", "status")) == [
        ("DEMO-001", PossibleMatch.Status.NOT_SAME_PERSON)
    ]
