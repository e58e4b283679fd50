"""A facilitator adds two officials to the dialogue's register, requests a briefing pack for them
in the browser, watches its copies render on a real
(in-process) Celery worker while the page polls by itself (htmx), and downloads copy 1.

The rest of the suite runs tasks eagerly, inside the request, so a pack would be ready before
its page ever showed: here the app publishes to the in-process ``memory://`` broker and a worker
thread (solo pool) consumes it, and each render is slowed down by a few seconds (in this test
only), so the page must show the copies queued or rendering first and then turn ready without a
reload. The worker thread opens its own connection to the same (shared in-memory SQLite) test
database as the live server."""

import hashlib
import io
import re
import threading
import time

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.core.management import call_command
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from playwright.sync_api import expect
from pypdf import PdfReader

from dialogues.briefing import services as briefing_services
from dialogues.models import BriefingPack
from participants.models import User
from tests.browser.conftest import sign_in
from tests.conftest import enable_mfa
from trackii.celery import app as celery_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

RENDER_DELAY = 3.0  # seconds added to each copy's render, so that the progress can be seen
READY_TIMEOUT = 60_000  # ms: two slowed renders, one after the other, with room to spare
FACILITATOR = "facilitator@demo.trackii.org"
NOTE = "For the envoys' consultations on the dry-season data (sentinel KESTREL-41)."
RECIPIENTS = [
    {
        "name": "Ingrid Valborg",
        "position": "Deputy Director, Water Diplomacy",
        "institution": "Ministry of Foreign Affairs of Norland (fictional)",
        "email": "ingrid.valborg@ministry.example.org",
        "clearance": "Programme: all members of the programme",
    },
    {
        "name": "Tomasz Orlik",
        "position": "Senior Mediation Adviser",
        "institution": "Orlik Mediation Support Unit (fictional)",
        "email": "tomasz.orlik@mediation.example.org",
        "clearance": "Facilitators: the convening team",
    },
]
# Round 1's outcomes (seed_demo): one at Programme (copy 1 must carry it), one for the
# convening team only (copy 1, at Programme, must not).
PROGRAMME_OUTCOME = "neutral technical body"
FACILITATORS_OUTCOME = "discreet ministerial channel"


@pytest.fixture
def demo(page):
    call_command("seed_demo", stdout=io.StringIO())  # eager, before the worker starts
    facilitator = User.objects.get(email=FACILITATOR)
    enable_mfa(facilitator)
    return {"facilitator": facilitator}


@pytest.fixture
def slow_render(monkeypatch):
    """Every render of a group waits RENDER_DELAY seconds first (in this test's worker thread
    only); the numbers of the copies rendered are recorded."""
    real = briefing_services.render_group_pdfs
    rendered = []

    def slowed(copies):
        time.sleep(RENDER_DELAY)
        rendered.extend(copy.number for copy in copies)
        return real(copies)

    monkeypatch.setattr(briefing_services, "render_group_pdfs", slowed)
    return rendered


