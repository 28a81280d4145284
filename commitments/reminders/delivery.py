"""Each e-mail once, none lost: recording, claiming, sending and marking notifications.

Two claims make a reminder go out exactly once:

1. the scan **records** an e-mail by inserting its `Notification` row; the unique constraint
   `notification_once` (recipient, kind, subject, occasion) lets one insert win, and a
   second scan, a duplicated beat tick or a second worker gets an IntegrityError and moves on;
2. a sender **claims** the row with a conditional UPDATE (pending or failed → claimed) before
   it talks to the mail server; "0 rows" means someone else is sending or has sent it.

A claim is a lease: a worker killed after claiming leaves a claimed row, and once the lease has
run out the next scan hands it out again. A row is marked sent as soon as the mail server has
accepted its e-mail, before the next e-mail goes, so only a crash in between (after the end of
the message's data, before that UPDATE) can still send an e-mail twice: at most one per crashed
sender. No protocol closes that gap (RFC 1047). A failure, the mail server down included, is
marked on the row with its error, and the row is retried.
"""

import contextlib
import datetime
import enum
import logging
import smtplib
from collections.abc import Iterable

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from actionlines.models import Team
from commitments.models import Commitment, Notification
from commitments.reminders.event_mail import EVENT_MAIL_KINDS, event_message
from commitments.reminders.rules import (
    PlannedEmail,
    last_notes,
    proposals_waiting_by_user,
    reminder_message,
)
from commitments.selectors import overdue_counts_by_team

logger = logging.getLogger(__name__)

State = Notification.State

# Longer than any one SMTP conversation (EMAIL_TIMEOUT is 30 s by default), so a live sender
# never loses its claim; short enough that a dead one is replaced the same morning.
CLAIM_LEASE = datetime.timedelta(minutes=15)
# A batch outlasting this renews the claim of the e-mails it has yet to send, well before
# another sender could take them over.
CLAIM_RENEWAL = CLAIM_LEASE / 3
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
    """Insert a row per planned e-mail not recorded yet; return the rows this call inserted.

    Call inside a transaction. The new rows go in with one multi-row INSERT (and one for their
    commitments), so a day's scan costs the same few queries for ten e-mails or a thousand. If
    another scan inserts one of the same keys meanwhile, the unique index refuses the batch;
    then each row is inserted on its own and the one that loses a race is left to the winner.
    """
    planned = list(planned)
    taken = notifications_recorded_keys(planned=planned)
    fresh = [email for email in planned if email.key not in taken]
    if not fresh:
        return []
    try:
        with transaction.atomic():
            return _insert(fresh)
    except IntegrityError:
        recorded = []
        for email in fresh:
            try:
                with transaction.atomic():
                    recorded.extend(_insert([email]))
            except IntegrityError:
                continue  # recorded by another scan: that one sends it
        return recorded


def _insert(planned: list[PlannedEmail]) -> list[Notification]:
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient=email.recipient,
                kind=email.kind,
                subject=email.subject,
                occasion=email.occasion,
                letter_id=email.letter_id,
            )
            for email in planned
        ]
    )
    through = Notification.commitments.through
    through.objects.bulk_create(
        [
            through(notification_id=row.pk, commitment_id=commitment_id)
            for row, email in zip(rows, planned, strict=True)
            for commitment_id in email.commitment_ids
        ]
    )
    return rows


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
    notification = Notification.objects.select_related(
        "recipient__profile", "letter", "deadline_change"
    ).get(pk=notification_id)
    if not notification.recipient.email:
        ours.update(state=State.SKIPPED, last_error="The recipient has no e-mail address.")
        _mark_summary_events(notification, State.SKIPPED)
        return Outcome.SKIPPED
    try:
        if notification.kind in EVENT_MAIL_KINDS:
            message = event_message(notification=notification, today=today)
        else:
            message = reminder_message(
                kind=notification.kind,
                recipient=notification.recipient,
                commitments=list(notification.commitments.select_related("owner", "team")),
                letter=notification.letter,
                today=today,
            )
        if message is None:
            ours.update(state=State.SKIPPED, last_error="")
            _mark_summary_events(notification, State.SKIPPED)
            return Outcome.SKIPPED
        connection = get_connection()
        try:
            connection.open()
            _send(connection, message)
        finally:
            _close_quietly(connection)
    except Exception as error:
        ours.update(state=State.FAILED, last_error=_error_text(error))
        logger.warning(
            "Reminder %s to %s failed: %s", notification_id, notification.recipient, error
        )
        raise
    ours.update(
        state=State.SENT, sent_at=timezone.now(), subject_line=message.subject[:300], last_error=""
    )
    _mark_summary_events(notification, State.SENT)
    return Outcome.SENT


