"""Errors a service layer raises. Each door turns them into its own shape: the API into
the JSON envelope, the pages into a form error, the socket into an error event. They
live here, beside the accounts, so that sign-up and messaging share them without the
accounts depending on messaging."""

from http import HTTPStatus


def too_long(limit: int) -> str:
    """The reason given for any text over its length limit, worded as the API's input
    checks word it, so every door says it the same way."""
    return f"Ensure this field has no more than {limit} characters."


class ServiceError(Exception):
    status = HTTPStatus.BAD_REQUEST
    code = "invalid"
    default_message = "The request could not be processed."

    def __init__(self, message: str | None = None, *, errors: dict[str, list[str]] | None = None):
        self.message = message or self.default_message
        self.errors = errors
        super().__init__(self.message)


class InvalidInput(ServiceError):
    code = "invalid"

    @classmethod
    def for_field(cls, field: str, reason: str) -> "InvalidInput":
        return cls(f"{field}: {reason}", errors={field: [reason]})


class NotFound(ServiceError):
    status = HTTPStatus.NOT_FOUND
    code = "not_found"
    default_message = "Not found."


class Conflict(ServiceError):
    status = HTTPStatus.CONFLICT
    code = "conflict"
    default_message = "This was already done."


class Forbidden(ServiceError):
    status = HTTPStatus.FORBIDDEN
    code = "forbidden"
    default_message = "You are not allowed to do this."
