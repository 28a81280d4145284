"""E-mail for the events that need a person, each sent once through the notification rows.

Three events call for someone to act or to know:

- a **deadline-change request** (a *termijn* that should move) goes to the managers who can
  decide it: the managers of the commitment's team, or, when that team has none who can
  receive e-mail, those of the nearest team above it (directors decide too, see
  `commitments.access.can_decide_deadline_change`); never to the requester;
- the **decision** on it goes to the requester and to the commitment's owner;
- a commitment that gets a **new owner** tells that owner, unless they gave it to themselves.

The services call the `events_*` functions inside their own transaction, so the event and its
`Notification` rows commit together or not at all. Each row's key names the event itself
(`notification_event_once`), so a retried service or a second call records nothing twice.
After the commit each immediate row is handed to the `send_notification` task; the daily
reminder scan re-sends whatever is left unsent, as it does for reminders. A recipient who reads
events once a day gets the row held (`State.HELD`) until `event_summaries_send` gathers them
into one summary; one who switched event e-mail off gets no row.
"""

import datetime
import logging
from collections.abc import Iterable
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from actionlines.models import Team
from commitments.models import Commitment, DeadlineChange, EmailPreference, Notification
from tracker.access import require

logger = logging.getLogger(__name__)

Kind = Notification.Kind
State = Notification.State
Choice = EmailPreference.EventMail

EVENT_KINDS = (Kind.DEADLINE_REQUEST, Kind.DEADLINE_DECISION, Kind.NEW_OWNER)
SUMMARY_SUBJECT = "events"


def deadline_change_subject(change_id: int) -> str:
    return f"deadline-change-{change_id}"


def new_owner_subject(commitment_id: int, version: int) -> str:
    # The version tells one hand-over from the next: given back and forth, each one is news.
    return f"owner-{commitment_id}-v{version}"


def _can_receive(user) -> bool:
    return user is not None and user.is_active and bool(user.email)


def event_mail_choice(user) -> str:
    preference = EmailPreference.objects.filter(user=user).values_list("event_mail", flat=True)
    return preference.first() or Choice.IMMEDIATE


# --- recording ------------------------------------------------------------------------------


def _record(
    *,
    recipients: Iterable,
    kind: str,
    subject: str,
    commitment: Commitment,
    deadline_change: DeadlineChange | None = None,
    today: datetime.date | None = None,
) -> list[Notification]:
    """Insert one row per recipient who wants this event by e-mail; send the immediate ones
    after the commit. A row that exists already (the same event recorded before) is left."""
    today = today or timezone.localdate()
    people = {user.pk: user for user in recipients if _can_receive(user)}
    if not people:
        return []
    choices = dict(
        EmailPreference.objects.filter(user_id__in=people).values_list("user_id", "event_mail")
    )
    recorded = []
    for user_id, user in sorted(people.items()):
        choice = choices.get(user_id, Choice.IMMEDIATE)
        if choice == Choice.OFF:
            continue
        try:
            with transaction.atomic():
                row = Notification.objects.create(
                    recipient=user,
                    kind=kind,
                    subject=subject,
                    occasion=today,
                    deadline_change=deadline_change,
                    state=State.HELD if choice == Choice.DAILY else State.PENDING,
                )
        except IntegrityError:
            continue  # this event was recorded for them already
        row.commitments.add(commitment)
        recorded.append(row)
        if row.state == State.PENDING:
            transaction.on_commit(partial(_enqueue, row.pk, today))
    return recorded


def _enqueue(notification_id: int, today: datetime.date) -> None:
    from commitments.tasks import send_notification

    try:
        send_notification.delay(notification_id, today.isoformat())
    except OperationalError as error:
        # The event is committed and its row is pending: the daily scan sends it. A broker
        # that is down must not turn the person's saved request into an error page.
        logger.warning("Event e-mail %s waits for the daily scan: %s", notification_id, error)


def deciding_managers(commitment: Commitment, *, requester_id: int | None = None) -> list:
    """The managers who decide a deadline change of `commitment`'s team: its own managers, or
    those of the nearest team above it that has any who can receive e-mail. Nobody decides on
    their own request, so a manager asking for their team's commitment goes up a level."""
    team = commitment.team
    seen = set()
    while team is not None and team.pk not in seen:
        seen.add(team.pk)
        managers = [
            user for user in team.managers.all() if _can_receive(user) and user.pk != requester_id
        ]
        if managers:
            return managers
        team = Team.objects.filter(pk=team.parent_id).first() if team.parent_id else None
    return []


