"""Reports for funders: the request, and the job that renders one.

A report is asked for at a level no higher than the dialogue's outbound level (a funder is
outside the programme) nor the requester's own clearance (a report holds only what its
requester may read). It is ``queued`` when the request commits; the worker claims it
(``rendering``), computes its figures as a funder at that level sees the dialogue, renders the
PDF and the CSV, stores both on the private storage under names that say nothing, and marks it
``ready`` (the files' SHA-256 go to the audit trail), or ``failed`` with the reason. The job is
idempotent: a report already ready or failed is left alone. A message delivered again while the
report is still ``rendering`` means the worker that claimed it stopped (late acknowledgement):
the report fails, saying so, rather than being rendered over and over; a new one may be asked
for. Only the attempt that holds the claim stores its result.

A report is written in the language of whoever asked for it (``trackii.i18n``): its PDF, its
CSV's headings and, should it fail, the reason the list shows.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from trackii.audit.services import Action, audit_record
from trackii.i18n import in_language

from .. import pdf
from ..confidentiality import Viewer, can_plan, reportable_levels
from ..models import ConfidentialityLevel, Dialogue, FunderReport
from . import exports, tasks
from .selectors import report_figures, request_levels

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

State = FunderReport.State

ABOVE_OUTBOUND = gettext_lazy(
    "A report for funders is at most the dialogue's outbound level (%(outbound)s): a funder is "
    "outside the programme."
)
ABOVE_CLEARANCE = gettext_lazy(
    "“%(level)s” is above your own clearance: a report holds only what you may read."
)


@transaction.atomic
def report_request(
    *, dialogue: Dialogue, viewer: Viewer, requested_by, level: ConfidentialityLevel
) -> FunderReport:
    """Record the request and queue the report once it commits."""
    if not can_plan(viewer, dialogue.pk):
        raise ValidationError(_("Only the dialogue's convening team may ask for a report."))
    # As the dialogue stands now (its outbound level may have changed since the form was shown).
    dialogue = Dialogue.objects.select_related("outbound_level").get(pk=dialogue.pk)
    if not request_levels(viewer=viewer, dialogue=dialogue).filter(pk=level.pk).exists():
        if not reportable_levels(dialogue).filter(pk=level.pk).exists():
            outbound = (
                dialogue.outbound_level.label
                if dialogue.outbound_level
                else pgettext("the lowest level of the scale", "the lowest")
            )
            raise ValidationError({"level": ABOVE_OUTBOUND % {"outbound": outbound}})
        raise ValidationError({"level": ABOVE_CLEARANCE % {"level": level.label}})
    report = FunderReport.objects.create(dialogue=dialogue, level=level, requested_by=requested_by)
    audit_record(
        action=Action.CREATED,
        obj=report,
        actor=requested_by,
        dialogue_id=dialogue.pk,
        detail={"level": level.pk},
    )
    report_id = report.pk
    transaction.on_commit(lambda: tasks.funder_report_render.delay(report_id=report_id))
    return report


# -- the job -------------------------------------------------------------------------------------

INTERRUPTED = gettext_lazy(
    "Rendering was started and never finished: the worker stopped or crashed. Ask for a new "
    "report; if it fails again, tell your administrator (the log names this report's id)."
)


def _claim(report_id: int) -> FunderReport | None:
    """Take the report for rendering, or None if there is nothing (more) to do."""
    with transaction.atomic():
        report = (
            FunderReport.objects.select_for_update(of=("self",))
            .select_related("dialogue__outbound_level", "level")
            .filter(pk=report_id)
            .first()
        )
        if report is None or report.state in (State.READY, State.FAILED):
            return None
        if report.state == State.RENDERING:
            _fail(report, INTERRUPTED)
            logger.error("funder report %s: its render was interrupted", report.pk)
            return None
        report.state = State.RENDERING
        report.save(update_fields=["state"])
        return report


def _fail(report: FunderReport, reason: StrOrPromise) -> None:
    report.state = State.FAILED
    report.failure_reason = str(reason)  # in the language of the one who asked (``report_render``)
    report.save(update_fields=["state", "failure_reason"])


def _still_rendering(report_id: int) -> FunderReport | None:
    report = FunderReport.objects.select_for_update().filter(pk=report_id).first()
    return report if report is not None and report.state == State.RENDERING else None


def render_report_files(report: FunderReport) -> tuple[bytes, bytes]:
    """The report's PDF and CSV, from its figures as a funder at its level sees the dialogue
    now (``ValueError`` if its level is now above the outbound level)."""
    figures = report_figures(dialogue=report.dialogue, level=report.level)
    log = pdf.FetchLog()
    data, _pages = pdf.render_pdf(exports.report_html(figures), log=log)
    if log.refused:
        logger.warning("funder report %s: %d fetch(es) refused", report.pk, len(log.refused))
    return data, exports.report_csv(figures)


def _reason(error: Exception) -> str:
    if isinstance(error, ValueError) and "outbound" in str(error):
        return _(
            "The dialogue's outbound level is now below this report's level: ask for a new "
            "report at a level that may leave."
        )
    return _(
        "The report could not be rendered (%(error)s). Ask for a new one; if it fails again, "
        "tell your administrator (the log names this report's id)."
    ) % {"error": type(error).__name__}


def requester_language(report_id: int) -> str:
    """The language of the person who asked for the report ("" if none, or nobody now)."""
    language = (
        FunderReport.objects.filter(pk=report_id)
        .values_list("requested_by__person__language", flat=True)
        .first()
    )
    return language or ""


def report_render(*, report_id: int) -> str:
    """The job: render one report, in the language of whoever asked for it. Returns what
    happened ("ready", "failed", "skipped", "superseded")."""
    with in_language(requester_language(report_id)):
        return _render(report_id)


def _render(report_id: int) -> str:
    report = _claim(report_id)
    if report is None:
        return "skipped"
    try:
        pdf_data, csv_data = render_report_files(report)
    except Exception as error:  # a broken render is recorded, not retried for ever
        logger.error("funder report %s: rendering failed (%s)", report_id, type(error).__name__)
        with transaction.atomic():
            current = _still_rendering(report_id)
            if current is None:
                return "superseded"
            _fail(current, _reason(error))
        return "failed"

    storage = report.pdf.storage
    stored = {}
    for file, data in ((report.pdf, pdf_data), (report.csv, csv_data)):
        name = file.field.generate_filename(report, f"report.{file.field.name}")
        stored[file.field.name] = storage.save(name, ContentFile(data))
    with transaction.atomic():
        current = _still_rendering(report_id)
        if current is None:
            for name in stored.values():
                storage.delete(name)
            return "superseded"
        current.pdf.name = stored["pdf"]
        current.csv.name = stored["csv"]
        current.rendered_at = timezone.now()
        current.state = State.READY
        current.failure_reason = ""
        current.save(update_fields=["pdf", "csv", "rendered_at", "state", "failure_reason"])
        audit_record(
            action=Action.CHANGED,
            obj=current,
            dialogue_id=current.dialogue_id,
            detail={
                "rendered": True,
                "pdf_sha256": hashlib.sha256(pdf_data).hexdigest(),
                "csv_sha256": hashlib.sha256(csv_data).hexdigest(),
            },
        )
    return "ready"
