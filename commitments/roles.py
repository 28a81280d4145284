"""The roles of the tracker's users, and how a user gets one.

- **official** (beleidsmedewerker): a member of a team; changes what belongs to their teams;
- **manager** (afdelingshoofd, directeur): a manager of a team; reads the team's work and
  decides on deadline changes;
- **policy staff** (beleidsstaf): member of the group below; reads everything and exports;
- **admin**: a superuser; does everything, also in the admin site.

Team membership lives on `actionlines.Team`; only policy staff is a group, because it is the
one role not tied to a team.
"""

from django.contrib.auth.models import Group, Permission

POLICY_STAFF_GROUP = "Beleidsstaf"
POLICY_STAFF_PERMISSIONS = ("view_all_commitments", "export_commitments")


def ensure_role_groups(**kwargs) -> Group:
    """Create the policy staff group with its permissions; safe to run after every migrate."""
    group, _ = Group.objects.get_or_create(name=POLICY_STAFF_GROUP)
    permissions = Permission.objects.filter(
        content_type__app_label="commitments", codename__in=POLICY_STAFF_PERMISSIONS
    )
    group.permissions.add(*permissions)
    return group
