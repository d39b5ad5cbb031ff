"""The worker's loop: batches back to back while there is work, a short sleep when
there is none, unsent uploads removed every CLEANUP_SECONDS, the SQLite search index
merged a few steps every SEARCH_MERGE_SECONDS, and a clean stop on SIGTERM or Ctrl+C
(the batch under way finishes first)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, close_old_connections

from .. import services
from ..search_upkeep import merge_search_index
from .batch import run_batch
from .push import run_push_batch

logger = logging.getLogger(__name__)


def run_forever(*, stop: threading.Event, on_batch: Callable[[object], None] | None = None) -> None:
    config = settings.NOTIFICATIONS
    next_cleanup = next_merge = time.monotonic()
    while not stop.is_set():
        busy = False
        try:
            close_old_connections()
            if time.monotonic() >= next_cleanup:
                removed = services.remove_unsent_uploads()
                if removed:
                    logger.info("Removed %d unsent upload(s)", removed)
                next_cleanup = time.monotonic() + config["CLEANUP_SECONDS"]
            if time.monotonic() >= next_merge:
                merge_search_index(max_steps=config["SEARCH_MERGE_STEPS"])
                next_merge = time.monotonic() + config["SEARCH_MERGE_SECONDS"]
            result = run_batch()
            pushed = run_push_batch()
            if on_batch is not None:
                on_batch(result)
            busy = result.claimed or pushed.claimed
        except DatabaseError:
            # The database is away: nothing was lost (the rows are still pending), so
            # wait and try again rather than die.
            logger.exception("Notifications worker: database unavailable; retrying")
        if not busy:
            stop.wait(config["POLL_SECONDS"])
