"""The index on (status, due date) gains the reference and carries the id: the list sorted by
status is read one status at a time in (due date, reference) order (commitments.keyset), its
ids from the index alone, as the overdue scan still is by the same index's first columns.

The new index is made before the old one goes, so the overdue scan has one throughout.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0013_event_mail"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                fields=["status", "due_date", "reference"],
                include=("id",),
                name="commitment_status_due_ref",
            ),
        ),
        migrations.RemoveIndex(
            model_name="commitment",
            name="commitment_status_due",
        ),
    ]
