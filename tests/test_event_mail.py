"""E-mail for the events that need a person, and a quiet `make run` whose links work.

The e-mail is the interface here, so every test reads what a real SMTP server (aiosmtpd on
localhost) received: who got which e-mail, how often (the sender always runs twice), what it
asks of the reader, and where its links point.
"""

import contextlib
import datetime
import email
import logging
import os
import re
import signal
import subprocess
import threading
import time
from email import policy
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone

from commitments import services
from commitments.events import event_summaries_send
from commitments.models import EmailPreference, Notification
from commitments.reminders import reminders_send_due
from commitments.reminders.delivery import notifications_send_batch, notifications_to_send
from parliament.models import ImportedReport, Proposal
from tests.factories import CommitmentFactory, DebateFactory, UserFactory
from tests.test_reminders_integration import free_port
from tracker.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
SITE = "http://tracker.test:8765"
TODAY = datetime.date(2025, 11, 3)  # a Monday: the digest's day
NOON = datetime.datetime(2025, 11, 3, 11, 0, tzinfo=datetime.UTC)
State = Notification.State


class Mailbox:
    """Keeps every message the server accepts, parsed."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, user) -> list[email.message.EmailMessage]:
        with self._lock:
            return [m for m in self.messages if user.email in m["To"]]

    def recipients(self) -> list[str]:
        with self._lock:
            return sorted(re.search(r"<(.+)>", m["To"]).group(1) for m in self.messages)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


@pytest.fixture
def mailbox(settings):
    log = logging.getLogger("mail.log")
    level = log.level
    log.setLevel(logging.WARNING)
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = (
        "127.0.0.1",
        controller.port,
        10,
    )
    settings.SITE_URL = SITE
    yield box
    controller.stop()
    log.setLevel(level)


@pytest.fixture
def frozen():
    with time_machine.travel(NOON, tick=False):
        yield


def send_twice():
    """The sender as the daily scan runs it, twice: nothing may go out twice."""
    for _ in range(2):
        notifications_send_batch(ids=notifications_to_send(now=timezone.now()), today=TODAY)


@pytest.fixture
def world(cast, frozen):
    """The cast's team with a second official, and a commitment of the official with a note."""
    colleague = UserFactory(username="colleague", first_name="Carla", last_name="Kok")
    cast.team.members.add(colleague)
    commitment = CommitmentFactory(
        team=cast.team, owner=cast.official, due_date=datetime.date(2025, 11, 28)
    )
    services.commitment_update_progress(
        commitment=commitment,
        author=cast.official,
        status="in_progress",
        note="Overleg met de politie loopt; conceptbrief ligt bij de directie.",
    )
    commitment.refresh_from_db()
    cast.colleague, cast.commitment = colleague, commitment
    return cast


def request_change(world, *, by=None):
    return services.deadline_change_request(
        commitment=world.commitment,
        requested_by=by or world.official,
        new_due_date=datetime.date(2026, 1, 30),
        reason="De Europese regelgeving is nog niet vastgesteld.",
    )


def test_a_deadline_change_request_mails_the_teams_managers_once(world, mailbox):
    request_change(world)
    send_twice()

    assert mailbox.recipients() == [world.manager.email]
    [message] = mailbox.to(world.manager)
    change = world.commitment.deadline_changes.get()
    decide_url = f"{SITE}{reverse('commitments:deadline_decide', args=[change.pk])}"
    body = text_of(message)
    assert "uiterste datum" in message["Subject"]
    assert world.commitment.reference in message["Subject"]
    assert "vraagt de uiterste datum van toezegging" in body
    assert "28 november 2025 naar 30 januari 2026" in body
    assert "Wat we van u vragen: beslis over dit verzoek" in body
    assert "De Europese regelgeving is nog niet vastgesteld." in body
    assert "Overleg met de politie loopt" in body  # the last progress note
    assert decide_url in body
    assert f'href="{decide_url}"' in html_of(message)
    assert "deadline" not in re.sub(r"https?://\S+", "", body).lower()  # the interface's words


def test_a_request_goes_up_to_the_director_when_the_team_has_no_manager(world, mailbox):
    world.team.managers.clear()
    request_change(world)
    send_twice()

    assert mailbox.recipients() == [world.director.email]


def test_a_managers_own_request_goes_to_the_director(world, mailbox):
    world.team.members.add(world.manager)
    request_change(world, by=world.manager)
    send_twice()

    assert mailbox.recipients() == [world.director.email]


