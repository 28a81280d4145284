"""Deadline reminders, letter reminders and overdue digests: the rules, each e-mail once.

Every scan runs with time frozen at the scan time of its day (07:00, Europe/Amsterdam) and
sends through Django's in-memory mail backend, so `mail.outbox` is what left the machine.
"""

import datetime
import smtplib
import threading
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actionlines.models import Profile
from commitments.models import Commitment, FollowUpLetter, Notification, ReminderScan
from commitments.reminders import (
    CATCH_UP_DAYS,
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    Outcome,
    is_working_day,
    notification_send,
    notifications_record,
    reminder_scan_days,
    reminders_catch_up,
    reminders_plan,
    reminders_send_due,
    working_day_on_or_before,
)
from commitments.reminders.calendar import digest_occasion
from tests.factories import (
    CommitmentFactory,
    DocumentFactory,
    FollowUpLetterFactory,
    TeamFactory,
    UserFactory,
)

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
SITE = "https://toezeggingen.example.org"
MONDAY = datetime.date(2025, 11, 3)


def day(offset: int, start: datetime.date = MONDAY) -> datetime.date:
    return start + datetime.timedelta(days=offset)


def at(date: datetime.date, hour: int = 7, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=AMSTERDAM)


def scan(date: datetime.date, **options):
    """The daily scan of `date`, run at its scan time, sending inline."""
    with time_machine.travel(at(date), tick=False):
        return reminders_send_due(today=date, **options)


def sent_to(user):
    return [message for message in mail.outbox if message.to[0].endswith(f"<{user.email}>")]


def html_of(message) -> str:
    return next(body for body, mimetype in message.alternatives if mimetype == "text/html")


@pytest.fixture(autouse=True)
def reminder_settings(settings):
    settings.SITE_URL = SITE
    settings.REMINDER_SCAN_TIME = "07:00"
    settings.REMINDER_LEAD_DAYS = [28, 14, 7, 1]
    settings.LETTER_REMINDER_LEAD_DAYS = [14, 7, 1]
    settings.DIGEST_WEEKDAY = 0
    settings.ESCALATION_DAYS = 30
    return settings


@pytest.fixture
def people(cast):
    """The conftest cast, reading e-mail in English (the language test sets its own)."""
    for user in (cast.official, cast.manager, cast.director, cast.outsider, cast.admin):
        Profile.objects.update_or_create(user=user, defaults={"language": "en"})
    return cast


def owned(people, due_date, **fields):
    fields.setdefault("owner", people.official)
    fields.setdefault("team", people.team)
    return CommitmentFactory(due_date=due_date, **fields)


# --- working days -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (datetime.date(2025, 11, 7), datetime.date(2025, 11, 7)),  # a Friday stays
        (datetime.date(2025, 11, 8), datetime.date(2025, 11, 7)),  # Saturday → Friday
        (datetime.date(2025, 11, 9), datetime.date(2025, 11, 7)),  # Sunday → Friday
        (datetime.date(2025, 12, 26), datetime.date(2025, 12, 24)),  # Boxing Day → 24 Dec
        (datetime.date(2026, 4, 6), datetime.date(2026, 4, 2)),  # Easter Monday, Good Friday
        (datetime.date(2026, 1, 1), datetime.date(2025, 12, 31)),  # New Year's Day
        (datetime.date(2026, 4, 27), datetime.date(2026, 4, 24)),  # King's Day
    ],
)
def test_a_reminder_date_off_work_moves_to_the_working_day_before(date, expected):
    assert working_day_on_or_before(date) == expected
    assert is_working_day(expected)


def test_the_digest_week_starts_at_the_first_working_day_of_its_digest_day():
    # Easter Monday 2026 and Good Friday are off: that week's digest goes on Thursday 2 April.
    assert digest_occasion(datetime.date(2026, 4, 1), weekday=0) == datetime.date(2026, 3, 30)
    assert digest_occasion(datetime.date(2026, 4, 2), weekday=0) == datetime.date(2026, 4, 6)
    assert digest_occasion(datetime.date(2026, 4, 7), weekday=0) == datetime.date(2026, 4, 6)
    assert digest_occasion(datetime.date(2025, 11, 6), weekday=3) == datetime.date(2025, 11, 6)
    assert digest_occasion(datetime.date(2025, 11, 5), weekday=3) == datetime.date(2025, 10, 30)


