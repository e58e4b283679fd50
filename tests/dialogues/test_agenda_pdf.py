"""The agenda on paper: the PDF holds what the reader may see and nothing above it (sentinels,
each check beside a positive control in the same PDF), names its reader and its classification
(the strictest level the copy prints) on every page, leaves with a file name that names the
session within the outbound rule, fetches nothing but our stylesheet, and is audited.
One PDF is rendered per case (WeasyPrint takes about 0.1 s a page)."""

import io
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from pypdf import PdfReader

from dialogues import pdf
from dialogues.models import Session
from dialogues.planning import exports as exporters
from dialogues.planning.exports import attachment_disposition
from dialogues.planning.services import agenda_publish
from tests.factories import AgendaItemFactory, SessionFactory, level
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts"
LONG_TEXT = "The parties set out what each needs from a first round of talks. " * 40


def pdf_url(session):
    return reverse("dialogues:agenda_pdf", args=[session.dialogue_id, session.pk])


def add_sentinels(world, *, restricted_reader=None):
    """Distinctive titles at the reader's levels and above it, on round 1, published again. The
    Participants and Programme items are long, so the PDF runs over more than one page. With
    ``restricted_reader``, a Restricted item names that person too."""
    round_1 = world["round_1"]
    if restricted_reader is not None:
        AgendaItemFactory(
            session=round_1,
            title="Restricted item for its reader",
            level=level("Restricted"),
            readers=[restricted_reader],
        )
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
    AgendaItemFactory(
        session=round_1,
        title="Long Programme item",
        level=level("Programme"),
        description=LONG_TEXT + LONG_TEXT,
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


MM = 72 / 25.4  # PDF points in a millimetre


def margins_of(response) -> list[tuple[list[str], list[str]]]:
    """Per page, the texts printed in the top margin (the running header) and in the bottom
    margin (the footer), left to right, found by where pypdf finds them on the page (the
    stylesheet's margins are 22 mm at the top and 20 mm at the bottom)."""
    margins = []
    for page in PdfReader(io.BytesIO(response.content)).pages:
        height = float(page.mediabox.height)
        found: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, _font, _size, found=found):
            if text.strip():
                # The text's origin on the page: the text matrix, then the page's transform.
                x, y = tm[4], tm[5]
                found.append((cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5], text))

        page.extract_text(visitor_text=visit)
        top = [t.strip() for x, y, t in sorted(found) if y > height - 22 * MM]
        bottom = [t.strip() for x, y, t in sorted(found) if y < 20 * MM]
        margins.append((top, bottom))
    return margins


def assert_marked(response, *, classification: str, reader: str) -> list[str]:
    """Every page carries exactly this classification and reader in its header, and the
    classification and its number in its footer; the first page marks it at the top."""
    margins = margins_of(response)
    pages = pages_of(response)
    assert len(margins) == len(pages) >= 2
    for number, (top, bottom) in enumerate(margins, start=1):
        assert top == [classification, f"For {reader}"]
        assert bottom == [classification, f"Page {number} of {len(pages)}"]
    assert f"CLASSIFICATION: {classification}" in pages[0]
    return pages


@pytest.mark.slow
def test_participant_pdf_is_marked_with_the_restricted_item_it_prints_and_holds_nothing_above(
    login, world
):
    """The session is Public; this participant's copy prints a Restricted item they are named on,
    so every page is marked Restricted."""
    participant = world["participant"]
    round_1 = add_sentinels(world, restricted_reader=participant.person)
    response = login(participant).get(pdf_url(round_1))
    pages = assert_marked(
        response, classification="RESTRICTED", reader=participant.person.full_name
    )
    text = "\n".join(pages)
    assert "Restricted item for its reader" in text

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

    assert response["Content-Disposition"] == (
        'attachment; filename="meetings-session-1-agenda.pdf"; '
        "filename*=UTF-8''meetings-session-1-agenda.pdf"
    )
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


def test_observer_pdf_is_marked_programme_and_lacks_the_participants_items(login, world):
    """The observer's copy of the same Public session prints Public and Programme items only:
    Programme on every page, though Participants, Facilitators and Restricted items exist."""
    round_1 = add_sentinels(world, restricted_reader=world["participant"].person)
    observer = world["observer"]
    response = login(observer).get(pdf_url(round_1))
    text = "\n".join(
        assert_marked(response, classification="PROGRAMME", reader=observer.person.full_name)
    )
    assert "R1 Programme item" in text
    assert "Long Programme item" in text
    for hidden in (
        "R1 Participants item",
        "SENTINEL-PARTICIPANTS-7Q",
        "Long Participants item",
        "Restricted item for its reader",
        "RESTRICTED",
        "PARTICIPANTS",
        "FACILITATORS",
    ):
        assert hidden not in text


