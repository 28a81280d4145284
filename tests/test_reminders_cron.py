"""Each e-mail once on the cron path: `send_reminders` killed mid-batch, the mail server down or
dropping the connection, a batch outlasting its lease; and the send task with the server down.

A real SMTP server (aiosmtpd) on localhost takes every message slowly, so a real `kill -9` of
the real command lands in the middle of its batch; the command runs as a subprocess on this
test's database (see `shared_database` in test_reminders_integration.py). Every scenario
counts what the server received against what was owed and prints the figures (run with -s):
expected, delivered, duplicated (received more than once) and lost (never received).

The kill is aimed at the moment the server holds the 15th message and has not answered it
yet. The command sends that message only after it has marked the 14th sent, so a correct
sender leaves exactly the 14 accepted e-mails marked sent and the other 16 claimed; aiosmtpd
drops a message whose client goes away before the answer, so the 15th is not delivered
either. One window remains that no sender can close (RFC 1047): after the server has taken
a message and before its row says sent. A server that keeps a message once it has its data,
whether or not the client hears the answer, makes that window as long as its delay, and a
kill in it sends that one e-mail twice. This test keeps its kill out of that window, so its
figures are exact; `in the gap` counts accepted e-mails whose row is not marked sent after
the kill, and would show a kill that landed there.
"""

import asyncio
import datetime
import email
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from email import policy
from email.utils import parseaddr
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.db.models import F

from commitments.models import Notification
from commitments.reminders import CLAIM_LEASE, Outcome, notification_send, reminders_send_due
from tests import test_reminders_integration as integration
from tests.factories import CommitmentFactory, UserFactory

pytestmark = pytest.mark.integration

# Another process must see this test's database: the same fixture as the Celery worker's test.
shared_database = integration.shared_database

ROOT = Path(__file__).resolve().parent.parent
DAY = datetime.date(2025, 11, 4)  # a working Tuesday: owner reminders only, no digest
OWNERS = 30
KILL_AFTER = 14
DELAY = 0.3  # seconds the server holds each message before it answers
WAIT = 60
State = Notification.State


class SlowMailbox:
    """An aiosmtpd handler that holds each message `delay` seconds, then accepts and keeps it.

    `answer` may replace the reply to the n-th message (1-based), e.g. with a 421.
    """

    def __init__(self):
        self.delay = 0.0
        self.answer: dict[int, str] = {}
        self.arrived = 0  # messages whose data the server has, accepted or not
        self.accepted: list[tuple[str, str]] = []  # (recipient, Message-ID)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.arrived += 1
            number = self.arrived
        # A client killed meanwhile cancels this handler: the message is never accepted.
        await asyncio.sleep(self.delay)
        if number in self.answer:
            return self.answer[number]
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            for recipient in envelope.rcpt_tos:
                self.accepted.append((recipient, message["Message-ID"]))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        """Whom each accepted message went to, one entry per message and recipient."""
        with self._lock:
            accepted = list(self.accepted)
        message_ids = [message_id for _, message_id in accepted]
        assert len(set(message_ids)) == len(message_ids), "one message was accepted twice"
        return [recipient for recipient, _ in accepted]


@pytest.fixture
def smtp_server():
    # aiosmtpd logs every SMTP command at INFO, which would bury the figures printed here.
    log = logging.getLogger("mail.log")
    level = log.level
    log.setLevel(logging.WARNING)
    mailbox = SlowMailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=integration.free_port())
    controller.start()
    yield controller.port, mailbox
    controller.stop()
    log.setLevel(level)


@pytest.fixture
def owners():
    """30 people, each owning a commitment due on DAY: the scan owes each one e-mail.

    A test that runs the command asks for `command` before this, so that these rows go to the
    database the command's process sees.
    """
    people = [
        UserFactory(username=f"owner{n:02d}", email=f"owner{n:02d}@example.org")
        for n in range(OWNERS)
    ]
    for person in people:
        CommitmentFactory(owner=person, due_date=DAY)
    return {person.email for person in people}


def figures(scenario: str, recipients: list[str], expected: set[str]) -> dict[str, int]:
    """Expected, delivered, duplicated and lost, counted by recipient (each is owed one)."""
    assert set(recipients) <= expected, "an e-mail went to someone it was not owed to"
    counted = {
        "expected": len(expected),
        "delivered": len(set(recipients)),
        "duplicated": len(recipients) - len(set(recipients)),
        "lost": len(expected - set(recipients)),
    }
    print(
        f"\n[{connection.vendor}] {scenario}: "
        + ", ".join(f"{name} {number}" for name, number in counted.items())
    )
    return counted


def rows() -> dict[str, Notification]:
    notifications = Notification.objects.select_related("recipient")
    return {notification.recipient.email: notification for notification in notifications}


