"""Celery entry points of the reminders. Thin: they take ids and dates, the services decide.

Far-future reminders are never parked in the broker: beat starts `scan_due_reminders` once a
day and the scan reads the due dates from the database. Each e-mail then travels as its own
`send_notification` task, which re-reads its row and is safe to run twice.
"""

import datetime
import smtplib
from functools import partial

from celery import shared_task
from celery.signals import worker_ready
from django.db import transaction
from django.utils import timezone

from commitments.events import event_summaries_send
from commitments.reminders import (
    CLAIM_LEASE,
    Outcome,
    notification_send,
    reminders_catch_up,
    reminders_send_due,
)


def _enqueue_send(*, notification_id: int, today: datetime.date) -> None:
    # After the commit, so the task finds the row the scan has just written.
    transaction.on_commit(partial(send_notification.delay, notification_id, today.isoformat()))


@shared_task(name="commitments.tasks.scan_due_reminders")
def scan_due_reminders(today: str | None = None) -> int:
    """The daily scan; `today` (YYYY-MM-DD) only to replay a given day."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return len(reminders_send_due(today=day, deliver=_enqueue_send).recorded)


@shared_task(
    bind=True,
    name="commitments.tasks.send_notification",
    # SMTPException is an OSError; both are worth retrying (a refused connection, a 4xx reply).
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=5,
)
def send_notification(self, notification_id: int, today: str) -> str:
    outcome = notification_send(
        notification_id=notification_id, today=datetime.date.fromisoformat(today)
    )
    if outcome == Outcome.BUSY and self.request.retries < self.max_retries:
        # Another sender holds the claim, perhaps a worker that died mid-send (this message is
        # then its redelivery): look again once that claim's lease has run out.
        raise self.retry(countdown=CLAIM_LEASE.total_seconds() + 60)
    return outcome.value


@shared_task(name="commitments.tasks.catch_up_reminders")
def catch_up_reminders() -> int | None:
    """Run today's scan if its time has passed and no scan covered today yet."""
    result = reminders_catch_up(now=timezone.now(), deliver=_enqueue_send)
    return None if result is None else len(result.recorded)


@shared_task(name="commitments.tasks.send_event_summaries")
def send_event_summaries(today: str | None = None) -> int:
    """The daily summary of events, for those who chose one; `today` only to replay a day."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return len(event_summaries_send(today=day, deliver=_enqueue_send))


@worker_ready.connect
def _catch_up_when_a_worker_starts(sender=None, **kwargs):
    catch_up_reminders.delay()
