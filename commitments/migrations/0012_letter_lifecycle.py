"""Schema for the follow-up letter lifecycle and partial fulfilment."""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GUARD = importlib.import_module("commitments.migrations.0002_original_due_date_guard")


def restore_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        create, drop = GUARD.STATEMENTS["sqlite"]
        schema_editor.execute(drop)
        schema_editor.execute(create)


def date_sent_letters(apps, schema_editor):
    # A letter recorded as sent before it carried its own date went out on its Kamerstuk's date.
    FollowUpLetter = apps.get_model("commitments", "FollowUpLetter")
    ParliamentaryDocument = apps.get_model("commitments", "ParliamentaryDocument")
    FollowUpLetter.objects.filter(status="sent", sent_on__isnull=True).update(
        sent_on=models.Subquery(
            ParliamentaryDocument.objects.filter(pk=models.OuterRef("sent_as_id")).values("date")[
                :1
            ]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0011_accent_insensitive_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # No partial index lists the open statuses: `commitment_status_due` indexes every status,
    # so adding partially fulfilled to the open statuses needs no index change. `sent_on` has
    # no constraint of its own: the load generator and older data write sent letters without
    # it; `follow_up_letter_record_sent` always sets it.
    operations = [
        migrations.CreateModel(
            name="LetterPostponement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("planned_date_before", models.DateField(verbose_name="planned date before")),
                ("planned_date_after", models.DateField(verbose_name="new planned date")),
                ("reason", models.TextField(verbose_name="reason")),
                (
                    "postponed_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="postponed at"),
                ),
                (
                    "letter",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="postponements",
                        to="commitments.followupletter",
                        verbose_name="follow-up letter",
                    ),
                ),
                (
                    "postponed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="postponed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "postponement of a letter",
                "verbose_name_plural": "postponements of letters",
                "ordering": ["-postponed_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(planned_date_after__gt=models.F("planned_date_before")),
                        name="letter_postponement_later",
                    ),
                    models.CheckConstraint(
                        condition=~models.Q(reason=""), name="letter_postponement_reason"
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="commitment",
            name="made_on_reason",
            field=models.CharField(
                blank=True,
                help_text=(
                    "A commitment made in a debate is made on the debate's date; say why it "
                    "was not, e.g. made in a letter after the debate."
                ),
                max_length=500,
                verbose_name="why not on the day of the debate",
            ),
        ),
        migrations.AddField(
            model_name="commitment",
            name="open_part",
            field=models.TextField(
                blank=True,
                help_text="What a partially fulfilled commitment still has to answer.",
                verbose_name="still open",
            ),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
            name="made_on_reason",
            field=models.CharField(
                blank=True,
                help_text=(
                    "A commitment made in a debate is made on the debate's date; say why it "
                    "was not, e.g. made in a letter after the debate."
                ),
                max_length=500,
                verbose_name="why not on the day of the debate",
            ),
        ),
        migrations.AddField(
            model_name="historicalcommitment",
            name="open_part",
            field=models.TextField(
                blank=True,
                help_text="What a partially fulfilled commitment still has to answer.",
                verbose_name="still open",
            ),
        ),
        migrations.AddField(
            model_name="followupletter",
            name="cancellation_reason",
            field=models.TextField(blank=True, verbose_name="reason for cancelling"),
        ),
        migrations.AddField(
            model_name="followupletter",
            name="sent_on",
            field=models.DateField(blank=True, null=True, verbose_name="sent on"),
        ),
        migrations.AddField(
            model_name="historicalfollowupletter",
            name="cancellation_reason",
            field=models.TextField(blank=True, verbose_name="reason for cancelling"),
        ),
        migrations.AddField(
            model_name="historicalfollowupletter",
            name="sent_on",
            field=models.DateField(blank=True, null=True, verbose_name="sent on"),
        ),
        migrations.AlterField(
            model_name="followupletter",
            name="status",
            field=models.CharField(
                choices=[
                    ("planned", "planned"),
                    ("drafting", "drafting"),
                    ("sent", "sent"),
                    ("cancelled", "cancelled"),
                ],
                default="planned",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AlterField(
            model_name="historicalfollowupletter",
            name="status",
            field=models.CharField(
                choices=[
                    ("planned", "planned"),
                    ("drafting", "drafting"),
                    ("sent", "sent"),
                    ("cancelled", "cancelled"),
                ],
                default="planned",
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.RunPython(date_sent_letters, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="followupletter",
            constraint=models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancellation_reason=""),
                name="letter_cancelled_has_reason",
            ),
        ),
        # SQLite added the commitment's new columns by rebuilding its table, which dropped
        # the guard of its original due date (0002): it is made again, as 0010 does.
        migrations.RunPython(restore_guard, migrations.RunPython.noop),
    ]
