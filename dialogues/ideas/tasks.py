"""The ideas feature's Celery task: thin and named; it imports what it runs inside the
function."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="dialogues.follow_ups_remind")
def follow_ups_remind() -> int:
    """Remind follow-ups' owners by e-mail (beat, daily; see ``reminders.follow_ups_remind``)."""
    from .reminders import follow_ups_remind as remind

    sent = remind()
    logger.info("follow-up reminders: %d e-mails", sent)
    return sent
