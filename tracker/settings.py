"""Settings of the commitment tracker, read from the environment.

Every variable is listed in `.env.example`. Without any of them the tracker runs on embedded
components: SQLite in `var/`, Celery over kombu's filesystem transport in `var/broker/`, and
e-mail written as files to `var/mail/`. Production sets `DATABASE_URL`, `CELERY_BROKER_URL`,
`EMAIL_HOST` and friends, and must set `SECRET_KEY`: without it, and without `DEBUG=1`, the
tracker refuses to start.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("TRACKER_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    # A local key, made once and kept, so sessions survive a restart of `make run`.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        from django.core.management.utils import get_random_secret_key

        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(get_random_secret_key())
    SECRET_KEY = _key_file.read_text().strip()
# Without DEBUG and without a key, the web server refuses to start (tracker/wsgi.py) and
# `check --deploy` reports it; commands that sign nothing (makemigrations) still run.

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base of the links in e-mails, which are read outside any request.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_filters",
    "simple_history",
    # Counts failed logins and locks accounts and addresses out (tracker/throttling.py).
    "axes",
    # The Content-Security-Policy header.
    "csp",
    "tracker",
    "actionlines",
    "commitments",
    "parliament",
    # The open interfaces: the REST API, calendar feeds and the public register.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "feeds",
    "public_register",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tracker.input_guard.InputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tracker.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it turns any locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
# The admin shows each record's history but does not revert to it (tracker/admin.py): a revert
# would write an old state back past the services' rules.
SIMPLE_HISTORY_REVERT_DISABLED = True
FORM_RENDERER = "tracker.forms.TrackerFormRenderer"
WSGI_APPLICATION = "tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tracker.context_processors.navigation",
                "parliament.context_processors.review_count",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait for a lock instead of failing.
    # A transaction takes the write lock when it begins: two that read first and write later
    # would otherwise deadlock, and SQLite would refuse one of them at random.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # No parallel workers for the tracker's queries unless asked: starting two costs 20 to
    # 30 ms on a small server, while a page's queries read a few thousand index entries at
    # most (the list by action line and status at 1,000,000 commitments: 36 ms with two
    # workers, 5 ms without), and under load the workers take the cores the other requests
    # need. DATABASE_PARALLEL_WORKERS sets PostgreSQL's max_parallel_workers_per_gather.
    # The cost of reading a page out of order, against 1 for reading in order: PostgreSQL's
    # default (4) is a spinning disk's. The tracker's tables and indexes are read from memory
    # (100,000 commitments: 51 MB of table, 29 MB of search index), where the two differ little,
    # and with 4 the planner reads the whole table for a search that finds a tenth of it (a
    # year of references) rather than its trigram index. The 10,301 reads of a load test
    # (bench.load, 100,000 commitments), run again one by one under both settings in turn, took
    # 4 % less time with 1.1. DATABASE_RANDOM_PAGE_COST sets it.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        filter(
            None,
            [
                _options.get("options", ""),
                "-c max_parallel_workers_per_gather="
                + str(env.int("DATABASE_PARALLEL_WORKERS", default=0)),
                "-c random_page_cost=" + str(env.float("DATABASE_RANDOM_PAGE_COST", default=1.1)),
            ],
        )
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) serve PostgreSQL; SQLite builds them without the extra columns.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# A cache that every process shares (web, worker, beat): the dashboard's figures and the
# sessions are kept in it, and a change in one process must reach the others at once. Files
# under var/ by default, so that nothing needs a server; production names Redis (CACHE_URL).
CACHES = {
    "default": env.cache_url("CACHE_URL")
    if env.str("CACHE_URL", default="")
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache",
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
}
# Sessions are read from the cache and written to both: one query less on every page, and a
# session still survives a flushed cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long the dashboard keeps its figures at most; any change of what they count replaces
# them at once (commitments/dashboard_cache.py), so this only bounds the cache's size.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=600)
# The same for the list's count of what a filter finds; any write replaces it at once
# (tracker/data_version.py).
LIST_COUNT_CACHE_SECONDS = env.int("LIST_COUNT_CACHE_SECONDS", default=600)
# A commitment's rendered timeline is kept until the commitment changes; the names of people
# and documents in it may be this old.
TIMELINE_CACHE_SECONDS = env.int("TIMELINE_CACHE_SECONDS", default=600)
# How long the list's filter boxes (teams, owners, activities…) may show a stale set of options.
FILTER_CHOICES_CACHE_SECONDS = env.int("FILTER_CHOICES_CACHE_SECONDS", default=60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "commitments:my_work"
LOGOUT_REDIRECT_URL = "login"

# Dutch first: the ministry works in Dutch; English for colleagues who prefer it.
LANGUAGE_CODE = "nl"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- e-mail -----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="toezeggingen@tracker.invalid")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env.str("EMAIL_HOST", default="")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
    EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Celery -----------------------------------------------------------------------------------
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's filesystem transport: a broker that needs no server, for local use only.
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # The filesystem transport has no fan-out exchange for remote control commands.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
# Tasks take ids and dates, never objects: JSON only, so no message is ever unpickled (this is
# also why a worker run as root in a container is safe, see the Makefile's `run`).
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged after it ran, so a worker that dies mid-task leaves it on the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- production hardening ---------------------------------------------------------------------
# Set when the tracker runs behind our reverse proxy (docker-compose.yml, deploy/nginx.conf),
# which overwrites X-Forwarded-Proto and X-Forwarded-For. Only then are those headers trusted:
# without a proxy any client could send them, skip the HTTPS redirect and pick its address.
BEHIND_PROXY = env.bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# HSTS for a year unless DEBUG; it covers the tracker's own host and the hosts below it.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
# Preloading is a promise to the browsers' lists about the whole domain: only when asked.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp). The pages need no script and no inline style; the
# admin loads its scripts and styles from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# --- the REST API (api/) ----------------------------------------------------------------------
# Sessions for the browser (with Django's CSRF check), personal tokens for scripts. Every answer
# is JSON; errors carry a message per field (api/exceptions.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.GuardedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per token (or person, or address when anonymous) in a window.
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="1200/minute")
# How long a new API token is valid, and the longest a user may ask for.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# Seconds the public register's pages (public_register/) are kept rendered; any save of what
# they show makes them new at once (in every process with a shared cache). Short, because the
# pages show "overdue", which changes with the date and not with a save.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=60)
# Days a calendar feed's secret address works (feeds/): a forwarded or logged address stops
# working by itself; a year, so that a subscription does not break every few months.
FEEDS_TOKEN_LIFETIME_DAYS = env.int("FEEDS_TOKEN_LIFETIME_DAYS", default=365)
SPECTACULAR_SETTINGS = {
    "TITLE": "Toezeggingentracker API",
    "DESCRIPTION": (
        "De toezeggingen van het ministerie aan de Kamer, hun voortgang, termijnen en "
        "vervolgbrieven. Elke schrijfactie op een record noemt de versie in If-Match. / "
        "The ministry's commitments to parliament, their progress, deadlines and follow-up "
        "letters. Every write to a record names its version in If-Match."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CommitmentStatusEnum": "commitments.models.CommitmentStatus",
        "ActivityStatusEnum": "actionlines.models.Activity.Status",
        "LetterStatusEnum": "commitments.models.FollowUpLetter.Status",
        "DeadlineChangeStateEnum": "commitments.models.DeadlineChange.State",
        "NotificationStateEnum": "commitments.models.Notification.State",
        "ChamberEnum": "commitments.models.Chamber",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
        "api.schema.describe_parameters",
    ],
}

# --- login and password-reset throttling (tracker/throttling.py) ------------------------------
# Failed logins are counted per account and per address (many people may share an office
# address, so it gets a higher limit). Reaching a limit locks that account or address out for
# LOGIN_LOCKOUT_MINUTES after its last failure; every attempt meanwhile starts the wait again.
# There is no growing delay before the lockout: a sleeping worker would let a handful of
# parallel requests occupy the web server.
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=20)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)
if min(LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ADDRESS, LOGIN_LOCKOUT_MINUTES) < 1:
    raise ImproperlyConfigured("The login limits and the lockout minutes must be 1 or more.")
# Whom a locked-out user may ask to unlock, shown on the lockout page (e.g. a service desk).
SUPPORT_CONTACT = env.str("SUPPORT_CONTACT", default="")
AXES_HANDLER = "tracker.throttling.LoginAttemptHandler"
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_USERNAME_CALLABLE = "tracker.throttling.attempted_username"
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_ACCOUNT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tracker.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "tracker.throttling.client_ip"
# The log names the account and the address of each failure and lockout (never the password).
AXES_SENSITIVE_PARAMETERS = []
# Password-reset requests per e-mail address and per address, in windows of this many minutes.
PASSWORD_RESET_PER_EMAIL = env.int("PASSWORD_RESET_PER_EMAIL", default=3)
PASSWORD_RESET_PER_ADDRESS = env.int("PASSWORD_RESET_PER_ADDRESS", default=10)
PASSWORD_RESET_WINDOW_MINUTES = env.int("PASSWORD_RESET_WINDOW_MINUTES", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failed logins and lockouts are warnings; axes' routine bookkeeping is not logged.
        "axes": {"level": "WARNING"},
        "tracker.security": {"level": "INFO"},
    },
}

# --- reminders --------------------------------------------------------------------------------
# The daily reminder scan (commitments/reminders/): when it runs, Europe/Amsterdam time, and
# what it sends. Due dates stay in the database; beat only starts the scan.
REMINDER_SCAN_TIME = env.str("REMINDER_SCAN_TIME", default="07:00")
try:
    _scan_time = datetime.datetime.strptime(REMINDER_SCAN_TIME, "%H:%M").time()
except ValueError as _error:
    raise ImproperlyConfigured(
        f"REMINDER_SCAN_TIME must be a time as HH:MM, not {REMINDER_SCAN_TIME!r}."
    ) from _error
REMINDER_SCAN_TIME = _scan_time.strftime("%H:%M")
# Days before the due date an owner is reminded; the due date itself always counts.
REMINDER_LEAD_DAYS = env.list("REMINDER_LEAD_DAYS", cast=int, default=[28, 14, 7, 1])
LETTER_REMINDER_LEAD_DAYS = env.list("LETTER_REMINDER_LEAD_DAYS", cast=int, default=[14, 7, 1])
if any(days < 0 for days in REMINDER_LEAD_DAYS + LETTER_REMINDER_LEAD_DAYS):
    raise ImproperlyConfigured("Reminder lead days count days before a date: use 0 or more.")
# Weekday of the managers' overdue digest, 0 = Monday.
DIGEST_WEEKDAY = env.int("DIGEST_WEEKDAY", default=0)
if not 0 <= DIGEST_WEEKDAY <= 6:
    raise ImproperlyConfigured("DIGEST_WEEKDAY is a weekday from 0 (Monday) to 6 (Sunday).")
# Days overdue after which a commitment also goes to the managers of the parent team.
ESCALATION_DAYS = env.int("ESCALATION_DAYS", default=30)
# How many of each team's overdue commitments the digest lists, oldest first; it counts all of
# them and links to the full list. A manager reads a page, not a register of thousands.
DIGEST_LISTED_PER_TEAM = env.int("DIGEST_LISTED_PER_TEAM", default=10)
if DIGEST_LISTED_PER_TEAM < 1:
    raise ImproperlyConfigured("DIGEST_LISTED_PER_TEAM is 1 or more.")

# --- the Kamer's register of commitments (parliament/sync.py) ----------------------------------
# The OData service root of the Tweede Kamer's open data, and the ministries whose records the
# tracker holds, as the register writes them in `Ministerie` (comma-separated in the environment).
KAMER_REGISTER_URL = env.str(
    "KAMER_REGISTER_URL", default="https://gegevensmagazijn.tweedekamer.nl/OData/v4/2.0"
)
KAMER_REGISTER_MINISTRY = env.list("KAMER_REGISTER_MINISTRY", default=["Justitie en Veiligheid"])
# Seconds to wait for one page; tries after a 503, a timeout or a dropped connection, and the
# first pause between them (doubled each time).
KAMER_REGISTER_TIMEOUT = env.float("KAMER_REGISTER_TIMEOUT", default=30.0)
KAMER_REGISTER_RETRIES = env.int("KAMER_REGISTER_RETRIES", default=5)
KAMER_REGISTER_BACKOFF = env.float("KAMER_REGISTER_BACKOFF", default=2.0)
# The register holds the commitments of public debates since it began; a commitment of ours
# made in a debate since then that still has no register number after the grace days is a
# difference to look into.
KAMER_REGISTER_START = datetime.date.fromisoformat(
    env.str("KAMER_REGISTER_START", default="2021-01-01")
)
KAMER_REGISTER_GRACE_DAYS = env.int("KAMER_REGISTER_GRACE_DAYS", default=30)
# A new commitment from the register goes to its bewindspersoon's default team, else to its
# committee's; failing both, to the team named here, else to the "without a team" queue of
# policy staff.
KAMER_REGISTER_DEFAULT_TEAM = env.str("KAMER_REGISTER_DEFAULT_TEAM", default="")
# Nightly, Europe/Amsterdam time; empty switches the nightly sync off.
KAMER_REGISTER_SYNC_TIME = env.str("KAMER_REGISTER_SYNC_TIME", default="02:30")

CELERY_BEAT_SCHEDULE = {
    "reminders-daily-scan": {
        "task": "commitments.tasks.scan_due_reminders",
        # CELERY_TIMEZONE makes this Europe/Amsterdam time, summer and winter.
        "schedule": crontab(hour=_scan_time.hour, minute=_scan_time.minute),
    },
}
# The daily summary of events (deadline-change requests and decisions, new owners) for those
# who chose one instead of an e-mail per event; Europe/Amsterdam time.
EVENT_SUMMARY_TIME = env.str("EVENT_SUMMARY_TIME", default="16:30")
try:
    _summary_time = datetime.datetime.strptime(EVENT_SUMMARY_TIME, "%H:%M").time()
except ValueError as _error:
    raise ImproperlyConfigured(
        f"EVENT_SUMMARY_TIME must be a time as HH:MM, not {EVENT_SUMMARY_TIME!r}."
    ) from _error
CELERY_BEAT_SCHEDULE["events-daily-summary"] = {
    "task": "commitments.tasks.send_event_summaries",
    "schedule": crontab(hour=_summary_time.hour, minute=_summary_time.minute),
}
if KAMER_REGISTER_SYNC_TIME:
    try:
        _sync_time = datetime.datetime.strptime(KAMER_REGISTER_SYNC_TIME, "%H:%M").time()
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"KAMER_REGISTER_SYNC_TIME must be a time as HH:MM, not {KAMER_REGISTER_SYNC_TIME!r}."
        ) from _error
    CELERY_BEAT_SCHEDULE["kamer-register-nightly-sync"] = {
        "task": "parliament.tasks.sync_kamer_register",
        "schedule": crontab(hour=_sync_time.hour, minute=_sync_time.minute),
    }
