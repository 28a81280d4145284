"""Start-up checks of the tracker's own configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

MISSING_SECRET_KEY = (
    "SECRET_KEY is not set. Set SECRET_KEY in the environment for production, "
    "or DEBUG=1 for local development (`make run` does this)."
)


def _secret_key_missing() -> bool:
    try:
        # Django itself refuses to hand out an empty key.
        return not settings.SECRET_KEY
    except ImproperlyConfigured:
        return True


def require_secret_key() -> None:
    """Refuse to serve without a secret key: sessions and password resets depend on it."""
    if _secret_key_missing():
        raise ImproperlyConfigured(MISSING_SECRET_KEY)


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    return [Error(MISSING_SECRET_KEY, id="tracker.E001")] if _secret_key_missing() else []
