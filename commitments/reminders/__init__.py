"""Deadline reminders and overdue digests: which e-mails are due, and sending each once.

- `rules`: which e-mails a day owes (lead times, letters, digests, escalation) and their text;
- `calendar`: Dutch working days, to which every reminder date is moved;
- `delivery`: recording, claiming, sending and marking one notification;
- `scan`: the daily scan that ties them together, with catch-up of missed days.

Celery's entry points (`commitments.tasks`) and the `send_reminders` command call the
functions exported here; none of them holds a rule of its own.
"""

from commitments.reminders.calendar import is_working_day, working_day_on_or_before
from commitments.reminders.delivery import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    Outcome,
    notification_send,
    notifications_record,
    notifications_to_send,
)
from commitments.reminders.rules import PlannedEmail, reminder_message, reminders_plan
from commitments.reminders.scan import (
    CATCH_UP_DAYS,
    ScanResult,
    reminder_scan_days,
    reminders_catch_up,
    reminders_send_due,
)

__all__ = [
    "CATCH_UP_DAYS",
    "CLAIM_LEASE",
    "MAX_ATTEMPTS",
    "Outcome",
    "PlannedEmail",
    "ScanResult",
    "is_working_day",
    "notification_send",
    "notifications_record",
    "notifications_to_send",
    "reminder_message",
    "reminder_scan_days",
    "reminders_catch_up",
    "reminders_plan",
    "reminders_send_due",
    "working_day_on_or_before",
]
