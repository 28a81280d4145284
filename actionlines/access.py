"""Who may read and change the work of a team.

Officials change what belongs to their teams; managers read the work of the teams they manage
and of the teams below those; admins (superusers) do everything. The answers are computed once
per request and kept on the user object, because a page asks them for many rows.
"""

from django.db.models import Exists, OuterRef

from actionlines.models import Team


def _cached(user, name, compute):
    cache = user.__dict__.setdefault("_tracker_access", {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def _team_roles(user) -> tuple[frozenset[int], frozenset[int]]:
    """The teams the user is a member of, and those they manage including all teams below.

    One query: every team with its parent and the user's two memberships. Teams are few (tens),
    so walking the tree in Python beats a recursive query.
    """

    def compute():
        memberships = Team.objects.annotate(
            is_member=Exists(
                Team.members.through.objects.filter(team_id=OuterRef("pk"), user_id=user.pk)
            ),
            is_manager=Exists(
                Team.managers.through.objects.filter(team_id=OuterRef("pk"), user_id=user.pk)
            ),
        ).values_list("id", "parent_id", "is_member", "is_manager")
        children: dict[int | None, list[int]] = {}
        member, managed = set(), set()
        for team_id, parent_id, is_member, is_manager in memberships:
            children.setdefault(parent_id, []).append(team_id)
            if is_member:
                member.add(team_id)
            if is_manager:
                managed.add(team_id)
        pending = list(managed)
        while pending:
            for child in children.get(pending.pop(), []):
                if child not in managed:
                    managed.add(child)
                    pending.append(child)
        return frozenset(member), frozenset(managed)

    if not user.is_authenticated:
        return frozenset(), frozenset()
    return _cached(user, "teams", compute)


def member_team_ids(user) -> frozenset[int]:
    """The teams the user is an official of."""
    return _team_roles(user)[0]


def managed_team_ids(user) -> frozenset[int]:
    """The teams the user manages, and every team below them (a director sees the directorate)."""
    return _team_roles(user)[1]


def is_manager(user) -> bool:
    return bool(managed_team_ids(user))


def is_official(user) -> bool:
    return bool(member_team_ids(user))


def can_change_team_work(user, *, team_id: int | None, owner_id: int | None = None) -> bool:
    """Officials change the work of their own teams (and what they own); admins everything."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if owner_id is not None and owner_id == user.pk:
        return True
    return team_id is not None and team_id in member_team_ids(user)


def can_read_team_work(user, *, team_id: int | None, owner_id: int | None = None) -> bool:
    """Members and managers read their teams' work; the owner reads what they own."""
    if can_change_team_work(user, team_id=team_id, owner_id=owner_id):
        return True
    return team_id is not None and team_id in managed_team_ids(user)
