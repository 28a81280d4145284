"""Celery entry point of the register sync; thin: the sync itself is `parliament.sync`."""

import logging

from celery import shared_task
from django.conf import settings

from parliament import register, sync

logger = logging.getLogger(__name__)


@shared_task(name="parliament.tasks.sync_kamer_register")
def sync_kamer_register(full: bool = False) -> dict:
    """The nightly sync of every configured ministry; one ministry's failure stops no other."""
    summaries = {}
    for ministry in settings.KAMER_REGISTER_MINISTRY:
        try:
            summary = sync.register_sync(ministry=ministry, full=full)
        except register.RegisterError as error:
            logger.error("Register sync of %s stopped: %s", ministry, error)
            summaries[ministry] = {"error": str(error)}
            continue
        logger.info("Register sync of %s: %s", ministry, summary.counts())
        summaries[ministry] = summary.counts()
    return summaries
