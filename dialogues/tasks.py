"""The core's Celery task (each feature keeps its own ``tasks`` module): thin, named, ids only as
arguments; it imports its service inside the function."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="dialogues.sessions_mark_held")
def sessions_mark_held() -> int:
    from .services import sessions_mark_held as mark_held

    changed = mark_held()
    logger.info("sessions marked held: %d", changed)
    return changed
