"""Reads from a replica, writes to the primary, and read-your-writes for each member.

Active only when DATABASE_REPLICA_URL is set (settings adds the "replica" database, this
router and ReadYourWritesMiddleware). The decisions, in order:

- every write goes to the primary ("default");
- a read outside an HTTP request (WebSocket consumers, management commands, tasks)
  goes to the primary: nothing tracks what that code has just written;
- a read inside an open transaction on the primary stays on the primary;
- a read in a request that has already written goes to the primary;
- a read for a member who wrote in the last REPLICA_PIN_SECONDS (a cache key set by the
  middleware when a request of theirs wrote; Redis, so every process sees it) goes to
  the primary: their own sent message is always in their next inbox;
- every other read goes to the replica.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.functional import SimpleLazyObject, empty

REPLICA = "replica"


@dataclass
class _RequestState:
    request: object
    wrote: bool = False
    pinned: bool | None = None
    checked_member: object = field(default=None)


_state: contextvars.ContextVar[_RequestState | None] = contextvars.ContextVar(
    "db_request_state", default=None
)


def pin_key(member_id) -> str:
    return f"primary-pin:{member_id}"


def pin_seconds() -> int:
    return getattr(settings, "REPLICA_PIN_SECONDS", 5)


def member_id_of(request) -> object | None:
    """The authenticated member of a request, if authentication has already happened;
    never triggers it (that would be a read inside the routing decision)."""
    user = getattr(request, "__dict__", {}).get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class PrimaryReplicaRouter:
    def db_for_write(self, model, **hints):
        state = _state.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def db_for_read(self, model, **hints):
        state = _state.get()
        if state is None or state.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        member_id = member_id_of(state.request)
        if member_id is None:
            return REPLICA
        if state.pinned is None or state.checked_member != member_id:
            state.checked_member = member_id
            state.pinned = bool(cache.get(pin_key(member_id)))
        return DEFAULT_DB_ALIAS if state.pinned else REPLICA

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """Tracks each request for the router; when a member's request wrote, their reads
    go to the primary for the next REPLICA_PIN_SECONDS, on every process."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = _RequestState(request=request)
        token = _state.set(state)
        try:
            return self.get_response(request)
        finally:
            _state.reset(token)
            if state.wrote:
                member_id = member_id_of(request)
                if member_id is not None:
                    cache.set(pin_key(member_id), True, timeout=pin_seconds())
