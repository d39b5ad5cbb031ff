"""Settings for the test suite: the real settings, with a throwaway key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-never-used-outside-the-test-suite")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A throwaway file rather than memory: threaded tests then get separate connections
    # that queue on SQLite's write lock like a real server (a shared-cache memory database
    # fails them with "table is locked"). One file per process, so parallel runs never meet.
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"alumunity-test-{os.getpid()}.sqlite3")
    }
