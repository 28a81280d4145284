"""Who may make, use, see and revoke calendar feeds.

- everyone logged in makes a feed of their own work, and one per team they are a member or
  manager of (a director also of the teams below); never a feed of somebody else, which would
  hand out that person's rights;
- a feed is usable while it is neither revoked nor expired, its user is active and, for a
  team feed, still a member or manager of the team: asked again on every fetch;
- the owner revokes and regenerates their own feeds; policy staff and admins see and revoke
  anyone's (in the admin), and delete them.
"""

import rules
from django.utils import timezone

from actionlines.access import is_admin, managed_team_ids, member_team_ids
from commitments.access import reads_everything


def followed_team_ids(user) -> frozenset[int]:
    """The teams whose feed a user may have: those they work in or manage (and below)."""
    if not user.is_authenticated:
        return frozenset()
    return member_team_ids(user) | managed_team_ids(user)


@rules.predicate
def owns_feed(user, feed) -> bool:
    return user.is_authenticated and feed is not None and feed.user_id == user.pk


@rules.predicate
def may_follow_feed_team(user, feed) -> bool:
    return feed is not None and (feed.team_id is None or feed.team_id in followed_team_ids(user))


@rules.predicate
def is_active_user(user) -> bool:
    return user.is_authenticated and user.is_active


@rules.predicate
def feed_is_live(user, feed) -> bool:
    return feed is not None and feed.revoked_at is None and feed.expires_at > timezone.now()


@rules.predicate
def oversees_feeds(user) -> bool:
    return reads_everything(user)


rules.add_perm("feeds.add_calendarfeed", owns_feed & is_active_user & may_follow_feed_team)
# Asked with the feed's own user on every fetch of its address.
rules.add_perm(
    "feeds.use_calendarfeed", owns_feed & is_active_user & feed_is_live & may_follow_feed_team
)
# Only the owner: a new address made by somebody else would carry the owner's rights.
rules.add_perm("feeds.regenerate_calendarfeed", owns_feed & is_active_user & may_follow_feed_team)
rules.add_perm("feeds.view_calendarfeed", owns_feed | oversees_feeds | is_admin)
# Changing a feed is revoking it: its address and owner never change.
rules.add_perm("feeds.change_calendarfeed", owns_feed | oversees_feeds | is_admin)
rules.add_perm("feeds.delete_calendarfeed", oversees_feeds | is_admin)
# The admin's list of everyone's feeds.
rules.add_perm("feeds.oversee_calendarfeeds", oversees_feeds | is_admin)
