"""The daily scan: decide the day's e-mails from the database, record them, hand them out.

Beat starts it once a day at `REMINDER_SCAN_TIME` (Europe/Amsterdam); a worker that starts
after that time while the day has not been scanned starts it at once; `send_reminders` runs it
by hand. Running it twice, or twice at once, sends nothing twice (see `delivery`).
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from commitments.models import Notification, ReminderScan
from commitments.reminders.delivery import (
    Outcome,
    notifications_record,
    notifications_recorded_keys,
    notifications_send_batch,
    notifications_to_send,
)
from commitments.reminders.rules import PlannedEmail, reminders_plan

logger = logging.getLogger(__name__)

# How far back a late scan catches up. A worker down for longer than this is an outage to
# handle by hand, not a pile of stale reminders to send at once.
CATCH_UP_DAYS = 14

# Hands one recorded e-mail to a sender: inline, or as a Celery task.
Deliver = Callable[..., Outcome | None]


@dataclass
class ScanResult:
    today: datetime.date
    days: list[datetime.date]
    # What the rules asked for; in a dry run only what a real run would record now.
    planned: list[PlannedEmail]
    recorded: list[Notification] = field(default_factory=list)
    # Every unsent e-mail handed to a sender: those recorded now and older ones left unsent.
    handed_out: list[int] = field(default_factory=list)
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    dry_run: bool = False


def reminder_scan_days(*, today: datetime.date) -> list[datetime.date]:
    """Today, and the days since the last scan that no scan covered (at most CATCH_UP_DAYS).

    Only scans before today count, so a scan run by hand for a later date does not make the
    days up to it look covered.
    """
    last = ReminderScan.objects.filter(day__lt=today).aggregate(last=Max("day"))["last"]
    if last is None:
        return [today]
    first = max(last, today - datetime.timedelta(days=CATCH_UP_DAYS)) + datetime.timedelta(days=1)
    return [first + datetime.timedelta(days=n) for n in range((today - first).days + 1)]


def reminders_send_due(
    *, today: datetime.date, dry_run: bool = False, deliver: Deliver | None = None
) -> ScanResult:
    """Scan `today` (and the days missed before it), record the e-mails owed, send them.

    By default the e-mails are sent here and now, together (the management command). The Celery
    task passes `deliver(notification_id=…, today=…)`, which enqueues a task per e-mail after
    the commit, so each retries on its own. A dry run records, claims and sends nothing.
    """
    days = reminder_scan_days(today=today)
    planned = reminders_plan(days=days, today=today)
    if dry_run:
        taken = notifications_recorded_keys(planned=planned)
        return ScanResult(
            today=today,
            days=days,
            planned=[email for email in planned if email.key not in taken],
            handed_out=notifications_to_send(now=timezone.now()),
            dry_run=True,
        )
    # The rows and the days they cover commit together: a crash in between leaves neither, and
    # the next scan covers those days again instead of skipping them.
    with transaction.atomic():
        recorded = notifications_record(planned=planned)
        ReminderScan.objects.bulk_create(
            [ReminderScan(day=day, ran_on=timezone.localdate()) for day in days],
            ignore_conflicts=True,
        )
    result = ScanResult(today=today, days=days, planned=planned, recorded=recorded)
    result.handed_out = notifications_to_send(now=timezone.now())
    if deliver is None:
        result.outcomes = notifications_send_batch(ids=result.handed_out, today=today)
    else:
        for notification_id in result.handed_out:
            outcome = deliver(notification_id=notification_id, today=today)
            if outcome is not None:
                result.outcomes[notification_id] = outcome
    logger.info(
        "Reminder scan of %s (covering %s): %d e-mails recorded, %d handed out.",
        today,
        ", ".join(day.isoformat() for day in days),
        len(recorded),
        len(result.handed_out),
    )
    return result


def reminder_scan_time() -> datetime.time:
    return datetime.time.fromisoformat(settings.REMINDER_SCAN_TIME)


def reminders_catch_up(
    *, now: datetime.datetime, deliver: Deliver | None = None
) -> ScanResult | None:
    """Run today's scan now if its time has passed and it has not run: a worker that was down
    at scan time should not make everyone wait until tomorrow."""
    local = timezone.localtime(now)
    if local.time() < reminder_scan_time():
        return None
    if ReminderScan.objects.filter(day=local.date()).exists():
        return None
    return reminders_send_due(today=local.date(), deliver=deliver)
