"""What a benchmark process sets up before Django starts."""

import secrets

# The cache production uses (docker-compose: Redis), in a database of its own that each run
# empties first: counts and pages kept by an earlier run on other data must not be read.
BENCH_CACHE_URL = "redis://127.0.0.1:6379/7"


def use_production_cache(environ) -> str:
    """Point CACHE_URL at Redis, as production does, when it answers and none is set.

    Call before django.setup(). Returns what the run uses, for the report. Without Redis the
    default file cache stays; that is shared by the server's workers too, only slower.
    """
    if environ.get("CACHE_URL"):
        return environ["CACHE_URL"]
    try:
        import redis

        client = redis.Redis.from_url(BENCH_CACHE_URL, socket_connect_timeout=1)
        client.flushdb()
    except Exception:  # no Redis here: the file cache under var/ serves
        return "file cache (var/cache)"
    environ["CACHE_URL"] = BENCH_CACHE_URL
    return BENCH_CACHE_URL


def use_production_settings(environ) -> str:
    """Production settings (DEBUG off), a secret made for this run only (it signs the
    benchmark's sessions, in this process and in gunicorn) and the production cache
    (`use_production_cache`, whose answer this returns). Call before django.setup()."""
    environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    environ.setdefault("DEBUG", "0")
    environ.setdefault("SECRET_KEY", "bench-" + secrets.token_urlsafe(40))
    environ.setdefault("SECURE_SSL_REDIRECT", "0")
    return use_production_cache(environ)
