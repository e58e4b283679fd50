"""The lists in the browser (issue 16), at 1366 and 390 px: the convenor filters the roster and
invites two members at once, then reads the Papers tab and the packs; the admin filters the
vetting queue and sorts the audit trail. Screenshots of each list at both widths go to
test-artifacts/; how wide each page is, against the window, is printed (the design system's
stylesheet, on its own branch, stacks the tables on a phone)."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from participants.models import Membership, User
from tests.browser.conftest import sign_in
from tests.conftest import enable_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def at_both_widths(page, screenshot, name: str) -> dict[str, int]:
    """Screenshots at both widths; how wide the page is at each (scrollWidth)."""
    widths = {}
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(100)
        widths[label] = page.evaluate("document.documentElement.scrollWidth")
        screenshot(f"{name}-{label}")
    page.set_viewport_size({"width": 1366, "height": 900})
    print(f"{name}: {widths} (windows {[w for w, _ in WIDTHS.values()]})")
    return widths


def test_the_convenor_filters_the_roster_and_invites_the_selected(page, screenshot):
    call_command("seed_demo", stdout=io.StringIO())
    convenor = User.objects.get(email="facilitator@demo.trackii.org")
    enable_mfa(convenor)
    salt_river = Membership.objects.get(person__user=convenor).dialogue
    cleared = list(
        Membership.objects.filter(
            dialogue=salt_river, person__full_name__in=["Omar Haddad", "Yusuf Karimov"]
        )
    )
    Membership.objects.filter(pk__in=[m.pk for m in cleared]).update(state="cleared")
    mail.outbox.clear()

    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "facilitator@demo.trackii.org", user=convenor)
    page.goto(f"/dialogues/{salt_river.pk}/roster/")
    toolbar = page.get_by_role("search", name="Search and filter the roster")
    toolbar.get_by_label("State").select_option(label="Cleared")
    toolbar.get_by_role("button", name="Apply").click()
    # htmx replaces the results only, and the address says what is shown.
    page.wait_for_url("**/roster/?*state=cleared*")
    results = page.locator("#roster-results")
    names = [
        n.split("\n")[0].split(" (")[0]
        for n in results.locator("td[data-label=Name]").all_inner_texts()
    ]
    assert sorted(names) == ["Omar Haddad", "Yusuf Karimov"]
    at_both_widths(page, screenshot, "1-roster-cleared")

    page.get_by_label("Select Omar Haddad").check()
    page.get_by_label("Select Yusuf Karimov").check()
    page.get_by_label("With the selected").select_option(label="Invite the selected")
    page.get_by_role("button", name="Apply to the selected members").click()
    page.locator("text=Invitations sent to 2 members.").wait_for()
    assert "state=cleared" in page.url
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.person.email for m in cleared)
    for membership in cleared:
        membership.refresh_from_db()
        assert membership.state == "invited"
    at_both_widths(page, screenshot, "2-roster-invited")

    # Sorting by a column keeps the filter and goes back to the first page.
    page.goto(f"/dialogues/{salt_river.pk}/roster/?sort=-name")
    header = page.locator("th[aria-sort=descending]")
    assert header.inner_text().startswith("Name")
    at_both_widths(page, screenshot, "3-roster-by-name")

    page.goto(f"/dialogues/{salt_river.pk}/documents/")
    assert page.locator("h1").inner_text() == "Papers"
    assert page.locator("#papers-results td[data-label=Paper]").count() > 0
    at_both_widths(page, screenshot, "4-papers")

    page.goto(f"/dialogues/{salt_river.pk}/packs/")
    pack = page.locator("#packs-results td[data-label=Pack]").first.inner_text()
    assert pack.startswith("Briefing on ")
    at_both_widths(page, screenshot, "5-packs")


def test_the_admin_filters_the_vetting_queue_and_sorts_the_trail(page, screenshot):
    call_command("seed_demo", stdout=io.StringIO())
    admin = User.objects.get(email="admin@demo.trackii.org")
    enable_mfa(admin)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, "admin@demo.trackii.org", user=admin)

    page.goto("/vetting/")
    toolbar = page.get_by_role("search", name="Search and filter the vetting queue")
    toolbar.get_by_label("Status").select_option(value="all")
    toolbar.get_by_label("Nominee's name").fill("karimov")
    toolbar.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/vetting/?*search=karimov*")
    nominees = page.locator("#queue-results td[data-label=Nominee]").all_inner_texts()
    assert [n.split(" (")[0] for n in nominees] == ["Yusuf Karimov"]
    at_both_widths(page, screenshot, "6-vetting-queue")

    page.goto("/staff/audit/?date_from=2027-02-30")
    assert (
        page.locator("#id_date_from_errors").inner_text()
        == "Enter a date as day/month/year, such as 14/03/2027."
    )
    page.goto("/staff/audit/?source=trail&sort=when")
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("When")
    at_both_widths(page, screenshot, "7-audit-trail")
