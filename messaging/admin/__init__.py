"""Staff moderation in the Django admin.

Every change to message state goes through the service layer, so it follows the same
rules as the member doors, lands in the moderation log and reaches the members' sockets.
Nothing here deletes a message or edits one: messages are immutable and soft. Lists that
grow with the message table never count it (see LargeTablePaginator), and they fetch the
members shown on a page with prefetch_related, not a join: joined to the small users
table, "newest 50 messages" makes MariaDB's optimizer read the users first and sort the
whole message table instead of walking the primary key (README, Design, has the
figures).

Split by page: base.py holds what they share; importing the package registers
every page.
"""

from . import log, members, messages, notifications, reports, tables
from .base import (
    LargeTablePaginator,
    ModerationAdmin,
    OnePageActions,
    ReasonActionForm,
    action_reason,
    admin_link,
)

__all__ = [
    "LargeTablePaginator",
    "ModerationAdmin",
    "OnePageActions",
    "ReasonActionForm",
    "action_reason",
    "admin_link",
    "log",
    "members",
    "messages",
    "notifications",
    "reports",
    "tables",
]
