"""Celery tasks of vetting: thin, named, ids only. Each imports its service when it runs: the
service module imports this one, to queue them."""

import logging

from celery import shared_task

from ..models import VettingCase

logger = logging.getLogger(__name__)


@shared_task(name="participants.screen_case")
def screen_case(*, case_id: int) -> None:
    from . import services

    case = VettingCase.objects.select_related("membership__person").filter(pk=case_id).first()
    if case is None:
        logger.info("vetting case %s vanished before screening", case_id)
        return
    open_count = services.screen_cases([case])[case.pk]
    logger.info("vetting case %s screened: %d open possible matches", case_id, open_count)


@shared_task(name="participants.screen_all")
def screen_all() -> None:
    from . import services

    cases = list(services.cases_to_screen())
    results = services.screen_cases(cases)
    logger.info(
        "screened %d cases: %d with open possible matches",
        len(results),
        sum(1 for n in results.values() if n),
    )
