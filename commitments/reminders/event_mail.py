"""What the e-mails about events say: one event, or a recipient's daily summary of them.

Like the reminders, each is built when it is sent, not when the event was recorded: a request
decided in the meantime is no longer put to a manager, and the last progress note shown is the
one the commitment has now. Every e-mail says what the reader is expected to do.
"""

import datetime

from django.urls import reverse

from commitments.emails import absolute_url, commitment_path, email_message
from commitments.models import DeadlineChange, EmailPreference, Notification
from commitments.reminders.rules import RelativeDay, last_notes

Kind = Notification.Kind
EVENT_MAIL_KINDS = frozenset(
    {Kind.DEADLINE_REQUEST, Kind.DEADLINE_DECISION, Kind.NEW_OWNER, Kind.EVENT_SUMMARY}
)


def _item(notification: Notification, *, notes, today) -> dict | None:
    """One event as the templates show it, or None when it no longer asks anything."""
    commitment = next(iter(notification.commitments.all()), None)
    if commitment is None:
        return None
    change = notification.deadline_change
    if notification.kind in (Kind.DEADLINE_REQUEST, Kind.DEADLINE_DECISION) and change is None:
        return None
    if (
        notification.kind == Kind.DEADLINE_REQUEST
        and change.state != DeadlineChange.State.REQUESTED
    ):
        return None  # decided meanwhile, by this manager or another
    if notification.kind == Kind.NEW_OWNER and commitment.owner_id != notification.recipient_id:
        return None  # given to someone else meanwhile
    return {
        "kind": notification.kind,
        "commitment": commitment,
        "url": absolute_url(commitment_path(commitment.pk)),
        "when": (RelativeDay((commitment.due_date - today).days) if commitment.due_date else None),
        "change": change,
        "approved": change is not None and change.state == DeadlineChange.State.APPROVED,
        "decide_url": (
            absolute_url(reverse("commitments:deadline_decide", args=[change.pk]))
            if change is not None
            else ""
        ),
        "last_note": notes.get(commitment.pk),
    }


def _events_of(notification: Notification) -> list[Notification]:
    if notification.kind != Kind.EVENT_SUMMARY:
        return [notification]
    return list(
        Notification.objects.filter(summary=notification)
        .select_related(
            "deadline_change__requested_by",
            "deadline_change__decided_by",
        )
        .prefetch_related("commitments__owner", "commitments__team")
        .order_by("created_at", "pk")
    )


def event_message(*, notification: Notification, today: datetime.date):
    """The e-mail about one event, or the daily summary; None when nothing is left to say."""
    events = _events_of(notification)
    if notification.kind == Kind.EVENT_SUMMARY:
        choice = (
            EmailPreference.objects.filter(user_id=notification.recipient_id)
            .values_list("event_mail", flat=True)
            .first()
        )
        if choice == EmailPreference.EventMail.OFF:
            return None  # switched off after these events were held
    notes = last_notes(c.pk for event in events for c in event.commitments.all())
    items = [
        item for event in events if (item := _item(event, notes=notes, today=today)) is not None
    ]
    if not items:
        return None
    context = {
        "items": items,
        "item": items[0],
        "today": today,
        "preferences_url": absolute_url(reverse("commitments:email_preferences")),
    }
    name = "event_summary" if notification.kind == Kind.EVENT_SUMMARY else "event"
    return email_message(name=name, recipient=notification.recipient, context=context)
