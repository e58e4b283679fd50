"""The outbound feature's Celery task: thin, named, ids only as arguments."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="dialogues.outbound_request_notify")
def outbound_request_notify(*, request_id: int, status: str) -> None:
    from .notifications import outbound_request_notify as notify

    sent = notify(request_id=request_id, status=status)
    logger.info("outbound request %s %s: %d e-mails", request_id, status, sent)
