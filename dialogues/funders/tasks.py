"""The Celery task of reports for funders: thin, named, an id as its only argument; it imports
its service inside the function (the service imports this module to queue it)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="dialogues.funder_report_render", acks_late=True, reject_on_worker_lost=True)
def funder_report_render(*, report_id: int) -> None:
    """Render one report for funders (idempotent; see ``services.report_render``)."""
    from .services import report_render

    outcome = report_render(report_id=report_id)
    logger.info("funder report %s: %s", report_id, outcome)
