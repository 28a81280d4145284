"""Writes to the plan: progress of activities, and who is in which team.

Like every service, these take the actor, ask the access rules (`tracker.access`) for the
records they write and end in `tracker.audit.record_save`, which records who made the change.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from actionlines.models import Activity, ActivityUpdate, Team
from tracker.access import require
from tracker.audit import record_save, set_history_actor


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
    activity = Activity.objects.get(pk=activity.pk)
    require(author, "actionlines.change_activity", activity)
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
    # Claimed last, in the same transaction: a stale form undoes the update above with it.
    record_save(actor=author, record=activity, expected_version=expected_version, reason="progress")
    return update


@transaction.atomic
def team_set_people(*, actor, team: Team, members=None, managers=None) -> Team:
    """Add people to a team's members or managers; the team's history records who and when.

    Membership decides who reads and changes what, so it is a change to the team like any
    other: asked of the access rules and recorded with its actor.
    """
    require(actor, "actionlines.change_team", team)
    set_history_actor(team, actor)
    if members:
        team.members.add(*members)
    if managers:
        team.managers.add(*managers)
    return team
