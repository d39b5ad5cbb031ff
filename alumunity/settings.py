"""Settings: every value that differs between machines is read from the environment here,
and nowhere else."""

import email.utils
import os
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from .email_url import email_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # A fixed key for local development and tests only; production refuses to start without one.
    SECRET_KEY = "dev-only-insecure-key-alumunity-messaging-not-for-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
# Origins of this site's pages as browsers see them (scheme://host[:port]) when a proxy
# changes them, e.g. https://chat.example.org: the CSRF check and the socket's Origin
# check accept them besides the origin a request was addressed to.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The port `make run` serves on: a socket handshake without a Host header is checked
# against ALLOWED_HOSTS on this port.
SERVED_PORT = env.int("PORT", default=8000)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_htmx",
    "channels",
    "alumunity.users",
    "messaging",
]

MIDDLEWARE = [
    "alumunity.middleware.RequestIdMiddleware",
    "alumunity.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "alumunity.middleware.ContentSecurityPolicyMiddleware",
    "alumunity.headers.ResponseHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "alumunity.urls"
WSGI_APPLICATION = "alumunity.wsgi.application"
ASGI_APPLICATION = "alumunity.asgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# An empty DATABASE_URL means the default, like an unset one.
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# MySQL / MariaDB through Django's backend with each transaction one round trip shorter
# (alumunity/db/mysql).
_OUR_ENGINES = {"django.db.backends.mysql": "alumunity.db.mysql"}


def _database(url: str) -> dict:
    config = env.db_url_config(url)
    config["ENGINE"] = _OUR_ENGINES.get(config["ENGINE"], config["ENGINE"])
    return config


DATABASES = {"default": _database(DATABASE_URL)}
# HTTP requests run in a fixed pool of threads (alumunity/wsgi_bridge.py), each keeping
# its connection for this many seconds; the health check replaces one the database
# dropped (a restart) before the request uses it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "alumunity.db.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES', innodb_lock_wait_timeout=10",
        }
    )
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at
    # BEGIN so two concurrent sends queue instead of failing with "database is locked".
    # Each connection's page cache holds up to SQLITE_CACHE_MIB (SQLite's default is
    # 2 MiB, which a 1M-message database's pages and full-text index outgrow between
    # two requests: bench/ROUNDS.md has the figures). A cache fills only as pages are read.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA cache_size=-{1024 * env.int('SQLITE_CACHE_MIB', default=16)};"
        ),
    }

