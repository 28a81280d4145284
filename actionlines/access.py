"""Who may read and change the work of a team.

Officials change what belongs to their teams; managers read the work of the teams they manage
and of the teams below those; admins (superusers) do everything. The answers are computed once
per request and kept on the user object, because a page asks them for many rows.
"""

import rules
from django.db.models import Exists, OuterRef

from actionlines.models import Team
from tracker.actors import is_system_actor


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


# --- the rules, per record ---------------------------------------------------------------------
# Registered under Django-style permission names and asked through `tracker.access`; the
# services ask them for every record they write, the views to answer 403/404 and hide buttons.


@rules.predicate
def is_logged_in(user) -> bool:
    return user.is_authenticated


@rules.predicate
def is_admin(user) -> bool:
    return user.is_authenticated and user.is_superuser and user.is_active


@rules.predicate
def is_system(user) -> bool:
    """A loader or job acting as its named system actor (tracker.actors)."""
    return is_system_actor(user)


@rules.predicate
def changes_team_work(user, record) -> bool:
    return record is not None and can_change_team_work(
        user, team_id=record.team_id, owner_id=getattr(record, "owner_id", None)
    )


# Plans, their action lines and activities are what the ministry told the Kamer: every user
# reads them. The plan's structure is kept by admins and the shipped data; the progress of an
# activity by its team.
_keepers = is_admin | is_system
for _model in ("plan", "actionline", "activity", "team", "organisation", "place"):
    rules.add_perm(f"actionlines.view_{_model}", is_logged_in)
    rules.add_perm(f"actionlines.add_{_model}", _keepers)
    rules.add_perm(f"actionlines.delete_{_model}", _keepers)
for _model in ("plan", "actionline", "team", "organisation", "place"):
    rules.add_perm(f"actionlines.change_{_model}", _keepers)
rules.add_perm("actionlines.change_activity", changes_team_work | is_system)