def events_deadline_change_requested(*, change: DeadlineChange) -> list[Notification]:
    """Tell the deciding managers of a new request (call in the request's transaction)."""
    commitment = change.commitment
    return _record(
        recipients=deciding_managers(commitment, requester_id=change.requested_by_id),
        kind=Kind.DEADLINE_REQUEST,
        subject=deadline_change_subject(change.pk),
        commitment=commitment,
        deadline_change=change,
    )


def events_deadline_change_decided(*, change: DeadlineChange) -> list[Notification]:
    """Tell the requester and the owner the decision (call in the decision's transaction)."""
    commitment = Commitment.objects.select_related("owner").get(pk=change.commitment_id)
    people = [change.requested_by, commitment.owner]
    return _record(
        recipients=[user for user in people if user is not None and user != change.decided_by],
        kind=Kind.DEADLINE_DECISION,
        subject=deadline_change_subject(change.pk),
        commitment=commitment,
        deadline_change=change,
    )


def events_owner_changed(
    *, commitment: Commitment, previous_owner_id: int | None, actor
) -> list[Notification]:
    """Tell a commitment's new owner, unless nothing changed or they took it themselves."""
    if commitment.owner_id is None or commitment.owner_id in (previous_owner_id, actor.pk):
        return []
    return _record(
        recipients=[commitment.owner],
        kind=Kind.NEW_OWNER,
        subject=new_owner_subject(commitment.pk, commitment.version),
        commitment=commitment,
    )


# --- the daily summary ----------------------------------------------------------------------


def event_summaries_record(*, today: datetime.date) -> list[Notification]:
    """Gather each recipient's held events into one summary row for `today`.

    Served by `notification_state_new` (state = held). The summary's key (recipient, kind,
    "events", today) lets one run of the day win; a held event joins a summary with a
    conditional UPDATE (summary IS NULL), so of two runs at once each event lands in one.
    Events held after today's summary was made wait for tomorrow's.
    """
    held = Notification.objects.filter(state=State.HELD, summary__isnull=True)
    recipient_ids = sorted(set(held.values_list("recipient_id", flat=True)))
    summaries = []
    for recipient_id in recipient_ids:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    summary = Notification.objects.create(
                        recipient_id=recipient_id,
                        kind=Kind.EVENT_SUMMARY,
                        subject=SUMMARY_SUBJECT,
                        occasion=today,
                    )
            except IntegrityError:
                continue  # today's summary exists: these events go in tomorrow's
            joined = held.filter(recipient_id=recipient_id).update(summary=summary)
            if not joined:
                summary.delete()  # another run took them meanwhile
                continue
            summary.commitments.set(
                Commitment.objects.filter(notifications__summary=summary).distinct()
            )
            summaries.append(summary)
    return summaries


def event_summaries_send(*, today: datetime.date, deliver=None) -> list[Notification]:
    """Record today's summaries and send them: here and now, or through `deliver(…)` (the
    Celery task enqueues one `send_notification` per summary after the commit)."""
    from commitments.reminders.delivery import notifications_send_batch

    summaries = event_summaries_record(today=today)
    ids = [summary.pk for summary in summaries]
    if deliver is None:
        notifications_send_batch(ids=ids, today=today)
    else:
        for notification_id in ids:
            deliver(notification_id=notification_id, today=today)
    return summaries


# --- the preference -------------------------------------------------------------------------


@transaction.atomic
def email_preference_set(*, user, actor, event_mail: str) -> EmailPreference:
    """Store how `user` hears of events. Each user sets their own; an admin anyone's."""
    if event_mail not in Choice.values:
        raise ValueError(f"Unknown choice for event e-mail: {event_mail!r}")
    preference = EmailPreference.objects.filter(user=user).first() or EmailPreference(user=user)
    require(actor, "commitments.change_emailpreference", preference)
    preference.event_mail = event_mail
    preference.updated_by = actor
    preference.full_clean()
    preference.save()
    return preference
