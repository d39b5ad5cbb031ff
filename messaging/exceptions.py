"""Errors the service layer raises. Each door turns them into its own shape: the API into
the JSON envelope, the pages into a form error, the socket into an error event."""

from http import HTTPStatus


class MessagingError(Exception):
    status = HTTPStatus.BAD_REQUEST
    code = "invalid"
    default_message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, errors: dict[str, list[str]] | None = None):
        self.message = message or self.default_message
        self.errors = errors
        super().__init__(self.message)


class InvalidInput(MessagingError):
    code = "invalid"

    @classmethod
    def for_field(cls, field: str, reason: str) -> "InvalidInput":
        return cls(f"{field}: {reason}", errors={field: [reason]})


class NotFound(MessagingError):
    status = HTTPStatus.NOT_FOUND
    code = "not_found"
    default_message = "Not found."


class Conflict(MessagingError):
    status = HTTPStatus.CONFLICT
    code = "conflict"
    default_message = "This was already done."


class Forbidden(MessagingError):
    status = HTTPStatus.FORBIDDEN
    code = "forbidden"
    default_message = "You are not allowed to do this."


class BlockedError(Forbidden):
    code = "blocked"
    default_message = "You cannot message this member: one of you has blocked the other."


class SuspendedError(Forbidden):
    code = "suspended"
    default_message = (
        "Your messaging is suspended by a moderator. You can still read your messages."
    )
