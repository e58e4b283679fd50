"""Celery tasks: thin, named, ids only as arguments; each calls a service."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="dialogues.sessions_mark_held")
def sessions_mark_held() -> int:
    changed = services.sessions_mark_held()
    logger.info("sessions marked held: %d", changed)
    return changed


@shared_task(name="dialogues.agenda_published_notify")
def agenda_published_notify(*, session_id: int, version: int) -> None:
    from .services.notifications import agenda_published_notify as notify

    sent = notify(session_id=session_id, version=version)
    logger.info("agenda of session %s version %s: %d e-mails", session_id, version, sent)
