"""Who may do what with commitments, on top of the team rules in `actionlines.access`.

- officials change the commitments of their teams (and those they own);
- policy staff (the permission `view_all_commitments`) read every commitment and export;
- managers read their teams' commitments and decide their deadline changes;
- admins (superusers) do everything.

Views ask these functions and answer 403 when an action on a visible record is refused, and
404 for a record the user may not see at all.
"""

from django.contrib.auth.models import Permission
from django.db.models import Q

from actionlines.access import (
    can_change_team_work,
    can_read_team_work,
    is_official,
    managed_team_ids,
)

STAFF_PERMISSIONS = ("view_all_commitments", "export_commitments")


def _staff_permissions(user) -> frozenset[str]:
    """Which of the policy-staff permissions the user holds, directly or through a group.

    One query per request, where `user.has_perm` would load every permission in two.
    """
    cache = user.__dict__.setdefault("_tracker_access", {})
    if "staff" not in cache:
        granted = Permission.objects.filter(
            Q(user=user) | Q(group__user=user),
            content_type__app_label="commitments",
            codename__in=STAFF_PERMISSIONS,
        ).values_list("codename", flat=True)
        cache["staff"] = frozenset(granted) if user.is_active else frozenset()
    return cache["staff"]


def reads_everything(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or "view_all_commitments" in _staff_permissions(user)
    )


def can_export(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or "export_commitments" in _staff_permissions(user)
    )


def can_read_commitment(user, commitment) -> bool:
    return reads_everything(user) or can_read_team_work(
        user, team_id=commitment.team_id, owner_id=commitment.owner_id
    )


def can_change_commitment(user, commitment) -> bool:
    return can_change_team_work(user, team_id=commitment.team_id, owner_id=commitment.owner_id)


def can_create_commitment(user) -> bool:
    return user.is_authenticated and (user.is_superuser or is_official(user))


# Documents and debates are shared records of parliament, not of a team: any official keeps them.
can_edit_parliamentary_records = can_create_commitment


def can_decide_deadline_change(user, change) -> bool:
    """Managers of the commitment's team (or above it) decide; never on their own request."""
    if not user.is_authenticated or change.requested_by_id == user.pk:
        return False
    if user.is_superuser:
        return True
    return change.commitment.team_id in managed_team_ids(user)


def can_change_letter(user, letter) -> bool:
    return can_change_team_work(user, team_id=letter.team_id, owner_id=letter.drafter_id)


def can_read_letter(user, letter) -> bool:
    return reads_everything(user) or can_read_team_work(
        user, team_id=letter.team_id, owner_id=letter.drafter_id
    )
