"""Each SQLite connection's page cache is SQLITE_CACHE_MIB (16 MiB unless set), not
SQLite's own 2 MiB: what a connection reads stays cached between requests."""

import os
import subprocess
import sys

_PROBE = (
    "import django; django.setup(); from django.db import connection; "
    "cursor = connection.cursor(); cursor.execute('PRAGMA cache_size'); "
    "print(cursor.fetchone()[0])"
)


def _cache_size(tmp_path, **extra: str) -> int:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "alumunity.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cache.sqlite3'}",
        **extra,
    }
    env.pop("DATABASE_REPLICA_URL", None)
    if not extra:
        env.pop("SQLITE_CACHE_MIB", None)
    output = subprocess.run(
        [sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True
    ).stdout
    return int(output.strip().splitlines()[-1])


def test_a_connection_caches_16_mib_unless_told_otherwise(tmp_path):
    # SQLite counts a negative cache_size in KiB.
    assert _cache_size(tmp_path) == -16 * 1024
    assert _cache_size(tmp_path, SQLITE_CACHE_MIB="64") == -64 * 1024
