"""Settings for the test suite: the tracker's own settings with a throwaway secret.

Everything else (the database from DATABASE_URL, SQLite otherwise) comes from
`tracker.settings`, so the tests run against what production runs.
"""

import os
import tempfile

TEST_ENVIRONMENT = {
    "SECRET_KEY": "tests-only-not-secret",
    # The test client and the browser tests speak plain HTTP to the test server.
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    # Uploaded evidence of a test run stays out of the developer's var/.
    "MEDIA_ROOT": tempfile.mkdtemp(prefix="tracker-media-"),
}
for _name, _value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

from tracker.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# WhiteNoise warns when the collected static folder is missing; tests serve from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# One process: a memory cache, so that nothing a test run keeps outlives it on disk.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tests create teams and activities and look at the list at once.
FILTER_CHOICES_CACHE_SECONDS = 0
