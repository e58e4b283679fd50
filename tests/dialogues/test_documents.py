"""Papers: uploads by the convening team (narrow-only, size, type on content, nothing stored on a
refusal), downloads by role with their audit entries, deletion, the X-Accel hand-off, and the
query counts of the pages that list papers."""

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dialogues.models import Document, Session
from dialogues.papers import services as services
from dialogues.planning import services as agenda_services
from participants.models import Membership
from tests.factories import AgendaItemFactory, DialogueFactory, PersonFactory, SessionFactory, level
from tests.world import member_with_account
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(range(256))
ACCEPTED = (
    "Only PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument text (.odt), "
    "plain text (.txt, .md), PNG and JPEG files are accepted"
)


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
PPTX = zip_of({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<presentation/>"})
ODT = zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})


def pdf(name="note.pdf", content=PDF):
    return SimpleUploadedFile(name, content)


def stored_files() -> set[Path]:
    return {p for p in Path(settings.PRIVATE_STORAGE_ROOT).rglob("*") if p.is_file()}


def upload_url(dialogue, session=None, item=None):
    url = reverse("dialogues:document_upload", args=[dialogue.pk])
    if session is not None:
        url += f"?session={session.pk}"
    if item is not None:
        url += f"&item={item.pk}"
    return url


def download_url(document):
    return reverse("dialogues:document_download", args=[document.dialogue_id, document.pk])


def delete_url(document):
    return reverse("dialogues:document_delete", args=[document.dialogue_id, document.pk])


def fetch(client, document) -> tuple[int, bytes]:
    """Download a paper: the status and the bytes. Reading a streamed body to its end closes
    the file (the test client's wrapper does it); closing the response by hand would also end
    the test's database connection, as at the end of a real request."""
    response = client.get(download_url(document))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, content


def papers_url(dialogue):
    """The dialogue's Papers tab, where its own papers are listed (they were on its page)."""
    return reverse("dialogues:documents", args=[dialogue.pk])


def session_url(session):
    return reverse("dialogues:session_detail", args=[session.dialogue_id, session.pk])


def form_data(*, level_name="Programme", upload=None, **fields):
    data = {
        "title": "Concept note",
        "kind": "concept_note",
        "level": level(level_name).pk,
        "file": upload or pdf(),
    }
    data.update(fields)
    return data


def paper(world, title, level_name, *, session=None, item=None, readers=(), name="paper.pdf"):
    """A paper stored through the service, as the convenor."""
    return services.document_upload(
        dialogue=world["dialogue"],
        session=session,
        agenda_item=item,
        uploaded_by=world["convenor"].person.user,
        title=title,
        kind=Document.Kind.BACKGROUND_PAPER,
        level=level(level_name),
        readers=readers,
        upload=pdf(name),
    )


# -- uploading -------------------------------------------------------------------------------------


def test_convenor_uploads_a_dialogue_wide_paper(login, world):
    client = login(world["convenor"])
    response = client.post(upload_url(world["dialogue"]), form_data(), follow=True)
    assert response.redirect_chain == [(papers_url(world["dialogue"]), 302)]
    assert [str(m) for m in response.context["messages"]] == ["The paper was uploaded."]
    document = Document.objects.get()
    assert (document.dialogue, document.session, document.agenda_item) == (
        world["dialogue"],
        None,
        None,
    )
    assert (document.title, document.kind, document.level) == (
        "Concept note",
        "concept_note",
        level("Programme"),
    )
    assert document.original_name == "note.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.uploaded_by == world["convenor"].person.user
    assert list(document.readers.all()) == [world["convenor"].person]
    # The stored name says nothing about the paper.
    assert re.fullmatch(r"documents/[0-9a-f]{32}", document.file.name)
    assert Path(document.file.path).read_bytes() == PDF
    assert Path(document.file.path).is_relative_to(settings.PRIVATE_STORAGE_ROOT)
    created = AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(Document))
    assert list(created.values_list("action", "object_id", "dialogue_id", "detail")) == [
        (
            "created",
            str(document.pk),
            world["dialogue"].pk,
            {"session_id": None, "agenda_item_id": None, "level_id": level("Programme").pk},
        )
    ]