class Command:
    """`python manage.py send_reminders --date DAY` as a real process, on the shared database."""

    def __init__(self, database_url: str, tmp_path: Path):
        self.database_url = database_url
        self.tmp_path = tmp_path
        self.runs = 0

    def start(self, *, smtp_port: int) -> subprocess.Popen:
        self.runs += 1
        self.stdout = self.tmp_path / f"run{self.runs}.out"
        self.stderr = self.tmp_path / f"run{self.runs}.err"
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(integration._WORKER_SETTINGS)
        }
        environment.update(
            DJANGO_SETTINGS_MODULE="tracker.settings",
            SECRET_KEY="integration-test-only-" + "x" * 40,
            DATABASE_URL=self.database_url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            EMAIL_TIMEOUT="10",
            SITE_URL=integration.SITE,
            TRACKER_VAR_DIR=str(self.tmp_path / "var"),
        )
        with self.stdout.open("w") as out, self.stderr.open("w") as err:
            return subprocess.Popen(
                [sys.executable, "manage.py", "send_reminders", "--date", DAY.isoformat()],
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=err,
            )

    def run(self, *, smtp_port: int) -> subprocess.CompletedProcess:
        process = self.start(smtp_port=smtp_port)
        try:
            process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(f"send_reminders did not finish in {WAIT}s.\n{self.output()}")
        return subprocess.CompletedProcess(
            process.args, process.returncode, self.stdout.read_text(), self.stderr.read_text()
        )

    def output(self) -> str:
        return (
            f"--- stdout ---\n{self.stdout.read_text()}\n--- stderr ---\n{self.stderr.read_text()}"
        )


@pytest.fixture
def command(shared_database, tmp_path):
    return Command(shared_database, tmp_path)


def expire_the_claims() -> int:
    """What waiting out the lease does, without the wait."""
    return Notification.objects.filter(state=State.CLAIMED).update(
        claimed_at=F("claimed_at") - CLAIM_LEASE - datetime.timedelta(minutes=1)
    )


# --- the cron path ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_send_reminders_killed_mid_batch_sends_each_email_once(command, smtp_server, owners):
    port, mailbox = smtp_server
    mailbox.delay = DELAY
    process = command.start(smtp_port=port)
    deadline = time.monotonic() + WAIT
    # The 15th message has reached the server, which holds it before answering.
    while mailbox.arrived <= KILL_AFTER:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            pytest.fail(
                f"send_reminders never had {KILL_AFTER + 1} e-mails out.\n{command.output()}"
            )
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    time.sleep(2 * DELAY)  # the held message would be accepted by now, were it to be

    after_kill = rows()
    accepted = set(mailbox.recipients())
    in_the_gap = {to for to in accepted if after_kill[to].state != State.SENT}
    counted = figures(
        "send_reminders killed mid-batch, before the rerun", mailbox.recipients(), owners
    )
    print(
        f"[{connection.vendor}] after the kill: {len(accepted)} accepted, "
        f"{sum(row.state == State.SENT for row in after_kill.values())} marked sent, "
        f"{sum(row.state == State.CLAIMED for row in after_kill.values())} left claimed, "
        f"{len(in_the_gap)} in the gap"
    )
    assert len(after_kill) == OWNERS
    assert counted == {"expected": 30, "delivered": 14, "duplicated": 0, "lost": 16}
    # Every e-mail the server accepted is marked sent; only the unsent ones are left claimed.
    assert in_the_gap == set()
    assert {to for to, row in after_kill.items() if row.state == State.SENT} == accepted
    assert {to for to, row in after_kill.items() if row.state == State.CLAIMED} == owners - accepted

    # Once the lease has run out, the next run sends the 16 left, and only those.
    assert expire_the_claims() == OWNERS - KILL_AFTER
    mailbox.delay = 0
    rerun = command.run(smtp_port=port)
    assert rerun.returncode == 0, command.output()
    assert "0 e-mails recorded, 16 sent." in rerun.stdout
    counted = figures("send_reminders killed mid-batch, then rerun", mailbox.recipients(), owners)
    assert counted == {"expected": 30, "delivered": 30, "duplicated": 0, "lost": 0}
    final = rows()
    assert {row.state for row in final.values()} == {State.SENT}
    assert sorted(row.attempts for row in final.values()) == [1] * 14 + [2] * 16


@pytest.mark.django_db(transaction=True)
def test_send_reminders_with_the_mail_server_down_fails_cleanly_and_retries(
    command, smtp_server, owners
):
    port, mailbox = smtp_server
    nobody_listens = integration.free_port()
    down = command.run(smtp_port=nobody_listens)

    assert down.returncode == 1, command.output()
    assert "Traceback" not in down.stderr
    [error_line] = [line for line in down.stderr.splitlines() if line.startswith("CommandError")]
    assert error_line.startswith("CommandError: 30 of 30 e-mails failed (ConnectionRefusedError")
    assert error_line.endswith("they are marked failed and the next run retries them.")
    assert "30 e-mails recorded, 0 sent, 30 failed." in down.stdout
    assert down.stdout.count("Connection refused") == OWNERS  # each row's line shows its error
    failed = rows()
    assert len(failed) == OWNERS
    assert {row.state for row in failed.values()} == {State.FAILED}
    assert all("ConnectionRefusedError" in row.last_error for row in failed.values())
    assert all("Connection refused" in row.last_error for row in failed.values())
    assert {row.attempts for row in failed.values()} == {1}
    assert figures("send_reminders, mail server down", mailbox.recipients(), owners) == {
        "expected": 30,
        "delivered": 0,
        "duplicated": 0,
        "lost": 30,
    }

    # The server is back: the next run retries every failed e-mail, once.
    up = command.run(smtp_port=port)
    assert up.returncode == 0, command.output()
    assert "0 e-mails recorded, 30 sent." in up.stdout
    counted = figures("send_reminders, mail server down, then back", mailbox.recipients(), owners)
    assert counted == {"expected": 30, "delivered": 30, "duplicated": 0, "lost": 0}
    sent = rows()
    assert {row.state for row in sent.values()} == {State.SENT}
    assert {row.last_error for row in sent.values()} == {""}
    assert {row.attempts for row in sent.values()} == {2}


