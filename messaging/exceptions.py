"""Errors the messaging services raise: the shared ones (alumunity.exceptions) and the
two refusals that belong to messaging alone."""

import math
from http import HTTPStatus

from alumunity.exceptions import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from alumunity.exceptions import ServiceError as MessagingError

__all__ = [
    "BlockedError",
    "Conflict",
    "Forbidden",
    "InvalidInput",
    "MessagingError",
    "NotFound",
    "RequestLimitError",
    "SuspendedError",
    "TooLarge",
]


class BlockedError(Forbidden):
    code = "blocked"
    default_message = "You cannot message this member: one of you has blocked the other."


class SuspendedError(Forbidden):
    code = "suspended"
    default_message = (
        "Your messaging is suspended by a moderator. You can still read your messages."
    )


class RequestLimitError(MessagingError):
    """Too many message requests unanswered: `wait` seconds until the oldest of them
    leaves the 24-hour window (the doors send it as Retry-After)."""

    status = HTTPStatus.TOO_MANY_REQUESTS
    code = "request_limit"

    def __init__(self, *, limit: int, wait: float):
        hours = max(1, math.ceil(wait / 3600))
        requests = f"{limit} message request{'s' if limit != 1 else ''}"
        super().__init__(
            f"You have sent {requests} in the last 24 hours that nobody has answered yet. "
            f"You can start a new conversation in about {hours} hour{'s' if hours != 1 else ''}; "
            "you can still write to people you already talk to."
        )
        self.wait = wait
