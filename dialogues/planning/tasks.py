"""The planner's Celery tasks: thin, named, ids only as arguments; each calls a service, which it
imports inside the function (the services import this module to queue them)."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="dialogues.agenda_published_notify")
def agenda_published_notify(*, session_id: int, version: int) -> None:
    from .notifications import agenda_published_notify as notify

    sent = notify(session_id=session_id, version=version)
    logger.info("agenda of session %s version %s: %d e-mails", session_id, version, sent)


@shared_task(name="dialogues.session_status_notify")
def session_status_notify(*, session_id: int, status: str) -> None:
    from .notifications import session_status_notify as notify

    sent = notify(session_id=session_id, status=status)
    logger.info("session %s now %s: %d e-mails", session_id, status, sent)
