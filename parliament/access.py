"""Who may import debate reports and review what was captured from them.

A debate report is public: every official, policy staff and admins may upload one and read
its proposals. Reviewing (editing, accepting, linking, rejecting) a proposal is for an official
of the team it is assigned to (any official while it has no team yet), policy staff and
admins. Accepting creates the commitment in the proposal's team: an official only in a team
of their own, staff in any team.
"""

import rules

from actionlines.access import is_admin, is_official, is_system, member_team_ids
from commitments.access import reads_everything


@rules.predicate
def takes_part(user) -> bool:
    return user.is_authenticated and (is_official(user) or reads_everything(user))


@rules.predicate
def reviews_proposal(user, proposal) -> bool:
    if not user.is_authenticated:
        return False
    if reads_everything(user):
        return True
    return is_official(user) and (
        proposal is None or proposal.team_id is None or proposal.team_id in member_team_ids(user)
    )


@rules.predicate
def places_accepted_commitment(user, commitment) -> bool:
    """The commitment an accepted proposal becomes goes to a team the reviewer may fill."""
    if reads_everything(user):
        return True
    return commitment.team_id is not None and commitment.team_id in member_team_ids(user)


rules.add_perm("parliament.view_proposal", takes_part | is_admin | is_system)
rules.add_perm("parliament.add_importedreport", takes_part | is_admin | is_system)
rules.add_perm("parliament.view_importedreport", takes_part | is_admin | is_system)
rules.add_perm("parliament.add_proposal", is_admin | is_system)
rules.add_perm("parliament.change_proposal", reviews_proposal | is_admin | is_system)
rules.add_perm("parliament.delete_proposal", is_admin)
rules.add_perm("parliament.delete_importedreport", is_admin)
rules.add_perm("parliament.change_importedreport", is_admin | is_system)
rules.add_perm(
    "parliament.accept_proposal",
    (reviews_proposal & places_accepted_commitment) | is_admin | is_system,
)

# The register's records are written by the register sync; people act on them only through
# the review (link or keep apart) and the differences page, as changes to a commitment.
rules.add_perm("parliament.view_registerentry", takes_part | is_admin | is_system)
rules.add_perm("parliament.add_registerentry", is_admin | is_system)
rules.add_perm("parliament.change_registerentry", is_admin | is_system)
rules.add_perm("parliament.delete_registerentry", is_admin)
rules.add_perm("parliament.view_registercursor", takes_part | is_admin | is_system)
for _action in ("add", "change"):
    rules.add_perm(f"parliament.{_action}_registercursor", is_admin | is_system)
rules.add_perm("parliament.delete_registercursor", is_admin)


@rules.predicate
def changes_noted_commitment(user, note) -> bool:
    from commitments.access import can_change_commitment

    return note is not None and can_change_commitment(user, note.commitment)


rules.add_perm("parliament.view_registernote", takes_part | is_admin | is_system)
rules.add_perm("parliament.add_registernote", changes_noted_commitment | is_admin | is_system)
rules.add_perm("parliament.change_registernote", is_admin)
rules.add_perm("parliament.delete_registernote", is_admin)