def _mark_summary_events(notification: Notification, state: str) -> None:
    """The events a daily summary carried share its fate: sent with it, or skipped with it."""
    if notification.kind == Notification.Kind.EVENT_SUMMARY:
        Notification.objects.filter(summary=notification, state=State.HELD).update(
            state=state, sent_at=timezone.now() if state == State.SENT else None
        )


def _why_not_claimed(notification_id: int) -> Outcome:
    row = Notification.objects.filter(pk=notification_id).values("state", "attempts").first()
    if row is None or row["state"] in (State.SENT, State.SKIPPED):
        return Outcome.DONE_ALREADY
    if row["attempts"] >= MAX_ATTEMPTS:
        return Outcome.GAVE_UP
    return Outcome.BUSY


def notifications_send_batch(
    *, ids: list[int], today: datetime.date, now: datetime.datetime | None = None
) -> dict[int, Outcome]:
    """Claim, render and send many recorded e-mails over one SMTP connection.

    The same claim as `notification_send`, taken for all rows in one conditional UPDATE; the
    rows are then read with everything their e-mails show in a fixed number of queries and sent
    one after the other over one connection. Each row is marked as soon as its outcome is
    known: sent the moment the server has accepted its e-mail, before the next one goes. A
    sender killed mid-batch so leaves claimed only the e-mails it had not finished, and the
    scan after the lease sends those and no others. That costs one UPDATE per e-mail; the
    marks must commit one by one, so call this outside a transaction. A batch that runs longer
    than `CLAIM_RENEWAL` renews the claim of the rows it has not reached, so that a live sender
    never sees its lease run out and its e-mails handed to another.

    A failure is marked on its row with the error, and the next scan retries it:

    - an e-mail that fails marks its row failed and the batch goes on. The connection it
      failed on is closed and the next e-mail opens a fresh one: after a 421, a reset or a
      timeout the old one is dead and every later e-mail would fail on it too;
    - a connection that cannot be opened (server down or refusing, TLS or login failing) marks
      that e-mail and all the batch's remaining ones failed, in one UPDATE, and the batch ends:
      trying each in turn would only wait for the same refusal or timeout again and again.
    """
    now = now or timezone.now()
    if not ids:
        return {}
    Notification.objects.filter(_sendable(now), pk__in=ids).update(
        state=State.CLAIMED, claimed_at=now, attempts=F("attempts") + 1
    )
    # Every write below is conditional on this call's claim (claimed_at=now is unique to it),
    # as in `notification_send`.
    ours = Notification.objects.filter(state=State.CLAIMED, claimed_at=now)
    claimed = list(
        ours.filter(pk__in=ids)
        .select_related("recipient__profile", "letter", "deadline_change")
        .prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.select_related("owner", "team")),
            Prefetch(
                "letter__commitments",
                queryset=Commitment.objects.order_by("due_date", "reference"),
            ),
        )
    )
    outcomes = {pk: _why_not_claimed(pk) for pk in set(ids) - {n.pk for n in claimed}}
    managed = managed_team_ids_of(
        {n.recipient_id for n in claimed if n.kind == Notification.Kind.MANAGER_DIGEST}
    )
    differences = register_differences_by_team(
        set().union(*managed.values()) if managed else set(), today=today
    )
    # The digests count every overdue commitment of their teams, and list only the oldest.
    overdue_counts = (
        overdue_counts_by_team(today=today)
        if any(n.kind == Notification.Kind.MANAGER_DIGEST for n in claimed)
        else {}
    )
    # The owner reminders show each commitment's last note and the owner's proposals to review.
    owners = [n for n in claimed if n.kind == Notification.Kind.OWNER_REMINDER]
    notes = last_notes({c.pk for n in owners for c in n.commitments.all()}) if owners else {}
    waiting = proposals_waiting_by_user({n.recipient_id for n in owners})
    connection = get_connection()
    connected = False
    claimed_at, lost = now, set()
    try:
        for position, notification in enumerate(claimed):
            if timezone.now() - claimed_at > CLAIM_RENEWAL:
                ours, claimed_at, taken = _renew_claim(ours, claimed[position:])
                lost |= taken
            if notification.pk in lost:
                outcomes[notification.pk] = _why_not_claimed(notification.pk)
                continue
            row = ours.filter(pk=notification.pk)
            try:
                message = None
                if notification.recipient.email and notification.kind in EVENT_MAIL_KINDS:
                    message = event_message(notification=notification, today=today)
                elif notification.recipient.email:
                    message = reminder_message(
                        kind=notification.kind,
                        recipient=notification.recipient,
                        commitments=list(notification.commitments.all()),
                        letter=notification.letter,
                        today=today,
                        managed_team_ids=managed.get(notification.recipient_id, set()),
                        register_differences=differences,
                        overdue_counts=overdue_counts,
                        notes=notes,
                        proposals_waiting=waiting,
                    )
            except Exception as error:
                row.update(state=State.FAILED, last_error=_error_text(error))
                outcomes[notification.pk] = Outcome.FAILED
                logger.warning("Reminder %s failed: %s", notification.pk, error)
                continue
            if message is None:
                row.update(state=State.SKIPPED, last_error="")
                _mark_summary_events(notification, State.SKIPPED)
                outcomes[notification.pk] = Outcome.SKIPPED
                continue
            if not connected:
                try:
                    connection.open()
                except Exception as error:
                    rest = [n.pk for n in claimed[position:] if n.pk not in lost]
                    ours.filter(pk__in=rest).update(
                        state=State.FAILED, last_error=_error_text(error)
                    )
                    outcomes.update(dict.fromkeys(rest, Outcome.FAILED))
                    logger.warning(
                        "No connection to the mail server, %d reminders failed: %s",
                        len(rest),
                        error,
                    )
                    break
                connected = True
            try:
                _send(connection, message)
            except Exception as error:
                row.update(state=State.FAILED, last_error=_error_text(error))
                outcomes[notification.pk] = Outcome.FAILED
                logger.warning("Reminder %s failed: %s", notification.pk, error)
                _close_quietly(connection)
                connected = False
                continue
            row.update(
                state=State.SENT,
                sent_at=timezone.now(),
                subject_line=message.subject[:300],
                last_error="",
            )
            _mark_summary_events(notification, State.SENT)
            outcomes[notification.pk] = Outcome.SENT
    finally:
        _close_quietly(connection)
    return outcomes