# Scale-out: reads from a replica, writes to the primary, and a member who has just
# written reads from the primary for REPLICA_PIN_SECONDS (alumunity/db_router.py).
# Tests mirror the replica onto the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **_database(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["alumunity.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(1, "alumunity.db_router.ReadYourWritesMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "alumunity.users.passwords.NotBlankValidator"},
    {
        # The member's own name and email, not Django's default username/first/last name.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/messages"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- Redis: channel layer and cache ------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # RedisCache that answers as an empty cache while Redis is down (alumunity/cache.py).
            "BACKEND": "alumunity.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="alumunity"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": env.str("CHANNEL_PREFIX", default="alumunity"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (served by whitenoise, also with DEBUG off) -----------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# --- Uploaded files (attachments) -----------------------------------------------------
# Local files under MEDIA_ROOT by default. With STORAGE_URL (s3://bucket, optionally
# ?endpoint_url=...&region=...) or AWS_STORAGE_BUCKET_NAME set, an S3-compatible bucket
# instead, so every server process reads and writes the same files. Credentials come from
# AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the machine's role), never from here.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Files are only ever served through the access-checked attachment views, never here.
MEDIA_URL = "/media-not-served/"


def file_storage(environ) -> dict:
    """The "default" storage from the environment (a function, so tests can check it)."""
    url = environ.get("STORAGE_URL", "")
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not url and not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options: dict[str, object] = {"default_acl": None, "file_overwrite": False}
    if url:
        parsed = urlsplit(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ImproperlyConfigured("STORAGE_URL must look like s3://bucket[?endpoint_url=...]")
        bucket = parsed.netloc
        query = dict(parse_qsl(parsed.query))
        for key, option in (("endpoint_url", "endpoint_url"), ("region", "region_name")):
            if query.get(key):
                options[option] = query[key]
    options["bucket_name"] = bucket
    for variable, option in (
        ("AWS_S3_ENDPOINT_URL", "endpoint_url"),
        ("AWS_S3_REGION_NAME", "region_name"),
        ("AWS_ACCESS_KEY_ID", "access_key"),
        ("AWS_SECRET_ACCESS_KEY", "secret_key"),
    ):
        if environ.get(variable):
            options.setdefault(option, environ[variable])
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": file_storage(os.environ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=10)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# Images over this many pixels are refused as decompression bombs (a small file that
# decodes into gigabytes); 40 million covers any camera's photos.
# How long after sending a member may still edit a message (deleting has no limit).
EDIT_WINDOW_MINUTES = env.int("EDIT_WINDOW_MINUTES", default=60)
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=40_000_000)
# The paths that take a file: their body limit is MAX_UPLOAD_BYTES plus room for the
# multipart framing; every other path keeps MAX_REQUEST_BODY_BYTES.
UPLOAD_PATHS = ("/api/attachments", "/messages/attachments")
UPLOAD_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
# Without collectstatic (make run, tests) whitenoise serves straight from the finders,
# and its warning that STATIC_ROOT does not exist yet says nothing useful.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)

# --- Request limits ------------------------------------------------------------------
MAX_REQUEST_BODY_BYTES = 1024 * 1024
# HTTP requests one ASGI process lets into Django at once (each holds one of as many
# threads, and its database connection); the rest queue. Keep workers x this under the
# database's limit.
MAX_CONCURRENT_REQUESTS = env.int("MAX_CONCURRENT_REQUESTS", default=32)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES

# --- REST framework ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's, refusing a malformed member claim with 401 (alumunity/users/tokens.py).
        "alumunity.users.tokens.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["alumunity.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["messaging.api.parsers.BoundedJSONParser"],
    # DRF's, with the common Accept: */* answered without parsing (messaging/api/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "messaging.api.negotiation.Negotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "messaging.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DATETIME_FORMAT": "%Y-%m-%dT%H:%M:%S.%fZ",
    # Proxies in front of the app whose X-Forwarded-For entry is trusted (1 behind one
    # load balancer). With the default 0 the client address is the socket's, so a forged
    # header cannot dodge the per-address limits.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

SEND_RATE = env.str("SEND_RATE", default="60/min")
# Message requests (a stranger's first message waits for acceptance): the choice of a
# member who never set it, and how many unanswered requests one member may have sent in
# the last 24 hours before the next is refused.
MESSAGE_REQUESTS_DEFAULT = env.bool("MESSAGE_REQUESTS_DEFAULT", default=False)
MESSAGE_REQUESTS_PER_DAY = env.int("MESSAGE_REQUESTS_PER_DAY", default=20)
# File uploads per member (API and pages together): each may store MAX_UPLOAD_MB.
UPLOAD_RATE = env.str("UPLOAD_RATE", default="30/min")
# Per (client address, email tried), and per client address whatever the email.
LOGIN_RATE = env.str("LOGIN_RATE", default="10/min")
LOGIN_ADDRESS_RATE = env.str("LOGIN_ADDRESS_RATE", default="30/min")
REGISTER_RATE = env.str("REGISTER_RATE", default="30/hour")
# Member searches by exact email address, per member (they reveal who is a member).
EMAIL_LOOKUP_RATE = env.str("EMAIL_LOOKUP_RATE", default="30/hour")

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": SECRET_KEY,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
    "AUTH_HEADER_TYPES": ("Bearer",),
    # simplejwt's access token, verifying each token's signature once per process.
    "AUTH_TOKEN_CLASSES": ("alumunity.users.tokens.AccessToken",),
    # Refuses deleted/inactive members and lets only one concurrent use of a refresh win.
    "TOKEN_REFRESH_SERIALIZER": "alumunity.users.tokens.TokenRefreshSerializer",
    # Both refuse body fields they do not read, as every endpoint does.
    "TOKEN_OBTAIN_SERIALIZER": "alumunity.users.tokens.TokenObtainPairSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AlumUnity Messaging API",
    "DESCRIPTION": "One-to-one messaging between AlumUnity members.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A message's kind and a conversation's kind share a field name.
    "ENUM_NAME_OVERRIDES": {
        "MessageKindEnum": ["text", "system"],
        "ConversationKindEnum": ["direct", "group"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        # 401, 400, 413 and 503 on every operation.
        "messaging.api.schema_hooks.document_common_errors",
        # Text patterns, no extra body fields, exclusive history anchors.
        "messaging.api.schema_hooks.document_input_rules",
    ],
}

# --- Messaging product rules --------------------------------------------------------------
MESSAGING = {
    # Seconds without activity before "online" becomes "away", and "away" becomes "offline".
    "ONLINE_WINDOW_SECONDS": env.int("PRESENCE_ONLINE_SECONDS", default=60),
    "AWAY_WINDOW_SECONDS": env.int("PRESENCE_AWAY_SECONDS", default=300),
    # Activity is written to the presence row at most this often per member.
    "ACTIVITY_WRITE_SECONDS": 30,
    "TYPING_SECONDS": 5,
}

# --- Notifications (SPEC 9.2) -----------------------------------------------------------
# The site's public address, for absolute links in emails (no trailing slash).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{SERVED_PORT}").rstrip("/")
# Mail server, e.g. smtp://user:pass@host:587?tls=1; the console backend by default.
EMAIL_URL = env.str("EMAIL_URL", default="console://")
globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AlumUnity <notifications@localhost>")
NOTIFICATIONS = {
    # How often the worker looks for due emails, and how many members one batch covers.
    "POLL_SECONDS": env.float("NOTIFICATIONS_POLL_SECONDS", default=5.0),
    "BATCH_SIZE": env.int("NOTIFICATIONS_BATCH_SIZE", default=200),
    # A claim held longer than this (a worker killed mid-batch) is taken over.
    "CLAIM_SECONDS": env.int("NOTIFICATIONS_CLAIM_SECONDS", default=600),
    # Failed emails: retried after BACKOFF_SECONDS * 2^(tries-1), given up after MAX_TRIES.
    "MAX_TRIES": env.int("NOTIFICATIONS_MAX_TRIES", default=6),
    "BACKOFF_SECONDS": env.float("NOTIFICATIONS_BACKOFF_SECONDS", default=30.0),
    # Unsent uploads are removed by the worker this often.
    "CLEANUP_SECONDS": env.int("NOTIFICATIONS_CLEANUP_SECONDS", default=3600),
    # SQLite only: the full-text index is merged this many steps this often (see
    # messaging/search_upkeep.py), so searches look each term up in few segments.
    "SEARCH_MERGE_SECONDS": env.int("NOTIFICATIONS_SEARCH_MERGE_SECONDS", default=60),
    "SEARCH_MERGE_STEPS": env.int("NOTIFICATIONS_SEARCH_MERGE_STEPS", default=5),
    # Web Push: sent this long after a message stays unread with no socket open (not the
    # email delay); at most this many browsers per member; the push service keeps an
    # undelivered push this long.
    "PUSH_DELAY_SECONDS": env.float("NOTIFICATIONS_PUSH_DELAY_SECONDS", default=10.0),
    "PUSH_MAX_SUBSCRIPTIONS": env.int("NOTIFICATIONS_PUSH_MAX_SUBSCRIPTIONS", default=10),
    "PUSH_TTL_SECONDS": env.int("NOTIFICATIONS_PUSH_TTL_SECONDS", default=86400),
    "PUSH_TIMEOUT_SECONDS": env.float("NOTIFICATIONS_PUSH_TIMEOUT_SECONDS", default=10.0),
}
# Web Push (SPEC 9.2): a VAPID key pair (`python manage.py vapid_keys` makes one, both
# base64url); without both keys Web Push is off. The subject is the contact the push
# services may write to: a mailto: of DEFAULT_FROM_EMAIL unless given.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env.str(
    "VAPID_SUBJECT", default="mailto:" + email.utils.parseaddr(DEFAULT_FROM_EMAIL)[1]
)

# --- HTTPS ----------------------------------------------------------------------------
SECURE_HTTPS = env.bool("SECURE_HTTPS", default=False)
if SECURE_HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts, styles, images and sockets from this origin only; no inline script, no framing.
# A member's avatar_url may point at any https host; an image cannot run code, and the
# pages load avatars with no referrer. Everything else comes from this server only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' https:; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
CONTENT_SECURITY_POLICY_RELAXED = {
    # Swagger UI's bundle sets inline styles and draws data: images (its script is external).
    "/api/docs/": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
}
SESSION_COOKIE_HTTPONLY = True
# Browser features no page of the site uses, off for it and anything it might embed.
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), browsing-topics=()"
)

# --- Logging: one line per request, every line carries the request id -------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "alumunity.middleware.RequestIdLogFilter"}},
    "formatters": {
        "line": {
            # Escapes control characters: a client's input cannot forge a log line.
            "()": "alumunity.logging.EscapingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The request line is ours (alumunity.request); Django's would repeat it for 4xx.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "ERROR"},
        # uvicorn's own lines go through the same escaping handler as everything else.
        "uvicorn": {"handlers": ["console"], "propagate": False},
        "uvicorn.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}
