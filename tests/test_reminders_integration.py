"""The reminders end to end: a real Celery worker, the real Redis broker, a real SMTP server.

The worker is a separate process, so it must see the test's database: on PostgreSQL that is
the test database itself; on SQLite, whose test database lives in this process's memory, the
test moves to a database file for its duration. Redis db 5 is this test's own.
"""

import datetime
import email
import os
import socket
import subprocess
import sys
import threading
import time
from email import policy
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from actionlines.models import Team
from commitments.models import Notification, ReminderScan
from tests.factories import CommitmentFactory, FollowUpLetterFactory, TeamFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/5"
SITE = "https://toezeggingen.example.org"
MONDAY = datetime.date(2025, 11, 3)
WAIT = 90  # seconds; a cold worker on a busy CI machine takes a while
# Variables the worker gets from this test only, whatever the developer's shell has set.
_WORKER_SETTINGS = (
    "DJANGO_",
    "CELERY_",
    "EMAIL_",
    "DATABASE_",
    "SITE_URL",
    "REMINDER_",
    "LETTER_REMINDER_",
    "DIGEST_",
    "ESCALATION_",
)


def wait_for(condition, *, timeout=WAIT, what="a condition", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    detail = f"\n--- worker log ---\n{log.read_text()[-6000:]}" if log and log.exists() else ""
    pytest.fail(f"Timed out after {timeout}s waiting for {what}.{detail}")


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.messages.append((tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def received(self):
        with self._lock:
            return list(self.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.hostname, controller.port, mailbox
    controller.stop()


@pytest.fixture
def redis_broker():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI"):
            pytest.fail(f"Redis must run on 127.0.0.1:6379 in CI: {error}")
        pytest.skip(f"No Redis on 127.0.0.1:6379 ({error}); CI starts one.")
    # Leftover messages of an earlier, interrupted run would be delivered to this worker.
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def shared_database(tmp_path):
    """A DATABASE_URL under which another process sees this test's database."""
    settings_dict = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(settings_dict["USER"] or "", safe="")
        if settings_dict.get("PASSWORD"):
            credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        yield f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"
        return
    # SQLite's test database is in this process's memory, kept alive by its open connection:
    # set that connection aside (closing it would drop the database the other tests use), run
    # this test on a migrated file, and put the in-memory one back afterwards.
    in_memory, name = connection.connection, settings_dict["NAME"]
    path = tmp_path / "shared.sqlite3"
    connection.connection = None
    settings_dict["NAME"] = str(path)
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield f"sqlite:///{path}"
    finally:
        connection.close()
        settings_dict["NAME"] = name
        connection.connection = in_memory


@pytest.fixture
def celery_worker(shared_database, redis_broker, smtp_server, tmp_path):
    host, port, mailbox = smtp_server
    log = tmp_path / "worker.log"
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(_WORKER_SETTINGS)
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        SECRET_KEY="integration-test-only-" + "x" * 40,
        DATABASE_URL=shared_database,
        CELERY_BROKER_URL=redis_broker,
        EMAIL_HOST=host,
        EMAIL_PORT=str(port),
        EMAIL_TIMEOUT="10",
        SITE_URL=SITE,
        TRACKER_VAR_DIR=str(tmp_path / "var"),
        # The catch-up at start-up is due whatever the hour the test runs.
        REMINDER_SCAN_TIME="00:00",
    )
    command = [
        str(Path(sys.executable).with_name("celery")),
        "--app",
        "tracker",
        "worker",
        "--loglevel",
        "INFO",
        "--concurrency",
        "2",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"reminders-it-{os.getpid()}@%h",
    ]
    with log.open("w") as output:
        worker = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield log, mailbox
    finally:
        worker.terminate()  # a warm shutdown: running tasks finish
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def trigger_scan(*, times: int = 1, today: datetime.date = MONDAY) -> None:
    """What beat does at scan time, sent to the broker `times` times at once."""
    from celery import Celery

    client = Celery("beat-stand-in", broker=REDIS_URL)
    try:
        for _ in range(times):
            client.send_task("commitments.tasks.scan_due_reminders", args=[today.isoformat()])
    finally:
        client.close()


def finished(log: Path, task: str, *, returning: str = "") -> int:
    """How many runs of `task` the worker logged as succeeded (and returning `returning`)."""
    text = log.read_text() if log.exists() else ""
    return sum(
        1
        for line in text.splitlines()
        if f"{task}[" in line and "succeeded" in line and line.endswith(returning)
    )


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_each_reminder_once_over_real_smtp(celery_worker):
    log, mailbox = celery_worker

    # A worker that starts after the scan time while today's scan has not run runs it at once.
    today = timezone.localdate()
    wait_for(
        lambda: ReminderScan.objects.filter(day=today).exists(),
        what="the catch-up scan at worker start",
        log=log,
    )

    official = UserFactory(username="official", email="official@example.org")
    manager = UserFactory(username="manager", email="manager@example.org")
    director = UserFactory(username="director", email="director@example.org")
    directorate = TeamFactory(name="Directie", managers=[director])
    team = TeamFactory(
        name="Team Jeugd",
        organisation=directorate.organisation,
        parent=directorate,
        members=[official],
        managers=[manager],
    )
    due_soon = CommitmentFactory(team=team, owner=official, due_date=MONDAY + datetime.timedelta(7))
    overdue = CommitmentFactory(team=team, owner=official, due_date=MONDAY - datetime.timedelta(3))
    long_overdue = CommitmentFactory(team=team, due_date=MONDAY - datetime.timedelta(40))
    letter = FollowUpLetterFactory(
        planned_date=MONDAY + datetime.timedelta(14),
        drafter=official,
        team=team,
        commitments=[due_soon],
    )

    # Two beat ticks at once: two workers' processes scan the same day concurrently.
    trigger_scan(times=2)
    wait_for(lambda: len(mailbox.received()) >= 4, what="four e-mails", log=log)
    wait_for(lambda: finished(log, "scan_due_reminders") >= 2, what="both scans", log=log)
    time.sleep(3)  # room for a duplicate to arrive, were there one

    received = mailbox.received()
    by_recipient = {}
    for recipients, message in received:
        assert len(recipients) == 1
        by_recipient.setdefault(recipients[0], []).append(message)
    assert sorted((to, len(messages)) for to, messages in by_recipient.items()) == [
        ("director@example.org", 1),
        ("manager@example.org", 1),
        ("official@example.org", 2),
    ]
    official_mail = by_recipient["official@example.org"]
    reminder = next(m for m in official_mail if due_soon.reference in m["Subject"])
    letter_mail = next(m for m in official_mail if m is not reminder)
    assert letter.title in letter_mail["Subject"]
    text = reminder.get_body(("plain",)).get_content()
    assert f"{SITE}/commitments/{due_soon.pk}/" in text
    assert f'href="{SITE}/commitments/{due_soon.pk}/"' in reminder.get_body(("html",)).get_content()
    digest = by_recipient["manager@example.org"][0].get_body(("plain",)).get_content()
    assert digest.index(long_overdue.reference) < digest.index(overdue.reference)
    assert f"overdue=1&team={team.pk}" in digest
    escalation = by_recipient["director@example.org"][0].get_body(("plain",)).get_content()
    assert long_overdue.reference in escalation and overdue.reference not in escalation
    assert Notification.objects.filter(state=Notification.State.SENT).count() == 4
    # Both scans may hand out the same unsent e-mails; the claim lets one sender send each.
    assert finished(log, "send_notification", returning="'sent'") == 4

    # Triggering it again sends nothing new.
    trigger_scan(times=1)
    wait_for(lambda: finished(log, "scan_due_reminders") >= 3, what="the third scan", log=log)
    time.sleep(3)
    assert len(mailbox.received()) == 4
    assert finished(log, "send_notification", returning="'sent'") == 4
    assert Notification.objects.count() == 4


def _mail_files(directory: Path) -> list[email.message.EmailMessage]:
    separator = b"\n" + b"-" * 79 + b"\n"
    messages = []
    for path in sorted(directory.glob("*.log")):
        for chunk in path.read_bytes().split(separator):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip(), policy=policy.default))
    return messages


@pytest.mark.django_db
def test_the_demo_managers_overdue_digest_lands_in_var_mail_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.SITE_URL = SITE
    # What `make run` does before it starts the worker.
    call_command("loaddata", "plan_2016", verbosity=0)
    call_command("setup_demo", stdout=StringIO())

    monday_morning = datetime.datetime(2025, 11, 3, 7, 0, tzinfo=datetime.UTC)
    with time_machine.travel(monday_morning, tick=False):
        call_command("send_reminders", stdout=StringIO())
    messages = _mail_files(tmp_path / "mail")
    digests = [m for m in messages if m["To"].addresses[0].username == "manager"]
    assert len(digests) == 1
    body = digests[0].get_body(("plain",)).get_content()
    references = ["KST-2016-03", "KST-2016-04", "KST-2016-05"]
    positions = [body.index(reference) for reference in references]
    assert positions == sorted(positions)  # oldest first
    assert str((MONDAY - datetime.date(2016, 12, 23)).days) in body
    assert str((MONDAY - datetime.date(2017, 12, 31)).days) in body
    assert "KST-2016-01" not in body and "KST-2016-02" not in body  # fulfilled in 2016
    demo_team = Team.objects.get(name="Demoteam Kindersekstoerisme")
    assert f"{SITE}/commitments/?status=open&status=in_progress&overdue=1&team={demo_team.pk}" in (
        body
    )
    # Years overdue, they also reach the director of the parent team.
    assert [m["To"].addresses[0].username for m in messages if m is not digests[0]] == ["director"]

    with time_machine.travel(monday_morning + datetime.timedelta(hours=3), tick=False):
        call_command("send_reminders", stdout=StringIO())
    assert len(_mail_files(tmp_path / "mail")) == len(messages) == 2