@pytest.fixture
def worker(demo, slow_render):
    """A real worker in a thread on the in-process broker, yielding the names of the tasks it
    ran; the app's eager mode is restored afterwards. After each task the worker thread's own
    database connection is closed (Django keeps in-memory SQLite connections open otherwise),
    so that nothing it holds outlives the test."""
    saved = {k: celery_app.conf[k] for k in ("broker_url", "task_always_eager")}
    main = threading.main_thread()
    tasks_run = []

    def close_worker_connection(sender=None, **kwargs):
        tasks_run.append(sender.name)
        if threading.current_thread() is not main:
            BaseDatabaseWrapper.close(connections["default"])

    signals.task_postrun.connect(close_worker_connection, weak=False)
    celery_app.conf.update(broker_url="memory://localhost/", task_always_eager=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield tasks_run
    finally:
        signals.task_postrun.disconnect(close_worker_connection)
        celery_app.conf.update(saved)


def add_official(page, official: dict) -> None:
    """Through the Officials tab's "Add an official" form."""
    page.get_by_role("link", name="Add an official").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an official")
    page.fill("#id_name", official["name"])
    page.fill("#id_position", official["position"])
    page.fill("#id_institution", official["institution"])
    page.fill("#id_email", official["email"])
    page.select_option("#id_clearance", label=official["clearance"])
    page.get_by_role("button", name="Add the official").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Officials (convening team only)")


def form_errors(page) -> list[str]:
    """What a refused form says, each error with its field."""
    return page.eval_on_selector_all(
        ".form-errors, .field--error",
        "els => els.map(e => e.innerText.replace(/\\s+/g, ' ').trim())",
    )


def test_facilitator_requests_a_pack_watches_it_render_and_downloads_a_copy(
    page, demo, worker, slow_render, screenshot, tmp_path
):
    assert celery_app.conf.task_always_eager is False
    sign_in(page, demo["facilitator"].email, user=demo["facilitator"])
    page.get_by_role("link", name="Salt River Dialogue").first.click()
    tabs = page.get_by_role("navigation", name="Sections of this dialogue")
    # The recipients, added to the dialogue's register first (its Officials tab).
    tabs.get_by_role("link", name="Officials").click()
    for official in RECIPIENTS:
        add_official(page, official)
    # The dialogue's Packs tab (it was a "Briefing packs" button of the dialogue's page).
    page.get_by_role("navigation", name="Sections of this dialogue").get_by_role(
        "link", name="Packs"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Briefing packs")
    packs_before = set(BriefingPack.objects.values_list("pk", flat=True))  # the seed's one
    page.get_by_role("link", name="Request a pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request a briefing pack")
    # The register's officials are offered, each with their position, institution and clearance
    # (the seed's three, and the two just added).
    offered = [" ".join(t.split()) for t in page.locator("#id_officials label").all_inner_texts()]

    page.get_by_label("Round 1: Framing the river", exact=True).check()
    page.fill("#id_note", NOTE)
    for official in RECIPIENTS:
        page.get_by_role("checkbox", name=re.compile(rf"^{official['name']} \(")).check()
    screenshot("1-request-form")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/packs/new/")
    ) as posted:
        page.get_by_role("button", name="Request the pack").click()
    if posted.value.status != 302:
        page.wait_for_load_state()
        screenshot("1-request-refused")
        pytest.fail(
            f"The request of a pack for two officials was refused ({posted.value.status}): "
            f"{form_errors(page)}"
        )
    assert offered == [
        "Amira Saleh (Director, Transboundary Waters, Osterlan Ministry of Foreign Affairs "
        "(fictional)): cleared Participants",
        "Elena Marsh (Special Envoy for Water Diplomacy, Ministry of Foreign Affairs of Norland "
        "(fictional)): cleared Programme",
        "Ingrid Valborg (Deputy Director, Water Diplomacy, Ministry of Foreign Affairs of Norland "
        "(fictional)): cleared Programme",
        "Stefan Draganov (Deputy Minister for Water Resources, Government of Marovia "
        "(fictional)): cleared Public",
        "Tomasz Orlik (Senior Mediation Adviser, Orlik Mediation Support Unit (fictional)): "
        "cleared Facilitators",
    ]

    page.wait_for_url(re.compile(r"/dialogues/\d+/packs/\d+/$"))
    [pack] = BriefingPack.objects.exclude(pk__in=packs_before)
    assert page.url.endswith(f"/dialogues/{pack.dialogue_id}/packs/{pack.pk}/")
    assert pack.note == NOTE
    assert list(pack.sessions.values_list("title", flat=True)) == ["Round 1: Framing the river"]
    copies = list(pack.copies.order_by("number"))
    assert [c.official.name for c in copies] == [r["name"] for r in RECIPIENTS]
    assert [
        (c.number, c.total, c.recipient_name, c.recipient_email, c.clearance.name) for c in copies
    ] == [
        (1, 2, RECIPIENTS[0]["name"], RECIPIENTS[0]["email"], "Programme"),
        (2, 2, RECIPIENTS[1]["name"], RECIPIENTS[1]["email"], "Facilitators"),
    ]

    # Still at work: the first render sleeps RENDER_DELAY seconds, so nothing is ready yet.
    status = page.locator("#pack-status")
    badge = status.locator(".pack-badge")
    expect(badge).to_have_text(re.compile(r"^(Queued|Rendering)$"))
    assert status.get_attribute("hx-get") == f"/dialogues/{pack.dialogue_id}/packs/{pack.pk}/"
    assert status.get_attribute("hx-trigger") == "every 2s"
    assert status.get_attribute("hx-swap") == "outerHTML"
    register = status.locator("table.register tbody tr")
    expect(register).to_have_count(2)
    for row in register.all():
        expect(row.locator("td").nth(3)).to_have_text(re.compile(r"^(Queued|Rendering)\b"))
        expect(row.locator("td").nth(4)).to_have_text("—")
    expect(page.get_by_role("link", name="PDF")).to_have_count(0)
    assert not pack.copies.filter(state="ready").exists()
    screenshot("2-progress")

    # From here on, no reload: a marker on the window survives only if the document stays; the
    # badges that htmx swaps in are recorded, and so are htmx's own requests.
    polls = []
    page.on(
        "request",
        lambda r: polls.append(r.url) if r.headers.get("hx-request") == "true" else None,
    )
    page.evaluate(
        """() => {
            window.__sameDocument = true;
            window.__badges = [document.querySelector('#pack-status .pack-badge').textContent];
            new MutationObserver(() => {
                const b = document.querySelector('#pack-status .pack-badge');
                if (b && b.textContent !== window.__badges.at(-1)) {
                    window.__badges.push(b.textContent);
                }
            }).observe(document.body, {childList: true, subtree: true});
        }"""
    )
    expect(badge).to_have_text("Ready", timeout=READY_TIMEOUT)
    assert page.evaluate("window.__sameDocument") is True
    assert page.url.endswith(f"/dialogues/{pack.dialogue_id}/packs/{pack.pk}/")
    assert len(polls) >= 1
    assert set(polls) == {page.url}
    badges = page.evaluate("window.__badges")
    assert badges[-1] == "Ready"
    assert len(badges) >= 2
    assert set(badges[:-1]) <= {"Queued", "Rendering"}
    # Polling stops once nothing is in progress.
    assert status.get_attribute("hx-get") is None
    assert status.get_attribute("hx-trigger") is None

    assert sorted(slow_render) == [1, 2]
    # Two clearances: two groups, a message each.
    assert worker == ["dialogues.briefing_render_copies"] * 2
    copies = list(pack.copies.order_by("number"))
    assert [(c.state, c.attempts, c.pages > 0, len(c.sha256)) for c in copies] == [
        ("ready", 1, True, 64),
        ("ready", 1, True, 64),
    ]
    pack.refresh_from_db()
    assert pack.guard == BriefingPack.Guard.CLEAR
    expect(page.get_by_role("link", name="PDF")).to_have_count(2)
    for row, copy in zip(register.all(), copies, strict=True):
        expect(row.locator("td").nth(0)).to_have_text(f"{copy.number} of 2")
        expect(row.locator("td").nth(3)).to_have_text("Ready")
        expect(row.locator("td").nth(4)).to_contain_text(
            f"PDF, {copy.pages} page{'s' if copy.pages != 1 else ''}"
        )
        expect(row.locator("code.digest")).to_have_text(copy.sha256)
    screenshot("3-ready")

    # Copy 1, through the register's link.
    first_row = register.nth(0)
    shown_digest = first_row.locator("code.digest").inner_text().strip()
    with page.expect_download() as download_info:
        first_row.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename == "lakeside-meetings-copy-1-of-2.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    data = saved.read_bytes()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == shown_digest == copies[0].sha256
    assert len(data) == copies[0].size

    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == copies[0].pages
    texts = [" ".join(p.extract_text().split()) for p in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"Prepared for {RECIPIENTS[0]['name']}" in text, f"page {number}: {text[-200:]}"
        assert "Copy 1 of 2" in text, f"page {number}: {text[-200:]}"
    whole = " ".join(texts)
    assert "KESTREL-41" in whole  # the note is on the cover
    # At Programme clearance: the Programme outcome is there, the convening team's is not, and
    # nothing names the other recipient or their copy. The demo's idea (at Programme) is
    # carried, and the register says so.
    assert "A neutral technical body for the flow data" in whole
    assert PROGRAMME_OUTCOME in whole
    assert FACILITATORS_OUTCOME not in whole
    assert RECIPIENTS[1]["name"] not in whole
    assert "Copy 2 of 2" not in whole

    # The register records the download (after a reload: polling has stopped).
    page.reload()
    downloads = 'td[data-label="Downloads"]'
    expect(register.nth(0).locator(downloads)).to_contain_text(FACILITATOR)
    expect(register.nth(1).locator(downloads)).to_have_text("None")
