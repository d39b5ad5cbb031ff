"""Errors the messaging services raise: the shared ones (alumunity.exceptions) and the
two refusals that belong to messaging alone."""

from alumunity.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from alumunity.exceptions import ServiceError as MessagingError

__all__ = [
    "BlockedError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "MessagingError",
    "NotFound",
    "SuspendedError",
]


class BlockedError(Forbidden):
    code = "blocked"
    default_message = "You cannot message this member: one of you has blocked the other."


class SuspendedError(Forbidden):
    code = "suspended"
    default_message = (
        "Your messaging is suspended by a moderator. You can still read your messages."
    )