# --- owner reminders ----------------------------------------------------------------------


def test_owner_is_reminded_at_each_lead_time_and_on_the_due_date(people):
    due = datetime.date(2025, 12, 1)  # a Monday; 1 day before is a Sunday
    commitment = owned(people, due)
    reminded_on = {}
    for offset in range(-2, 32):
        date = day(offset)
        before = len(mail.outbox)
        scan(date)
        for message in mail.outbox[before:]:
            if message.to[0].endswith(people.official.email + ">"):
                reminded_on[date] = message.subject
    assert reminded_on == {
        datetime.date(2025, 11, 3): f"Commitment {commitment.reference} is due in 28 days",
        datetime.date(2025, 11, 17): f"Commitment {commitment.reference} is due in 14 days",
        datetime.date(2025, 11, 24): f"Commitment {commitment.reference} is due in 7 days",
        # Sunday 30 November moves to Friday 28 November.
        datetime.date(2025, 11, 28): f"Commitment {commitment.reference} is due in 3 days",
        datetime.date(2025, 12, 1): f"Commitment {commitment.reference} is due today",
    }


def test_lead_times_come_from_the_settings(people, settings):
    settings.REMINDER_LEAD_DAYS = [3]
    commitment = owned(people, day(3))
    owned(people, day(7))
    scan(MONDAY)
    assert [m.subject for m in mail.outbox] == [
        f"Commitment {commitment.reference} is due in 3 days"
    ]


def test_one_email_per_recipient_per_day_lists_all_their_items(people):
    later = owned(people, day(14))
    sooner = owned(people, day(7))
    other_owner = UserFactory(username="other-owner")
    theirs = owned(people, day(28), owner=other_owner)
    scan(MONDAY)
    mine = sent_to(people.official)
    assert len(mine) == 1
    assert mine[0].subject == "2 commitments need your attention; the first is due in 7 days"
    body = mine[0].body
    assert body.index(sooner.reference) < body.index(later.reference)
    assert theirs.reference not in body
    assert len(sent_to(other_owner)) == 1


def test_team_members_are_reminded_when_a_commitment_has_no_owner(people):
    colleague = UserFactory(username="colleague")
    Profile.objects.create(user=colleague, language="en")
    people.team.members.add(colleague)
    ownerless = owned(people, day(7), owner=None)
    scan(MONDAY)
    for member in (people.official, colleague):
        [message] = sent_to(member)
        assert ownerless.reference in message.body
        assert f"Nobody owns it; you are in its team, {people.team}." in message.body
    assert sent_to(people.manager) == []


def test_the_team_answers_for_an_owner_who_left(people):
    gone = UserFactory(username="gone", is_active=False)
    commitment = owned(people, day(7), owner=gone)
    scan(MONDAY)
    assert sent_to(gone) == []
    [message] = sent_to(people.official)
    assert commitment.reference in message.subject


def test_fulfilled_and_lapsed_commitments_are_not_reminded(people):
    owned(people, day(7), status=Commitment.Status.LAPSED)
    owned(people, day(14), status=Commitment.Status.FULFILLED)
    in_progress = owned(people, day(28), status=Commitment.Status.IN_PROGRESS)
    scan(MONDAY)
    [message] = mail.outbox
    assert message.subject == f"Commitment {in_progress.reference} is due in 28 days"


# --- follow-up letter reminders -------------------------------------------------------------


def test_letter_reminder_lists_which_commitments_are_still_open(people):
    still_open = owned(people, day(30))
    fulfilled = owned(people, day(30), status=Commitment.Status.FULFILLED)
    letter = FollowUpLetterFactory(
        title="Voortgangsbrief kindersekstoerisme 2025",
        planned_date=day(14),
        drafter=people.official,
        team=people.team,
        commitments=[still_open, fulfilled],
    )
    scan(MONDAY)
    [message] = [m for m in sent_to(people.official) if "letter" in m.subject]
    assert message.subject == (
        f'Follow-up letter "{letter.title}" planned in 14 days: 1 of 2 commitments still open'
    )
    lines = message.body.splitlines()
    assert any(still_open.reference in line and "[still open]" in line for line in lines)
    assert any(fulfilled.reference in line and "[fulfilled]" in line for line in lines)
    assert f"{SITE}/letters/{letter.pk}/" in message.body


