"""Reports for funders (issue 18): computed as a funder at the report's level sees the dialogue
(at most its outbound level, attending nothing, named on nothing, on no team), rendered by the
worker into a PDF and a CSV that hold nothing above that level and no name, any count below
five printed "<5", formulas neutralised in the CSV; the convening team's pages only (404 to
everyone else), downloads recorded, list and figures in a fixed number of queries.

With leaking data present: sessions, ideas, transfers and observed changes at every level above
the report's (attendees, the convening team's, named readers), a draft session, an idea from
another session's hidden outcome, one from an outcome off the record, a speaker's name, the
dialogue's title and its sides' names; a positive control at or below the report's level in
each file. One report is rendered for the content checks (WeasyPrint takes about 0.1 s a
page)."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from dialogues.confidentiality import viewer_for_user
from dialogues.funders import exports, services
from dialogues.funders.selectors import report_figures, request_levels, shown
from dialogues.models import FunderReport, ObservedChange, Outcome, Session, Transfer
from dialogues.transfers.services import transfer_log
from participants.models import Membership, Person
from tests.factories import level
from tests.world import (
    committed,
    idea,
    member_with_account,
    membership,
    official,
    outcome,
    person,
    session,
)
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

HELD_START = datetime(2026, 3, 9, 8, tzinfo=UTC)
COVER = "Lakeside meetings"
SPEAKER = "Orla Sentinelspeaker"
# Everything below must be in neither file.
SENTINELS = (
    "SENTINEL-SESSION-PAR",
    "SENTINEL-SESSION-FAC",
    "SENTINEL-SESSION-RES",
    "SENTINEL-SESSION-DRAFT",
    "SENTINEL-IDEA-PAR",
    "SENTINEL-SUMMARY-PAR",
    "SENTINEL-IDEA-FAC",
    "SENTINEL-SUMMARY-FAC",
    "SENTINEL-IDEA-RES",
    "SENTINEL-SUMMARY-RES",
    "SENTINEL-IDEA-HIDDEN-SOURCE",
    "SENTINEL-SUMMARY-HIDDEN-SOURCE",
    "SENTINEL-IDEA-OFF-RECORD",
    "SENTINEL-SUMMARY-OFF-RECORD",
    "SENTINEL-REACTION",
    "SENTINEL-CHANGE",
    "SENTINEL-OUTCOME",
    "SENTINEL-RECORD",
    SPEAKER,
    "Salt River",  # the dialogue's title: the report goes by the cover name
    "Side A",  # the sides' names: numbered instead
    "Side B",
    "Valdera",  # the sessions' city
)
# ... and these in both (the report is at Programme).
CONTROLS = ("CONTROL-SESSION-PUBLIC", "CONTROL-SESSION-PROGRAMME", "CONTROL-IDEA-PUBLIC")


def url(name: str, dialogue, *args) -> str:
    return reverse(f"dialogues:{name}", args=[dialogue.pk, *args])


def held(of, title: str, lvl: str, *, day: int, **fields) -> Session:
    fields.setdefault("status", Session.Status.HELD)
    return session(
        of, title=title, level=lvl, start=HELD_START + timedelta(days=day), days=2, **fields
    )


def participants(of, side, gender: str, count: int) -> list[Membership]:
    return [membership(person=person(gender=gender), dialogue=of, side=side) for _ in range(count)]


@pytest.fixture
def funded(world):
    """Salt River at outbound level Programme, cover name "Lakeside meetings": two held sessions
    a funder at Programme sees (attended by five women of side A and three men of side B, a
    rapporteur and an observer), held sessions at Participants, Facilitators and Restricted
    and a draft one (attended by five non-binary participants), one cancelled and one still to
    come; ideas at and above Programme; transfers and observed changes (Facilitators and
    Restricted, as the service keeps them)."""
    d = world["dialogue"]
    d.outbound_level = level("Programme")
    d.cover_name = COVER
    d.save()
    side_a, side_b = d.sides.all()
    convenor = world["convenor"]
    women = participants(d, side_a, Person.Gender.WOMAN, 5)
    men = participants(d, side_b, Person.Gender.MAN, 3)
    hidden = participants(d, side_b, Person.Gender.NON_BINARY, 5)
    around = [world["rapporteur"], world["observer"]]

    public = held(d, "CONTROL-SESSION-PUBLIC", "Public", day=0, attendees=women + men + around)
    held(d, "CONTROL-SESSION-PROGRAMME", "Programme", day=7, attendees=women[:2])
    # Published and over: held, though the beat has not marked it yet.
    held(
        d,
        "CONTROL-SESSION-PROGRAMME-2",
        "Programme",
        day=14,
        status=Session.Status.PUBLISHED,
    )
    part = held(d, "SENTINEL-SESSION-PAR", "Participants", day=21, attendees=hidden)
    held(d, "SENTINEL-SESSION-FAC", "Facilitators", day=28, attendees=hidden)
    held(
        d,
        "SENTINEL-SESSION-RES",
        "Restricted",
        day=35,
        attendees=hidden,
        readers=[convenor.person],
    )
    held(d, "SENTINEL-SESSION-DRAFT", "Public", day=42, attendees=hidden, status="draft")
    held(d, "NOT-HELD-CANCELLED", "Public", day=49, status=Session.Status.CANCELLED)
    session(d, title="NOT-HELD-UPCOMING", level="Public", start=datetime(2030, 1, 7, tzinfo=UTC))

    speaker = person(full_name=SPEAKER)
    said = outcome(
        public,
        level="Public",
        summary="SENTINEL-OUTCOME a shared gauge network",
        record=f"SENTINEL-RECORD said by {SPEAKER}",
        speakers=[speaker],
    )
    in_part = outcome(part, level="Participants", summary="SENTINEL-OUTCOME side B's line")
    off = outcome(public, level="Public", attribution=Outcome.Attribution.OFF_RECORD)
    ideas = {
        "public": idea(
            d,
            sources=[said],
            level="Public",
            title="CONTROL-IDEA-PUBLIC",
            summary="CONTROL-SUMMARY-PUBLIC joint gauges on the river",
        ),
        "formula": idea(
            d,
            sources=[said],
            level="Programme",
            title='=HYPERLINK("https://evil.example/","CONTROL-FORMULA")',
            summary="CONTROL-SUMMARY-FORMULA",
        ),
        "par": idea(
            d,
            sources=[said],
            level="Participants",
            title="SENTINEL-IDEA-PAR",
            summary="SENTINEL-SUMMARY-PAR",
        ),
        "fac": idea(
            d,
            sources=[said],
            level="Facilitators",
            title="SENTINEL-IDEA-FAC",
            summary="SENTINEL-SUMMARY-FAC",
        ),
        "res": idea(
            d,
            sources=[said],
            level="Restricted",
            readers=[convenor.person],
            title="SENTINEL-IDEA-RES",
            summary="SENTINEL-SUMMARY-RES",
        ),
        "hidden_source": idea(
            d,
            sources=[said, in_part],
            level="Public",
            title="SENTINEL-IDEA-HIDDEN-SOURCE",
            summary="SENTINEL-SUMMARY-HIDDEN-SOURCE",
        ),
        "off": idea(
            d,
            sources=[off],
            level="Public",
            title="SENTINEL-IDEA-OFF-RECORD",
            summary="SENTINEL-SUMMARY-OFF-RECORD",
        ),
    }
    envoy = official(d, "Elena Marsh", "marsh@example.org", "Programme")
    for name, lvl in (
        ("public", "Facilitators"),
        ("formula", "Facilitators"),
        ("res", "Restricted"),
    ):
        transfer = transfer_log(
            idea=ideas[name],
            official=envoy,
            means=Transfer.Means.MEETING,
            occurred_on=date(2026, 4, 1),
            level=level(lvl),
            reaction_kind=Transfer.Reaction.RECEPTIVE,
            reaction=f"SENTINEL-REACTION to {name}",
            readers=[convenor.person] if lvl == "Restricted" else (),
            by=convenor.person.user,
        )
        change = ObservedChange.objects.create(
            dialogue=d,
            observed_on=date(2026, 5, 1),
            who_changed="SENTINEL-CHANGE the ministry",
            what_changed=f"SENTINEL-CHANGE after {name}",
            significance="SENTINEL-CHANGE it matters",
            contribution="SENTINEL-CHANGE our idea",
            level=level(lvl),
        )
        change.ideas.set([ideas[name]])
        change.transfers.set([transfer])
    world.update(ideas=ideas, women=women, men=men, hidden=hidden)
    return world


def request_as(member, *, at: str = "Programme") -> FunderReport:
    user = member.person.user
    with committed():
        made = services.report_request(
            dialogue=member.dialogue,
            viewer=viewer_for_user(user),
            requested_by=user,
            level=level(at),
        )
    made.refresh_from_db()
    return made


def pdf_text(report: FunderReport) -> tuple[str, dict]:
    with report.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages), dict(reader.metadata)


def csv_bytes(report: FunderReport) -> bytes:
    with report.csv.open("rb") as handle:
        return handle.read()


def csv_rows(report: FunderReport) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_bytes(report).decode("utf-8-sig"))))


@pytest.fixture
def rendered(funded):
    """One report at Programme, asked for by the convenor and rendered by the (eager) worker."""
    report = request_as(funded["convenor"])
    assert report.state == FunderReport.State.READY, report.failure_reason
    text, metadata = pdf_text(report)
    return {"report": report, "text": text, "metadata": metadata, "rows": csv_rows(report)}


# -- what the files hold -------------------------------------------------------------------------


@pytest.mark.slow
def test_neither_file_holds_anything_above_the_reports_level_and_both_hold_the_controls(rendered):
    pdf = " ".join(rendered["text"].split())
    data = csv_bytes(rendered["report"]).decode("utf-8-sig")
    for control in CONTROLS:
        assert control in pdf, control
        assert control in data, control
    assert "CONTROL-SUMMARY-PUBLIC" in pdf  # summaries: the PDF only
    for sentinel in SENTINELS:
        assert sentinel not in pdf, sentinel
        assert sentinel not in data, sentinel
    # Sessions that were not held (cancelled, still to come) are not reported either.
    for title in ("NOT-HELD-CANCELLED", "NOT-HELD-UPCOMING"):
        assert title not in pdf
        assert title not in data


@pytest.mark.slow
def test_no_name_at_all_stands_in_either_file(rendered, funded):
    """A Chatham House idea never shows its speaker, nor does the report name anyone else: no
    member of the dialogue, no official."""
    pdf = " ".join(rendered["text"].split())
    data = csv_bytes(rendered["report"]).decode("utf-8-sig")
    names = set(
        Person.objects.filter(memberships__dialogue=funded["dialogue"]).values_list(
            "full_name", flat=True
        )
    ) | {SPEAKER, "Elena Marsh"}
    assert funded["ideas"]["public"].attribution == Outcome.Attribution.CHATHAM_HOUSE
    assert "CONTROL-IDEA-PUBLIC" in pdf  # the idea is there, without its speaker
    for name in names:
        assert name not in pdf, name
        assert name not in data, name


@pytest.mark.slow
def test_the_csv_rows_with_counts_below_five_shown_as_fewer(rendered):
    rows = rendered["rows"]
    assert rows[0] == ["section", "label", "value"]
    assert rows[1:4] == [
        ["Report", "Dialogue", COVER],
        ["Report", "Level", "Programme"],
        ["Report", "Prepared on", timezone.localdate().isoformat()],
    ]
    by = {(section, label): value for section, label, value in rows[1:]}
    gender = "Participants who took part, by gender"
    side = "Participants who took part, by side"
    # Five women (side A), three men (side B): "5" and "<5"; the five non-binary participants
    # attend only sessions above the report's level, so they count for nothing ("<5", as 0).
    assert [by[(gender, g)] for g in ("Woman", "Man", "Non-binary", "Not disclosed")] == [
        "5",
        "<5",
        "<5",
        "<5",
    ]
    assert [by[(side, s)] for s in ("Side 1", "Side 2", "No side")] == ["5", "<5", "<5"]
    assert by[("Sessions held, by kind", "All sessions held")] == "<5"
    assert by[("Ideas, by state", "All ideas")] == "<5"
    # Transfers and observed changes are the convening team's records (Facilitators or
    # stricter): a funder sees none, and the report says "<5" for each, as for any small count.
    assert by[("Ideas passed to officials, by means", "All transfers")] == "<5"
    assert by[("Observed changes, by kind", "All observed changes")] == "<5"
    sessions = [(label, value) for section, label, value in rows if section == "Session held"]
    assert sessions == [
        ("CONTROL-SESSION-PUBLIC", "Dialogue round, 2026-03-09 to 2026-03-11"),
        ("CONTROL-SESSION-PROGRAMME", "Dialogue round, 2026-03-16 to 2026-03-18"),
        ("CONTROL-SESSION-PROGRAMME-2", "Dialogue round, 2026-03-23 to 2026-03-25"),
    ]


@pytest.mark.slow
def test_a_formula_in_a_visible_idea_title_is_neutralised_in_the_csv(rendered):
    ideas = [(label, value) for section, label, value in rendered["rows"] if section == "Idea"]
    # Both went to an official (``transfer_log`` moves an idea on to "transferred").
    assert ideas == [
        ("CONTROL-IDEA-PUBLIC", "Transferred"),
        ('\'=HYPERLINK("https://evil.example/","CONTROL-FORMULA")', "Transferred"),
    ]
    assert not any(
        cell.startswith(exports.FORMULA_STARTS) for row in rendered["rows"] for cell in row
    )


@pytest.mark.slow
def test_the_pdf_is_marked_with_its_level_and_named_by_the_cover_name(rendered):
    report, text = rendered["report"], rendered["text"]
    pages = text.count("Report for funders")
    assert pages >= 2
    assert text.count("PROGRAMME") >= pages  # the marking on every page, and on the cover
    assert rendered["metadata"]["/Title"] == f"{COVER}: report for funders"
    for key in ("/Author", "/Keywords", "/Subject"):
        assert key not in rendered["metadata"]
    assert "<5" in text
    # Stored under names that say nothing; downloaded under the cover name and a date.
    assert re.fullmatch(r"reports/[0-9a-f]{32}\.pdf", report.pdf.name)
    assert re.fullmatch(r"reports/[0-9a-f]{32}\.csv", report.csv.name)
    day = report.rendered_at.strftime("%Y-%m-%d")
    assert exports.report_filename(report, "pdf") == f"lakeside-meetings-funder-report-{day}.pdf"
    assert csv_bytes(report).startswith(b"\xef\xbb\xbfsection,label,value\r\n")
    # The files' digests are in the audit trail.
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CHANGED, object_id=str(report.pk))
    assert set(entry.detail) == {"rendered", "pdf_sha256", "csv_sha256"}


# -- the figures ---------------------------------------------------------------------------------


def test_counts_below_five_read_fewer_zero_included():
    assert [shown(n) for n in (0, 1, 3, 4, 5, 6, 120)] == ["<5", "<5", "<5", "<5", "5", "6", "120"]


def test_neutralised_cells_begin_with_a_quote_whatever_starts_the_formula():
    cells = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "  =1", "<5", "Side 1", ""]
    assert [exports.neutralised(c) for c in cells] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "'  =1",
        "<5",
        "Side 1",
        "",
    ]


def test_figures_count_only_what_a_funder_at_the_level_sees(funded):
    d = funded["dialogue"]
    at_public = report_figures(dialogue=d, level=level("Public"))
    assert [s.title for s in at_public.sessions] == ["CONTROL-SESSION-PUBLIC"]
    assert [i.title for i in at_public.ideas] == ["CONTROL-IDEA-PUBLIC"]
    at_programme = report_figures(dialogue=d, level=level("Programme"))
    assert [s.title for s in at_programme.sessions] == [
        "CONTROL-SESSION-PUBLIC",
        "CONTROL-SESSION-PROGRAMME",
        "CONTROL-SESSION-PROGRAMME-2",
    ]
    genders = {f.label: f.count for f in at_programme.participants_by_gender.figures}
    assert genders == {"Woman": 5, "Man": 3, "Non-binary": 0, "Not disclosed": 0}
    assert {t.key: t.total.count for t in at_programme.tables if t.total is not None} == {
        "sessions": 3,
        "ideas": 2,
        "transfers_means": 0,
        "changes": 0,
    }
    assert at_programme.title == COVER


def test_figures_of_transfers_and_changes_count_those_a_funder_would_see(funded):
    """Rule 10 keeps transfers and observed changes at the convening team's level, which no
    funder sees (above). Written at Public past the service, five and three of them show how
    they are counted: by means, by reaction, by kind."""
    d, made = funded["dialogue"], funded["ideas"]["public"]
    envoy = official(d, "Kim Ode", "ode@example.org", "Public")
    for n in range(8):
        Transfer.objects.create(
            dialogue=d,
            idea=made,
            official=envoy,
            means=Transfer.Means.CALL if n < 5 else Transfer.Means.LETTER,
            occurred_on=date(2026, 4, 2),
            reaction_kind=Transfer.Reaction.ACTED,
            level=level("Public"),
        )
    for _ in range(5):
        ObservedChange.objects.create(
            dialogue=d,
            kind=ObservedChange.Kind.POLICY,
            observed_on=date(2026, 5, 2),
            who_changed="x",
            what_changed="y",
            significance="z",
            contribution="w",
            level=level("Public"),
        )
    figures = report_figures(dialogue=d, level=level("Programme"))
    means = {f.label: f.shown for f in figures.transfers_by_means.figures}
    assert means == {
        "Briefing pack copy": "<5",
        "Meeting": "<5",
        "Call": "5",
        "Letter or note": "<5",
        "Other": "<5",
    }
    assert figures.transfers_by_means.total.shown == "8"
    reactions = {f.label: f.shown for f in figures.transfers_by_reaction.figures}
    assert reactions["Acted on it"] == "8"
    assert reactions["Receptive"] == "<5"  # the three kept at Facilitators and Restricted
    assert {f.label: f.shown for f in figures.changes_by_kind.figures}["A policy"] == "5"


def test_figures_refuse_a_level_above_the_outbound_level(funded):
    with pytest.raises(ValueError, match="outbound"):
        report_figures(dialogue=funded["dialogue"], level=level("Participants"))


@pytest.mark.parametrize("size", [1, 6])
def test_the_figures_take_the_same_queries_whatever_the_size(
    funded, django_assert_num_queries, size
):
    d = funded["dialogue"]
    side = d.sides.first()
    for n in range(size):
        extra = held(
            d,
            f"Extra {n}",
            "Public",
            day=60 + n,
            attendees=participants(d, side, Person.Gender.WOMAN, 2),
        )
        said = outcome(extra, level="Public")
        idea(d, sources=[said], level="Public", title=f"Extra idea {n}")
    d = type(d).objects.select_related("outbound_level").get(pk=d.pk)
    programme = level("Programme")
    # The scale, the held sessions, who attended them, the sides, ideas, transfers, changes.
    with django_assert_num_queries(7):
        figures = report_figures(dialogue=d, level=programme)
    assert len(figures.sessions) == 3 + size


# -- asking for a report ---------------------------------------------------------------------------


def test_a_level_above_the_outbound_level_is_refused_by_the_service(funded):
    user = funded["convenor"].person.user
    with pytest.raises(ValidationError) as refused:
        services.report_request(
            dialogue=funded["dialogue"],
            viewer=viewer_for_user(user),
            requested_by=user,
            level=level("Participants"),
        )
    assert refused.value.message_dict == {
        "level": [
            "A report for funders is at most the dialogue's outbound level (Programme): a "
            "funder is outside the programme."
        ]
    }
    assert not FunderReport.objects.exists()


def test_a_level_above_the_requesters_clearance_is_refused(funded):
    d = funded["dialogue"]
    d.outbound_level = level("Facilitators")
    d.save()
    facilitator = member_with_account(
        dialogue=d, role=Membership.Role.FACILITATOR, clearance="Programme"
    )
    viewer = viewer_for_user(facilitator.person.user)
    assert [lv.name for lv in request_levels(viewer=viewer, dialogue=d)] == ["Public", "Programme"]
    with pytest.raises(ValidationError) as refused:
        services.report_request(
            dialogue=d, viewer=viewer, requested_by=None, level=level("Facilitators")
        )
    assert list(refused.value.message_dict) == ["level"]
    assert "above your own clearance" in refused.value.message_dict["level"][0]


def test_only_the_convening_team_may_ask(funded):
    rapporteur = funded["rapporteur"].person.user
    with pytest.raises(ValidationError):
        services.report_request(
            dialogue=funded["dialogue"],
            viewer=viewer_for_user(rapporteur),
            requested_by=rapporteur,
            level=level("Public"),
        )
    assert not FunderReport.objects.exists()


def test_the_form_offers_levels_up_to_the_outbound_one_and_refuses_one_above(login, funded):
    d = funded["dialogue"]
    client = login(funded["convenor"])
    page = client.get(url("funder_report_request", d))
    assert page.status_code == 200
    form = page.context["form"]
    assert [lv.name for lv in form.fields["level"].queryset] == ["Public", "Programme"]
    assert form["level"].value() == level("Programme").pk  # the outbound level first
    refused = client.post(url("funder_report_request", d), {"level": level("Participants").pk})
    assert refused.status_code == 200
    assert refused.context["form"].errors["level"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not FunderReport.objects.exists()


@pytest.mark.slow
def test_asking_renders_the_report_and_the_list_offers_its_files(login, funded):
    d = funded["dialogue"]
    client = login(funded["convenor"])
    with committed():
        response = client.post(url("funder_report_request", d), {"level": level("Public").pk})
    assert response.status_code == 302
    assert response["Location"] == url("funder_reports", d)
    report = FunderReport.objects.get()
    assert (report.level, report.state, report.requested_by) == (
        level("Public"),
        FunderReport.State.READY,
        funded["convenor"].person.user,
    )
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CREATED, object_id=str(report.pk)
    ).exists()
    page = client.get(url("funder_reports", d)).content.decode()
    assert url("funder_report_pdf", d, report.pk) in page
    assert url("funder_report_csv", d, report.pk) in page
    assert 'aria-current="page">Reports</a>' in page

    before = AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED).count()
    download = client.get(url("funder_report_pdf", d, report.pk))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert "lakeside-meetings-funder-report-" in download["Content-Disposition"]
    table = client.get(url("funder_report_csv", d, report.pk))
    assert table.status_code == 200
    assert b"".join(table.streaming_content).startswith(b"\xef\xbb\xbfsection,label,value")
    downloads = AuditEntry.objects.filter(action=AuditEntry.Action.DOWNLOADED)
    assert downloads.count() == before + 2
    assert set(downloads.values_list("content_type__model", "object_id", "actor_id")) == {
        ("funderreport", str(report.pk), funded["convenor"].person.user.pk)
    }


# -- the job -------------------------------------------------------------------------------------


def test_a_report_whose_level_is_no_longer_reportable_fails_saying_why(funded):
    with committed(run=False):  # the message is not delivered yet
        report = services.report_request(
            dialogue=funded["dialogue"],
            viewer=viewer_for_user(funded["convenor"].person.user),
            requested_by=None,
            level=level("Programme"),
        )
    funded["dialogue"].outbound_level = level("Public")
    funded["dialogue"].save()
    assert services.report_render(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert report.state == FunderReport.State.FAILED
    assert "outbound level is now below this report's level" in report.failure_reason
    assert not report.pdf.name
    assert not report.csv.name


def test_a_failed_render_is_recorded_and_a_second_delivery_changes_nothing(funded, monkeypatch):
    with committed(run=False):
        report = services.report_request(
            dialogue=funded["dialogue"],
            viewer=viewer_for_user(funded["convenor"].person.user),
            requested_by=None,
            level=level("Public"),
        )

    def broken(report):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(services, "render_report_files", broken)
    assert services.report_render(report_id=report.pk) == "failed"
    assert services.report_render(report_id=report.pk) == "skipped"
    report.refresh_from_db()
    assert report.failure_reason.startswith("The report could not be rendered (RuntimeError)")


def test_a_report_found_still_rendering_fails_as_interrupted(funded):
    with committed(run=False):
        report = services.report_request(
            dialogue=funded["dialogue"],
            viewer=viewer_for_user(funded["convenor"].person.user),
            requested_by=None,
            level=level("Public"),
        )
    FunderReport.objects.filter(pk=report.pk).update(state=FunderReport.State.RENDERING)
    assert services.report_render(report_id=report.pk) == "skipped"
    report.refresh_from_db()
    assert (report.state, report.failure_reason) == (
        FunderReport.State.FAILED,
        services.INTERRUPTED,
    )


def asked_by(member, language: str) -> FunderReport:
    """A report at Public asked for by ``member``, whose language is ``language``; not yet
    rendered."""
    person = member.person
    person.language = language
    person.save(update_fields=["language"])
    with committed(run=False):
        return services.report_request(
            dialogue=member.dialogue,
            viewer=viewer_for_user(person.user),
            requested_by=person.user,
            level=level("Public"),
        )


def test_a_report_is_written_in_the_language_of_whoever_asked(funded, monkeypatch, settings):
    """Both files are made inside the requester's language (the catalogues are empty yet: the
    language active while each is made is what tells), and the worker's is left as it was."""
    report = asked_by(funded["convenor"], "es")
    made_in = []
    html, csv_ = exports.report_html, exports.report_csv

    def html_spy(figures):
        made_in.append(("html", translation.get_language()))
        return html(figures)

    def csv_spy(figures):
        made_in.append(("csv", translation.get_language()))
        return csv_(figures)

    monkeypatch.setattr(exports, "report_html", html_spy)
    monkeypatch.setattr(exports, "report_csv", csv_spy)
    assert services.report_render(report_id=report.pk) == "ready"
    assert made_in == [("html", "es"), ("csv", "es")]
    assert translation.get_language() == settings.LANGUAGE_CODE