def test_the_request_commit_kicks_the_send_task_and_the_scan_sends_nothing_twice(
    world, mailbox, django_capture_on_commit_callbacks
):
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            request_change(world)
            assert mailbox.recipients() == []  # nothing before the commit
    finally:
        celery_app.conf.task_always_eager = eager
    assert mailbox.recipients() == [world.manager.email]  # sent by the task, at once

    send_twice()
    reminders_send_due(today=TODAY)
    assert mailbox.recipients() == [world.manager.email]
    assert Notification.objects.get(kind=Notification.Kind.DEADLINE_REQUEST).state == State.SENT


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_decision_mails_the_requester_and_the_owner_once(world, mailbox, decision):
    change = request_change(world, by=world.colleague)
    send_twice()
    mailbox.messages.clear()

    if decision == "approve":
        services.deadline_change_approve(change=change, decided_by=world.manager, note="Akkoord.")
    else:
        services.deadline_change_reject(
            change=change, decided_by=world.manager, note="De Kamer rekent op dit najaar."
        )
    send_twice()

    assert mailbox.recipients() == sorted([world.colleague.email, world.official.email])
    for person in (world.colleague, world.official):
        [message] = mailbox.to(person)
        body = text_of(message)
        assert "Overleg met de politie loopt" in body
        assert f"{SITE}/commitments/{world.commitment.pk}/" in body
        if decision == "approve":
            assert "goedgekeurd" in message["Subject"]
            assert "plan het antwoord aan de Kamer op de nieuwe uiterste datum" in body
            assert "Akkoord." in body
        else:
            assert "afgewezen" in message["Subject"]
            assert "houd u aan de huidige uiterste datum" in body
            assert "De Kamer rekent op dit najaar." in body


def test_a_requester_who_owns_the_commitment_gets_one_decision_mail(world, mailbox):
    change = request_change(world)
    services.deadline_change_approve(change=change, decided_by=world.manager)
    send_twice()

    assert mailbox.recipients() == [world.official.email]
    # Decided before its e-mail went out: the request is no longer put to the manager.
    request = Notification.objects.get(kind=Notification.Kind.DEADLINE_REQUEST)
    assert (request.recipient, request.state) == (world.manager, State.SKIPPED)


def test_a_new_owner_is_told_once_and_nobody_else(world, mailbox):
    services.commitment_update(
        commitment=world.commitment,
        author=world.official,
        expected_version=world.commitment.version,
        owner=world.colleague,
    )
    send_twice()

    assert mailbox.recipients() == [world.colleague.email]
    [message] = mailbox.to(world.colleague)
    body = text_of(message)
    assert message["Subject"] == f"U bent nu eigenaar van toezegging {world.commitment.reference}"
    assert "Wat we van u vragen: lees de toezegging en leg de voortgang vast" in body
    assert "Uiterste datum: 28 november 2025" in body
    assert "Laatste voortgangsnotitie" in body and "Overleg met de politie loopt" in body
    assert f"{SITE}/commitments/{world.commitment.pk}/" in body


def test_taking_a_commitment_oneself_sends_nothing(world, mailbox):
    services.commitment_update(
        commitment=world.commitment,
        author=world.colleague,
        expected_version=world.commitment.version,
        owner=world.colleague,
    )
    send_twice()

    assert mailbox.recipients() == []
    assert not Notification.objects.filter(kind=Notification.Kind.NEW_OWNER).exists()


def test_the_same_event_never_makes_two_rows(world):
    change = request_change(world)
    from commitments.events import events_deadline_change_requested

    assert events_deadline_change_requested(change=change) == []
    assert Notification.objects.filter(kind=Notification.Kind.DEADLINE_REQUEST).count() == 1


def test_a_daily_reader_gets_one_summary_of_the_days_events(world, mailbox):
    EmailPreference.objects.create(user=world.colleague, event_mail="daily")
    other = CommitmentFactory(team=world.team, owner=world.official)
    for commitment in (world.commitment, other):
        commitment.refresh_from_db()
        services.commitment_update(
            commitment=commitment,
            author=world.official,
            expected_version=commitment.version,
            owner=world.colleague,
        )
    send_twice()
    assert mailbox.recipients() == []  # held for the summary
    assert set(Notification.objects.values_list("state", flat=True)) == {State.HELD}

    for _ in range(2):
        event_summaries_send(today=TODAY)
        send_twice()

    [message] = mailbox.to(world.colleague)
    body = text_of(message)
    assert message["Subject"] == "Uw dag in de toezeggingentracker: 2 gebeurtenissen"
    assert body.count("U bent nu eigenaar van toezegging") == 2
    assert world.commitment.reference in body and other.reference in body
    assert f"{SITE}/profile/e-mail/" in body
    events = Notification.objects.filter(kind=Notification.Kind.NEW_OWNER)
    assert set(events.values_list("state", flat=True)) == {State.SENT}


def test_a_reader_who_switched_events_off_gets_no_event_mail(world, mailbox):
    EmailPreference.objects.create(user=world.manager, event_mail="off")
    request_change(world)
    event_summaries_send(today=TODAY)
    send_twice()

    assert mailbox.recipients() == []


