"""Briefing packs' Celery tasks: thin, named, ids only as arguments; each imports its service
inside the function (the services import this module to queue them)."""

import logging
import os
import socket

from celery import shared_task

logger = logging.getLogger(__name__)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@shared_task(name="dialogues.briefing_render_copies", acks_late=True, reject_on_worker_lost=True)
def briefing_render_copies(*, copy_ids: list[int]) -> None:
    """Render a group of copies of a briefing pack (one clearance, one language) at once
    (idempotent, each copy ready exactly once; see ``services.copies_render``)."""
    from .services import copies_render

    outcomes = copies_render(copy_ids=copy_ids, worker=_worker())
    for copy_id, outcome in outcomes.items():
        logger.info("briefing copy %s: %s", copy_id, outcome)


@shared_task(name="dialogues.briefing_render_copy", acks_late=True, reject_on_worker_lost=True)
def briefing_render_copy(*, copy_id: int) -> None:
    """Render one copy (messages queued before groups; the job is the same)."""
    from .services import copy_render

    outcome = copy_render(copy_id=copy_id, worker=_worker())
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
