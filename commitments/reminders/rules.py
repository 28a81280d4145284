"""Which reminder e-mails a scan owes, and what each of them says.

Three kinds, decided from the due dates in the database (never parked in the broker):

- the **owner reminder**: to the owner of each open commitment (to its team's members when it
  has no owner who can receive e-mail), `REMINDER_LEAD_DAYS` before the due date and on the
  due date; one e-mail per recipient per scan listing all their commitments;
- the **letter reminder**: to the drafter of each follow-up letter (*voortgangsbrief*, the
  periodic progress letter to the Kamer) still to be sent, or to its team's members when it
  has no drafter, `LETTER_REMINDER_LEAD_DAYS` before its planned date, listing the
  commitments it must fulfil and which are still open;
- the **manager digest**: one e-mail per manager per digest week listing the overdue
  commitments of their teams, oldest first; a commitment overdue for more than
  `ESCALATION_DAYS` also goes to the managers of the parent team.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from actionlines.models import Team
from commitments.emails import (
    absolute_url,
    commitment_path,
    email_message,
    letter_path,
    overdue_list_path,
)
from commitments.models import (
    OPEN_STATUSES,
    Commitment,
    FollowUpLetter,
    Notification,
    ProgressUpdate,
)
from commitments.reminders.calendar import (
    days_landing_on,
    digest_occasion,
    working_day_on_or_before,
)
from commitments.selectors import (
    commitments_due_on,
    letters_to_remind,
    overdue_counts_by_team,
    overdue_oldest_per_team,
)
from tracker.access import allowed

Kind = Notification.Kind

# The `subject` part of a notification's unique key.
OWNER_SUBJECT = "due"
DIGEST_SUBJECT = "overdue"


def letter_subject(letter_id: int) -> str:
    return f"letter-{letter_id}"


@dataclass(frozen=True)
class PlannedEmail:
    """An e-mail a scan owes: its unique key and what it is about, not yet its text."""

    recipient: object
    kind: str
    subject: str
    occasion: datetime.date
    commitment_ids: tuple[int, ...]
    letter_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.recipient.pk, self.kind, self.subject, self.occasion)


def reminders_plan(*, days: Sequence[datetime.date], today: datetime.date) -> list[PlannedEmail]:
    """Every e-mail the scan of `today` owes, covering `days` (today and the days it missed).

    Reminder dates that fall on a day off count for the working day before them. The digest
    goes out once per digest week, with the first scan on or after that week's digest day;
    a scan on a day off sends it only when the week's working digest day passed unscanned
    (the worker was down, or the tracker was installed since), as any catch-up does.
    """
    landing = sorted({date for day in days for date in days_landing_on(day)})
    planned = [
        *_owner_reminders(landing=landing, today=today),
        *_letter_reminders(landing=landing, today=today),
    ]
    latest = max(days)
    occasion = digest_occasion(latest, weekday=settings.DIGEST_WEEKDAY)
    if working_day_on_or_before(occasion) <= latest:
        planned.extend(_manager_digests(today=today, occasion=occasion))
    # A fixed order of inserts keeps two concurrent scans from deadlocking on the unique index.
    return sorted(planned, key=lambda email: (email.recipient.pk, email.kind, email.subject))


def _shifted(dates: Iterable[datetime.date], leads: Iterable[int]) -> set[datetime.date]:
    return {date + datetime.timedelta(days=lead) for date in dates for lead in leads}


def _can_receive(user) -> bool:
    return user is not None and user.is_active and bool(user.email)


def _people_of(teams, team_ids: set[int]) -> dict[int, list]:
    """The active users with an e-mail address in `teams` (a Team M2M), per team, in one query."""
    through = teams.through
    rows = through.objects.filter(team_id__in=team_ids).select_related("user").order_by("user_id")
    people: dict[int, list] = {}
    for row in rows:
        if _can_receive(row.user):
            people.setdefault(row.team_id, []).append(row.user)
    return people


def _owner_reminders(*, landing, today) -> list[PlannedEmail]:
    leads = {0, *settings.REMINDER_LEAD_DAYS}
    commitments = list(commitments_due_on(dates=_shifted(landing, leads)))
    # An owner who left (inactive, or without an address) counts as no owner: the team answers.
    ownerless = [c for c in commitments if not _can_receive(c.owner)]
    ownerless_teams = {c.team_id for c in ownerless if c.team_id}
    members = _people_of(Team.members, ownerless_teams) if ownerless_teams else {}
    per_recipient: dict[int, tuple[object, list[int]]] = {}
    for commitment in commitments:
        if _can_receive(commitment.owner):
            recipients = [commitment.owner]
        else:
            recipients = members.get(commitment.team_id, [])
        for user in recipients:
            per_recipient.setdefault(user.pk, (user, []))[1].append(commitment.pk)
    return [
        PlannedEmail(user, Kind.OWNER_REMINDER, OWNER_SUBJECT, today, tuple(ids))
        for user, ids in per_recipient.values()
    ]


def _letter_reminders(*, landing, today) -> list[PlannedEmail]:
    letters = list(letters_to_remind(dates=_shifted(landing, settings.LETTER_REMINDER_LEAD_DAYS)))
    undrafted_teams = {
        letter.team_id for letter in letters if not _can_receive(letter.drafter) and letter.team_id
    }
    members = _people_of(Team.members, undrafted_teams) if undrafted_teams else {}
    planned = []
    for letter in letters:
        if _can_receive(letter.drafter):
            recipients = [letter.drafter]
        else:
            recipients = members.get(letter.team_id, [])
        for user in recipients:
            # A letter can answer commitments of other teams: each recipient hears only of
            # those they may read.
            ids = tuple(
                commitment.pk
                for commitment in letter.commitments.all()
                if allowed(user, "commitments.view_commitment", commitment)
            )
            planned.append(
                PlannedEmail(
                    user, Kind.LETTER_REMINDER, letter_subject(letter.pk), today, ids, letter.pk
                )
            )
    return planned


def _manager_digests(*, today, occasion) -> list[PlannedEmail]:
    """One digest per manager, listing the oldest overdue commitments of each of their teams
    and, for the parent team's managers, those overdue for more than `ESCALATION_DAYS`.

    Each digest lists at most `DIGEST_LISTED_PER_TEAM` per team; the e-mail counts all of
    them when it is sent (`overdue_counts_by_team`) and links to each team's full list.
    """
    listed = list(overdue_oldest_per_team(today=today, per_team=settings.DIGEST_LISTED_PER_TEAM))
    escalated = [
        (pk, parent_id, due_date)
        for pk, _team_id, parent_id, due_date in listed
        if parent_id is not None and (today - due_date).days > settings.ESCALATION_DAYS
    ]
    team_ids = {team_id for _pk, team_id, _parent, _due in listed} | {
        parent_id for _pk, parent_id, _due in escalated
    }
    managers = _people_of(Team.managers, team_ids) if team_ids else {}
    per_manager: dict[int, tuple[object, dict[int, None]]] = {}

    def add(users, pk):
        for user in users:
            # A dict keeps the oldest-first order and drops a commitment reached twice.
            per_manager.setdefault(user.pk, (user, {}))[1][pk] = None

    for pk, team_id, _parent_id, _due_date in listed:
        add(managers.get(team_id, []), pk)
    for pk, parent_id, _due_date in escalated:
        add(managers.get(parent_id, []), pk)
    # The rows come oldest first; escalation appended some out of that order.
    order = {row[0]: index for index, row in enumerate(listed)}
    return [
        PlannedEmail(
            user, Kind.MANAGER_DIGEST, DIGEST_SUBJECT, occasion, tuple(sorted(ids, key=order.get))
        )
        for user, ids in per_manager.values()
    ]


# --- what the e-mails say -------------------------------------------------------------------


class RelativeDay:
    """How far a date is from today in words ("due in 3 days", "2 days overdue").

    Turned into text only when the template renders it, so in the recipient's language.
    """

    def __init__(self, days_left: int, *, planned: bool = False):
        self.days_left = days_left
        self.planned = planned

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    def __str__(self) -> str:
        days, late = self.days_left, -self.days_left
        if self.planned:
            if days > 1:
                text = ngettext("planned in %(days)d day", "planned in %(days)d days", days)
            elif days == 1:
                return gettext("planned for tomorrow")
            elif days == 0:
                return gettext("planned for today")
            else:
                text = ngettext(
                    "%(days)d day past its planned date",
                    "%(days)d days past its planned date",
                    late,
                )
        elif days > 1:
            text = ngettext("due in %(days)d day", "due in %(days)d days", days)
        elif days == 1:
            return gettext("due tomorrow")
        elif days == 0:
            return gettext("due today")
        else:
            text = ngettext("%(days)d day overdue", "%(days)d days overdue", late)
        return text % {"days": abs(days)}


def _days_list(days) -> str:
    return ", ".join(str(number) for number in sorted(set(days), reverse=True))


def reminder_message(
    *,
    kind: str,
    recipient,
    commitments: Sequence[Commitment],
    letter: FollowUpLetter | None,
    today: datetime.date,
    managed_team_ids: set[int] | None = None,
    register_differences: dict[int, int] | None = None,
    overdue_counts: dict[int, tuple[int, int]] | None = None,
    notes: dict[int, ProgressUpdate] | None = None,
    proposals_waiting: dict[int, int] | None = None,
) -> EmailMultiAlternatives | None:
    """The e-mail as of `today`, or None when nothing is left to say.

    Built when it is sent rather than when it was planned, so a commitment fulfilled or a
    letter sent in between is not reminded of, and "in 3 days" is true on the day it arrives.
    """
    if kind == Kind.OWNER_REMINDER:
        return _owner_message(
            recipient=recipient,
            commitments=commitments,
            today=today,
            notes=notes,
            waiting=proposals_waiting,
        )
    if kind == Kind.LETTER_REMINDER:
        return _letter_message(recipient=recipient, letter=letter, today=today)
    if kind == Kind.MANAGER_DIGEST:
        return _digest_message(
            recipient=recipient,
            commitments=commitments,
            today=today,
            managed=managed_team_ids,
            differences=register_differences,
            counts=overdue_counts,
        )
    raise ValueError(f"Unknown notification kind: {kind}")


def _owner_message(*, recipient, commitments, today, notes=None, waiting=None):
    """`notes` and `waiting` come read for a whole batch; read here for a single e-mail."""
    items = [
        {
            "commitment": commitment,
            "when": RelativeDay((commitment.due_date - today).days),
            "url": absolute_url(commitment_path(commitment.pk)),
            "via_team": commitment.owner_id != recipient.pk,
        }
        for commitment in commitments
        if commitment.status in OPEN_STATUSES and commitment.due_date is not None
    ]
    if not items:
        return None
    items.sort(key=lambda item: (item["commitment"].due_date, item["commitment"].reference))
    if notes is None:
        notes = last_notes(item["commitment"].pk for item in items)
    if waiting is None:
        waiting = proposals_waiting_by_user({recipient.pk})
    for item in items:
        item["last_note"] = notes.get(item["commitment"].pk)
    return email_message(
        name="owner_reminder",
        recipient=recipient,
        context={
            "items": items,
            "first": items[0],
            "lead_days": _days_list(settings.REMINDER_LEAD_DAYS),
            "today": today,
            "proposals_waiting": waiting.get(recipient.pk, 0),
            "inbox_url": absolute_url(reverse("parliament:inbox")),
        },
    )


def last_notes(commitment_ids) -> dict[int, ProgressUpdate]:
    """The latest progress update with a note of each commitment, in one query: every e-mail
    about a commitment shows where it stands."""
    ids = set(commitment_ids)
    if not ids:
        return {}
    latest = (
        ProgressUpdate.objects.filter(commitment=OuterRef("commitment"))
        .exclude(note="")
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    updates = ProgressUpdate.objects.filter(commitment_id__in=ids, pk=Subquery(latest))
    return {update.commitment_id: update for update in updates.select_related("author")}


def proposals_waiting_by_user(user_ids: set[int]) -> dict[int, int]:
    """How many proposals in the review inbox (captured from a debate report, or from the
    Kamer's register) are each owner's to review: those placed in one of their teams, and
    those that may repeat a commitment they own. Two queries for a whole batch; the open
    proposals are found by the index `proposal_inbox`."""
    from parliament.models import Proposal

    if not user_ids:
        return {}
    teams: dict[int, set[int]] = {}
    memberships = Team.members.through.objects.filter(user_id__in=user_ids)
    for user_id, team_id in memberships.values_list("user_id", "team_id"):
        teams.setdefault(team_id, set()).add(user_id)
    rows = (
        Proposal.objects.filter(state=Proposal.State.OPEN)
        .filter(Q(team_id__in=teams) | Q(possible_duplicate__owner_id__in=user_ids))
        .values_list("pk", "team_id", "possible_duplicate__owner_id")
    )
    waiting: dict[int, set[int]] = {}
    for pk, team_id, duplicate_owner_id in rows:
        readers = set(teams.get(team_id, ()))
        if duplicate_owner_id in user_ids:
            readers.add(duplicate_owner_id)
        for user_id in readers:
            waiting.setdefault(user_id, set()).add(pk)
    return {user_id: len(ids) for user_id, ids in waiting.items()}


def _letter_message(*, recipient, letter, today):
    if letter is None or letter.is_closed:
        return None
    commitments = [
        {
            "commitment": commitment,
            "is_open": commitment.status in OPEN_STATUSES,
            "url": absolute_url(commitment_path(commitment.pk)),
        }
        for commitment in sorted(
            (
                c
                for c in letter.commitments.all()
                if allowed(recipient, "commitments.view_commitment", c)
            ),
            key=lambda c: (c.due_date is None, c.due_date, c.reference),
        )
    ]
    return email_message(
        name="letter_reminder",
        recipient=recipient,
        context={
            "letter": letter,
            "letter_url": absolute_url(letter_path(letter.pk)),
            "when": RelativeDay((letter.planned_date - today).days, planned=True),
            "commitments": commitments,
            "open_count": sum(item["is_open"] for item in commitments),
            "lead_days": _days_list(settings.LETTER_REMINDER_LEAD_DAYS),
            "today": today,
        },
    )


def _digest_message(*, recipient, commitments, today, managed=None, differences=None, counts=None):
    overdue = [c for c in commitments if c.is_overdue(today) and c.team_id is not None]
    if not overdue:
        return None
    overdue.sort(key=lambda commitment: (commitment.due_date, commitment.reference))
    if managed is None:
        managed = set(
            Team.managers.through.objects.filter(user_id=recipient.pk).values_list(
                "team_id", flat=True
            )
        )
    if counts is None:
        counts = overdue_counts_by_team(today=today, team_ids={c.team_id for c in overdue})
    items = [
        {
            "commitment": commitment,
            "when": RelativeDay((commitment.due_date - today).days),
            "url": absolute_url(commitment_path(commitment.pk)),
            "escalated": commitment.team_id not in managed,
        }
        for commitment in overdue
    ]
    teams: dict[int, dict] = {}
    for item in items:
        team = item["commitment"].team
        if team.pk in teams:
            teams[team.pk]["listed"] += 1
            continue
        all_overdue, overdue_long = counts.get(team.pk, (0, 0))
        teams[team.pk] = {
            "team": team,
            # A team the reader does not manage reaches them only by escalation: they are
            # told of its long-overdue commitments, not of all of them.
            "count": overdue_long if item["escalated"] else all_overdue,
            "listed": 1,
            "escalated": item["escalated"],
            "url": absolute_url(overdue_list_path(team.pk)),
        }
    for entry in teams.values():
        # Written since the scan: never say fewer than the e-mail lists.
        entry["count"] = max(entry["count"], entry["listed"])
    total = sum(entry["count"] for entry in teams.values())
    return email_message(
        name="manager_digest",
        recipient=recipient,
        context={
            "items": items,
            "oldest": items[0],
            "teams": list(teams.values()),
            "total": total,
            "cut": total > len(items),
            "listed_per_team": settings.DIGEST_LISTED_PER_TEAM,
            "escalation_days": settings.ESCALATION_DAYS,
            "today": today,
            "register_differences": (
                _register_differences(managed, today)
                if differences is None
                else sum(differences.get(team_id, 0) for team_id in managed)
            ),
            "register_differences_url": absolute_url(reverse("parliament:register_differences")),
        },
    )


def _register_differences(team_ids, today) -> int:
    """How many of the teams' commitments disagree with the Kamer's register."""
    from parliament.selectors import register_differences_count

    if not team_ids:
        return 0
    return register_differences_count(
        queryset=Commitment.objects.filter(team_id__in=team_ids), today=today
    )
