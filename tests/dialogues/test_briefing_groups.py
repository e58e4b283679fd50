"""Packs for many officials (issue 21): a pack is laid out once per clearance and language, and
each copy's marks are merged into its pages' content, with a fingerprint that survives removing
them.

One pack of five copies (three at Programme, one of them read in Arabic; two at Facilitators)
is rendered by the job as a worker runs it, and every page of every copy is read back."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream, DecodedStreamObject, NameObject, StreamObject

from dialogues import pdf
from dialogues.briefing import services as briefing
from dialogues.briefing import stamping, tracing
from dialogues.models import BriefingPackCopy
from tests.dialogues.test_briefing_pdf import add_outcomes, request_pack

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

State = BriefingPackCopy.State
ARABIC_NAME = "ليلى حداد"  # the second copy's recipient, in an English copy
RECIPIENTS = [
    ("Amal Haddad", "Programme"),
    (ARABIC_NAME, "Programme"),
    ("Chen Wairimu", "Programme"),  # reads Arabic
    ("Dana Kowalczyk", "Facilitators"),
    ("Emil Osei-Lindqvist", "Facilitators"),
]


def file_of(copy: BriefingPackCopy) -> bytes:
    with copy.file.open("rb") as handle:
        return handle.read()


def squeezed(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def five(world, monkeypatch):
    """The pack, rendered by one call of the job per group (as the queued messages ask), with
    every WeasyPrint rendering counted."""
    add_outcomes(world)
    pack = request_pack(world, RECIPIENTS)
    copies = list(pack.copies.order_by("number"))
    chen = copies[2].official
    chen.language = "ar"
    chen.save()
    renders = []
    real = pdf.render_pdf

    def counted(html, *, log=None):
        renders.append(html)
        return real(html, log=log)

    monkeypatch.setattr(pdf, "render_pdf", counted)
    batches = briefing.render_batches([c.pk for c in copies])
    outcomes = {}
    for batch in batches:
        outcomes.update(briefing.copies_render(copy_ids=batch, worker="test:1"))
    copies = list(pack.copies.order_by("number"))
    return {
        "pack": pack,
        "copies": copies,
        "batches": batches,
        "outcomes": outcomes,
        "renders": renders,
        "files": {c.number: file_of(c) for c in copies},
    }


def test_a_pack_is_laid_out_once_per_clearance_and_language(five):
    ids = [c.pk for c in five["copies"]]
    # Programme in English (1, 2), Programme in Arabic (3), Facilitators (4, 5).
    assert five["batches"] == [[ids[0], ids[1]], [ids[2]], [ids[3], ids[4]]]
    assert five["outcomes"] == dict.fromkeys(ids, "ready")
    assert len(five["renders"]) == 6  # a base and the marks, for each of the three groups
    for copy in five["copies"]:
        assert (copy.state, copy.attempts, copy.worker) == (State.READY, 1, "test:1")
    five["pack"].refresh_from_db()
    assert five["pack"].guard == "clear"
    # Copies of a group share their layout, not their file.
    assert len({c.sha256 for c in five["copies"]}) == 5
    assert [c.pages for c in five["copies"]][:2] == [five["copies"][0].pages] * 2


def test_every_page_of_every_copy_carries_its_own_marks_and_no_other(five):
    copies = five["copies"]
    names = [name for name, _ in RECIPIENTS]
    for copy in copies:
        pages = [squeezed(p.extract_text()) for p in PdfReader(io.BytesIO(file_of(copy))).pages]
        assert len(pages) == copy.pages >= 4
        own = names[copy.number - 1]
        others = [n for n in names if n != own]
        for number, text in enumerate(pages, start=1):
            where = f"copy {copy.number}, page {number}"
            if own == ARABIC_NAME:
                # Extraction may give right-to-left words in visual order: either order counts.
                assert own in text or own[::-1] in text, where
            else:
                assert own in text, where
            for other in others:
                assert other not in text, where
                assert other[::-1] not in text, where
            if copy.number == 3:  # the Arabic copy: "copy 3 of 5" in Arabic (either order)
                assert "Copy " not in text, where
                numbers = re.findall(r"(\d)من(\d)", text.replace(" ", ""))
                # Its number, and the page's ("page k of n" reads "k من n" too).
                found = {frozenset(pair) for pair in numbers}
                page_of = frozenset({str(number), str(len(pages))})
                assert frozenset({"3", "5"}) in found, where
                assert found <= {frozenset({"3", "5"}), page_of}, where
            else:
                assert f"Copy {copy.number} of 5" in text, where
                assert re.findall(r"Copy \d of 5", text) == [f"Copy {copy.number} of 5"] * (
                    2 if number == 1 else 1
                ), where
                assert f"Prepared for {own}" in text or own == ARABIC_NAME, where
                assert f"Page {number} of {len(pages)}" in text, where
        # The cover names the recipient in full; the register's details, once.
        assert pages[0].count("Special Envoy") == 1


def test_the_marks_are_page_content_not_a_layer(five):
    copy = five["copies"][0]
    reader = PdfReader(io.BytesIO(file_of(copy)))
    root = reader.trailer["/Root"].get_object()
    assert "/OCProperties" not in root
    for page in reader.pages:
        contents = page["/Contents"].get_object()
        assert isinstance(contents, StreamObject)  # one stream, not an array of them
        data = contents.get_data()
        assert data.startswith(b"q 1 0 0 1 ")  # the fingerprint's shift, then the base
        # The marks' fonts are the page's own resources, used in that same stream.
        marks_fonts = [
            name
            for name in page["/Resources"].get_object()["/Font"].get_object()
            if name.startswith(f"/{stamping.RESOURCE_PREFIX}")
        ]
        assert marks_fonts
        assert any(name.encode() in data for name in marks_fonts)
        for annotation in page.get("/Annots", []):
            assert annotation.get_object()["/Subtype"] == "/Link"  # the contents' links only
        xobjects = page["/Resources"].get_object().get("/XObject", {})
        assert not any(n.startswith(f"/{stamping.RESOURCE_PREFIX}") for n in xobjects)
    # No page content is left in the file unmarked: the pages' merged streams are the only
    # streams in it that show text.
    page_streams = {page["/Contents"].indirect_reference.idnum for page in reader.pages}
    drawing = set()
    for idnum in range(1, reader.trailer["/Size"]):
        obj = reader.get_object(idnum)
        skip = ("/Type", "/Subtype", "/Length1", "/Length2", "/Length3")
        content_like = isinstance(obj, StreamObject) and not any(key in obj for key in skip)
        if content_like and b" Tf" in obj.get_data():
            drawing.add(idnum)
    assert drawing == page_streams


def strip(data: bytes) -> bytes:
    """What a leaker might do: cut every mark out of the page content (the text shown in the
    marks' fonts), drop the identifiers and the metadata."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        stream = ContentStream(page.get_contents(), writer)
        kept, font = [], None
        for operands, operator in stream.operations:
            if operator == b"Tf":
                font = operands[0]
            if operator in (b"Tj", b"TJ") and str(font).startswith(f"/{stamping.RESOURCE_PREFIX}"):
                continue
            kept.append((operands, operator))
        stream.operations = kept
        cleaned = DecodedStreamObject()
        cleaned.set_data(stream.get_data())
        page.replace_contents(cleaned.flate_encode())
    writer.add_metadata({"/Title": "Notes"})
    del writer.root_object[NameObject("/Metadata")]
    writer._ID = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_register_names_the_copy_of_a_pdf_even_with_its_marks_and_identifiers_removed(
    five, tmp_path, capsys
):
    copies = five["copies"]
    fingerprints = [c.fingerprint for c in copies]
    assert all(re.fullmatch(r"[0-9a-f]{32}", fp) for fp in fingerprints)
    assert len(set(fingerprints)) == 5
    chen = copies[2]
    data = five["files"][3]
    assert tracing.read_identifiers(PdfReader(io.BytesIO(data))) == [chen.fingerprint]
    assert f"uuid:{chen.fingerprint[:8]}-".encode() in data  # the XMP packet's, too

    trace = tracing.trace_pdf(data)
    assert (trace.method, trace.copy) == ("identifier", chen)

    # Amal's copy, stripped: no name, no copy number, no identifier of ours, no XMP.
    amal = copies[0]
    stripped = strip(five["files"][1])
    text = squeezed(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(stripped)).pages))
    assert "CONTROL-PUBLIC-IDEA" in text  # the content is all there
    assert "Amal" not in text
    assert "Copy 1 of 5" not in text
    assert tracing.read_identifiers(PdfReader(io.BytesIO(stripped))) == []
    trace = tracing.trace_pdf(stripped)
    assert (trace.method, trace.copy, trace.candidates) == ("spacing", amal, [amal])
    assert trace.symbols == stamping.fingerprint_symbols(amal.fingerprint)[: amal.pages]

    leaked = tmp_path / "leaked.pdf"
    leaked.write_bytes(stripped)
    call_command("trace_pack", str(leaked))
    out = capsys.readouterr().out
    assert f"Copy 1 of 5 of briefing pack {amal.pack_id}" in out
    assert "prepared for Amal Haddad <amal@ministry.example>" in out
    assert "read from the spacing" in out


def test_a_pdf_of_no_copy_names_none(five, tmp_path):
    data, _pages = pdf.render_pdf("<p>Notes of a meeting.</p>")
    trace = tracing.trace_pdf(data)
    assert (trace.method, trace.copy, trace.candidates) == ("", None, [])
    leaked = tmp_path / "other.pdf"
    leaked.write_bytes(data)
    with pytest.raises(CommandError, match="No copy on the register agrees with this PDF"):
        call_command("trace_pack", str(leaked))


def test_a_file_that_is_no_pdf_gets_a_clear_error(tmp_path):
    leaked = tmp_path / "not-a.pdf"
    leaked.write_bytes(b"GIF89a not a PDF at all")
    with pytest.raises(CommandError, match="is not a PDF that can be read"):
        call_command("trace_pack", str(leaked))


def test_shifts_encode_each_pages_symbol():
    fingerprint = "0123456789abcdef" * 2
    for page in range(40):
        dx, dy = stamping.page_shift(fingerprint, page)
        assert stamping.symbol_of_shift(dx, dy) == page % 16
        assert max(abs(dx), abs(dy)) <= 0.24
    assert stamping.symbol_of_shift(0.0, 0.08) is None
    assert stamping.symbol_of_shift(0.5, 0.08) is None
