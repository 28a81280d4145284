"""Writes to the plan: progress of activities."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from actionlines.models import Activity, ActivityUpdate
from tracker.concurrency import claim_version


@transaction.atomic
def activity_update_progress(
    *,
    activity: Activity,
    author,
    status: str,
    progress: int,
    note: str = "",
    link: str = "",
    expected_version: int | None = None,
) -> ActivityUpdate:
    """Record progress on an activity: its new status and percentage, with who said so."""
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a percentage from 0 to 100.")})
    if status not in Activity.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    claim_version(Activity, pk=activity.pk, expected_version=expected_version)
    activity.refresh_from_db()
    update = ActivityUpdate(
        activity=activity,
        author=author,
        note=note,
        link=link,
        status_before=activity.status,
        status_after=status,
        progress_before=activity.progress,
        progress_after=progress,
    )
    update.full_clean(exclude=["activity", "author"])
    update.save()
    activity.status = status
    activity.progress = progress
    activity._history_user = author
    activity.save()
    return update
