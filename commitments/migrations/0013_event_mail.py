"""Schema for e-mail for events."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("commitments", "0012_letter_lifecycle")]

    operations = [
        migrations.CreateModel(
            name="EmailPreference",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event_mail",
                    models.CharField(
                        choices=[
                            ("immediate", "at once, an e-mail per event"),
                            ("daily", "in one summary a day"),
                            ("off", "not by e-mail"),
                        ],
                        default="immediate",
                        max_length=10,
                        verbose_name="e-mail about events",
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(auto_now=True, verbose_name="preference changed at"),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="preference changed by",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_preference",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "e-mail preference",
                "verbose_name_plural": "e-mail preferences",
            },
        ),
        migrations.AddField(
            model_name="notification",
            name="deadline_change",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notifications",
                to="commitments.deadlinechange",
                verbose_name="deadline change",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="summary",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="events",
                to="commitments.notification",
                verbose_name="daily summary",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("owner_reminder", "deadline reminder"),
                    ("letter_reminder", "follow-up letter reminder"),
                    ("manager_digest", "overdue digest"),
                    ("deadline_request", "deadline-change request"),
                    ("deadline_decision", "deadline-change decision"),
                    ("new_owner", "new owner"),
                    ("event_summary", "daily summary of events"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "pending"),
                    ("claimed", "being sent"),
                    ("sent", "sent"),
                    ("failed", "failed"),
                    ("skipped", "skipped"),
                    ("held", "waiting for the daily summary"),
                ],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("kind__in", ["deadline_request", "deadline_decision", "new_owner"])
                ),
                fields=("recipient", "kind", "subject"),
                name="notification_event_once",
            ),
        ),
    ]