def test_letter_reminders_follow_the_letter_lead_times_and_skip_sent_letters(people):
    FollowUpLetterFactory(planned_date=day(7), drafter=people.official)
    FollowUpLetterFactory(planned_date=day(10), drafter=people.official)
    FollowUpLetterFactory(
        planned_date=day(1),
        drafter=people.official,
        status=FollowUpLetter.Status.SENT,
        sent_as=DocumentFactory(),
    )
    scan(MONDAY)
    assert [m.subject.split('" ')[1] for m in mail.outbox] == [
        "planned in 7 days: 0 of 0 commitments still open"
    ]


# --- manager digest -------------------------------------------------------------------------


def test_digest_one_per_manager_oldest_first_with_days_overdue(people):
    newest = owned(people, day(-2))
    oldest = owned(people, day(-20), owner=None)
    middle = owned(people, day(-9))
    owned(people, day(3))  # not overdue
    owned(people, day(-5), status=Commitment.Status.FULFILLED)
    scan(MONDAY)
    [digest] = sent_to(people.manager)
    assert digest.subject == "Overdue: 3 commitments, the oldest 20 days overdue"
    body = digest.body
    positions = [body.index(c.reference) for c in (oldest, middle, newest)]
    assert positions == sorted(positions)
    assert f"{oldest.reference}: 20 days overdue" in body
    assert f"{middle.reference}: 9 days overdue" in body
    assert f"{newest.reference}: 2 days overdue" in body
    assert "Owner: nobody" in body
    assert f"Owner: {people.official.get_full_name()}" in body
    expected_list = (
        f"{SITE}/commitments/?status=open&status=in_progress&overdue=1&team={people.team.pk}"
    )
    assert expected_list in body
    assert expected_list.replace("&", "&amp;") in html_of(digest)
    # Below the escalation threshold the director is not troubled.
    assert sent_to(people.director) == []


def test_no_digest_when_nothing_is_overdue(people):
    owned(people, day(0))  # due today is not overdue yet
    owned(people, day(-3), status=Commitment.Status.FULFILLED)
    scan(MONDAY)
    assert sent_to(people.manager) == []
    assert not Notification.objects.filter(kind=Notification.Kind.MANAGER_DIGEST).exists()


def test_digest_is_weekly_while_anything_is_overdue(people):
    owned(people, day(-1))
    digests_on = []
    for offset in range(0, 15):
        before = len(sent_to(people.manager))
        scan(day(offset))
        if len(sent_to(people.manager)) > before:
            digests_on.append(day(offset))
    assert digests_on == [day(0), day(7), day(14)]


def test_a_missed_digest_day_is_made_up_by_the_first_scan_of_the_week(people):
    owned(people, day(-10))
    scan(day(2))  # Wednesday: the worker was down on Monday and Tuesday
    scan(day(3))
    scan(day(4))
    assert len(sent_to(people.manager)) == 1


def test_the_digest_weekday_comes_from_the_settings(people, settings):
    settings.DIGEST_WEEKDAY = 3  # Thursday
    owned(people, day(-10))
    for offset in range(3, 11):
        scan(day(offset))
    sent = Notification.objects.filter(kind=Notification.Kind.MANAGER_DIGEST)
    assert sorted(sent.values_list("occasion", flat=True)) == [day(3), day(10)]


def test_long_overdue_commitments_escalate_to_the_parent_teams_managers(people):
    escalated = owned(people, day(-31))
    at_threshold = owned(people, day(-30))
    scan(MONDAY)
    [for_director] = sent_to(people.director)
    assert escalated.reference in for_director.body
    assert at_threshold.reference not in for_director.body
    assert "Escalated to you: overdue for more than 30 days." in for_director.body
    [for_manager] = sent_to(people.manager)
    assert escalated.reference in for_manager.body and at_threshold.reference in for_manager.body
    assert "Escalated to you" not in for_manager.body


