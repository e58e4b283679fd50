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
