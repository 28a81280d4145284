import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from commitments.models import Commitment, FollowUpLetter, Notification
from commitments.reminders import Outcome, ScanResult, reminder_message, reminders_send_due


class Command(BaseCommand):
    help = (
        "Runs the daily reminder scan now, synchronously: the deadline reminders, follow-up "
        "letter reminders and overdue digests due today (and on days the scan missed), each "
        "e-mail once. The Celery worker runs the same scan every morning; this command is for "
        "cron users and for seeing what would be sent (--dry-run). It exits with status 1 when "
        "an e-mail failed; failed e-mails are marked so, with their errors, and the next run "
        "retries them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            help="Scan as if today were this date (YYYY-MM-DD). Default: today.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be sent; send and record nothing.",
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        today = self._parse_date(date) if date else timezone.localdate()
        result = reminders_send_due(today=today, dry_run=dry_run)
        self._report(result)

    @staticmethod
    def _parse_date(value: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                f"--date takes a date as YYYY-MM-DD, e.g. 2025-11-03; {value!r} is not one."
            ) from None

    def _report(self, result: ScanResult) -> None:
        days = ", ".join(day.isoformat() for day in result.days)
        self.stdout.write(f"Reminder scan of {result.today.isoformat()} (covering {days}).")
        if result.dry_run:
            self._report_dry_run(result)
            return
        notifications = Notification.objects.select_related("recipient").filter(
            pk__in=result.handed_out
        )
        by_id = {notification.pk: notification for notification in notifications}
        for notification_id in result.handed_out:
            notification = by_id[notification_id]
            outcome = result.outcomes.get(notification_id, "")
            line = (
                f"  {outcome:<12} {notification.get_kind_display():<26} "
                f"{notification.recipient.email:<30} {notification.subject_line}"
            )
            if notification.state == Notification.State.FAILED:
                line += f"  [{notification.last_error}]"
            self.stdout.write(line)
        sent = sum(1 for outcome in result.outcomes.values() if outcome == Outcome.SENT)
        failed = [
            by_id[notification_id]
            for notification_id, outcome in result.outcomes.items()
            if outcome == Outcome.FAILED
        ]
        summary = f"{len(result.recorded)} e-mails recorded, {sent} sent."
        if not failed:
            self.stdout.write(self.style.SUCCESS(summary))
            return
        self.stdout.write(f"{summary[:-1]}, {len(failed)} failed.")
        # A non-zero exit, so cron tells whoever reads its mail; the rows say failed, with
        # their errors, and the next run retries them.
        errors = sorted({notification.last_error for notification in failed})
        raise CommandError(
            f"{len(failed)} of {len(result.handed_out)} e-mails failed ({errors[0]}"
            + (f", and {len(errors) - 1} other errors" if len(errors) > 1 else "")
            + "); they are marked failed and the next run retries them."
        )

    def _report_dry_run(self, result: ScanResult) -> None:
        for email in result.planned:
            message = reminder_message(
                kind=email.kind,
                recipient=email.recipient,
                commitments=list(
                    Commitment.objects.filter(pk__in=email.commitment_ids).select_related(
                        "owner", "team"
                    )
                ),
                letter=FollowUpLetter.objects.filter(pk=email.letter_id).first()
                if email.letter_id
                else None,
                today=result.today,
            )
            subject = message.subject if message else "(nothing left to say)"
            kind = Notification.Kind(email.kind).label
            self.stdout.write(f"  would send   {kind:<26} {email.recipient.email:<30} {subject}")
        if result.handed_out:
            self.stdout.write(
                f"  and would retry {len(result.handed_out)} e-mails recorded earlier but not sent."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Dry run: {len(result.planned)} e-mails would be sent; none were.")
        )
