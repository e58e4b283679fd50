"""The facilitator plans a session in the browser, the participant reads what they may."""

import io

import pytest
from django.core.management import call_command

from dialogues.models import AgendaItem, Document, PublishedAgendaItem, Session
from participants.models import User
from tests.browser.conftest import sign_in
from tests.conftest import enable_mfa

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo(page):
    call_command("seed_demo", stdout=io.StringIO())
    facilitator = User.objects.get(email="facilitator@demo.trackii.org")
    enable_mfa(facilitator)
    return {"facilitator": facilitator}


def add_item(page, title, start, end, level):
    form = page.locator("#agenda-editor form.form").last
    form.locator("#id_title").fill(title)
    form.locator("#id_start").fill(start)
    form.locator("#id_end").fill(end)
    form.locator("#id_room").fill("Sala Grande")
    form.locator("#id_level").select_option(label=level)
    with page.expect_response(lambda r: "/agenda/items/new/" in r.url):
        form.locator("button[type=submit]").click()
    page.locator("#agenda-editor .agenda__title", has_text=title).wait_for()


def test_facilitator_plans_publishes_and_participant_reads(page, demo, screenshot, tmp_path):
    sign_in(page, "facilitator@demo.trackii.org", user=demo["facilitator"])
    page.get_by_role("link", name="Salt River Dialogue").first.click()
    page.get_by_role("link", name="Plan a session").click()
    page.fill("#id_title", "Round 3: Monitoring the dam")
    page.select_option("#id_kind", "round")
    page.fill("#id_venue", "Villa Ombrosa")
    page.fill("#id_city", "Valdera")
    page.select_option("#id_time_zone", "Europe/Rome")
    page.fill("#id_start", "07/06/2027 09:00")
    page.fill("#id_end", "08/06/2027 17:00")
    page.select_option("#id_level", label="Programme: all members of the programme")
    page.get_by_label("Osterlan", exact=True).check()
    page.get_by_label("Marovian", exact=True).check()
    screenshot("1-session-form")
    page.get_by_role("button", name="Plan the session").click()
    page.wait_for_url("**/agenda/")
    session = Session.objects.get(title="Round 3: Monitoring the dam")
    assert session.status == Session.Status.DRAFT

    add_item(
        page,
        "Welcome back",
        "07/06/2027 09:00",
        "07/06/2027 09:30",
        "Programme: all members of the programme",
    )
    add_item(
        page,
        "Gauge data from both sides",
        "07/06/2027 09:30",
        "07/06/2027 11:00",
        "Participants: those taking part in the session",
    )
    add_item(
        page,
        "Convenors' debrief",
        "07/06/2027 18:00",
        "07/06/2027 19:00",
        "Facilitators: the convening team",
    )
    screenshot("2-three-items")
    # Reorder: the gauge data comes first.
    with page.expect_response(lambda r: "/move/" in r.url):
        page.get_by_role("button", name="Move “Gauge data from both sides” up").click()
    page.wait_for_function(
        "document.querySelector('#agenda-editor .agenda__title').textContent.includes('Gauge')"
    )
    assert list(
        AgendaItem.objects.filter(session=session).order_by("order").values_list("title", flat=True)
    ) == ["Gauge data from both sides", "Welcome back", "Convenors' debrief"]
    screenshot("3-reordered")

    # A paper for the session.
    paper = tmp_path / "gauge-network.pdf"
    paper.write_bytes(PDF)
    page.goto(f"/dialogues/{session.dialogue_id}/sessions/{session.pk}/")
    page.get_by_role("link", name="Upload a paper").click()
    page.fill("#id_title", "Gauge network non-paper")
    page.select_option("#id_kind", "non_paper")
    page.set_input_files("#id_file", str(paper))
    page.get_by_role("button", name="Upload").click()
    page.locator("text=Gauge network non-paper").first.wait_for()
    assert Document.objects.filter(session=session, title="Gauge network non-paper").count() == 1
    screenshot("4-paper")

    page.goto(f"/dialogues/{session.dialogue_id}/sessions/{session.pk}/agenda/")
    page.get_by_role("link", name="Preview and publish the agenda").click()
    page.get_by_role("button", name="Publish version 1").click()
    page.locator("text=Published version 1").first.wait_for()
    screenshot("5-published")
    session.refresh_from_db()
    assert (session.status, session.published_version) == (Session.Status.PUBLISHED, 1)
    assert PublishedAgendaItem.objects.filter(session=session).count() == 3

    # The participant (Osterlan side, clearance Participants) reads it in another browser.
    page.context.clear_cookies()
    sign_in(page, "participant@demo.trackii.org")
    page.goto(f"/dialogues/{session.dialogue_id}/sessions/{session.pk}/")
    titles = page.locator(".agenda__title").all_inner_texts()
    assert [t.split("\n")[0].strip() for t in titles] == [
        "Gauge data from both sides",
        "Welcome back",
    ]
    body = page.content()
    assert "debrief" not in body
    assert "Gauge network non-paper" in body
    screenshot("6-participant")


def test_participant_sees_the_published_agenda_within_their_clearance(page, demo, screenshot):
    sign_in(page, "participant@demo.trackii.org")
    session = Session.objects.get(title="Round 1: Framing the river")
    page.goto(f"/dialogues/{session.dialogue_id}/sessions/{session.pk}/")
    titles = [t.split("\n")[0].strip() for t in page.locator(".agenda__title").all_inner_texts()]
    assert titles == [
        "Opening and welcome",
        "Ground rules and the Chatham House undertaking",
        "Mapping the basin: each side's account",
    ]
    body = page.content()
    for hidden in ("Facilitators' huddle", "Private breakfast", "reading the room"):
        assert hidden not in body
    screenshot("round-1")
    # The planner is not theirs: 404.
    response = page.goto(f"/dialogues/{session.dialogue_id}/sessions/{session.pk}/agenda/")
    assert response.status == 404
