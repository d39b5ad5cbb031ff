"""Upkeep of the SQLite full-text index (messaging.search).

FTS5 writes each batch of changes as a new segment and merges segments only in part as
it goes (its automerge), so a database that took a million messages holds its index in
a dozen or more segments, and every term a search asks for is looked up in each of them.
A member in 100 groups asks for 100 terms per word: at 1M messages that took 3.7 ms in
14 segments and 0.5 ms once merged. The notifications worker therefore merges the index
a little at a time (`merge_search_index`), and `manage.py merge_search_index` does it all
at once after a bulk import. MySQL / MariaDB need nothing here: their postings are a
B-tree, which InnoDB keeps balanced itself.
"""

from __future__ import annotations

from django.db import connections, router, transaction

from .models import Message
from .search import FTS_TABLE

# Pages written by one merge step, each step its own short transaction (about 0.1 s at
# 1M messages), so a send waits for one step at most.
MERGE_PAGES = 500


def merge_search_index(*, max_steps: int) -> int:
    """Up to `max_steps` incremental FTS5 merges of MERGE_PAGES pages; stops early once
    the index is in one segment. Returns how many steps did work (0 on MySQL/MariaDB,
    and once everything is merged)."""
    using = router.db_for_write(Message)
    connection = connections[using]
    if connection.vendor != "sqlite":
        return 0
    done = 0
    for _ in range(max_steps):
        with transaction.atomic(using=using), connection.cursor() as cursor:
            raw = connection.connection
            before = raw.total_changes
            # A negative page count merges whatever segments there are, down to one
            # (FTS5's 'merge' command); the statement changes rows only if it worked.
            cursor.execute(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES('merge', %s)",
                [-MERGE_PAGES],
            )
            worked = raw.total_changes - before > 1
        if not worked:
            break
        done += 1
    return done
