"""Reads of calendar feeds: which feed an address names, what it holds, the profile section.

A feed holds what its user may read and nothing more, in a fixed number of queries whatever
the number of events: the user's own feed is the set "My work" shows (the same selector),
a team feed the same for one team; managers also get the open deadline-change requests they
decide on (the same selector as their decision page).
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, prefetch_related_objects
from django.utils import timezone

from actionlines.models import Team
from commitments.models import OPEN_STATUSES, Commitment, DeadlineChange, FollowUpLetter
from commitments.selectors import (
    commitments_visible_to,
    deadline_changes_to_decide,
    letters_visible_to,
    my_work,
)
from feeds.access import followed_team_ids
from feeds.models import CalendarFeed
from feeds.services import feed_lifetime, hash_token
from tracker.access import allowed

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet. Anything else is
# answered like an unknown token, before any hashing or query.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
# "My work" shows 200 of each; a calendar shows them all, up to a bound that keeps one fetch
# from reading a whole ministry's history.
FEED_EVENT_LIMIT = 2000


@dataclass
class FeedContent:
    """What one fetch of a feed shows, with what its events need to say when they changed.

    Each commitment carries `feed_sequence` (its approved deadline changes) and
    `feed_moved_at` (when its date last moved, or None); each letter `feed_modified_at` (its
    last saved change, or None) and `feed_commitments` (those the user may read).
    """

    feed: CalendarFeed
    commitments: list[Commitment]
    letters: list[FollowUpLetter]
    requests: list[DeadlineChange]


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed whose address holds `token`, if it may be used now; None answers 404.

    Served by the unique index on `token_hash`. The rule is asked with the feed's own user on
    every fetch, so leaving the team, being made inactive, revocation and expiry all count.
    """
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        return None
    feed = (
        CalendarFeed.objects.select_related("user__profile", "team")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if feed is None or not allowed(feed.user, "feeds.use_calendarfeed", feed):
        return None
    return feed


def feed_content(*, feed: CalendarFeed, today: datetime.date | None = None) -> FeedContent:
    """The events of a feed, as its user may read them now."""
    user = feed.user
    today = today or timezone.localdate()
    if feed.team_id is None:
        work = my_work(user=user, today=today, limit=FEED_EVENT_LIMIT)
        commitments, letters = work["commitments"], work["letters"]
        requests = deadline_changes_to_decide(user=user)
    else:
        commitments = (
            commitments_visible_to(user)
            .filter(team_id=feed.team_id, status__in=OPEN_STATUSES)
            .select_related("made_by", "team", "owner")
            .order_by("due_date", "reference")[:FEED_EVENT_LIMIT]
        )
        letters = (
            letters_visible_to(user)
            .filter(team_id=feed.team_id)
            .exclude(status__in=FollowUpLetter.CLOSED_STATUSES)
            .order_by("planned_date", "title")[:FEED_EVENT_LIMIT]
        )
        requests = deadline_changes_to_decide(user=user).filter(commitment__team_id=feed.team_id)
    # Each record is asked again, as every page asks: a selector that one day reads more than
    # the rule allows must not put it into somebody's calendar.
    commitments = [
        commitment
        for commitment in commitments
        if commitment.due_date is not None
        and allowed(user, "commitments.view_commitment", commitment)
    ]
    letters = [
        letter for letter in letters if allowed(user, "commitments.view_followupletter", letter)
    ]
    requests = [
        change
        for change in requests[:FEED_EVENT_LIMIT]
        if allowed(user, "commitments.change_deadlinechange", change)
    ]
    _annotate_date_moves(commitments)
    _annotate_letters(letters, user=user)
    return FeedContent(feed=feed, commitments=commitments, letters=letters, requests=requests)


def _annotate_date_moves(commitments: list[Commitment]) -> None:
    """How often and when each commitment's date moved: one query for all of them."""
    moves = {
        row["commitment_id"]: row
        for row in DeadlineChange.objects.filter(
            commitment_id__in=[commitment.pk for commitment in commitments],
            state=DeadlineChange.State.APPROVED,
        )
        .order_by()
        .values("commitment_id")
        .annotate(count=Count("id"), last=Max("decided_at"))
    }
    for commitment in commitments:
        row = moves.get(commitment.pk)
        commitment.feed_sequence = row["count"] if row else 0
        commitment.feed_moved_at = row["last"] if row else None


def _annotate_letters(letters: list[FollowUpLetter], *, user) -> None:
    """When each letter last changed (its audit history) and the commitments it answers, as
    far as the user may read them: two queries for all the letters."""
    if not letters:
        return
    modified = dict(
        FollowUpLetter.history.filter(id__in=[letter.pk for letter in letters])
        .order_by()
        .values("id")
        .annotate(last=Max("history_date"))
        .values_list("id", "last")
    )
    prefetch_related_objects(
        letters,
        Prefetch(
            "commitments",
            queryset=commitments_visible_to(user).only("pk", "reference").order_by("reference"),
            to_attr="feed_commitments",
        ),
    )
    for letter in letters:
        letter.feed_modified_at = modified.get(letter.pk)


# --- the profile page's section ---------------------------------------------------------------


def feeds_of(user):
    """A user's feeds that still have an address (not revoked), their own first."""
    return (
        CalendarFeed.objects.filter(user_id=user.pk, revoked_at__isnull=True)
        .select_related("team")
        .order_by("team__name", "pk")
    )


def profile_context(user) -> dict:
    """The context of `feeds/_profile_section.html`: the user's feeds and what they may add.

    The one-time address of a feed just made is not in here: the fragment takes it from the
    session itself (`{% feeds_new_address %}`), so the page including it needs no request.
    """
    if not user.is_authenticated:
        return {"calendar_feeds": {"personal": None, "team_feeds": [], "team_choices": []}}
    feeds = list(feeds_of(user))
    for feed in feeds:
        feed.usable = allowed(user, "feeds.use_calendarfeed", feed)
        feed.may_regenerate = allowed(user, "feeds.regenerate_calendarfeed", feed)
    team_feeds = [feed for feed in feeds if feed.team_id is not None]
    taken = {feed.team_id for feed in team_feeds}
    return {
        "calendar_feeds": {
            "personal": next((feed for feed in feeds if feed.team_id is None), None),
            "team_feeds": team_feeds,
            "team_choices": list(
                Team.objects.filter(pk__in=followed_team_ids(user) - taken).order_by("name")
            ),
            "lifetime_days": feed_lifetime().days,
        }
    }