def test_dialogue_wide_paper_may_take_any_level(login, world):
    client = login(world["convenor"])
    response = client.post(upload_url(world["dialogue"]), form_data(level_name="Public"))
    assert response.status_code == 302
    assert Document.objects.get().level == level("Public")


def test_convenor_uploads_to_a_session(login, world):
    client = login(world["convenor"])
    response = client.post(
        upload_url(world["dialogue"], world["pre"]), form_data(level_name="Participants")
    )
    assert response.status_code == 302
    assert response["Location"] == session_url(world["pre"])
    document = Document.objects.get()
    assert (document.session, document.agenda_item) == (world["pre"], None)


def test_convenor_uploads_to_an_agenda_item(login, world):
    client = login(world["convenor"])
    item = world["items"]["Participants"]
    response = client.post(
        upload_url(world["dialogue"], world["round_1"], item),
        form_data(level_name="Facilitators"),
    )
    assert response.status_code == 302
    assert response["Location"] == session_url(world["round_1"])
    document = Document.objects.get()
    assert (document.session, document.agenda_item, document.level) == (
        world["round_1"],
        item,
        level("Facilitators"),
    )


def test_restricted_paper_names_the_chosen_readers_and_the_uploader(login, world):
    client = login(world["convenor"])
    data = form_data(level_name="Restricted", readers=[world["participant"].person.pk])
    assert client.post(upload_url(world["dialogue"]), data).status_code == 302
    assert set(Document.objects.get().readers.all()) == {
        world["convenor"].person,
        world["participant"].person,
    }


def test_upload_form_offers_only_levels_at_or_above_the_floor(login, world):
    client = login(world["convenor"])
    # Round 1 is Public, its Participants item narrows it: the floor is Participants.
    response = client.get(
        upload_url(world["dialogue"], world["round_1"], world["items"]["Participants"])
    )
    assert response.status_code == 200
    assert [lvl.name for lvl in response.context["form"].fields["level"].queryset] == [
        "Participants",
        "Facilitators",
        "Restricted",
    ]
    assert b'enctype="multipart/form-data"' in response.content
    everything = client.get(upload_url(world["dialogue"]))
    assert [lvl.name for lvl in everything.context["form"].fields["level"].queryset] == [
        "Public",
        "Programme",
        "Participants",
        "Facilitators",
        "Restricted",
    ]


def test_upload_form_offers_the_dialogue_roster_as_readers(login, world):
    response = login(world["convenor"]).get(upload_url(world["dialogue"]))
    offered = set(response.context["form"].fields["readers"].queryset)
    assert offered == {m.person for m in world["dialogue"].memberships.all()}
    assert world["outsider"].person not in offered


