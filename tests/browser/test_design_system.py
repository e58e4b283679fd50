"""The design system in a browser (static/js/trackii.js and the stylesheet): a failed form puts
focus on its error summary and each summary link on its field; an htmx swap puts focus on what
changed instead of dropping it to <body>, and says what happened in the live region; the
account menu closes with Escape; nothing is wider than a 390 px phone."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from dialogues.models import Session
from participants.models import User
from tests.browser.conftest import sign_in
from tests.conftest import enable_mfa

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def facilitator(page):
    call_command("seed_demo", stdout=io.StringIO())
    user = User.objects.get(email="facilitator@demo.trackii.org")
    enable_mfa(user)
    sign_in(page, user.email, user=user)
    return user


def focused(page) -> str:
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e === document.body ? 'body' : (e.id || e.className || e.tagName); })()"
    )


def too_wide(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth > window.innerWidth")


def test_a_failed_form_and_htmx_swaps_keep_focus_where_the_change_is(page, facilitator, screenshot):
    session = Session.objects.get(title="Round 1: Framing the river")
    dialogue = f"/dialogues/{session.dialogue_id}/"

    # The browser's own check is off, as for a screen reader user who submits regardless.
    page.goto(dialogue + "sessions/new/")
    page.evaluate("document.querySelector('main form').noValidate = true")
    page.get_by_role("button", name="Plan the session").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert focused(page) == "error-summary"
    # Each error names its field.
    assert summary.get_by_role("link").all_inner_texts() == [
        f"{label}: This field is required." for label in ("Title", "Start", "End")
    ]
    summary.get_by_role("link").nth(1).click()
    assert focused(page) == "id_start"
    screenshot("1-summary")

    # The agenda editor: an item without a title is refused in place.
    page.goto(f"{dialogue}sessions/{session.pk}/agenda/")
    add = page.locator("#agenda-editor form.form").last
    add.evaluate("form => { form.noValidate = true; }")
    with page.expect_response(lambda r: "/agenda/items/new/" in r.url):
        add.get_by_role("button", name="Add the item").click()
    expect(page.locator("#agenda-editor [data-error-summary]")).to_be_focused()

    # Moving an item swaps the whole editor: focus goes to it, the live region says so.
    with page.expect_response(lambda r: "/move/" in r.url):
        page.locator("#agenda-editor button", has_text="Down").first.click()
    expect(page.locator("#live-region")).to_have_text("The agenda is updated")
    expect(page.locator("#agenda-editor")).to_be_focused()

    # Editing an item in place: focus goes to its first field.
    with page.expect_response(lambda r: "/edit/" in r.url):
        page.locator("#agenda-editor .agenda__item a", has_text="Edit").first.click()
    expect(page.locator("#agenda-editor li.agenda__item--editing #id_title")).to_be_focused()
    expect(page.locator("#live-region")).to_have_text(re.compile(r"^Editing “.+”$"))
    screenshot("2-editing")

    # The account menu opens, and Escape closes it and leaves focus on its button.
    page.locator("details.menu > summary").click()
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.keyboard.press("Escape")
    assert not page.get_by_role("button", name="Sign out").is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"


def test_pages_fit_a_phone(page, facilitator, screenshot):
    session = Session.objects.get(title="Round 1: Framing the river")
    dialogue = f"/dialogues/{session.dialogue_id}/"
    page.set_viewport_size({"width": 390, "height": 844})
    wide = []
    for name, url in [
        ("home", "/"),
        ("session", f"{dialogue}sessions/{session.pk}/"),
        ("agenda", f"{dialogue}sessions/{session.pk}/agenda/"),
        ("session-form", f"{dialogue}sessions/{session.pk}/edit/"),
        ("sides", f"{dialogue}sides/"),
        ("pack-request", f"{dialogue}packs/new/"),
        ("profile", "/account/"),
        ("devices", "/accounts/sessions/"),
    ]:
        page.goto(url)
        if too_wide(page):
            wide.append(name)
        screenshot(f"390-{name}")
    assert wide == []
