"""Brigade Ops settings: one module, driven by the environment.

Defaults give a working developer setup (SQLite, eager Celery); production sets
DEBUG=0, SECRET_KEY, DATABASE_URL and REDIS_URL (see docker-compose.yml).
"""

import ipaddress
import os
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    # Outside debug a missing key must stop the process, not fall back to a known value.
    SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "axes",
    "csp",
    # The brigade first: its units and officers exist before the other apps' demo data.
    "brigade.apps.BrigadeConfig",
    "hazards.apps.HazardsConfig",
    "incidents.apps.IncidentsConfig",
    "petitions.apps.PetitionsConfig",
    "outreach.apps.OutreachConfig",
]

MIDDLEWARE = [
    # First: a body over the limit is refused from its Content-Length before it is read.
    "brigade.core.guard.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Early, so that every answer gets the policy: pages, the API, lockouts and replays.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After the session, the user and the CSRF check: a repeated write gets its first answer.
    "brigade.core.idempotency.IdempotencyMiddleware",
    # After the idempotency key's early read of the body: NUL characters in any parameter,
    # form field or JSON string are a 400 naming it.
    "brigade.core.guard.NulCharacterMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "brigade.urls"
WSGI_APPLICATION = "brigade.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "brigade.core.context_processors.roles",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside a writer; IMMEDIATE makes a writer take the lock at BEGIN,
    # so concurrent writers wait (up to the timeout) instead of failing "database is locked".
    _db.setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file, not memory, so they see the same locking as the app (threads, the
    # live server); one per process, so parallel test runs never share it.
    _db.setdefault("TEST", {}).setdefault(
        "NAME", str(Path(tempfile.gettempdir()) / f"brigade-test-{os.getpid()}.sqlite3")
    )
else:
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: every request renews the session, an idle one expires.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Lockout after repeated failures, per username and client address; an admin unlocks
# (`manage.py axes_reset_username NAME`) or it lifts after the cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address: REMOTE_ADDR, or, when the request comes from one of the reverse
# proxies in TRUSTED_PROXIES (addresses or networks), the address that proxy appends to
# X-Forwarded-For (brigade/core/clientip.py). Empty: no header is believed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"TRUSTED_PROXIES: {_proxy!r} is not an address or network."
        ) from _error
AXES_CLIENT_IP_CALLABLE = "brigade.core.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- I18N ---------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
# Front-end libraries come from the npm registry into node_modules at setup and are served
# from there by the app (whitenoise in production): no CDN, the intranet is offline.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
    ("vendor/leaflet.markercluster", NODE_MODULES / "leaflet.markercluster" / "dist"),
    # the black spots' heat layer (canvas only: no eval, nothing from elsewhere)
    ("vendor/leaflet.heat", NODE_MODULES / "leaflet.heat" / "dist"),
    # the offline duty page (brigade/duty/offline.py): its IndexedDB queue, and Workbox,
    # whose loader (workbox-sw) takes every module from one folder
    ("vendor/idb-keyval", NODE_MODULES / "idb-keyval" / "dist"),
    *(
        ("vendor/workbox", NODE_MODULES / f"workbox-{name}" / "build")
        for name in (
            "sw",
            "core",
            "routing",
            "strategies",
            "precaching",
            "expiration",
            "cacheable-response",
        )
    ),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files in production (needs collectstatic); plain files in
        # development and tests, which serve straight from the finders.
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_URL = "media/"
# Uploaded photos and documents are never served as public files: each app streams a file
# through a view that checks the user may see its record (brigade/core/uploads.py).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Largest photo or document accepted, in bytes (default 10 MiB).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Largest spreadsheet accepted by an import (default 50 MiB).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The largest request body: a multipart upload, sized from the largest legitimate one (ten
# photos, a hazard report's most, or one spreadsheet import) with 1 MiB for the form
# around them. A larger body is refused (413) from its Content-Length before it is read
# (brigade/core/guard.py).
MAX_REQUEST_BODY = env.int(
    "MAX_REQUEST_BODY", default=max(10 * UPLOAD_MAX_BYTES, IMPORT_MAX_BYTES) + 1024 * 1024
)
# The largest body that is not a file upload (a form's fields, a JSON document): Django's
# limit, 2.5 MiB. Imports and photos are files, counted by MAX_REQUEST_BODY instead.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
# Idempotency-Key: how long a repeat waits for its first request still running, after how
# long a running one counts as abandoned, and the largest answer kept for repeats.
IDEMPOTENCY_WAIT_SECONDS = env.float("IDEMPOTENCY_WAIT_SECONDS", default=10.0)
IDEMPOTENCY_LOCK_SECONDS = env.float("IDEMPOTENCY_LOCK_SECONDS", default=120.0)
IDEMPOTENCY_MAX_RESPONSE_BYTES = env.int("IDEMPOTENCY_MAX_RESPONSE_BYTES", default=1024 * 1024)
# Four eyes: a brigade with a single commander names a second person (a username) who may
# approve and verify others' work in a second commander's place, whatever their role; the
# record says it was checked by them. Nobody checks their own work. Empty: nobody.
SECOND_APPROVER = env.str("SECOND_APPROVER", default="").strip()
# Map tiles for the hazard map: a tile URL template ({z}/{x}/{y}) reachable from the
# intranet, or empty for points on a plain background.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
# Where the map opens when there is nothing to show (WGS-84): central Liaocheng.
MAP_CENTER = (
    env.float("MAP_CENTER_LAT", default=36.456),
    env.float("MAP_CENTER_LNG", default=115.985),
)
# Accident locations: the h3 grid resolution a point is indexed at (9: hexagons with edges
# of about 175-200 m, 0.1 km², a crossing and its approaches) and how far a point snaps to
# the nearest place of the brigade's gazetteer of roads and intersections...
H3_RESOLUTION = env.int("BLACK_SPOT_H3_RESOLUTION", default=9)
PLACE_SNAP_METRES = env.float("PLACE_SNAP_METRES", default=150.0)
# ...and within how many metres of an intersection a point is the intersection's, not the
# road's it lies on.
PLACE_INTERSECTION_METRES = env.float("PLACE_INTERSECTION_METRES", default=50.0)

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header is what makes an anonymous call a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "brigade.core.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, JSON nested too deeply answered 400 (brigade/core/api/parsers.py)
    "DEFAULT_PARSER_CLASSES": [
        "brigade.core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "brigade.core.api.filters.StrictFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON only, as the schema says: the browsable HTML view answered 500 on records whose
    # related fields are objects, and is no documented part of the API (docs: /api/docs/).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "brigade.core.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# API tokens (django-rest-knox): one per sign-in, stored as a hash, sent as
# "Authorization: Token <t>"; a token unused for API_TOKEN_IDLE_HOURS expires (each use
# moves its expiry forward, written at most once a minute).
API_TOKEN_IDLE_HOURS = env.float("API_TOKEN_IDLE_HOURS", default=12)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_IDLE_HOURS),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 60,
    "AUTH_HEADER_PREFIX": "Token",
}
# Open311 GeoReport v2 (/open311/v2/, petitions/api/open311.py). OPEN311_PUBLIC on: the
# services and requests are read without credentials, brigade-wide, without personal data,
# at most OPEN311_PUBLIC_RATE per client address (brigade/core/clientip.py); off: reads
# need an API token, as every write does. OPEN311_JURISDICTION: the one jurisdiction_id
# the endpoint answers to (another is a 404); OPEN311_CONTACT: discovery's contact line.
OPEN311_PUBLIC = env.bool("OPEN311_PUBLIC", default=False)
OPEN311_PUBLIC_RATE = env.str("OPEN311_PUBLIC_RATE", default="60/min")
if not re.fullmatch(r"[1-9]\d*/(s|m|h|d)[a-z]*", OPEN311_PUBLIC_RATE):
    raise ImproperlyConfigured(
        f"OPEN311_PUBLIC_RATE: {OPEN311_PUBLIC_RATE!r} is not a rate such as 60/min."
    )