def test_managers_cannot_switch_off_the_overdue_digest(world, mailbox, client):
    client.force_login(world.manager)
    page = client.get(reverse("commitments:email_preferences"))
    assert "kunt u niet uitzetten" in page.content.decode()
    client.post(reverse("commitments:email_preferences"), {"event_mail": "off", "digest": "off"})
    assert EmailPreference.objects.get(user=world.manager).event_mail == "off"
    CommitmentFactory(team=world.team, owner=world.official, due_date=datetime.date(2025, 10, 1))

    reminders_send_due(today=TODAY)
    send_twice()

    [digest] = mailbox.to(world.manager)
    assert "Te laat" in digest["Subject"]


def test_the_preferences_page_is_linked_from_the_profile_and_keeps_the_choice(world, client):
    client.force_login(world.official)
    profile = client.get(reverse("api:profile")).content.decode()
    assert f'href="{reverse("commitments:email_preferences")}"' in profile

    refused = client.post(reverse("commitments:email_preferences"), {"event_mail": "weekly"})
    assert refused.status_code == 200
    assert not EmailPreference.objects.filter(user=world.official).exists()

    saved = client.post(reverse("commitments:email_preferences"), {"event_mail": "daily"})
    assert saved.status_code == 302
    preference = EmailPreference.objects.get(user=world.official)
    assert (preference.event_mail, preference.updated_by) == ("daily", world.official)
    page = client.get(reverse("commitments:email_preferences")).content.decode()
    assert re.search(r'value="daily"[^>]*checked', page)


def test_the_owner_reminder_counts_proposals_waiting_for_review(world, mailbox):
    due_today = CommitmentFactory(team=world.team, owner=world.official, due_date=TODAY)
    debate = DebateFactory()
    report = ImportedReport.objects.create(
        debate=debate,
        file="reports/verslag.xml",
        file_name="verslag.xml",
        sha256="0" * 64,
        imported_by=world.official,
    )
    for position in (1, 2):
        Proposal.objects.create(
            report=report,
            debate=debate,
            position=position,
            text="De minister zal de Kamer informeren.",
            team=world.team,
        )
    Proposal.objects.create(  # another team's: not this owner's to review
        report=report, debate=debate, position=3, text="Iets anders.", team=world.other_team
    )

    reminders_send_due(today=TODAY)
    send_twice()

    [reminder] = [m for m in mailbox.to(world.official) if due_today.reference in m["Subject"]]
    body = text_of(reminder)
    assert "2 voorstellen wachten op beoordeling" in body
    assert f"{SITE}{reverse('parliament:inbox')}" in body
    assert "uiterste datum vandaag" in body
    assert "Wat we van u vragen" in body
    assert "deadline" not in reminder["Subject"].lower()


def test_a_reminder_says_when_a_commitment_has_no_progress_note_yet(world, mailbox):
    CommitmentFactory(team=world.team, owner=world.official, due_date=TODAY)
    reminders_send_due(today=TODAY)
    send_twice()

    [reminder] = mailbox.to(world.official)
    assert "Nog geen voortgangsnotitie." in text_of(reminder)


# --- make run -------------------------------------------------------------------------------

SUMMARY = [
    r"Demo users \(password in var/demo_password\):",
    r"  official +official .+",
    r"  staff +staff .+",
    r"  manager +manager .+",
    r"  director +director .+",
    r"  admin +admin .+",
    r"  password: \S+",
    r"E-mail is written as files to .+/mail/; logs are in .+/log/\.",
    r"The tracker runs on http://127\.0\.0\.1:(\d+)/ \(Ctrl-C stops it\)\.",
]


@pytest.mark.integration
def test_make_run_prints_only_the_url_the_logins_and_where_mail_goes(tmp_path):
    port = free_port()
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_", "EMAIL_", "SITE_URL", "CELERY_", "MAKE", "MFLAGS")
        )
    }
    environment["TRACKER_VAR_DIR"] = str(tmp_path / "var")
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines = []
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "The tracker runs on" in line:
                break
        # Anything printed after the address would be noise too: give it a moment.
        time.sleep(5)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        # make is gone, but a Celery worker in warm shutdown may linger in its group: nothing
        # of this run may outlive the test.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    lines += [line.rstrip("\n") for line in process.stdout.read().splitlines()]
    # Our own kill, as make reports it (make[1] when the suite itself runs under make test).
    lines = [line for line in lines if not re.match(r"make(\[\d+\])?: \*\*\*", line)]

    summary = "\n".join(lines)
    assert len(lines) == len(SUMMARY), summary
    for pattern, line in zip(SUMMARY, lines, strict=True):
        assert re.fullmatch(pattern, line), f"{line!r} is not {pattern!r}\n{summary}"
    # The address is printed from the SITE_URL that make run exports to the web server and the
    # worker, so the links in e-mails follow the port the tracker runs on.
    assert re.fullmatch(SUMMARY[-1], lines[-1]).group(1) == str(port)
