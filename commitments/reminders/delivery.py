"""Each e-mail once, none lost: recording, claiming, sending and marking notifications.

Two claims make a reminder go out exactly once:

1. the scan **records** an e-mail by inserting its `Notification` row; the unique constraint
   `notification_once` (recipient, kind, subject, occasion) lets one insert win, and a
   second scan, a duplicated beat tick or a second worker gets an IntegrityError and moves on;
2. a sender **claims** the row with a conditional UPDATE (pending or failed → claimed) before
   it talks to the mail server; "0 rows" means someone else is sending or has sent it.

A claim is a lease: a worker killed after claiming leaves a claimed row, and once the lease has
run out the next scan hands it out again. Only a crash after the mail server accepted the
e-mail and before the row says "sent" can still send it twice; no protocol closes that gap.
"""

import datetime
import enum
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from commitments.models import Notification
from commitments.reminders.rules import PlannedEmail, reminder_message

logger = logging.getLogger(__name__)

State = Notification.State

# Longer than any one SMTP conversation (EMAIL_TIMEOUT is 30 s by default), so a live sender
# never loses its claim; short enough that a dead one is replaced the same morning.
CLAIM_LEASE = datetime.timedelta(minutes=15)
# Task retries and later scans together try an e-mail at most this often.
MAX_ATTEMPTS = 10


class Outcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # nothing left to remind of
    DONE_ALREADY = "done already"  # sent or skipped by someone else
    BUSY = "busy"  # another sender holds the claim
    GAVE_UP = "gave up"  # MAX_ATTEMPTS reached
    FAILED = "failed"


def notifications_record(*, planned: Iterable[PlannedEmail]) -> list[Notification]:
    """Insert a row per planned e-mail; return the rows this call won.

    Call inside a transaction: on PostgreSQL a concurrent insert of the same key waits for this
    transaction and then fails, which is how a second scan learns the e-mail is taken.
    """
    recorded = []
    for email in planned:
        notification = Notification(
            recipient=email.recipient,
            kind=email.kind,
            subject=email.subject,
            occasion=email.occasion,
            letter_id=email.letter_id,
        )
        try:
            with transaction.atomic():
                notification.save()
                notification.commitments.set(email.commitment_ids)
        except IntegrityError:
            continue  # recorded by another scan: that one sends it
        recorded.append(notification)
    return recorded


def notifications_recorded_keys(*, planned: Iterable[PlannedEmail]) -> set[tuple]:
    """The keys of `planned` that already have a row (for the dry run), in one query."""
    planned = list(planned)
    if not planned:
        return set()
    rows = Notification.objects.filter(
        recipient_id__in={email.recipient.pk for email in planned},
        occasion__in={email.occasion for email in planned},
    ).values_list("recipient_id", "kind", "subject", "occasion")
    return set(rows)


def _sendable(now: datetime.datetime) -> Q:
    return Q(attempts__lt=MAX_ATTEMPTS) & (
        Q(state__in=[State.PENDING, State.FAILED])
        | Q(state=State.CLAIMED, claimed_at__lt=now - CLAIM_LEASE)
    )


def notifications_to_send(*, now: datetime.datetime) -> list[int]:
    """Ids of the e-mails recorded but not (successfully) sent: new, failed, or claimed by a
    sender that has not finished within its lease. Served by `notification_state_new`."""
    return list(
        Notification.objects.filter(_sendable(now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )


def notification_send(
    *, notification_id: int, today: datetime.date, now: datetime.datetime | None = None
) -> Outcome:
    """Claim one recorded e-mail, render it as of `today` and send it; mark the result.

    Raises what the mail backend raised after marking the row failed, so the caller can retry.
    """
    now = now or timezone.now()
    claimed = Notification.objects.filter(_sendable(now), pk=notification_id).update(
        state=State.CLAIMED, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return _why_not_claimed(notification_id)
    # Every later write is conditional on this very claim: a sender whose lease ran out and was
    # replaced must not overwrite what its replacement recorded.
    ours = Notification.objects.filter(pk=notification_id, state=State.CLAIMED, claimed_at=now)
    notification = Notification.objects.select_related("recipient__profile", "letter").get(
        pk=notification_id
    )
    if not notification.recipient.email:
        ours.update(state=State.SKIPPED, last_error="The recipient has no e-mail address.")
        return Outcome.SKIPPED
    try:
        message = reminder_message(
            kind=notification.kind,
            recipient=notification.recipient,
            commitments=list(notification.commitments.select_related("owner", "team")),
            letter=notification.letter,
            today=today,
        )
        if message is None:
            ours.update(state=State.SKIPPED, last_error="")
            return Outcome.SKIPPED
        message.send()
    except Exception as error:
        ours.update(state=State.FAILED, last_error=f"{type(error).__name__}: {error}"[:2000])
        logger.warning(
            "Reminder %s to %s failed: %s", notification_id, notification.recipient, error
        )
        raise
    ours.update(
        state=State.SENT, sent_at=timezone.now(), subject_line=message.subject[:300], last_error=""
    )
    return Outcome.SENT


def _why_not_claimed(notification_id: int) -> Outcome:
    row = Notification.objects.filter(pk=notification_id).values("state", "attempts").first()
    if row is None or row["state"] in (State.SENT, State.SKIPPED):
        return Outcome.DONE_ALREADY
    if row["attempts"] >= MAX_ATTEMPTS:
        return Outcome.GAVE_UP
    return Outcome.BUSY
