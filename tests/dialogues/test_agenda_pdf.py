"""The agenda on paper: the PDF holds what the reader may see and nothing above it (sentinels,
each check beside a positive control in the same PDF), names its reader and level on every page,
leaves with an outbound file name and title, fetches nothing but our stylesheet, and is audited.
One PDF is rendered per case (WeasyPrint takes about 0.1 s a page)."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from pypdf import PdfReader

from dialogues import exporters, pdf
from dialogues.models import Session
from dialogues.services.agenda import agenda_publish
from tests.factories import AgendaItemFactory, SessionFactory, level
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
LONG_TEXT = "The parties set out what each needs from a first round of talks. " * 40


def pdf_url(session):
    return reverse("dialogues:agenda_pdf", args=[session.dialogue_id, session.pk])


def add_sentinels(world):
    """Distinctive titles at the reader's levels and above it, on round 1, published again. The
    Participants items are long, so the PDF runs over more than one page."""
    round_1 = world["round_1"]
    for name in ("Participants", "Facilitators", "Restricted"):
        item = AgendaItemFactory(
            session=round_1,
            title=f"SENTINEL-{name.upper()}-7Q",
            level=level(name),
            description=LONG_TEXT if name == "Participants" else "",
        )
        if name == "Restricted":
            item.readers.set([world["convenor"].person])
    AgendaItemFactory(
        session=round_1,
        title="Long Participants item",
        level=level("Participants"),
        description=LONG_TEXT,
    )
    agenda_publish(session=round_1)
    round_1.refresh_from_db()
    return round_1


def pages_of(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return [page.extract_text() for page in reader.pages]


def metadata_of(response):
    return PdfReader(io.BytesIO(response.content)).metadata


def test_participant_pdf_names_reader_and_level_on_every_page_and_holds_nothing_above(login, world):
    round_1 = add_sentinels(world)
    participant = world["participant"]
    response = login(participant).get(pdf_url(round_1))
    pages = pages_of(response)
    text = "\n".join(pages)

    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"For {participant.person.full_name}" in page
        assert page.count("PUBLIC") >= 2  # the level, in the header and the footer
        assert f"Page {number} of {len(pages)}" in page

    # Positive controls: what the participant reads on the session page.
    for seen in ("R1 Public item", "R1 Programme item", "R1 Participants item"):
        assert seen in text
    assert "SENTINEL-PARTICIPANTS-7Q" in text
    for hidden in (
        "SENTINEL-FACILITATORS-7Q",
        "SENTINEL-RESTRICTED-7Q",
        "R1 Facilitators item",
        "R1 Restricted item",
    ):
        assert hidden not in text

    assert response["Content-Disposition"] == 'attachment; filename="round-1-agenda.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"

    metadata = metadata_of(response)
    assert metadata.title == "Round 1"
    assert metadata.author is None
    assert participant.person.full_name not in str(dict(metadata))
    assert participant.person.user.email not in str(dict(metadata))

    entries = list(
        AuditEntry.objects.filter(actor=participant.person.user).values_list(
            "action", "content_type", "object_id", "dialogue_id", "detail"
        )
    )
    assert entries == [
        (
            "downloaded",
            ContentType.objects.get_for_model(Session).pk,
            str(round_1.pk),
            round_1.dialogue_id,
            {"page": "agenda_pdf", "version": round_1.published_version},
        )
    ]

    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(exist_ok=True)
        source = ARTIFACTS / "agenda.pdf"
        source.write_bytes(response.content)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                str(source),
                str(ARTIFACTS / "agenda-page"),
            ],
            check=True,
        )


def test_observer_pdf_lacks_the_participants_items(login, world):
    round_1 = add_sentinels(world)
    observer = world["observer"]
    text = "\n".join(pages_of(login(observer).get(pdf_url(round_1))))
    assert "R1 Programme item" in text
    assert f"For {observer.person.full_name}" in text
    for hidden in ("R1 Participants item", "SENTINEL-PARTICIPANTS-7Q", "Long Participants item"):
        assert hidden not in text


def test_pdf_is_404_for_whoever_may_not_see_the_session_or_an_unpublished_agenda(login, world):
    unpublished = SessionFactory(dialogue=world["dialogue"], title="Round 2", level=level("Public"))
    unpublished.attendances.create(membership=world["participant"])
    AgendaItemFactory(session=unpublished, title="Round 2 item", level=level("Public"))
    cases = [
        (world["outsider"], world["round_1"]),
        (world["outsider"], world["pre"]),
        (world["other_side"], world["pre"]),
        (world["participant"], unpublished),
        (world["convenor"], unpublished),
    ]
    for membership, session in cases:
        assert login(membership).get(pdf_url(session)).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED).exists()


def test_pdf_of_a_session_above_the_outbound_level_leaves_under_the_cover_name(login, world):
    dialogue = world["dialogue"]
    dialogue.cover_name = "Lakeside meetings"
    dialogue.outbound_level = level("Public")
    dialogue.save()
    response = login(world["participant"]).get(pdf_url(world["pre"]))
    text = "\n".join(pages_of(response))
    assert "Pre item" in text  # the reader sees the session's own titles inside
    assert response["Content-Disposition"] == (
        'attachment; filename="lakeside-meetings-agenda.pdf"'
    )
    assert metadata_of(response).title == "Lakeside meetings"
    assert "Pre-consultation" not in str(dict(metadata_of(response)))


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/style.css",
        "https://example.org/static/css/agenda_pdf.css",
        "data:text/css,body{}",
        f"{pdf.PDF_BASE_URL}static/css/../../../etc/passwd",
        f"{pdf.PDF_BASE_URL}static/css/trackii.css",
        f"{pdf.PDF_BASE_URL}static/css/agenda_pdf.css?x=1",
    ],
)
def test_fetcher_refuses_everything_but_the_allow_list(url):
    log = pdf.FetchLog()
    fetcher = pdf.url_fetcher(log)
    with pytest.raises(pdf.RefusedFetch):
        fetcher.fetch(url)
    assert log.refused == [url]
    assert log.answered == []


def test_fetcher_answers_our_stylesheet_from_the_static_folder():
    response = pdf.url_fetcher().fetch(pdf.static_url(exporters.AGENDA_PDF_STYLESHEET))
    assert b"counter(pages)" in response.read()
    response.close()


def test_markup_in_a_description_is_printed_as_text_and_fetches_nothing(login, world, monkeypatch):
    round_1 = world["round_1"]
    AgendaItemFactory(
        session=round_1,
        title="Markup item",
        level=level("Public"),
        description='<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://x.test/">',
    )
    agenda_publish(session=round_1)
    round_1.refresh_from_db()

    fetched = []
    fetcher_class = pdf._fetcher_class()
    original = fetcher_class.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(fetcher_class, "fetch", spy)
    text = "\n".join(pages_of(login(world["participant"]).get(pdf_url(round_1))))
    assert "Markup item" in text
    assert "file:///etc/passwd" in text
    assert "root:" not in text
    assert fetched == [pdf.static_url(exporters.AGENDA_PDF_STYLESHEET)]


def test_session_page_offers_the_pdf_once_the_agenda_is_published(login, world):
    unpublished = SessionFactory(dialogue=world["dialogue"], title="Round 2", level=level("Public"))
    unpublished.attendances.create(membership=world["participant"])
    client = login(world["participant"])
    for session, offered in ((world["round_1"], True), (unpublished, False)):
        page = client.get(
            reverse("dialogues:session_detail", args=[session.dialogue_id, session.pk])
        )
        assert (pdf_url(session).encode() in page.content) is offered
        assert (b"Download the agenda (PDF)" in page.content) is offered