@pytest.mark.django_db
def test_a_connection_the_server_drops_mid_batch_is_reopened_for_the_rest(
    settings, smtp_server, owners
):
    port, mailbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 10
    # A 421 ends the SMTP session: smtplib closes the connection the batch was using.
    mailbox.answer[3] = "421 Service not available, closing transmission channel"

    result = reminders_send_due(today=DAY)
    assert list(result.outcomes.values()).count(Outcome.FAILED) == 1
    [dropped] = Notification.objects.filter(state=State.FAILED)
    assert dropped.last_error.startswith("SMTPDataError: (421")
    assert Notification.objects.filter(state=State.SENT).count() == OWNERS - 1
    assert figures("batch, connection dropped at the 3rd e-mail", mailbox.recipients(), owners) == {
        "expected": 30,
        "delivered": 29,
        "duplicated": 0,
        "lost": 1,
    }

    reminders_send_due(today=DAY)
    counted = figures("batch, connection dropped, then the next scan", mailbox.recipients(), owners)
    assert counted == {"expected": 30, "delivered": 30, "duplicated": 0, "lost": 0}
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}


@pytest.mark.django_db
def test_a_batch_outlasting_its_lease_keeps_its_claim_and_no_other_sender_resends(
    monkeypatch, owners
):
    """A slow server: each e-mail takes 4 minutes, the batch 2 hours, far past the lease. A
    second sender looking in halfway must find nothing to take over."""
    real_send = EmailBackend.send_messages
    second_sender = []

    def slow(self, messages):
        sent = real_send(self, messages)
        traveller.shift(datetime.timedelta(minutes=4))
        if len(mail.outbox) == KILL_AFTER and not second_sender:
            second_sender.append(reminders_send_due(today=DAY))
        return sent

    monkeypatch.setattr(EmailBackend, "send_messages", slow)
    start = datetime.datetime(2025, 11, 4, 6, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        first = reminders_send_due(today=DAY)
    [second] = second_sender
    assert second.handed_out == []  # every unsent row's claim was renewed meanwhile
    assert list(first.outcomes.values()) == [Outcome.SENT] * OWNERS
    recipients = [parseaddr(message.to[0])[1] for message in mail.outbox]
    counted = figures("batch outlasting its lease, second sender halfway", recipients, owners)
    assert counted == {"expected": 30, "delivered": 30, "duplicated": 0, "lost": 0}
    assert set(Notification.objects.values_list("state", flat=True)) == {State.SENT}
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}


# --- the Celery path --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_send_task_with_the_mail_server_down_marks_failed_and_sends_on_retry(
    settings, smtp_server, owners
):
    from commitments.tasks import send_notification

    port, mailbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_TIMEOUT = "127.0.0.1", 10
    settings.EMAIL_PORT = integration.free_port()  # nobody listens
    # The scan hands each e-mail to a task; here the tasks run by hand.
    ids = reminders_send_due(today=DAY, deliver=lambda **kwargs: None).handed_out
    assert len(ids) == OWNERS

    for notification_id in ids:
        # Raised after the row is marked, and an OSError: the task's autoretry retries it.
        with pytest.raises(ConnectionRefusedError):
            notification_send(notification_id=notification_id, today=DAY)
    failed = rows()
    assert {row.state for row in failed.values()} == {State.FAILED}
    assert all(row.last_error.startswith("ConnectionRefusedError") for row in failed.values())
    assert {row.attempts for row in failed.values()} == {1}
    assert figures("send task, mail server down", mailbox.recipients(), owners)["delivered"] == 0

    # The server is back: the task's retry (or the next scan's) sends each e-mail once.
    settings.EMAIL_PORT = port
    for notification_id in ids:
        result = send_notification.apply(args=[notification_id, DAY.isoformat()])
        assert result.get() == "sent"
        assert send_notification.apply(args=[notification_id, DAY.isoformat()]).get() == (
            "done already"
        )
    counted = figures("send task, mail server down, then retried", mailbox.recipients(), owners)
    assert counted == {"expected": 30, "delivered": 30, "duplicated": 0, "lost": 0}
    sent = rows()
    assert {row.state for row in sent.values()} == {State.SENT}
    assert {row.attempts for row in sent.values()} == {2}