def test_a_failure_is_told_in_the_language_of_whoever_asked(funded, monkeypatch):
    report = asked_by(funded["convenor"], "ru")

    def broken(report):
        raise RuntimeError("no fonts")

    told_in = []
    reason = services._reason

    def spy(error):
        told_in.append(translation.get_language())
        return reason(error)

    monkeypatch.setattr(services, "render_report_files", broken)
    monkeypatch.setattr(services, "_reason", spy)
    assert services.report_render(report_id=report.pk) == "failed"
    assert told_in == ["ru"]


# -- the pages: the convening team's only ------------------------------------------------------


def ready_report(dialogue, at: str = "Programme") -> FunderReport:
    """A report as the worker leaves it, without rendering (the pages' checks need no PDF)."""
    report = FunderReport.objects.create(
        dialogue=dialogue, level=level(at), state=FunderReport.State.READY
    )
    report.pdf.save("report.pdf", io.BytesIO(b"%PDF-1.7 test"), save=False)
    report.csv.save("report.csv", io.BytesIO(b"section,label,value\r\n"), save=False)
    report.rendered_at = report.requested_at
    report.save()
    return report


def test_every_page_is_404_to_all_but_the_convening_team(login, funded, client):
    d = funded["dialogue"]
    report = ready_report(d)
    pages = [
        url("funder_reports", d),
        url("funder_report_request", d),
        url("funder_report_pdf", d, report.pk),
        url("funder_report_csv", d, report.pk),
    ]
    for member in ("participant", "observer", "rapporteur", "outsider"):
        signed_in = login(funded[member])
        assert [signed_in.get(page).status_code for page in pages] == [404] * 4, member
        assert signed_in.post(pages[1], {"level": level("Public").pk}).status_code == 404
    client.logout()
    assert [client.get(page).status_code for page in pages] == [302] * 4
    convenor = login(funded["convenor"])
    answers = [convenor.get(page) for page in pages]
    assert [answer.status_code for answer in answers] == [200] * 4
    for download in answers[2:]:
        assert b"".join(download.streaming_content)  # read, so the file is closed
    # Another dialogue's report, through this dialogue: 404 to its convening team too.
    theirs = ready_report(funded["elsewhere"])
    assert convenor.get(url("funder_report_pdf", d, theirs.pk)).status_code == 404
    assert not FunderReport.objects.filter(dialogue=d).exclude(pk=report.pk).exists()


