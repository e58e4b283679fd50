"""The non-papers feature's Celery task: thin, named, ids only as arguments; it imports what it
runs inside the function (the services import this module to queue it)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="dialogues.non_paper_circulated_send")
def non_paper_circulated_send(*, version_id: int) -> int:
    from .notifications import circulated_notify

    sent = circulated_notify(version_id=version_id)
    logger.info("non-paper version %s circulated: %d e-mails", version_id, sent)
    return sent
