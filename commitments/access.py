"""Who may do what with commitments, on top of the team rules in `actionlines.access`.

- officials change the commitments of their teams (and those they own);
- policy staff (the permission `view_all_commitments`) read every commitment and export;
- managers read their teams' commitments and decide their deadline changes;
- admins (superusers) do everything.

The predicates below are registered as rules (`commitments.change_commitment`, …) and asked
through `tracker.access` by the services for every record they write, and by the views, which
answer 403 when an action on a visible record is refused and 404 for a record the user may
not see at all.
"""

import rules
from django.contrib.auth.models import Permission
from django.db.models import Q

from actionlines.access import (
    can_change_team_work,
    can_read_team_work,
    is_admin,
    is_logged_in,
    is_manager,
    is_official,
    is_system,
    kept_fact,
    managed_team_ids,
    member_team_ids,
)

STAFF_PERMISSIONS = ("view_all_commitments", "export_commitments")


def _staff_permissions(user) -> frozenset[str]:
    """Which of the policy-staff permissions the user holds, directly or through a group.

    One query, where `user.has_perm` would load every permission in two, and kept with the
    user's other access facts (actionlines.access); an inactive user holds none.
    """

    def compute():
        granted = Permission.objects.filter(
            Q(user=user) | Q(group__user=user),
            content_type__app_label="commitments",
            codename__in=STAFF_PERMISSIONS,
        ).values_list("codename", flat=True)
        return frozenset(granted)

    return kept_fact(user, "staff", compute) if user.is_active else frozenset()


def reads_everything(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or "view_all_commitments" in _staff_permissions(user)
    )


def landing_page(user) -> str | None:
    """Where a user who is not an official starts (a URL name), or None: their own work.

    Only officials (members of a team) have work of their own; managers and directors start
    on their teams' dashboard, policy staff on the list of every commitment.
    """
    if is_official(user):
        return None
    if is_manager(user):
        return "commitments:dashboard"
    if reads_everything(user):
        return "commitments:list"
    return None


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


def can_place_in_team(user, record) -> bool:
    """Officials register work in their own teams; admins anywhere."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return record.team_id is not None and record.team_id in member_team_ids(user)


# --- the rules, per record ---------------------------------------------------------------------

rules.add_perm("commitments.view_commitment", rules.predicate(can_read_commitment) | is_system)
rules.add_perm(
    "commitments.add_commitment",
    (rules.predicate(can_create_commitment) & rules.predicate(can_place_in_team)) | is_system,
)
rules.add_perm("commitments.change_commitment", rules.predicate(can_change_commitment) | is_system)
rules.add_perm("commitments.delete_commitment", is_admin | is_system)
# Commitments that came without a team (from the Kamer's register, say) wait in the
# "unassigned" queue; policy staff, who read every team's work, place them in a team.
rules.add_perm("commitments.assign_team", rules.predicate(reads_everything) | is_admin | is_system)

# Asking for a new deadline is a change to the commitment; deciding is the manager's.
rules.add_perm(
    "commitments.add_deadlinechange",
    rules.predicate(lambda user, change: can_change_commitment(user, change.commitment))
    | is_system,
)
rules.add_perm(
    "commitments.change_deadlinechange",
    rules.predicate(can_decide_deadline_change) | is_system,
)
rules.add_perm("commitments.delete_deadlinechange", is_admin)
# An approved deadline change moves the due date: the deciding manager's right, not an edit.
rules.add_perm(
    "commitments.move_due_date",
    rules.predicate(
        lambda user, commitment: (
            user.is_authenticated
            and (user.is_superuser or commitment.team_id in managed_team_ids(user))
        )
    )
    | is_system,
)

# A relation between commitments ("repeats", "supplements") is part of the one it starts from.
_changes_source_commitment = rules.predicate(
    lambda user, relation: can_change_commitment(user, relation.from_commitment)
)
for _action in ("add", "change", "delete"):
    rules.add_perm(
        f"commitments.{_action}_commitmentrelation", _changes_source_commitment | is_system
    )

rules.add_perm("commitments.view_followupletter", rules.predicate(can_read_letter) | is_system)
rules.add_perm(
    "commitments.add_followupletter",
    (rules.predicate(can_create_commitment) & rules.predicate(can_place_in_team)) | is_system,
)
rules.add_perm("commitments.change_followupletter", rules.predicate(can_change_letter) | is_system)
rules.add_perm("commitments.delete_followupletter", is_admin | is_system)

# The Kamer's records (documents, debates, bewindspersonen, committees, addressees) belong to
# no team: every official keeps them, every user reads them.
for _model in ("parliamentarydocument", "debate", "bewindspersoon", "committee", "addressee"):
    rules.add_perm(f"commitments.view_{_model}", is_logged_in)
    rules.add_perm(
        f"commitments.add_{_model}", rules.predicate(can_edit_parliamentary_records) | is_system
    )
    rules.add_perm(
        f"commitments.change_{_model}", rules.predicate(can_edit_parliamentary_records) | is_system
    )
    rules.add_perm(f"commitments.delete_{_model}", is_admin | is_system)


def _own_email_preference(user, preference) -> bool:
    """Each user chooses how they hear of events; an admin may set anyone's."""
    return user.is_authenticated and (
        user.is_superuser or preference is None or preference.user_id == user.pk
    )


for _action in ("view", "add", "change"):
    rules.add_perm(f"commitments.{_action}_emailpreference", rules.predicate(_own_email_preference))
