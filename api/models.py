"""Personal API tokens: how scripts and systems act for a user, with that user's rights."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tracker.audit import AuditedManager


class ApiToken(models.Model):
    """A secret a script sends as `Authorization: Token <key>`; only its hash is stored.

    The key is shown once, when it is made. It carries the rights of its user, never more, so a
    token of a user who leaves a team loses that team's work with them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_('What it is for, e.g. "planning export".')
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, so the user can tell tokens apart without the secret.
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = AuditedManager()
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