def _renew_claim(
    ours: QuerySet, rows: list[Notification]
) -> tuple[QuerySet, datetime.datetime, set[int]]:
    """Move this sender's claim of `rows` to now. Return the claim as it now stands, its time,
    and the ids among `rows` that are no longer this sender's (its lease ran out regardless)."""
    renewed = timezone.now()
    ids = {notification.pk for notification in rows}
    ours.filter(pk__in=ids).update(claimed_at=renewed)
    ours = Notification.objects.filter(state=State.CLAIMED, claimed_at=renewed)
    return ours, renewed, ids - set(ours.filter(pk__in=ids).values_list("pk", flat=True))


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _send(connection, message) -> None:
    # Sent over a connection opened beforehand, so the backend does not close it itself: a QUIT
    # that fails after the server accepted the e-mail would raise and make it look unsent.
    if not connection.send_messages([message]):
        raise smtplib.SMTPException("The mail backend did not send the e-mail.")


def _close_quietly(connection) -> None:
    # What was sent is marked by now; a server that is gone must not turn QUIT into an error
    # that makes an accepted e-mail look failed, or ends the batch.
    with contextlib.suppress(Exception):
        connection.close()


def managed_team_ids_of(user_ids: set[int]) -> dict[int, set[int]]:
    """The teams each of these users manages, in one query (the digest marks escalations)."""
    managed: dict[int, set[int]] = {}
    if user_ids:
        rows = Team.managers.through.objects.filter(user_id__in=user_ids)
        for user_id, team_id in rows.values_list("user_id", "team_id"):
            managed.setdefault(user_id, set()).add(team_id)
    return managed


def register_differences_by_team(team_ids: set[int], *, today: datetime.date) -> dict[int, int]:
    """How many commitments of each team disagree with the Kamer's register, in one query
    for all the digests of a batch (each says the number for the teams its reader manages)."""
    from parliament.selectors import differs_from_register

    if not team_ids:
        return {}
    rows = (
        Commitment.objects.filter(team_id__in=team_ids)
        .filter(differs_from_register(today))
        .order_by()
        .values("team_id")
        .annotate(n=Count("id"))
    )
    return {row["team_id"]: row["n"] for row in rows}