def test_the_digest_lists_the_oldest_of_each_team_and_counts_all(people, settings):
    settings.DIGEST_LISTED_PER_TEAM = 3
    # Six overdue, two of them for more than the escalation's 30 days.
    commitments = [owned(people, day(-offset)) for offset in (2, 40, 5, 9, 35, 12)]
    oldest_first = sorted(commitments, key=lambda c: c.due_date)
    scan(MONDAY)
    [digest] = sent_to(people.manager)
    assert digest.subject == "Overdue: 6 commitments, the oldest 40 days overdue"
    body = digest.body
    assert "6 commitments of your teams are past their due dates. The 3 oldest" in body
    listed = [c for c in commitments if f"{c.reference}:" in body]
    assert listed == sorted(oldest_first[:3], key=commitments.index)
    positions = [body.index(c.reference) for c in oldest_first[:3]]
    assert positions == sorted(positions)
    assert f"{people.team} (6, 3 listed here)" in body
    assert "3 listed here, all in the tracker" in html_of(digest)
    # The director hears of the two escalated ones only, and is told there are two.
    [for_director] = sent_to(people.director)
    assert f"{people.team} (2)" in for_director.body
    assert for_director.subject == "Overdue: 2 commitments, the oldest 40 days overdue"


def test_a_manager_of_both_teams_gets_each_commitment_once(people):
    people.directorate.managers.add(people.manager)
    commitment = owned(people, day(-40))
    scan(MONDAY)
    [digest] = sent_to(people.manager)
    assert digest.body.count(f"{commitment.reference}:") == 1
    assert "Escalated to you" not in digest.body


def test_commitments_without_a_team_reach_no_manager(people):
    owned(people, day(-10), team=None)
    scan(MONDAY)
    assert sent_to(people.manager) == [] and sent_to(people.director) == []


# --- working days in the scan ---------------------------------------------------------------


def test_reminders_over_christmas_and_new_year_land_on_the_working_day_before(people):
    commitment = owned(people, datetime.date(2026, 1, 1))  # New Year's Day
    reminded_on = []
    for offset in range(0, 20):
        date = datetime.date(2025, 12, 15) + datetime.timedelta(days=offset)
        result = scan(date)
        if result.recorded and any(
            n.kind == Notification.Kind.OWNER_REMINDER for n in result.recorded
        ):
            reminded_on.append(date)
    # 14 days before: Thu 18 Dec; 7 days before: Christmas → Wed 24 Dec; 1 day before and the
    # due date itself (New Year's Eve, New Year's Day) both on Wed 31 Dec, in one e-mail.
    assert reminded_on == [
        datetime.date(2025, 12, 18),
        datetime.date(2025, 12, 24),
        datetime.date(2025, 12, 31),
    ]
    last = sent_to(people.official)[-1]
    assert last.subject == f"Commitment {commitment.reference} is due tomorrow"
    assert last.body.count(commitment.reference) == 1


def test_nothing_is_sent_on_a_weekend(people):
    owned(people, day(12))  # due Saturday 15 Nov: its 7-day reminder moved to Friday 7 Nov
    owned(people, day(-10))
    scan(day(4))  # Friday: the week's digest and the moved reminder
    assert {message.subject for message in mail.outbox}
    mail.outbox.clear()
    scan(day(5))
    scan(day(6))
    assert mail.outbox == []


def test_a_tracker_first_started_on_a_saturday_sends_that_weeks_digest(people):
    overdue = owned(people, day(-10))
    scan(day(5))  # Saturday 8 Nov; the week's digest day (Monday 3 Nov) passed unscanned
    digest = sent_to(people.manager)
    assert len(digest) == 1
    assert overdue.reference in digest[0].body
    scan(day(6))
    assert len(sent_to(people.manager)) == 1


# --- catch-up, dry run, idempotence ---------------------------------------------------------


def test_catch_up_after_missed_days_sends_each_reminder_once(people):
    scan(MONDAY)
    tuesday = owned(people, day(1 + 7))
    wednesday = owned(people, day(2 + 7))
    thursday = owned(people, day(3 + 7))
    # The worker was down on Tuesday and Wednesday.
    result = scan(day(3))
    assert result.days == [day(1), day(2), day(3)]
    [message] = sent_to(people.official)
    for commitment in (tuesday, wednesday, thursday):
        assert commitment.reference in message.body
    assert message.subject == "3 commitments need your attention; the first is due in 5 days"
    assert set(ReminderScan.objects.values_list("day", flat=True)) == {day(n) for n in range(4)}
    scan(day(3))
    scan(day(4))
    assert len(sent_to(people.official)) == 1


