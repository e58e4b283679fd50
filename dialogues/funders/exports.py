"""A report for funders as files: its HTML (rendered to PDF by ``services.report_render`` through
``dialogues.pdf``, which fetches nothing but an allow-list of our own static files), its CSV,
and their file names. Both files leave Trackii: they hold ``selectors.report_figures`` and
nothing else, and their names the cover name and a date only. Both are written in the language
active when they are made (``services.report_render``: the requester's)."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ..pdf import static_url
from .selectors import ReportFigures

REPORT_PDF_TEMPLATE = "dialogues/funders/report_pdf.html"
REPORT_PDF_STYLESHEET = "css/funder_report_pdf.css"
REPORT_PDF_LOGO = "img/trackii-mark.svg"

# A spreadsheet reads a cell that begins with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def report_filename(report, extension: str) -> str:
    """The cover name, "funder-report" and the day it was rendered: nothing else."""
    slug = slugify(report.dialogue.cover_name, allow_unicode=True) or "meetings"
    day = report.rendered_at or report.requested_at
    return f"{slug}-funder-report-{day:%Y-%m-%d}.{extension}"


def report_html(figures: ReportFigures) -> str:
    """The HTML of the PDF."""
    return render_to_string(
        REPORT_PDF_TEMPLATE,
        {
            "figures": figures,
            "classification": figures.level.label,
            "pdf_title": _("%(title)s: report for funders") % {"title": figures.title},
            "stylesheet_url": static_url(REPORT_PDF_STYLESHEET),
            "logo_url": static_url(REPORT_PDF_LOGO),
        },
    )


def neutralised(cell: str) -> str:
    """A cell a spreadsheet will show as text: one that would begin a formula (after blanks
    too: some spreadsheets skip them) gets a leading single quote."""
    if cell.startswith(FORMULA_STARTS) or cell.lstrip().startswith(FORMULA_STARTS):
        return f"'{cell}"
    return cell


def _rows(figures: ReportFigures):
    report = pgettext("funder report CSV section", "Report")
    yield (report, _("Dialogue"), figures.title)
    yield (report, _("Level"), figures.level.label)
    yield (report, _("Prepared on"), figures.prepared_on.isoformat())
    yield (report, _("Counts"), _("Any count below 5 is shown as <5."))
    for table in figures.tables:
        for figure in table.figures:
            yield (table.title, figure.label, figure.shown)
        if table.total is not None:
            yield (table.title, table.total.label, table.total.shown)
    held = pgettext("funder report CSV section", "Session held")
    for session in figures.sessions:
        days = session.first_day.isoformat()
        if session.last_day != session.first_day:
            days = _("%(first)s to %(last)s") % {
                "first": days,
                "last": session.last_day.isoformat(),
            }
        yield (held, session.title, f"{session.kind}, {days}")
    idea_section = pgettext("funder report CSV section", "Idea")
    for idea in figures.ideas:
        yield (idea_section, idea.title, idea.state)


def report_csv(figures: ReportFigures) -> bytes:
    """The CSV: a header, then section, label, value rows; UTF-8 with a byte order mark (so
    that a spreadsheet reads it as UTF-8), every cell neutralised. Its headings are in the
    active language (the requester's)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        (
            pgettext("funder report CSV column", "section"),
            pgettext("funder report CSV column", "label"),
            pgettext("funder report CSV column", "value"),
        )
    )
    for row in _rows(figures):
        writer.writerow([neutralised(str(cell)) for cell in row])
    return out.getvalue().encode("utf-8-sig")