def test_a_report_above_the_viewers_clearance_is_listed_but_not_downloaded(login, funded):
    d = funded["dialogue"]
    report = ready_report(d, at="Programme")
    facilitator = member_with_account(
        dialogue=d, role=Membership.Role.FACILITATOR, clearance="Public"
    )
    client = login(facilitator)
    page = client.get(url("funder_reports", d)).content.decode()
    assert "Above your clearance" in page
    assert url("funder_report_pdf", d, report.pk) not in page
    assert client.get(url("funder_report_pdf", d, report.pk)).status_code == 404
    assert client.get(url("funder_report_csv", d, report.pk)).status_code == 404


def test_a_report_not_ready_has_nothing_to_download(login, funded):
    d = funded["dialogue"]
    queued = FunderReport.objects.create(dialogue=d, level=level("Public"))
    failed = FunderReport.objects.create(
        dialogue=d, level=level("Public"), state="failed", failure_reason="It broke."
    )
    client = login(funded["convenor"])
    for report in (queued, failed):
        assert client.get(url("funder_report_pdf", d, report.pk)).status_code == 404
    page = client.get(url("funder_reports", d)).content.decode()
    assert "It broke." in page
    assert 'hx-trigger="every 2s"' in page  # one is still queued: the list polls


@pytest.mark.parametrize("size", [2, 9])
def test_the_list_query_count_does_not_grow(login, funded, django_assert_num_queries, size):
    d = funded["dialogue"]
    for n in range(size):
        FunderReport.objects.create(
            dialogue=d,
            level=level("Public"),
            requested_by=funded["convenor"].person.user,
            state="ready" if n % 2 else "failed",
        )
    client = login(funded["convenor"])
    client.get(url("funder_reports", d))
    # The viewer and the dialogue, the readable levels, the paginator's count, the page's rows
    # (with level and requester), the trail's write: the same at both sizes.
    with django_assert_num_queries(9):
        response = client.get(url("funder_reports", d))
    assert len(response.context["reports"]) == size
