"""Transfer in the browser (issue 18), at 1366 and 390 px: the rapporteur records an outcome of
Round 1 (Chatham House, a speaker named in the attributed record); the convenor derives an idea
from it and asks for a pack for the envoy; the second facilitator approves it and sends the
link, which logs the idea's transfer to the envoy; the convenor records her reaction and the
change observed after; the Path tab draws the path, and a report for the funders is made at the
outbound level. Every page passes axe-core and fits the window (``inspect``); nothing the
speaker said is ever attributed on the way (idea page, path, pack, report)."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from dialogues.models import BriefingPack, Dialogue, FunderReport, Idea, ObservedChange, Transfer
from participants.models import Person, User
from tests.browser.conftest import inspect, sign_in
from tests.conftest import enable_mfa
from tests.world import account

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROUND_1 = "Round 1: Framing the river"
OUTCOME = (
    "A joint early-warning line between the two dam operators, staffed from both banks, for "
    "releases during the dry season."
)
SPEAKER = "Samir Haddani"
IDEA = "A dam operators' early-warning line"
REACTION = "Took it to the basin commission's secretariat the same week."
CHANGE = "The basin commission set up a duty line between the two dam operators."


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    dialogue = Dialogue.objects.get(title="Salt River Dialogue")
    rapporteur = account(email="rapporteur@demo.trackii.org")
    Person.objects.filter(full_name="Tomas Berger").update(user=rapporteur)
    people = {"rapporteur": rapporteur}
    for role, email in (
        ("convenor", "facilitator@demo.trackii.org"),
        ("second", "co-facilitator@demo.trackii.org"),
    ):
        people[role] = User.objects.get(email=email)
    for user in people.values():
        enable_mfa(user)
    return dialogue, people


def choose_level(page, select: str, name: str) -> None:
    """Choose the level whose option starts with ``name`` (options read "Name: audience")."""
    value = page.locator(f"{select} option").filter(has_text=re.compile(rf"^{name}\b")).first
    page.select_option(select, value=value.get_attribute("value"))


def tabs(page):
    return page.get_by_role("navigation", name="Sections of this dialogue")


def test_an_idea_goes_from_the_room_to_an_official_and_a_change_is_observed(journey, demo):
    dialogue, people = demo

    # The rapporteur records an outcome of Round 1 under the Chatham House rule.
    rapporteur = journey("rapporteur")
    sign_in(
        rapporteur,
        people["rapporteur"].email,
        password="correct horse battery",
        user=people["rapporteur"],
    )
    round_1 = dialogue.sessions.get(title=ROUND_1)
    rapporteur.goto(f"/dialogues/{dialogue.pk}/sessions/{round_1.pk}/")
    rapporteur.get_by_role("link", name="Record an outcome").click()
    expect(rapporteur.get_by_role("heading", level=1)).to_have_text("Record an outcome")
    rapporteur.select_option("#id_kind", "proposal")
    rapporteur.get_by_role("radio", name=re.compile("Chatham House")).check()
    rapporteur.fill("#id_summary", OUTCOME)
    rapporteur.fill("#id_record", f"{SPEAKER} proposed it after the break.")
    rapporteur.get_by_role("group", name="Speakers").get_by_label(SPEAKER).check()
    choose_level(rapporteur, "#id_level", "Programme")
    inspect(rapporteur, "01-outcome-form")
    rapporteur.get_by_role("button", name="Save the outcome").click()
    expect(rapporteur.get_by_text(OUTCOME).first).to_be_visible()

    # The convenor derives an idea from it.
    convenor = journey("convenor")
    sign_in(convenor, people["convenor"].email, user=people["convenor"])
    convenor.goto(f"/dialogues/{dialogue.pk}/")
    tabs(convenor).get_by_role("link", name="Ideas").click()
    convenor.get_by_role("link", name="Derive an idea").click()
    convenor.get_by_role("checkbox", name=re.compile(re.escape(OUTCOME[:60]))).check()
    convenor.fill("#id_title", IDEA)
    convenor.fill("#id_summary", "A duty line between the dam operators for dry-season releases.")
    choose_level(convenor, "#id_level", "Programme")
    inspect(convenor, "02-derive")
    convenor.get_by_role("button", name="Record the idea").click()
    expect(convenor.get_by_role("heading", level=1)).to_contain_text(IDEA)
    idea = Idea.objects.get(title=IDEA)
    assert idea.attribution == "chatham_house"
    # Under Chatham House the idea names nobody (the follow-up form lists the roster; the idea's
    # facts and sources do not).
    facts = convenor.locator("main dl.facts").first.inner_text()
    assert "Put forward by" not in facts
    assert SPEAKER not in facts

    # ... and asks for a pack of Round 1 for the envoy.
    convenor.goto(f"/dialogues/{dialogue.pk}/packs/")
    convenor.get_by_role("link", name="Request a pack").click()
    convenor.get_by_label(ROUND_1, exact=True).check()
    convenor.get_by_role("checkbox", name=re.compile(r"^Elena Marsh \(")).check()
    convenor.fill("#id_note", "The early-warning line, for the envoy.")
    convenor.get_by_role("button", name="Request the pack").click()
    convenor.wait_for_url(re.compile(r"/packs/\d+/$"))
    pack = BriefingPack.objects.get(note="The early-warning line, for the envoy.")
    [copy] = pack.copies.all()
    assert copy.state == "ready"
    assert idea in copy.ideas.all()
    with copy.file.open("rb") as handle:
        pack_text = " ".join(" ".join(p.extract_text() for p in PdfReader(handle).pages).split())
    assert IDEA in pack_text
    assert SPEAKER not in pack_text

    # The second facilitator approves it and sends the link: the idea reached the envoy.
    second = journey("second-facilitator")
    sign_in(second, people["second"].email, user=people["second"])
    second.goto(f"/dialogues/{dialogue.pk}/packs/{pack.pk}/")
    second.get_by_role("button", name="Approve and send the links").click()
    expect(second.locator(f"#copy-{copy.pk}")).to_contain_text(IDEA)
    inspect(second, "03-register")
    transfer = Transfer.objects.get(idea=idea)
    assert (transfer.official.name, transfer.means, transfer.pack_copy) == (
        "Elena Marsh",
        "pack",
        copy,
    )

    # The convenor records the envoy's reaction ...
    convenor.goto(f"/dialogues/{dialogue.pk}/ideas/{idea.pk}/")
    transfers = convenor.get_by_role("region", name="Transfers")
    expect(transfers).to_contain_text("Elena Marsh")
    expect(transfers).to_contain_text("Copy 1 of 1 in the distribution register")
    inspect(convenor, "04-idea-transferred")
    transfers.get_by_role("link", name=re.compile("open this transfer")).click()
    convenor.select_option("#id_reaction_kind", "acted")
    convenor.fill("#id_reaction", REACTION)
    inspect(convenor, "05-transfer")
    convenor.get_by_role("button", name="Save the reaction").click()
    expect(convenor.get_by_text(REACTION).first).to_be_visible()
    transfer.refresh_from_db()
    assert (transfer.reaction_kind, transfer.reaction) == ("acted", REACTION)

    # ... and the change observed after, linked to the idea and the transfer.
    convenor.goto(f"/dialogues/{dialogue.pk}/ideas/{idea.pk}/")
    convenor.get_by_role("link", name="Record an observed change").click()
    convenor.select_option("#id_kind", "practice")
    convenor.fill("#id_observed_on", "03/12/2026")
    convenor.fill("#id_who_changed", "The basin commission")
    convenor.fill("#id_what_changed", CHANGE)
    convenor.fill("#id_significance", "The first standing contact between the operators.")
    convenor.fill("#id_contribution", "The envoy carried the dialogue's proposal to it.")
    convenor.fill("#id_substantiated_by", "The commission's secretariat, by letter")
    convenor.get_by_role("checkbox", name=re.compile(rf"^{IDEA}: to Elena Marsh")).check()
    choose_level(convenor, "#id_level", "Facilitators")
    inspect(convenor, "06-change-form")
    convenor.get_by_role("button", name="Record the change").click()
    expect(convenor.get_by_role("heading", level=1)).to_contain_text("Observed change")
    change = ObservedChange.objects.get(what_changed=CHANGE)
    assert list(change.ideas.all()) == [idea]
    assert list(change.transfers.all()) == [transfer]
    inspect(convenor, "07-change")

    # The path at a glance: the session, the idea, the transfer and the change, joined.
    convenor.goto(f"/dialogues/{dialogue.pk}/")
    tabs(convenor).get_by_role("link", name="Path").click()
    picture = convenor.locator("svg[role=img]").first
    svg_text = picture.inner_html()
    for label in ("Round 1", IDEA[:24], "Elena Marsh", "The basin commission"):
        assert label in svg_text, label
    assert SPEAKER not in convenor.content()
    inspect(convenor, "08-path")

    # The report for the funders, at the outbound level, made by the worker.
    tabs(convenor).get_by_role("link", name="Reports").click()
    convenor.get_by_role("link", name=re.compile("Ask for a report|Request a report")).click()
    convenor.get_by_role("button", name=re.compile("report", re.I)).click()
    convenor.wait_for_url(re.compile(r"/reports/$"))
    report = FunderReport.objects.order_by("-pk").first()
    assert report.state == "ready"
    inspect(convenor, "09-reports")
    with report.csv.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    by_label = {(r[0], r[1]): r[2] for r in rows if len(r) >= 3}
    assert by_label["Ideas, by state", "All ideas"] == "<5"
    with report.pdf.open("rb") as handle:
        report_text = " ".join(" ".join(p.extract_text() for p in PdfReader(handle).pages).split())
    for secret in (SPEAKER, "Salt River", CHANGE, REACTION):
        assert secret not in report_text
        assert all(secret not in cell for row in rows for cell in row)
