"""django-postman as a Django developer would set it up, for the side-by-side benchmark
(bench/peer.py): sessions, CSRF, the admin's auth, postman's folders paginated by
dj-pagination (PAGINATION_DEFAULT_PAGINATION rows a page, like our inbox's limit=50).
PEER_DATABASE_URL is sqlite:///<path> or mysql://user@host:port/name."""

import os
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "peer-bench-only-secret-key-not-for-production"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dj_pagination",
    "postman",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dj_pagination.middleware.PaginationMiddleware",
]
ROOT_URLCONF = "peer_site.urls"
WSGI_APPLICATION = "peer_site.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # templates/pagination/pagination.html: dj-pagination 2.5's own template uses
        # {% ifequal %}, which Django 4.0 removed.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # postman ships a do-nothing pagination_tags of the same name; without this
            # its folders list every conversation on one page.
            "libraries": {"pagination_tags": "dj_pagination.templatetags.pagination_tags"},
        },
    }
]


def _database(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": parts.path[1:] or parts.path}
    return {
        "ENGINE": "django.db.backends.mysql",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "root",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "127.0.0.1",
        "PORT": str(parts.port or 3306),
        "OPTIONS": {"charset": "utf8mb4"},
    }


DATABASES = {"default": _database(os.environ["PEER_DATABASE_URL"])}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "/static/"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/messages/inbox/"
PAGINATION_DEFAULT_PAGINATION = 50
POSTMAN_AUTO_MODERATE_AS = True
POSTMAN_DISALLOW_ANONYMOUS = True
SILENCED_SYSTEM_CHECKS = ["templates.W003"]  # the pagination_tags override above, on purpose