def test_catch_up_reaches_back_a_limited_number_of_days(db):
    ReminderScan.objects.create(day=day(-60), ran_on=day(-60))
    days = reminder_scan_days(today=MONDAY)
    assert days[0] == day(-CATCH_UP_DAYS + 1) and days[-1] == MONDAY
    assert len(days) == CATCH_UP_DAYS
    ReminderScan.objects.create(day=day(-1), ran_on=day(-1))
    assert reminder_scan_days(today=MONDAY) == [MONDAY]
    # A scan run by hand for a later date does not make today look covered.
    ReminderScan.objects.create(day=day(30), ran_on=MONDAY)
    assert reminder_scan_days(today=day(2)) == [day(0), day(1), day(2)]


def test_dry_run_records_and_sends_nothing(people):
    commitment = owned(people, day(7))
    owned(people, day(-3))
    result = scan(MONDAY, dry_run=True)
    assert {(email.kind, email.recipient) for email in result.planned} == {
        (Notification.Kind.OWNER_REMINDER, people.official),
        (Notification.Kind.MANAGER_DIGEST, people.manager),
    }
    assert commitment.pk in result.planned[0].commitment_ids + result.planned[1].commitment_ids
    assert mail.outbox == []
    assert Notification.objects.count() == 0
    assert ReminderScan.objects.count() == 0
    # A dry run after the real one shows nothing left to send.
    scan(MONDAY)
    assert scan(MONDAY, dry_run=True).planned == []


def test_a_second_run_on_the_same_day_sends_nothing(people):
    owned(people, day(7))
    owned(people, day(-3))
    first = scan(MONDAY)
    assert len(first.recorded) == 2 and len(mail.outbox) == 2
    second = scan(MONDAY)
    assert second.recorded == [] and second.handed_out == []
    assert len(mail.outbox) == 2
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 2


def test_a_claimed_but_unsent_email_is_completed_by_the_next_run(people, monkeypatch):
    commitment = owned(people, day(7))

    def killed(self, messages):
        raise SystemExit("worker killed")

    # The worker dies between the claim and the SMTP conversation.
    monkeypatch.setattr(EmailBackend, "send_messages", killed)
    with pytest.raises(SystemExit):
        scan(MONDAY)
    monkeypatch.undo()
    notification = Notification.objects.get()
    assert notification.state == Notification.State.CLAIMED
    assert mail.outbox == []

    # Within the lease the claim may still be a live sender's: leave it alone.
    with time_machine.travel(at(MONDAY, 7, 5), tick=False):
        reminders_send_due(today=MONDAY)
    assert mail.outbox == []

    # Once the lease has run out, the next run sends it, once.
    later = at(MONDAY) + CLAIM_LEASE + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        reminders_send_due(today=MONDAY)
        reminders_send_due(today=MONDAY)
    [message] = mail.outbox
    assert commitment.reference in message.subject
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.attempts == 2


