"""What the dashboard keeps between requests, and when it must forget it.

The dashboard's figures (counts by status, what is overdue or near, the letters, the requests
waiting for a decision) cost a scan of every commitment the reader may see: too much to redo
for each manager's every visit, and the same until one of those commitments changes. The page
keeps its rendered parts (the template fragment cache) under a key made of *versions* of what
the reader may see:

- `all`, for those who read everything (staff, admins), replaced by any change;
- `team:<id>` for each of the reader's teams and `owner:<id>` for what the reader owns, replaced
  by a change to a commitment of that team or owner (before and after the change: a commitment
  that moves from one team to another changes both teams' figures), to a deadline change on
  one, or to a follow-up letter of that team or drafter, and to the letters a commitment is in;
- `plans`, for the plans block (the same for everyone), replaced by a change to a plan, an
  action line or an activity, or to which activities a commitment serves;
- `epoch`, replaced by a bulk load and by a change to a team's or a bewindspersoon's name,
  which the overdue breakdowns show to every reader.

The action-line block (each line's status mix beside its activities' progress) mixes both: it
is kept under the reader's figures key *and* the plans key, so either kind of change renews it.

A change replaces the versions at once and again after its commit (a request that read the
old rows before the commit may have stored them under the new version meanwhile), so a
manager never sees figures older than the last change of their teams. A version is a random
token, not a counter, so that two changes at once cannot end on the same value. Old entries
are never read again and expire after DASHBOARD_CACHE_SECONDS.

This holds across processes only with a cache they share: the embedded default is a file
cache under var/ (web, worker and beat see the same files), production names Redis.
"""

import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from tracker import cache_versions

PREFIX = "dashboard"
EVERYTHING = "all"
PLANS = "plans"


def _version_key(scope: str) -> str:
    return f"{PREFIX}:version:{scope}"


def versions(scopes: list[str]) -> str:
    """One digest of the current versions of `scopes`, making any that are missing."""
    keys = [_version_key(scope) for scope in scopes]
    found = cache_versions.current_many(keys)
    joined = ",".join(f"{key}={found[key]}" for key in keys)
    return hashlib.sha256(joined.encode()).hexdigest()[:32]


def forget(*scopes: str) -> None:
    """Replace the versions of `scopes` (and of `all`): what was kept under them is gone."""
    cache_versions.replace(*(_version_key(scope) for scope in {EVERYTHING, *scopes}))


def forget_everything() -> None:
    """After a bulk load that passed no save (`generate_load`): forget every scope at once."""
    cache_versions.replace(_version_key("epoch"))


def scopes_of_reader(user) -> list[str]:
    """The versions that what `user` may see depends on: the same rule as their reading."""
    from actionlines.access import managed_team_ids, member_team_ids
    from commitments.access import reads_everything
    from tracker.actors import is_system_actor

    if reads_everything(user) or is_system_actor(user):
        return [EVERYTHING]
    teams = sorted(member_team_ids(user) | managed_team_ids(user))
    return [f"team:{team}" for team in teams] + [f"owner:{user.pk}"]


def figures_key(*, user, today) -> str:
    """The key of the figures `user` sees today, in the language of the request."""
    digest = versions(["epoch", *scopes_of_reader(user)])
    return f"{user.pk}:{today.isoformat()}:{get_language()}:{digest}"


def plans_key() -> str:
    return f"{get_language()}:{versions(['epoch', PLANS])}"


def seconds() -> int:
    return settings.DASHBOARD_CACHE_SECONDS


# --- what a change makes the dashboard forget --------------------------------------------------


def _team_and_owner(team_id, owner_id) -> list[str]:
    scopes = []
    if team_id is not None:
        scopes.append(f"team:{team_id}")
    if owner_id is not None:
        scopes.append(f"owner:{owner_id}")
    return scopes


def _commitment_scopes(commitment) -> list[str]:
    from commitments.models import FollowUpLetter

    loaded = getattr(commitment, "_loaded_team_and_owner", (None, None))
    scopes = _team_and_owner(commitment.team_id, commitment.owner_id)
    scopes += _team_and_owner(*loaded)
    if commitment.pk is not None:
        # A letter's count of open commitments changes with the status of any of them.
        for team_id, drafter_id in FollowUpLetter.objects.filter(
            commitments=commitment.pk
        ).values_list("team_id", "drafter_id"):
            scopes += _team_and_owner(team_id, drafter_id)
    return scopes


def _scopes_of(instance) -> list[str]:
    from actionlines.models import ActionLine, Activity, Plan
    from commitments.models import Commitment, DeadlineChange, FollowUpLetter

    if isinstance(instance, Commitment):
        return _commitment_scopes(instance)
    if isinstance(instance, DeadlineChange):
        team_id = (
            Commitment.objects.filter(pk=instance.commitment_id)
            .values_list("team_id", flat=True)
            .first()
        )
        return _team_and_owner(team_id, None)
    if isinstance(instance, FollowUpLetter):
        return _team_and_owner(instance.team_id, instance.drafter_id)
    if isinstance(instance, (Plan, ActionLine, Activity)):
        return [PLANS]
    return []


def _renamed(sender, instance, **kwargs) -> None:
    forget_everything()
    transaction.on_commit(forget_everything)


def _activities_of_commitment_changed(sender, action, **kwargs) -> None:
    # Which activities a commitment serves moves it between action lines.
    if action.startswith("post_"):
        forget(PLANS)
        transaction.on_commit(lambda: forget(PLANS))


def _changed(sender, instance, **kwargs) -> None:
    scopes = _scopes_of(instance)
    forget(*scopes)
    transaction.on_commit(lambda: forget(*scopes))


def _letter_commitments_changed(sender, instance, action, model, pk_set, **kwargs) -> None:
    from commitments.models import FollowUpLetter

    if not action.startswith("post_"):
        return
    scopes = _scopes_of(instance)
    if model is FollowUpLetter and pk_set:
        # Changed from the commitment's side: the letters it left count one open fewer.
        for team_id, drafter_id in FollowUpLetter.objects.filter(pk__in=pk_set).values_list(
            "team_id", "drafter_id"
        ):
            scopes += _team_and_owner(team_id, drafter_id)
    forget(*scopes)
    transaction.on_commit(lambda: forget(*scopes))


def connect_signals() -> None:
    from actionlines.models import ActionLine, Activity, Plan, Team
    from commitments.models import Bewindspersoon, Commitment, DeadlineChange, FollowUpLetter

    for model in (Commitment, DeadlineChange, FollowUpLetter, Plan, ActionLine, Activity):
        uid = f"dashboard-cache-{model._meta.label}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        _letter_commitments_changed,
        sender=FollowUpLetter.commitments.through,
        dispatch_uid="dashboard-cache-letter-commitments",
    )
    m2m_changed.connect(
        _activities_of_commitment_changed,
        sender=Commitment.activities.through,
        dispatch_uid="dashboard-cache-commitment-activities",
    )
    for model in (Team, Bewindspersoon):
        uid = f"dashboard-cache-names-{model._meta.label}"
        post_save.connect(_renamed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_renamed, sender=model, dispatch_uid=f"{uid}-delete")