def test_level_below_the_floor_is_refused_by_the_form(login, world):
    client = login(world["convenor"])
    before = stored_files()
    # A level id the form did not offer, posted anyway.
    response = client.post(
        upload_url(world["dialogue"], world["pre"], world["pre_item"]),
        form_data(level_name="Programme"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "level": [
            "Choose “Participants” or a stricter level: material can be narrowed, never widened."
        ]
    }
    assert Document.objects.count() == 0
    assert stored_files() == before


def test_level_below_the_floor_is_refused_by_the_service(world):
    before = stored_files()
    with pytest.raises(ValidationError) as raised:
        paper(
            world,
            "Too open",
            "Programme",
            session=world["round_1"],
            item=world["items"]["Participants"],
        )
    assert raised.value.message_dict == {
        "level": [
            "“Programme” is below its container's level “Participants”: material can be "
            "narrowed, never widened."
        ]
    }
    # The session's own level counts too: Pre-consultation A is at Participants.
    with pytest.raises(ValidationError):
        paper(world, "Too open", "Public", session=world["pre"])
    assert Document.objects.count() == 0
    assert stored_files() == before


def test_service_refuses_containers_that_do_not_belong_together(world):
    harbour = Session.objects.get(title="Harbour")
    with pytest.raises(ValidationError) as raised:
        paper(world, "Lost", "Restricted", session=world["round_1"], item=world["pre_item"])
    assert raised.value.messages == ["This agenda item is not part of that session."]
    with pytest.raises(ValidationError) as raised:
        paper(world, "Lost", "Restricted", session=harbour)
    assert raised.value.messages == ["This session is not part of that dialogue."]
    with pytest.raises(ValidationError) as raised:
        paper(world, "Lost", "Restricted", item=world["pre_item"])
    assert raised.value.messages == [
        "A paper on an agenda item belongs to that item's session too."
    ]
    assert Document.objects.count() == 0


def test_service_refuses_readers_from_outside_the_roster(world):
    with pytest.raises(ValidationError) as raised:
        paper(world, "Named", "Restricted", readers=[world["outsider"].person, PersonFactory()])
    assert raised.value.message_dict == {
        "readers": ["Only people on this dialogue's roster can be named."]
    }
    assert Document.objects.count() == 0


def test_file_above_the_size_limit_is_refused_with_its_size(login, world, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 10 * 1024
    client = login(world["convenor"])
    before = stored_files()
    big = pdf(content=PDF + b"0" * (12 * 1024 + 512 - len(PDF)))  # 12.5 KB
    response = client.post(upload_url(world["dialogue"]), form_data(upload=big))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "file": ["This file is 12.5 KB; the limit is 10 KB."]
    }
    assert Document.objects.count() == 0
    assert stored_files() == before
    # At the limit exactly, the file is taken.
    exact = pdf(content=PDF + b"0" * (10 * 1024 - len(PDF)))
    assert client.post(upload_url(world["dialogue"]), form_data(upload=exact)).status_code == 302


def test_size_limit_message_in_megabytes():
    upload = pdf()
    upload.size = 32_715_571  # what the upload claims: 31.2 MB; the check reads no further
    with pytest.raises(ValidationError) as raised:
        services.document_file_check(upload)
    assert raised.value.messages == ["This file is 31.2 MB; the limit is 25 MB."]


def test_service_checks_the_size_even_without_the_form(world, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 50
    with pytest.raises(ValidationError) as raised:
        paper(world, "Big", "Programme")
    assert raised.value.message_dict == {"file": ["This file is 71 bytes; the limit is 50 bytes."]}
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "paper.pdf",
            PNG,
            "The file name ends in “.pdf” but its content is a PNG image; give it the "
            "extension .png (or upload the file you meant).",
            id="png-named-pdf",
        ),
        pytest.param(
            "paper.pdf",
            EXE,
            f"{ACCEPTED}; this file looks like a Windows program.",
            id="exe-named-pdf",
        ),
        pytest.param(
            "setup.exe", EXE, f"{ACCEPTED}; this file looks like a Windows program.", id="exe"
        ),
        pytest.param(
            "paper.pdf",
            bytes(range(256)) * 8,
            f"{ACCEPTED}; this file looks like binary data of an unknown type.",
            id="random-bytes-named-pdf",
        ),
        pytest.param(
            "paper.docx",
            zip_of({"notes.txt": b"not an office file"}),
            f"{ACCEPTED}; this file looks like a ZIP archive, not a Word, Excel, PowerPoint or "
            "OpenDocument text file.",
            id="zip-not-office",
        ),
        pytest.param(
            "paper.docx",
            b"PK\x03\x04" + b"\x14\x00broken" * 20,
            "This file starts like a ZIP archive (as Word, Excel, PowerPoint and OpenDocument "
            "files do) but is damaged: it cannot be opened as one.",
            id="invalid-zip",
        ),
        pytest.param(
            "paper.odt",
            zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
            f"{ACCEPTED}; this file looks like a ZIP archive, not a Word, Excel, PowerPoint or "
            "OpenDocument text file.",
            id="ods-named-odt",
        ),
        pytest.param(
            "paper.xlsx",
            DOCX,
            "The file name ends in “.xlsx” but its content is a Word document; give it the "
            "extension .docx (or upload the file you meant).",
            id="docx-named-xlsx",
        ),
        pytest.param(
            "notes.txt",
            b"minutes\x00of the meeting",
            f"{ACCEPTED}; this file looks like binary data (it contains NUL bytes), not plain "
            "text.",
            id="text-with-nul",
        ),
        pytest.param(
            "notes.txt",
            "Café in Genève".encode("latin-1"),
            "Plain text (.txt) must be UTF-8; this file is not valid UTF-8 text. Save it as "
            "UTF-8 and upload it again.",
            id="text-not-utf8",
        ),
        pytest.param(
            "page.html",
            b"<html><script>alert(1)</script></html>",
            "The file name ends in “.html” but its content is plain text; give it the "
            "extension .txt or .md (or upload the file you meant).",
            id="html",
        ),
        pytest.param(
            "paper",
            PDF,
            "The file name has no extension but its content is a PDF document; give it the "
            "extension .pdf (or upload the file you meant).",
            id="no-extension",
        ),
        pytest.param(
            "paper.docx",
            zip_of({"word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"\x00" * 8}),
            "This file carries macros (program code), which papers may not: save it without "
            "macros (as .docx, .xlsx or .pptx) and upload it again.",
            id="docx-with-macros",
        ),
    ],
)
def test_type_is_checked_on_content_and_nothing_is_stored(login, world, name, content, message):
    client = login(world["convenor"])
    before = stored_files()
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = client.post(upload_url(world["dialogue"]), form_data(upload=upload))
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert message in response.content.decode()
    assert Document.objects.count() == 0
    assert AuditEntry.objects.filter(action="created").count() == 0
    assert stored_files() == before


def test_service_checks_the_type_even_without_the_form(world):
    before = stored_files()
    with pytest.raises(ValidationError) as raised:
        services.document_upload(
            dialogue=world["dialogue"],
            uploaded_by=world["convenor"].person.user,
            title="Disguised",
            kind=Document.Kind.OTHER,
            level=level("Programme"),
            upload=SimpleUploadedFile("paper.pdf", PNG, content_type="application/pdf"),
        )
    assert list(raised.value.message_dict) == ["file"]
    assert Document.objects.count() == 0
    assert stored_files() == before


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("paper.pdf", PDF, "application/pdf"),
        (
            "paper.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("sheet.XLSX", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (
            "slides.pptx",
            PPTX,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("paper.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("notes.txt", "Notes — Genève, شكرا".encode(), "text/plain; charset=utf-8"),
        ("notes.md", b"# Notes\n", "text/markdown; charset=utf-8"),
        ("map.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.jpeg", JPEG, "image/jpeg"),
    ],
)
def test_accepted_types_are_stored_with_the_sniffed_content_type(
    world, name, content, content_type
):
    # The browser claims something else: it is never believed.
    upload = SimpleUploadedFile(name, content, content_type="application/x-msdownload")
    document = services.document_upload(
        dialogue=world["dialogue"],
        uploaded_by=world["convenor"].person.user,
        title="Accepted",
        kind=Document.Kind.OTHER,
        level=level("Programme"),
        upload=upload,
    )
    assert (document.content_type, document.size) == (content_type, len(content))
    assert Path(document.file.path).read_bytes() == content


def test_upload_spooled_to_a_temporary_file_is_checked_and_stored(login, world, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 16  # every upload goes through a temporary file
    client = login(world["convenor"])
    upload = SimpleUploadedFile("Paper.docx", DOCX)
    response = client.post(upload_url(world["dialogue"]), form_data(upload=upload))
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.original_name, document.size) == ("Paper.docx", len(DOCX))
    assert Path(document.file.path).read_bytes() == DOCX


def test_original_name_is_cleaned(world):
    document = services.document_upload(
        dialogue=world["dialogue"],
        uploaded_by=world["convenor"].person.user,
        title="Spoofed",
        kind=Document.Kind.OTHER,
        level=level("Programme"),
        upload=pdf("re\u202eport\x07\n.pdf"),
    )
    assert document.original_name == "report.pdf"
    assert services.clean_original_name("C:\\Users\\x\\..\\note.pdf") == "note.pdf"
    assert services.clean_original_name("../../etc/passwd") == "passwd"
    assert services.clean_original_name("\x00\x1f") == "paper"
    long = services.clean_original_name("a" * 300 + ".pdf")
    assert (len(long), long[-5:]) == (255, "a.pdf")


def test_page_lists_papers_with_upload_and_delete_for_the_convening_team(login, world):
    paper(world, "Background", "Programme")
    paper(
        world,
        "On the item",
        "Participants",
        session=world["round_1"],
        item=world["items"]["Participants"],
    )
    convenor = login(world["convenor"])
    page = convenor.get(papers_url(world["dialogue"]))
    # The Papers tab (issue 16) lists every paper of the dialogue, newest first; the session's
    # own stay on its page too.
    assert [d.title for d in page.context["documents"]] == ["On the item", "Background"]
    content = page.content.decode()
    assert upload_url(world["dialogue"]) in content
    assert delete_url(Document.objects.get(title="Background")) in content
    session_page = convenor.get(session_url(world["round_1"])).content.decode()
    assert f"{upload_url(world['dialogue'])}?session={world['round_1'].pk}" in session_page
    assert "R1 Participants item" in session_page  # the convening team reads the working agenda


def test_page_lists_papers_without_planning_links_for_a_participant(login, world):
    on_item = paper(
        world,
        "On the item",
        "Participants",
        session=world["round_1"],
        item=world["items"]["Participants"],
    )
    paper(world, "Quiet", "Facilitators", session=world["round_1"])
    response = login(world["participant"]).get(session_url(world["round_1"]))
    assert [d.title for d in response.context["documents"]] == ["On the item"]
    content = response.content.decode()
    assert download_url(on_item) in content
    assert "Quiet" not in content
    assert "/documents/new/" not in content
    assert delete_url(on_item) not in content


def test_participant_never_sees_a_working_agenda_title_beside_a_paper(login, world):
    published = world["items"]["Participants"]
    on_published = paper(
        world, "On published", "Participants", session=world["round_1"], item=published
    )
    published.title = "Renamed since publishing"
    published.save()
    unpublished = AgendaItemFactory(
        session=world["round_1"], title="Not yet published", level=level("Participants")
    )
    on_unpublished = paper(
        world, "On unpublished", "Participants", session=world["round_1"], item=unpublished
    )
    participant = login(world["participant"])
    response = participant.get(session_url(world["round_1"]))
    # A paper follows its item: one on an item not yet published waits for the publication.
    assert [d.title for d in response.context["documents"]] == ["On published"]
    content = response.content.decode()
    assert download_url(on_published) in content
    assert download_url(on_unpublished) not in content
    assert participant.get(download_url(on_unpublished)).status_code == 404
    assert "R1 Participants item" in content  # as published
    assert "Renamed since publishing" not in content
    assert "Not yet published" not in content
    # The convening team reads the working agenda.
    convenor = login(world["convenor"]).get(session_url(world["round_1"])).content.decode()
    assert "Renamed since publishing" in convenor
    assert "Not yet published" in convenor
    assert download_url(on_unpublished) in convenor
    agenda_services.agenda_publish(session=world["round_1"])
    response = participant.get(session_url(world["round_1"]))
    assert [d.title for d in response.context["documents"]] == ["On published", "On unpublished"]
    assert "Not yet published" in response.content.decode()


# -- who may do what -------------------------------------------------------------------------------


def test_upload_and_delete_are_404_for_everyone_but_the_convening_team(login, world):
    document = paper(world, "Background", "Programme")
    for role in ("participant", "other_side", "observer", "rapporteur", "outsider"):
        client = login(world[role])
        assert client.get(upload_url(world["dialogue"])).status_code == 404, role
        assert client.get(upload_url(world["dialogue"], world["round_1"])).status_code == 404, role
        response = client.post(upload_url(world["dialogue"]), form_data())
        assert response.status_code == 404, role
        assert client.post(delete_url(document)).status_code == 404, role
    assert list(Document.objects.values_list("title", flat=True)) == ["Background"]


def test_upload_place_is_looked_up_as_the_viewer_sees_it(login, world):
    client = login(world["convenor"])
    harbour = Session.objects.get(title="Harbour")
    harbour_item = harbour.agenda_items.get()
    for url in (
        upload_url(world["dialogue"], harbour),
        upload_url(world["dialogue"], world["round_1"], world["pre_item"]),
        upload_url(world["dialogue"], world["round_1"], harbour_item),
        reverse("dialogues:document_upload", args=[world["dialogue"].pk])
        + f"?item={world['pre_item'].pk}",
        reverse("dialogues:document_upload", args=[world["dialogue"].pk]) + "?session=abc",
        reverse("dialogues:document_upload", args=[world["elsewhere"].pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, form_data()).status_code == 404, url
    assert Document.objects.count() == 0


def test_anonymous_is_sent_to_login(client, world):
    document = paper(world, "Background", "Programme")
    for url in (upload_url(world["dialogue"]), download_url(document)):
        assert client.get(url).status_code == 302
    assert client.post(delete_url(document)).status_code == 302
    assert Document.objects.count() == 1


def test_download_by_role(login, world):
    items = world["items"]
    papers = [
        paper(world, "Public wide", "Public"),
        paper(world, "Programme wide", "Programme"),
        paper(world, "Participants wide", "Participants"),
        paper(world, "Facilitators wide", "Facilitators"),
        paper(world, "Restricted wide", "Restricted", readers=[world["other_side"].person]),
        paper(world, "Round 1 participants", "Participants", session=world["round_1"]),
        paper(world, "Pre programme", "Participants", session=world["pre"]),
        paper(
            world,
            "Pre item",
            "Restricted",
            session=world["pre"],
            item=world["pre_item"],
            readers=[world["participant"].person],
        ),
        paper(
            world,
            "On restricted item",
            "Restricted",
            session=world["round_1"],
            item=items["Restricted"],
        ),
        paper(
            world,
            "On facilitators item",
            "Facilitators",
            session=world["round_1"],
            item=items["Facilitators"],
        ),
    ]
    expected = {
        "convenor": [
            "Public wide",
            "Programme wide",
            "Participants wide",
            "Facilitators wide",
            "Restricted wide",
            "Round 1 participants",
            "Pre programme",
            "Pre item",
            "On restricted item",
            "On facilitators item",
        ],
        "participant": [
            "Public wide",
            "Programme wide",
            "Participants wide",
            "Round 1 participants",
            "Pre programme",
            "Pre item",
        ],
        "other_side": [
            "Public wide",
            "Programme wide",
            "Participants wide",
            "Restricted wide",
            "Round 1 participants",
        ],
        "observer": ["Public wide", "Programme wide"],
        "rapporteur": ["Public wide", "Programme wide", "Participants wide"],
        "nominee": [],
        "outsider": [],
    }
    for role, titles in expected.items():
        client = login(world[role])
        allowed = []
        for document in papers:
            response = client.get(download_url(document))
            assert response.status_code in (200, 404), (role, document.title)
            if response.status_code == 200:
                assert b"".join(response.streaming_content) == PDF
                allowed.append(document.title)
            else:
                assert b"paper.pdf" not in response.content
        assert allowed == titles, role


def test_download_under_another_dialogue_is_404(login, world):
    document = paper(world, "Background", "Programme")
    client = login(world["outsider"])
    url = reverse("dialogues:document_download", args=[world["elsewhere"].pk, document.pk])
    assert client.get(url).status_code == 404
    convenor = login(world["convenor"])
    assert convenor.get(url).status_code == 404


def test_paper_in_a_draft_session_is_for_the_convening_team_only(login, world):
    document = paper(world, "Draft paper", "Programme", session=world["round_1"])
    Session.objects.filter(pk=world["round_1"].pk).update(status=Session.Status.DRAFT)
    assert login(world["participant"]).get(download_url(document)).status_code == 404
    assert fetch(login(world["convenor"]), document) == (200, PDF)


def allow_out(world, name="Restricted"):
    """Let material up to ``name`` leave Trackii, so papers keep their own file names."""
    world["dialogue"].outbound_level = level(name)
    world["dialogue"].save()


def test_download_response_headers(login, world):
    allow_out(world)
    document = services.document_upload(
        dialogue=world["dialogue"],
        uploaded_by=world["convenor"].person.user,
        title="Non-paper",
        kind=Document.Kind.NON_PAPER,
        level=level("Programme"),
        upload=SimpleUploadedFile('Non-paper "draft" 2.pdf', PDF, content_type="text/html"),
    )
    response = login(world["participant"]).get(download_url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Non-paper \\"draft\\" 2.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(PDF))
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == PDF


def test_download_filename_outside_ascii(login, world):
    allow_out(world)
    document = services.document_upload(
        dialogue=world["dialogue"],
        uploaded_by=world["convenor"].person.user,
        title="Notes",
        kind=Document.Kind.OTHER,
        level=level("Programme"),
        upload=SimpleUploadedFile("Genève notes.txt", b"Notes\n"),
    )
    response = login(world["participant"]).get(download_url(document))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Gen%C3%A8ve%20notes.txt"
    assert b"".join(response.streaming_content) == b"Notes\n"


def test_x_accel_mode_hands_the_transfer_to_the_web_server(login, world, settings):
    settings.PRIVATE_STORAGE_X_ACCEL_PREFIX = "/_private/"
    allow_out(world)
    document = paper(world, "Background", "Participants", name="Background paper.pdf")
    response = login(world["participant"]).get(download_url(document))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_private/{document.file.name}"
    assert document.file.name.startswith("documents/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Background paper.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b""
    assert not response.streaming
    assert AuditEntry.objects.filter(action="downloaded").count() == 1
    # Refusals are the same 404 as ever: nothing for nginx to serve.
    outsider = login(world["outsider"]).get(download_url(document))
    assert outsider.status_code == 404
    assert "X-Accel-Redirect" not in outsider


def test_every_download_is_audited(login, world):
    """Whatever the paper's level, Programme included: the trail names each download."""
    items = world["items"]
    wide_programme = paper(world, "Programme wide", "Programme")
    round_programme = paper(world, "Round programme", "Programme", session=world["round_1"])
    wide_participants = paper(world, "Participants wide", "Participants")
    # Programme itself, but in a Participants session: its effective level is Participants.
    in_pre = paper(world, "Pre programme", "Participants", session=world["pre"])
    on_item = paper(
        world, "On item", "Participants", session=world["round_1"], item=items["Participants"]
    )
    restricted = paper(world, "Restricted", "Restricted", readers=[world["participant"].person])
    Document.objects.filter(pk=in_pre.pk).update(level=level("Programme"))  # below its session
    client = login(world["participant"])
    for document in (
        wide_programme,
        round_programme,
        wide_participants,
        in_pre,
        on_item,
        restricted,
    ):
        assert fetch(client, document) == (200, PDF), document.title
    entries = list(
        AuditEntry.objects.filter(action="downloaded")
        .order_by("id")
        .values_list("actor", "content_type", "object_id", "dialogue_id", "detail")
    )
    document_type = ContentType.objects.get_for_model(Document).pk
    user = world["participant"].person.user.pk
    assert entries == [
        (user, document_type, str(d.pk), world["dialogue"].pk, {"page": "document_download"})
        for d in (
            wide_programme,
            round_programme,
            wide_participants,
            in_pre,
            on_item,
            restricted,
        )
    ]


def test_refused_downloads_are_not_audited(login, world):
    document = paper(world, "Quiet", "Facilitators")
    assert login(world["participant"]).get(download_url(document)).status_code == 404
    assert AuditEntry.objects.filter(action="downloaded").count() == 0


def test_download_and_delete_answer_only_their_methods(login, world):
    document = paper(world, "Background", "Programme")
    client = login(world["convenor"])
    assert client.post(download_url(document)).status_code == 405
    assert client.get(delete_url(document)).status_code == 405
    assert Document.objects.count() == 1


# -- deleting --------------------------------------------------------------------------------------


def test_convenor_deletes_a_paper_and_its_file(login, world, django_capture_on_commit_callbacks):
    document = paper(world, "Round paper", "Programme", session=world["round_1"])
    path = Path(document.file.path)
    assert path.is_file()
    client = login(world["convenor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(document))
    assert response.status_code == 302
    assert response["Location"] == session_url(world["round_1"])
    assert Document.objects.count() == 0
    assert not path.exists()
    assert list(
        AuditEntry.objects.filter(action="deleted").values_list("actor", "object_id", "detail")
    ) == [
        (
            world["convenor"].person.user.pk,
            str(document.pk),
            {
                "session_id": world["round_1"].pk,
                "agenda_item_id": None,
                "level_id": level("Programme").pk,
            },
        )
    ]


def test_file_stays_until_the_deletion_is_committed(world, django_capture_on_commit_callbacks):
    document = paper(world, "Background", "Programme")
    path = Path(document.file.path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.document_delete(document=document, by=None)
    assert path.is_file()
    assert len(callbacks) == 1


# -- query counts: the same literal at two sizes ---------------------------------------------------


def add_papers(*, size, member, session=None, items=()):
    for n in range(size):
        item = items[n % len(items)] if items and n % 2 else None
        services.document_upload(
            dialogue=member.dialogue,
            session=session,
            agenda_item=item,
            uploaded_by=None,
            title=f"Paper {n}",
            kind=Document.Kind.BACKGROUND_PAPER,
            level=level("Participants"),
            upload=pdf(),
        )


@pytest.mark.parametrize("size", [2, 20])
def test_papers_tab_query_count_does_not_grow(login, django_assert_num_queries, size):
    member = member_with_account(dialogue=DialogueFactory())
    add_papers(size=size, member=member)
    client = login(member)
    client.get(papers_url(member.dialogue))
    # The list's toolbar offers the sessions the reader can see, and the paginator counts.
    with django_assert_num_queries(8):
        response = client.get(papers_url(member.dialogue))
    assert len(response.context["documents"]) == size


def session_with_papers(size, member):
    session = SessionFactory(dialogue=member.dialogue, level=level("Programme"))
    session.attendances.create(membership=member)
    items = [
        AgendaItemFactory(session=session, level=level("Participants"), title=f"Item {n}")
        for n in range(3)
    ]
    agenda_services.agenda_publish(session=session)
    add_papers(size=size, member=member, session=session, items=items)
    return session


@pytest.mark.parametrize("size", [2, 20])
def test_session_page_with_papers_query_count_does_not_grow(login, django_assert_num_queries, size):
    member = member_with_account(dialogue=DialogueFactory())
    session = session_with_papers(size, member)
    client = login(member)
    client.get(session_url(session))
    with django_assert_num_queries(9):
        response = client.get(session_url(session))
    assert len(response.context["documents"]) == size


@pytest.mark.parametrize("size", [2, 20])
def test_convenor_session_page_with_papers_query_count_does_not_grow(
    login, django_assert_num_queries, size
):
    member = member_with_account(
        dialogue=DialogueFactory(), role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    session = session_with_papers(size, member)
    client = login(member)
    client.get(session_url(session))
    with django_assert_num_queries(10):
        response = client.get(session_url(session))
    assert len(response.context["documents"]) == size


def test_a_paper_above_the_outbound_level_downloads_under_the_cover_name(login, world):
    world["dialogue"].cover_name = "Lakeside meetings"
    world["dialogue"].save()  # outbound level: the lowest (Public)
    above = paper(world, "Osterlan red lines", "Programme", name="Osterlan red lines.pdf")
    public = paper(world, "Agenda note", "Public", name="Agenda note.pdf")
    client = login(world["participant"])
    response = client.get(download_url(above))
    assert response["Content-Disposition"] == (
        f'attachment; filename="lakeside-meetings-paper-{above.pk}.pdf"'
    )
    assert b"".join(response.streaming_content) == PDF
    response = client.get(download_url(public))
    assert response["Content-Disposition"] == 'attachment; filename="Agenda note.pdf"'
    assert b"".join(response.streaming_content) == PDF