def test_a_commitment_fulfilled_before_the_email_left_is_not_reminded(people):
    commitment = owned(people, day(7))
    scan(MONDAY, deliver=lambda **kwargs: None)  # recorded, the send task not yet run
    Commitment.objects.filter(pk=commitment.pk).unaudited_update(status=Commitment.Status.LAPSED)
    notification = Notification.objects.get()
    with time_machine.travel(at(MONDAY, 7, 1), tick=False):
        outcome = notification_send(notification_id=notification.pk, today=MONDAY)
    assert outcome == Outcome.SKIPPED
    notification.refresh_from_db()
    assert notification.state == Notification.State.SKIPPED
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scans_never_send_twice():
    official = UserFactory(username="official")
    manager = UserFactory(username="manager")
    team = TeamFactory(members=[official], managers=[manager])
    for offset in (7, 14, -3, -40):
        CommitmentFactory(due_date=day(offset), owner=official, team=team)

    if connection.vendor == "postgresql":
        # Real concurrency: two threads, two connections, released at the same moment.
        barrier = threading.Barrier(2)
        errors = []

        def run():
            try:
                barrier.wait(timeout=10)
                reminders_send_due(today=MONDAY)
            except Exception as error:  # pragma: no cover - reported by the assert below
                errors.append(error)
            finally:
                connection.close()

        with time_machine.travel(at(MONDAY), tick=False):
            threads = [threading.Thread(target=run) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        assert errors == []
    else:
        # SQLite serialises writers, so interleave the two scans' steps by hand: both plan
        # before either records, both try to record, both try to send everything.
        with time_machine.travel(at(MONDAY), tick=False):
            plan_a = reminders_plan(days=[MONDAY], today=MONDAY)
            plan_b = reminders_plan(days=[MONDAY], today=MONDAY)
            assert len(notifications_record(planned=plan_a)) == 2
            assert notifications_record(planned=plan_b) == []
            outcomes = [
                notification_send(notification_id=notification.pk, today=MONDAY)
                for notification in Notification.objects.all()
                for _ in range(2)
            ]
            assert sorted(outcomes) == sorted([Outcome.SENT, Outcome.DONE_ALREADY] * 2)
    assert sorted(len(message.to) for message in mail.outbox) == [1, 1]
    assert {message.to[0].split("<")[1] for message in mail.outbox} == {
        "official@example.org>",
        "manager@example.org>",
    }
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 2


@pytest.mark.django_db(transaction=True)
def test_senders_racing_for_one_email_send_it_once():
    official = UserFactory(username="official")
    CommitmentFactory(due_date=day(7), owner=official)
    with time_machine.travel(at(MONDAY), tick=False):
        [notification] = reminders_send_due(today=MONDAY, deliver=lambda **kwargs: None).recorded
    outcomes = []

    def send():
        outcomes.append(notification_send(notification_id=notification.pk, today=MONDAY))

    if connection.vendor == "postgresql":
        barrier = threading.Barrier(4)

        def send_in_thread():
            try:
                barrier.wait(timeout=10)
                send()
            finally:
                connection.close()

        threads = [threading.Thread(target=send_in_thread) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        for _ in range(4):
            send()
    assert sorted(outcomes) == sorted([Outcome.SENT] + [Outcome.DONE_ALREADY] * 3) or (
        # On PostgreSQL a loser may look while the winner is still sending.
        outcomes.count(Outcome.SENT) == 1
        and set(outcomes) <= {Outcome.SENT, Outcome.DONE_ALREADY, Outcome.BUSY}
        and len(outcomes) == 4
    )
    assert len(mail.outbox) == 1


# --- failures and retries -------------------------------------------------------------------


def test_a_failed_email_is_marked_with_its_error_and_sent_by_the_next_run(people, monkeypatch):
    owned(people, day(7))

    def refused(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    scan(MONDAY)
    notification = Notification.objects.get()
    assert notification.state == Notification.State.FAILED
    assert notification.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert notification.attempts == 1
    assert notification.sent_at is None
    monkeypatch.undo()

    scan(MONDAY)
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.attempts == 2
    assert notification.last_error == ""
    assert len(mail.outbox) == 1


def test_the_send_task_retries_smtp_errors_with_backoff(people, monkeypatch):
    from commitments.tasks import send_notification

    assert smtplib.SMTPException in send_notification.autoretry_for
    assert send_notification.retry_backoff == 60 and send_notification.retry_jitter
    owned(people, day(7))
    scan(MONDAY, deliver=lambda **kwargs: None)
    notification = Notification.objects.get()
    calls = []
    real_send = EmailBackend.send_messages

    def flaky(self, messages):
        calls.append(len(messages))
        if len(calls) == 1:
            raise smtplib.SMTPDataError(451, b"Try again later")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    with time_machine.travel(at(MONDAY, 7, 1), tick=True):
        result = send_notification.apply(args=[notification.pk, MONDAY.isoformat()])
    assert result.successful(), result.traceback
    assert result.get() == "sent"
    assert len(calls) == 2
    notification.refresh_from_db()
    assert notification.state == Notification.State.SENT
    assert notification.attempts == 2
    assert len(mail.outbox) == 1


def test_an_email_that_keeps_failing_is_given_up(people, monkeypatch):
    owned(people, day(7))
    scan(MONDAY, deliver=lambda **kwargs: None)
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.FAILED, attempts=MAX_ATTEMPTS
    )
    with time_machine.travel(at(MONDAY, 8), tick=False):
        outcome = notification_send(notification_id=notification.pk, today=MONDAY)
        assert outcome == Outcome.GAVE_UP
        assert reminders_send_due(today=MONDAY).handed_out == []
    assert mail.outbox == []


# --- the e-mails ----------------------------------------------------------------------------


def test_email_language_follows_the_recipients_profile(people):
    Profile.objects.filter(user=people.official).update(language="nl")
    english_speaker = UserFactory(username="english")
    Profile.objects.create(user=english_speaker, language="en")
    no_profile = UserFactory(username="no-profile")
    mine = owned(people, day(7))
    theirs = owned(people, day(7), owner=english_speaker)
    nobodys = owned(people, day(7), owner=no_profile)
    scan(MONDAY)
    [dutch] = sent_to(people.official)
    assert dutch.subject == f"Toezegging {mine.reference}: uiterste datum over 7 dagen"
    assert "Waarom krijgt u deze e-mail?" in dutch.body
    assert "10 november 2025" in dutch.body
    assert dutch.extra_headers["Content-Language"] == "nl"
    [english] = sent_to(english_speaker)
    assert english.subject == f"Commitment {theirs.reference} is due in 7 days"
    assert "10 November 2025" in english.body
    [default] = sent_to(no_profile)
    assert default.subject == f"Toezegging {nobodys.reference}: uiterste datum over 7 dagen"


def test_links_in_emails_are_absolute_and_the_footer_says_why(people):
    commitment = owned(people, day(7))
    owned(people, day(-3))
    scan(MONDAY)
    commitment_url = f"{SITE}/commitments/{commitment.pk}/"
    notifications_url = f"{SITE}{reverse('commitments:notifications')}"
    for message in mail.outbox:
        assert "Why you get this e-mail:" in message.body
        assert notifications_url in message.body
        html = html_of(message)
        assert f'href="{notifications_url}"' in html
        assert 'href="/' not in html
        assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    [reminder] = sent_to(people.official)
    assert commitment_url in reminder.body
    assert f'href="{commitment_url}"' in html_of(reminder)
    assert "You own these commitments" in reminder.body
    [digest] = sent_to(people.manager)
    assert "You manage these teams" in digest.body


def test_html_escapes_what_users_typed(people):
    CommitmentFactory(
        due_date=day(7), owner=people.official, text="<script>alert('x')</script> & meer"
    )
    scan(MONDAY)
    [message] = mail.outbox
    assert "<script>" not in html_of(message)
    assert "&lt;script&gt;" in html_of(message)
    assert "<script>alert('x')</script> & meer" in message.body


# --- scheduling -----------------------------------------------------------------------------


def test_the_worker_catches_up_todays_scan_once_its_time_has_passed(people):
    owned(people, day(7))
    assert reminders_catch_up(now=at(MONDAY, 6, 59)) is None
    assert not ReminderScan.objects.exists()
    result = reminders_catch_up(now=at(MONDAY, 9, 30))
    assert result is not None and result.days == [MONDAY]
    assert len(mail.outbox) == 1
    assert reminders_catch_up(now=at(MONDAY, 10)) is None
    assert len(mail.outbox) == 1


def test_a_starting_worker_asks_for_the_catch_up(monkeypatch):
    from celery.signals import worker_ready

    from commitments import tasks

    asked = []
    monkeypatch.setattr(tasks.catch_up_reminders, "delay", lambda: asked.append(True))
    worker_ready.send(sender=None)
    assert asked == [True]


def test_beat_runs_the_scan_daily_at_the_configured_time():
    from django.conf import settings

    from commitments.tasks import scan_due_reminders
    from tracker.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["reminders-daily-scan"]
    assert entry["task"] == scan_due_reminders.name
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}
    assert app.conf.timezone == "Europe/Amsterdam"


def test_the_scan_task_hands_each_email_to_a_send_task_after_the_commit(
    people, monkeypatch, django_capture_on_commit_callbacks
):
    from commitments import tasks

    owned(people, day(7))
    owned(people, day(-3))
    queued = []
    monkeypatch.setattr(tasks.send_notification, "delay", lambda *args: queued.append(args))
    with (
        time_machine.travel(at(MONDAY), tick=False),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        assert tasks.scan_due_reminders(MONDAY.isoformat()) == 2
    assert len(callbacks) == 2
    ids = set(Notification.objects.values_list("pk", flat=True))
    assert {args[0] for args in queued} == ids
    assert {args[1] for args in queued} == {MONDAY.isoformat()}
    assert mail.outbox == []  # sending is the send tasks' job
    for notification_id, today in queued:
        tasks.send_notification.apply(args=[notification_id, today])
    assert len(mail.outbox) == 2


# --- the command ----------------------------------------------------------------------------


def test_send_reminders_command_sends_and_reports(people):
    commitment = owned(people, day(7))
    output = StringIO()
    with time_machine.travel(at(MONDAY, 8), tick=False):
        call_command("send_reminders", stdout=output)
    assert f"Commitment {commitment.reference} is due in 7 days" in output.getvalue()
    assert "1 e-mails recorded, 1 sent." in output.getvalue()
    assert len(mail.outbox) == 1


def test_send_reminders_dry_run_shows_what_would_be_sent(people):
    commitment = owned(people, day(14))
    output = StringIO()
    call_command("send_reminders", "--date", MONDAY.isoformat(), "--dry-run", stdout=output)
    text = output.getvalue()
    assert "would send" in text
    assert f"Commitment {commitment.reference} is due in 14 days" in text
    assert "official@example.org" in text
    assert mail.outbox == [] and not Notification.objects.exists()


def test_send_reminders_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "3-11-2025")


# --- the notifications page -----------------------------------------------------------------


@pytest.fixture
def notifications(people):
    for offset in (7, 14):
        owned(people, day(offset))
    owned(people, day(-3))
    outsider_commitment = owned(people, day(7), owner=people.outsider, team=people.other_team)
    scan(MONDAY)
    failed = Notification.objects.get(recipient=people.outsider)
    Notification.objects.filter(pk=failed.pk).update(
        state=Notification.State.FAILED, last_error="SMTPRecipientsRefused: 550", attempts=3
    )
    return outsider_commitment


def test_notifications_page_needs_a_login(client, db):
    response = client.get(reverse("commitments:notifications"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_user_sees_the_reminders_sent_to_them(client, people, notifications):
    client.force_login(people.official)
    response = client.get(reverse("commitments:notifications"))
    assert response.status_code == 200
    rows = [row["notification"] for row in response.context["rows"]]
    assert [n.recipient for n in rows] == [people.official]
    page = response.content.decode()
    assert "2 commitments need your attention" in page
    assert notifications.reference not in page
    assert "SMTPRecipientsRefused" not in page


def test_an_admin_sees_all_reminders_with_their_status(client, people, notifications):
    client.force_login(people.admin)
    response = client.get(reverse("commitments:notifications"))
    assert len(response.context["rows"]) == 3
    page = response.content.decode()
    assert "badge--failed" in page and "badge--sent" in page
    assert "SMTPRecipientsRefused: 550" in page
    failed = client.get(reverse("commitments:notifications"), {"status": "failed"})
    assert [row["notification"].recipient for row in failed.context["rows"]] == [people.outsider]
    digests = client.get(reverse("commitments:notifications"), {"kind": "manager_digest"})
    assert [row["notification"].recipient for row in digests.context["rows"]] == [people.manager]


def test_the_notifications_page_costs_the_same_queries_for_many_rows(
    client, people, django_assert_max_num_queries
):
    def add_notifications(count):
        for _ in range(count):
            offset = Notification.objects.count()
            commitment = owned(people, day(offset))
            notification = Notification.objects.create(
                recipient=people.official,
                kind=Notification.Kind.OWNER_REMINDER,
                subject="due",
                occasion=day(-offset),
                state=Notification.State.SENT,
                sent_at=at(MONDAY),
            )
            notification.commitments.add(commitment)

    client.force_login(people.admin)
    url = reverse("commitments:notifications")
    add_notifications(2)
    client.get(url)  # the first request of a session does one-off work
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_notifications(58)
    with django_assert_max_num_queries(len(few)) as many:
        first = client.get(url)
    with django_assert_max_num_queries(len(few)):
        second = client.get(url, {"page": 2})
    assert len(many) == len(few) <= 10
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 10
    assert "Page 2 of 2" in second.content.decode()
