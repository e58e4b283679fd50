"""Every role's journey through its pages, at 1366 px (desktop) and at 390 px (a phone), on the
demo organisation: on every page visited, axe-core checks WCAG 2.2 A and AA (a violation fails
the test, its undecided results are printed), the page must be no wider than the window, and a
screenshot goes to test-artifacts/journeys/<role>-<width>-<page>.png (tests/browser/conftest.py,
``inspect``). Each role signs in once per width, the way it does in production: the facilitator
and the admin with their security key."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from dialogues.models import Dialogue, Session
from participants.invitations.services import invitation_send
from participants.models import Membership, User, VettingCase
from tests.browser.conftest import inspect, sign_in
from tests.conftest import enable_mfa

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROUND_2 = "Round 2: Water-sharing options"


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    return Dialogue.objects.get(title="Salt River Dialogue")


def tab(page, name: str) -> None:
    page.get_by_role("navigation", name="Sections of this dialogue").get_by_role(
        "link", name=name, exact=True
    ).click()
    page.wait_for_load_state()
    assert page.locator("a.tabs__tab[aria-current=page]").inner_text() == name


def test_facilitator_journey(journey, demo):
    convenor = User.objects.get(email="facilitator@demo.trackii.org")
    enable_mfa(convenor)
    # Two nominees cleared by vetting, for the convenor to invite at once.
    cleared = Membership.objects.filter(
        dialogue=demo, person__full_name__in=["Omar Haddad", "Yusuf Karimov"]
    )
    cleared.update(state=Membership.State.CLEARED)
    page = journey("facilitator")
    sign_in(page, convenor.email, user=convenor)
    inspect(page, "01-home")
    page.locator("details.menu > summary").click()
    assert page.get_by_role("button", name="Sign out").is_visible()
    inspect(page, "01-account-menu")

    page.get_by_role("link", name="Salt River Dialogue").first.click()
    page.wait_for_url(f"**/dialogues/{demo.pk}/")
    assert page.locator("h1").inner_text() == "Salt River Dialogue"
    inspect(page, "02-overview")

    tab(page, "Sessions")
    inspect(page, "03-sessions")

    tab(page, "Roster")
    toolbar = page.get_by_role("search", name="Search and filter the roster")
    toolbar.get_by_label("State").select_option(label="Cleared")
    toolbar.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/roster/?*state=cleared*")
    names = page.locator("#roster-results td[data-label=Name]").all_inner_texts()
    assert sorted(n.split("\n")[0].split(" (")[0] for n in names) == [
        "Omar Haddad",
        "Yusuf Karimov",
    ]
    inspect(page, "04-roster-cleared")

    mail.outbox.clear()
    page.get_by_label("Select Omar Haddad").check()
    page.get_by_label("Select Yusuf Karimov").check()
    page.get_by_label("With the selected").select_option(label="Invite the selected")
    page.get_by_role("button", name="Apply to the selected members").click()
    page.locator(".message--success", has_text="Invitations sent to 2 members.").wait_for()
    assert len(mail.outbox) == 2
    assert set(cleared.values_list("state", flat=True)) == {Membership.State.INVITED}
    inspect(page, "05-roster-invited")

    tab(page, "Papers")
    inspect(page, "06-papers")
    tab(page, "Outcomes")
    inspect(page, "07-outcomes")
    tab(page, "Ideas")
    inspect(page, "07-ideas")
    page.get_by_role("link", name="A neutral technical body for the flow data").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("A neutral technical body")
    inspect(page, "07-idea")
    page.goto(f"/dialogues/{demo.pk}/ideas/")
    tab(page, "Packs")
    inspect(page, "08-packs")

    round_2 = Session.objects.get(dialogue=demo, title=ROUND_2)
    page.goto(f"/dialogues/{demo.pk}/sessions/{round_2.pk}/")
    assert page.locator("h1").inner_text().startswith(ROUND_2)
    inspect(page, "09-session")
    page.goto(f"/dialogues/{demo.pk}/sessions/{round_2.pk}/agenda/")
    page.locator("#agenda-editor").wait_for()
    inspect(page, "10-agenda-editor")
    # Reusing an agenda: the template of the first round, previewed on Round 2's days (Round 2
    # is at Programme: the template's Public opening would be refused, and the preview says so).
    page.get_by_role("link", name="Reuse an agenda").click()
    page.get_by_role("link", name="Preview the template “Two-day round”").click()
    page.locator("#preview-h").wait_for()
    assert page.locator("#preview td[data-label=Item]").all_inner_texts()[0] == (
        "Opening and welcome"
    )
    inspect(page, "10-agenda-reuse")

    # A form sent without its required fields (the browser's own check off, as for someone who
    # submits regardless): the error summary at the top, focused.
    page.goto(f"/dialogues/{demo.pk}/sessions/new/")
    page.evaluate("document.querySelector('main form').noValidate = true")
    page.get_by_role("button", name="Plan the session").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert summary.get_by_role("heading").inner_text() == "There is a problem"
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    inspect(page, "11-form-errors")


def test_participant_journey(journey, demo):
    round_2 = Session.objects.get(dialogue=demo, title=ROUND_2)
    page = journey("participant")
    sign_in(page, "participant@demo.trackii.org")
    inspect(page, "01-home")

    page.get_by_role("link", name="Salt River Dialogue").first.click()
    page.wait_for_url(f"**/dialogues/{demo.pk}/")
    inspect(page, "02-overview")

    page.goto(f"/dialogues/{demo.pk}/sessions/{round_2.pk}/")
    titles = [t.split("\n")[0].strip() for t in page.locator(".agenda__title").all_inner_texts()]
    assert "Three options for dry-season sharing" in titles
    assert "Facilitators' review of day one" not in titles
    inspect(page, "03-agenda")

    page.goto("/account/")
    page.get_by_role("button", name="Create my calendar address").click()
    feed = page.get_by_label("Your calendar address")
    assert re.search(r"/calendar/[\w-]+\.ics$", feed.input_value())
    inspect(page, "04-profile-calendar")

    page.goto(f"/dialogues/{demo.pk}/ground-rules/")
    assert "Chatham House Rule" in page.locator("main").inner_text()
    inspect(page, "05-ground-rules")


def test_admin_journey(journey, demo):
    admin = User.objects.get(email="admin@demo.trackii.org")
    enable_mfa(admin)
    page = journey("admin")
    sign_in(page, admin.email, user=admin)

    page.goto("/vetting/")
    toolbar = page.get_by_role("search", name="Search and filter the vetting queue")
    toolbar.get_by_label("Status").select_option(value="cleared")
    toolbar.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/vetting/?*status=cleared*")
    nominees = page.locator("#queue-results td[data-label=Nominee] a").all_inner_texts()
    assert sorted(nominees) == sorted(
        VettingCase.objects.filter(status=VettingCase.Status.CLEARED).values_list(
            "membership__person__full_name", flat=True
        )
    )
    assert "Yusuf Karimov" not in nominees
    inspect(page, "01-vetting-cleared")

    page.goto("/vetting/")
    page.locator("#queue-results").get_by_role("link", name="Yusuf Karimov").click()
    page.wait_for_url("**/vetting/cases/*/")
    case_id = re.search(r"/vetting/cases/(\d+)/", page.url).group(1)
    inspect(page, "02-case")

    page.goto("/staff/audit/")
    toolbar = page.get_by_role("search", name="Search the audit trail and the change history")
    toolbar.get_by_label("Action (audit trail)").select_option(label="Viewed")
    toolbar.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/staff/audit/?*action=viewed*")
    # The queue writes nothing to the trail; the case page that the admin has just read does.
    rows = page.locator("#audit-results tbody tr")
    assert rows.locator("td[data-label=Action]").all_inner_texts() == ["Viewed"]
    assert rows.locator("td[data-label=Object]").all_inner_texts() == [
        f"participants.vettingcase {case_id}"
    ]
    inspect(page, "03-audit-viewed")

    page.goto("/staff/")
    inspect(page, "04-operations")


def test_signed_out_journey(journey, demo):
    nadia = Membership.objects.get(dialogue=demo, person__full_name="Nadia Farouk")
    facilitator = User.objects.get(email="facilitator@demo.trackii.org")
    mail.outbox.clear()
    invitation_send(membership=nadia, by=facilitator)
    [invited] = mail.outbox
    link = re.search(r"https?://[^/]+(/invitations/\S+/)", invited.body).group(1)
    page = journey("signed-out")

    page.goto("/accounts/login/")
    inspect(page, "01-sign-in")

    page.goto(link)
    assert page.get_by_role("button", name="Send me a code").is_visible()
    inspect(page, "02-invitation")

    response = page.goto("/nothing-here/")
    assert response.status == 404
    inspect(page, "03-not-found")


def test_inspect_fails_on_a_violation_and_on_a_page_too_wide(journey):
    """The check can fail: an image without a text alternative (axe-core's image-alt), and a
    block wider than any window."""
    page = journey("self-test")
    page.set_content(
        '<html lang="en"><head><title>Test</title></head><body><main>'
        '<h1>A page</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "</main></body></html>"
    )
    with pytest.raises(pytest.fail.Exception, match=r"image-alt \(critical\)"):
        inspect(page, "image-without-alt")
    page.set_content(
        '<html lang="en"><head><title>Test</title></head><body><main>'
        '<h1>A page</h1><div class="wide"></div></main></body></html>'
    )
    page.add_style_tag(content=".wide { inline-size: 2000px; block-size: 1px; }")
    with pytest.raises(pytest.fail.Exception, match=r"is 20\d\d px wide .*div\.wide"):
        inspect(page, "too-wide")