def test_file_names_number_the_session_among_those_the_reader_sees(login, world):
    """The file name is the cover name and the session's place among the sessions this reader
    may see: sessions hidden from them, earlier than all, change nothing in their names (counted
    over all sessions, the participant's round 1 would be session 4). The convening team sees
    more, so their numbers may be higher. Nothing above the outbound level is in any name."""
    dialogue = world["dialogue"]
    dialogue.cover_name = "Lakeside meetings"
    dialogue.save()
    earlier = datetime(2027, 1, 4, 8, tzinfo=UTC)
    SessionFactory(
        dialogue=dialogue,
        title="SENTINEL-DRAFT-SESSION",
        level=level("Public"),
        status=Session.Status.DRAFT,
        start=earlier,
    )
    SessionFactory(
        dialogue=dialogue,
        title="SENTINEL-RESTRICTED-SESSION",
        level=level("Restricted"),
        start=earlier,
        readers=[world["convenor"].person],
    )
    other_side_only = SessionFactory(
        dialogue=dialogue,
        title="SENTINEL-OTHER-SIDE-SESSION",
        level=level("Participants"),
        start=earlier,
    )
    other_side_only.attendances.create(membership=world["other_side"])

    def disposition(membership, session):
        response = login(membership).get(pdf_url(session))
        assert response.status_code == 200
        return response["Content-Disposition"]

    names = {
        "participant, round 1": disposition(world["participant"], world["round_1"]),
        "participant, pre-consultation": disposition(world["participant"], world["pre"]),
        "convenor, round 1": disposition(world["convenor"], world["round_1"]),
    }
    assert names == {
        "participant, round 1": 'attachment; filename="lakeside-meetings-session-1-agenda.pdf"; '
        "filename*=UTF-8''lakeside-meetings-session-1-agenda.pdf",
        "participant, pre-consultation": "attachment; "
        'filename="lakeside-meetings-session-2-agenda.pdf"; '
        "filename*=UTF-8''lakeside-meetings-session-2-agenda.pdf",
        # The convenor also sees the Restricted session they are named on and the other side's
        # consultation (not the draft).
        "convenor, round 1": 'attachment; filename="lakeside-meetings-session-3-agenda.pdf"; '
        "filename*=UTF-8''lakeside-meetings-session-3-agenda.pdf",
    }
    for header in names.values():
        for above in ("SENTINEL", "Salt", "River", "salt-river", "Round", "round-1", "pre-"):
            assert above not in header


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        (
            "lakeside-meetings-session-2-agenda.pdf",
            'attachment; filename="lakeside-meetings-session-2-agenda.pdf"; '
            "filename*=UTF-8''lakeside-meetings-session-2-agenda.pdf",
        ),
        (
            "湖畔会议-session-1-agenda.pdf",
            "attachment; filename=\"session-1-agenda.pdf\"; filename*=UTF-8''"
            "%E6%B9%96%E7%95%94%E4%BC%9A%E8%AE%AE-session-1-agenda.pdf",
        ),
        (
            "café-session-1-agenda.pdf",
            'attachment; filename="cafe-session-1-agenda.pdf"; '
            "filename*=UTF-8''caf%C3%A9-session-1-agenda.pdf",
        ),
        (
            'a"b\\c\r\nSet-Cookie: x=1;.pdf',
            'attachment; filename="abcSet-Cookiex1.pdf"; '
            "filename*=UTF-8''a%22b%5Cc%0D%0ASet-Cookie%3A%20x%3D1%3B.pdf",
        ),
        ("ظ", "attachment; filename=\"download\"; filename*=UTF-8''%D8%B8"),
    ],
)
def test_content_disposition_carries_an_ascii_name_and_the_exact_utf8_name(filename, expected):
    assert attachment_disposition(filename) == expected


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
    # The participant sees round 1 and the pre-consultation, which starts with it and was
    # planned after it: the second.
    assert response["Content-Disposition"] == (
        'attachment; filename="lakeside-meetings-session-2-agenda.pdf"; '
        "filename*=UTF-8''lakeside-meetings-session-2-agenda.pdf"
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