OPEN311_JURISDICTION = env.str("OPEN311_JURISDICTION", default="")
OPEN311_CONTACT = env.str("OPEN311_CONTACT", default="")
SPECTACULAR_SETTINGS = {
    "TITLE": "Brigade Ops API",
    "DESCRIPTION": "Operations of a traffic-police duty brigade: duty, hazards, incidents, "
    "12345 tickets, outreach and KPIs.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs page are for signed-in users (token or session): anonymous
    # calls to /api/schema/ answer 401, /api/docs/ sends to the sign-in page.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A scope's kind (the dashboard's, the report's, the record lists'): named once, so
    # that another "kind" field (notices, black spots, places) cannot rename it.
    "ENUM_NAME_OVERRIDES": {"KindEnum": ["brigade", "unit"]},
    # Every operation's error answers, documented once (brigade/core/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "brigade.core.api.schema.document_errors",
        "brigade.core.api.schema.local_times",
    ],
}

# --- Notices: e-mail and the units' group robots ------------------------------------------
# EMAIL_URL (``smtp://user:pass@host:25``, ``smtp+tls://...``): unset, no e-mail is sent at
# all and notices stay in the app (and the units' robots, where a unit has one).
EMAIL_URL = env.str("EMAIL_URL", default="").strip()
if EMAIL_URL:
    _mail = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _mail["EMAIL_BACKEND"]
    EMAIL_HOST = _mail.get("EMAIL_HOST") or "localhost"
    EMAIL_PORT = _mail.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _mail.get("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = _mail.get("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = bool(_mail.get("EMAIL_USE_TLS"))
    EMAIL_USE_SSL = bool(_mail.get("EMAIL_USE_SSL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="brigade-ops@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A bounded wait on the mail server (and NOTICE_WEBHOOK_TIMEOUT on a robot's webhook): a
# hanging one fails that delivery, tried again later (NOTICE_RETRY_MAX sends in all, the
# waits between them doubling from 30 s), and holds up no other.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# The group robot's message shape: "wecom" ({"markdown": {"content"}}) or "dingtalk"
# ({"markdown": {"title", "text"}}).
NOTICE_WEBHOOK_FLAVOUR = env.str("NOTICE_WEBHOOK_FLAVOUR", default="wecom")
if NOTICE_WEBHOOK_FLAVOUR not in ("wecom", "dingtalk"):
    raise ImproperlyConfigured("NOTICE_WEBHOOK_FLAVOUR must be wecom or dingtalk.")
# Links in e-mails and robot messages: the site's address as people reach it.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")

# --- Celery -------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
# With no broker configured every task runs in-process, so the app works with nothing else.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXPIRES = timedelta(days=1)
# Bounded broker waits: a request that enqueues must fail fast when Redis is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    # one retry, at once: kombu's default waits 2 s first, which a refused connection
    # (Redis stopped) would add to every request that enqueues
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
    # A task taken by a worker that died (acks_late: not acknowledged) goes back to the
    # queue after this many seconds; longer than the longest task, or it would run twice.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# --- Notices (brigade/core/notices): reminders, escalation, the daily digest -------------
# the digest's time of day (local time, working days only); reminders go out from then on
NOTICE_DIGEST_HOUR = env.int("NOTICE_DIGEST_HOUR", default=8)
NOTICE_DIGEST_MINUTE = env.int("NOTICE_DIGEST_MINUTE", default=0)
# reminders at these leads, in working days before the deadline ("0": the morning of the day)
NOTICE_REMINDER_LEADS = env.str("NOTICE_REMINDER_LEADS", default="1,0")
# working hours overdue before level 1 (the unit's commanders), level 2 (the brigade's)
NOTICE_ESCALATE_HOURS = env.str("NOTICE_ESCALATE_HOURS", default="8,24")
NOTICE_WEBHOOK_TIMEOUT = env.int("NOTICE_WEBHOOK_TIMEOUT", default=5)
NOTICE_RETRY_MAX = env.int("NOTICE_RETRY_MAX", default=5)

CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The one beat schedule; django-celery-beat copies it into the database at beat start.
CELERY_BEAT_SCHEDULE = {
    "post-coverage-nightly": {
        "task": "brigade.tasks.post_coverage_task",
        "schedule": crontab(hour=23, minute=55),
    },
    # every KPI week and scope from the records, while nobody works
    "kpi-recompute-nightly": {
        "task": "brigade.tasks.recompute_all_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # week close: catch up, then freeze last week's figures as published
    "kpi-close-week": {
        "task": "brigade.tasks.close_week_task",
        "schedule": crontab(day_of_week="mon", hour=0, minute=15),
    },
    # Idempotency-Key answers are kept 24 hours (brigade/core/idempotency.py)
    "idempotency-keys-prune": {
        "task": "brigade.tasks.prune_idempotency_keys_task",
        "schedule": crontab(minute=40),
    },
    # the black spots of the rolling window, from the records (incidents/black_spots.py)
    "black-spots-nightly": {
        "task": "incidents.tasks.black_spots_recompute_task",
        "schedule": crontab(hour=2, minute=10),
    },
    # picks up changes whose recompute could not be enqueued (broker down meanwhile)
    "kpi-recompute-marked": {
        "task": "brigade.tasks.recompute_dirty_task",
        "schedule": crontab(minute="*/10"),
    },
    # reminders before a deadline: hourly on weekdays and weekends alike (a make-up Saturday
    # is a working day; the task itself skips days off and the hours before the digest's)
    "notice-reminders-hourly": {
        "task": "brigade.tasks.send_reminders_task",
        "schedule": crontab(minute=NOTICE_DIGEST_MINUTE),
    },
    # 督办: items overdue by NOTICE_ESCALATE_HOURS working hours go up the chain
    "notice-escalations-hourly": {
        "task": "brigade.tasks.escalate_overdue_task",
        "schedule": crontab(minute=(NOTICE_DIGEST_MINUTE + 30) % 60),
    },
    # notices: deliveries whose task the broker lost, or whose retry is due
    "notices-retry-deliveries": {
        "task": "brigade.tasks.retry_deliveries_task",
        "schedule": crontab(minute="*/10"),
    },
    # the daily digest (working days only: the task checks the calendar)
    "notices-daily-digest": {
        "task": "brigade.tasks.send_digests_task",
        "schedule": crontab(hour=NOTICE_DIGEST_HOUR, minute=NOTICE_DIGEST_MINUTE),
    },
}

# --- Cache: shared through Redis when there is one (the dashboard's computed payloads) ---
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "brigade",
            # bounded waits: a Redis outage must cost a page milliseconds, not a hang
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Security (production) ----------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"


def _tile_source(url: str) -> list[str]:
    """The map tiles' origin, for img-src: ``https://{s}.tile.example/{z}/{x}/{y}.png`` →
    ``https://*.tile.example``; nothing when the tiles are off or on this server."""
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0]
    if not scheme or not host:
        return []
    return [f"{scheme}://{host.replace('{s}', '*')}"]


# Content-Security-Policy on every answer (django-csp): scripts only from this server or
# carrying the answer's nonce (``nonce="{{ request.csp_nonce }}"``); no inline event
# handlers, ``javascript:`` URLs or eval (htmx runs with allowEval off, see base.html).
# Style attributes (style-src-attr) stay allowed: ECharts writes its tooltips as markup with
# style attributes, Swagger UI and the markup htmx swaps in carry them, and so do the pages'
# chart boxes and progress bars; a style attribute runs no script and, with img-src,
# font-src and connect-src limited to this server, can fetch nothing from elsewhere.
# <style> elements need the nonce (there are none but the API docs' own).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        # data: and blob: for the charts' and the map's images, and the tile server if any
        "img-src": [SELF, "data:", "blob:", *_tile_source(MAP_TILE_URL)],
        "connect-src": [SELF],
        "font-src": [SELF],
        # the duty page's service worker (/sw.js) and web app manifest: this server only
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Black spots (incidents/black_spots.py) -----------------------------------------------
# A black spot (事故多发点段): a cell of the map's grid with its ring of neighbours, or a
# gazetteer place, whose injury-or-fatal accidents of the rolling window meet EVERY one of
# these thresholds: at least MIN_ACCIDENTS of them, MIN_INJURIES with injuries and
# MIN_FATALITIES fatal (0: no such condition). The defaults: 3 in 365 days.
BLACK_SPOT_WINDOW_DAYS = env.int("BLACK_SPOT_WINDOW_DAYS", default=365)
BLACK_SPOT_MIN_ACCIDENTS = env.int("BLACK_SPOT_MIN_ACCIDENTS", default=3)
BLACK_SPOT_MIN_INJURIES = env.int("BLACK_SPOT_MIN_INJURIES", default=0)
BLACK_SPOT_MIN_FATALITIES = env.int("BLACK_SPOT_MIN_FATALITIES", default=0)
if BLACK_SPOT_WINDOW_DAYS < 1 or BLACK_SPOT_MIN_ACCIDENTS < 1:
    raise ImproperlyConfigured(
        "BLACK_SPOT_WINDOW_DAYS and BLACK_SPOT_MIN_ACCIDENTS must be at least 1."
    )

# --- Demo ---------------------------------------------------------------------------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# How old a time taken on an officer's phone may be when its queued action arrives
# (brigade/core/timecheck.py): older is refused, so a queue forgotten for weeks cannot
# rewrite closed weeks' figures.
OFFLINE_QUEUE_MAX_AGE_DAYS = env.int("OFFLINE_QUEUE_MAX_AGE_DAYS", default=7)

BRIGADE_NAME = env.str("BRIGADE_NAME", default="交巡警支队执勤三大队")

# The first day a record may carry (brigade/core/dates.py). Not before 1950: earlier, the zone
# database gives Shanghai its local mean time, an offset RFC 3339 cannot write.
BRIGADE_EPOCH = date.fromisoformat(env.str("BRIGADE_EPOCH", default="2000-01-01"))
if date(1950, 1, 1) > BRIGADE_EPOCH:
    raise ImproperlyConfigured("BRIGADE_EPOCH cannot be before 1950-01-01.")
