"""Making and revoking API tokens; every write recorded with its actor like any other."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken
from tracker.access import require
from tracker.audit import record_save

KEY_BYTES = 32


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its key, which is never stored or shown again."""
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {
                "days": _("A token is valid for 1 to %(max)s days.")
                % {"max": settings.API_TOKEN_MAX_DAYS}
            }
        )
    if not name.strip():
        raise ValidationError({"name": _("Say what the token is for.")})
    key = secrets.token_urlsafe(KEY_BYTES)
    token = ApiToken(
        user=user,
        name=name.strip()[:100],
        key_hash=hash_key(key),
        prefix=key[:8],
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    require(actor, "api.add_apitoken", token)
    record_save(actor=actor, record=token)
    return token, key


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        record_save(actor=actor, record=token, reason="revoked")
    return token


def token_touch(token: ApiToken) -> None:
    """Note when the token was last used: at most once a minute, not a write per request."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        # Bookkeeping of the token itself, not a change anyone makes: no history row.
        ApiToken.objects.filter(pk=token.pk).unaudited_update(last_used_at=now)
        token.last_used_at = now
