"""How long what members and moderators type may be, and how going over is said.

The tables (max_length), the services (which enforce them for every door), the API's
serializers and the admin's forms all read these numbers from here."""

from alumunity.exceptions import InvalidInput, too_long

MAX_TEXT_LENGTH = 5000
MAX_ATTACHMENT_URL_LENGTH = 500
MAX_ATTACHMENT_TYPE_LENGTH = 50
MAX_CLIENT_MESSAGE_ID_LENGTH = 64
# A member's reason for a report, and a moderator's reason in the moderation log.
MAX_REASON_LENGTH = 1000
MAX_REPORT_REASON_LENGTH = MAX_REASON_LENGTH
# A search query, of messages or of members.
MAX_QUERY_LENGTH = 200
# A group's title, and how many active members a group may have (its creator included).
MAX_TITLE_LENGTH = 100
MAX_GROUP_MEMBERS = 50
MIN_GROUP_MEMBERS = 3
# One reaction emoji, in characters (a family or flag sequence takes several), and how
# many different emoji one message may carry.
MAX_EMOJI_LENGTH = 32
MAX_REACTION_KINDS = 20


def check_length(field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        raise InvalidInput.for_field(field, too_long(limit))


def reject_nul(field: str, value: str) -> None:
    if "\x00" in value:
        raise InvalidInput.for_field(field, "Null characters are not allowed.")
