"""Briefing packs' Celery tasks: thin, named, ids only as arguments; each imports its service
inside the function (the services import this module to queue them)."""

import logging
import os
import socket

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="dialogues.briefing_render_copy", acks_late=True, reject_on_worker_lost=True)
def briefing_render_copy(*, copy_id: int) -> None:
    """Render one copy of a briefing pack (idempotent; see ``services.copy_render``)."""
    from .services import copy_render

    outcome = copy_render(copy_id=copy_id, worker=f"{socket.gethostname()}:{os.getpid()}")
    logger.info("briefing copy %s: %s", copy_id, outcome)


@shared_task(name="dialogues.briefing_link_send")
def briefing_link_send(*, copy_id: int, nonce: str) -> None:
    from .services import link_email_send

    link_email_send(copy_id=copy_id, nonce=nonce)


@shared_task(name="dialogues.briefing_sweep")
def briefing_sweep() -> int:
    """Requeue briefing copies whose job was lost, and delete pack files no copy names (beat,
    every few minutes)."""
    from .services import pack_files_sweep, packs_sweep

    requeued = packs_sweep()
    if requeued:
        logger.warning("briefing sweep requeued %d copies", requeued)
    orphans = pack_files_sweep()
    if orphans:
        logger.warning("briefing sweep deleted %d pack files no copy names", orphans)
    return requeued
