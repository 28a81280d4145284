"""Calendar feeds: a user's deadlines as an iCalendar (RFC 5545) feed at a secret address.

Outlook, Google Calendar and Apple Calendar subscribe to a calendar by URL and fetch it
without logging in, so the address itself is the credential: it holds a random token of
which only the SHA-256 hash is stored. A feed shows what its user may read, asked again on
every fetch: one who leaves the team, is made inactive, or whose feed is revoked or expired
gets a 404 from then on.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actionlines.models import Team
from tracker.audit import AuditedQuerySet


class CalendarFeedQuerySet(AuditedQuerySet):
    def touch(self, *, now) -> int:
        """Note the last fetch: bookkeeping of the feed itself, not a change anybody makes, so
        it passes the audit history (a row per fetch would bury the creations and revocations).
        """
        return models.QuerySet.update(self, last_used_at=now)


class CalendarFeed(models.Model):
    """One user's calendar feed: their own work (`team` empty) or one team's, as they see it.

    Revoking keeps the row, marked `revoked_at`, so the admin and the history show which
    addresses existed, whose they were and who ended them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("team"),
        help_text=_("Empty for the user's own feed."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = models.Manager.from_queryset(CalendarFeedQuerySet)()
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["user", "team__name", "-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            # One live address per feed: a second would be a forgotten copy nobody revokes.
            # Two constraints, because NULLs never collide in a unique index.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(team__isnull=True, revoked_at__isnull=True),
                name="calendarfeed_one_live_personal",
            ),
            models.UniqueConstraint(
                fields=["user", "team"],
                condition=Q(team__isnull=False, revoked_at__isnull=True),
                name="calendarfeed_one_live_per_team",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.team or _('own work')}"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
