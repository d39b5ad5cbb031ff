"""Settings for the test suite: the real settings, with a throwaway key and fast hashing."""

import atexit
import contextlib
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-key-never-used-outside-the-test-suite")

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A throwaway file rather than memory: threaded tests then get separate connections
    # that queue on SQLite's write lock like a real server (a shared-cache memory database
    # fails them with "table is locked"). One file per process, so parallel runs never meet.
    import glob

    _test_db = os.path.join(tempfile.gettempdir(), f"alumunity-test-{os.getpid()}.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": _test_db}  # noqa: F405

    @atexit.register
    def _remove_test_db_files():
        # Django removes the database file; WAL mode leaves its -wal and -shm beside it.
        for path in glob.glob(f"{_test_db}*"):
            with contextlib.suppress(OSError):
                os.remove(path)


# Uploaded files of the suite go to a throwaway directory, one per process.
MEDIA_ROOT = tempfile.mkdtemp(prefix="alumunity-test-media-")
atexit.register(shutil.rmtree, MEDIA_ROOT, True)
