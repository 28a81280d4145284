"""Making, regenerating and revoking calendar feeds; each write recorded with its actor."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from actionlines.models import Team
from commitments.emails import absolute_url
from feeds.models import CalendarFeed
from tracker.access import require
from tracker.audit import record_save

TOKEN_BYTES = 32
# The last fetch is noted at most this often: calendar clients poll, and a write per poll of
# every subscribed user would be most of the database's writes.
TOUCH_INTERVAL = datetime.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.FEEDS_TOKEN_LIFETIME_DAYS)


def feed_url(token: str) -> str:
    """The address a calendar client subscribes to; only ever built from a fresh token."""
    return absolute_url(reverse("feeds:ics", args=[token]))


def _new_feed(*, actor, team: Team | None, reason: str) -> tuple[CalendarFeed, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed(
        user=actor,
        team=team,
        token_hash=hash_token(token),
        expires_at=timezone.now() + feed_lifetime(),
    )
    try:
        with transaction.atomic():
            record_save(actor=actor, record=feed, reason=reason, validate=False)
    except IntegrityError as error:
        # The partial unique indexes refuse a second live feed, also when two submits race.
        raise ValidationError(
            _("You have this calendar feed already. Regenerate it to get a new address.")
        ) from error
    return feed, token


@transaction.atomic
def feed_create(*, actor, team: Team | None = None) -> tuple[CalendarFeed, str]:
    """A new feed of `actor`'s own work, or of `team`; returns it with its token.

    The token is in no table and no log: the caller shows its URL once.
    """
    return _new_feed(actor=actor, team=team, reason="created")


@transaction.atomic
def feed_revoke(*, actor, feed: CalendarFeed, reason: str = "revoked") -> CalendarFeed:
    """End a feed's address for good. Revoking a revoked feed changes nothing."""
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        record_save(actor=actor, record=feed, reason=reason, validate=False)
    return feed


@transaction.atomic
def feed_regenerate(*, actor, feed: CalendarFeed) -> tuple[CalendarFeed, str]:
    """Replace a feed's address: the old one answers 404 from now on, the new one works.

    A new row rather than a new hash on the old one, so each address keeps its own created
    and last-used times; the user must still be allowed the feed (a member of its team).
    """
    require(actor, "feeds.regenerate_calendarfeed", feed)
    feed_revoke(actor=actor, feed=feed, reason="regenerated")
    return _new_feed(actor=actor, team=feed.team, reason="regenerated")


def feed_touch(*, feed: CalendarFeed, now: datetime.datetime | None = None) -> None:
    """Note that the feed was fetched, at most once per TOUCH_INTERVAL."""
    now = now or timezone.now()
    if feed.last_used_at is not None and now - feed.last_used_at < TOUCH_INTERVAL:
        return
    # Conditional, so that two fetches in the same minute write once between them.
    CalendarFeed.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_INTERVAL), pk=feed.pk
    ).touch(now=now)
    feed.last_used_at = now
