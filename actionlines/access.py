"""Who may read and change the work of a team.

Officials change what belongs to their teams; managers read the work of the teams they manage
and of the teams below those; admins (superusers) do everything.

The facts these answers rest on (a user's teams, the permissions their groups give) are kept
on the user object for the request, because a page asks them for many rows, and in the shared
cache between requests under ACCESS_VERSION_KEY: every page asks them, and they change only
when someone joins or leaves a team, the teams are rearranged or a group's permissions
change. Any such change replaces the version, at the write and after its commit, so that no
request reads a fact older than the last change (`connect_signals`). What the user object
itself says (active, superuser) is read afresh on every request and never kept.
"""

from dataclasses import dataclass, field

import rules
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.signals import m2m_changed, post_delete, post_save

from actionlines.models import Team
from tracker import cache_versions
from tracker.actors import is_system_actor

ACCESS_VERSION_KEY = "access-version"
# How long a user's facts stay in the cache when nothing changes: an hour bounds its size.
SHARED_FACTS_SECONDS = 3600
_REQUEST_ATTRIBUTE = "_tracker_access"


@dataclass
class _RequestFacts:
    """What this request knows about its user: where the facts are shared, under which
    version, and the facts themselves."""

    key: str | None
    version: str | None
    facts: dict = field(default_factory=dict)


def _shared_key(user) -> str | None:
    # The moment of joining as well as the id: a database that reuses ids (SQLite after a
    # rollback) must not give a new user the facts of an old one.
    if not user.pk or not user.date_joined:
        return None
    return f"access-facts:{user.pk}:{user.date_joined.timestamp():.6f}"


def _request_facts(user) -> _RequestFacts:
    """This request's facts about the user, filled from the shared cache on first use."""
    known = user.__dict__.get(_REQUEST_ATTRIBUTE)
    if known is None:
        key = _shared_key(user)
        known = _RequestFacts(key, None)
        if key is not None:
            found = cache.get_many([ACCESS_VERSION_KEY, key])
            # The version is read before any fact is computed: a change after this replaces
            # it, so what is computed now from older rows is filed where nobody looks.
            known.version = found.get(ACCESS_VERSION_KEY) or cache_versions.current(
                ACCESS_VERSION_KEY
            )
            kept_version, kept = found.get(key, (None, {}))
            if kept_version == known.version:
                known.facts.update(kept)
        user.__dict__[_REQUEST_ATTRIBUTE] = known
    return known


def kept_fact(user, name, compute):
    """The fact `name` about the user: kept for the request, and shared between requests."""
    known = _request_facts(user)
    if name not in known.facts:
        known.facts[name] = compute()
        if known.key is not None:
            cache.set(known.key, (known.version, known.facts), SHARED_FACTS_SECONDS)
    return known.facts[name]


def _access_changed(sender, **kwargs) -> None:
    cache_versions.replace(ACCESS_VERSION_KEY)
    transaction.on_commit(lambda: cache_versions.replace(ACCESS_VERSION_KEY))


def connect_signals() -> None:
    """Replace the access version on every change of what the kept facts are made of: teams
    (their tree), their members and managers, users' groups and permissions, groups'
    permissions. Saves of users themselves do not count: what they change is read afresh."""
    user_model = get_user_model()
    for sender in (
        Team,
        Team.members.through,
        Team.managers.through,
        Group,
        Permission,
        Group.permissions.through,
        user_model.groups.through,
        user_model.user_permissions.through,
    ):
        uid = f"access-version-{sender._meta.label_lower}"
        post_save.connect(_access_changed, sender=sender, dispatch_uid=f"{uid}-save")
        post_delete.connect(_access_changed, sender=sender, dispatch_uid=f"{uid}-delete")
        m2m_changed.connect(_access_changed, sender=sender, dispatch_uid=f"{uid}-m2m")


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
    return kept_fact(user, "teams", compute)


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
