"""Every read the doors need, with its query plan applied. Nothing here writes.

Visibility is decided here and nowhere else: a member sees only conversations they
are part of, and in each only the messages after their own delete-for-me marker.

The package is split by subdomain; callers import from here (`from messaging import
selectors`).
"""

from alumunity.users.selectors import search_members

from .blocks import blocked_user_ids, count_blocked_users, is_blocked_between, list_blocked_users
from .groups import (
    ConversationView,
    LeftGroupError,
    active_members,
    active_membership,
    conversation_messages,
    conversation_view,
    group_membership,
    membership,
    read_positions,
    seen_by,
    seen_by_names,
    sorted_members,
)
from .history import (
    MessagePage,
    access_message,
    conversation_between,
    list_messages,
    message_audience,
    message_context,
    message_history,
    page_for,
    read_receipts,
    sees,
)
from .inbox import ConversationSummary, list_conversations, unread_total
from .members import (
    canonical_pair,
    get_member,
    members_by_id,
    members_in_bulk,
    parse_row_id,
    parse_user_id,
)
from .presence import (
    OFFLINE,
    ConversationStatus,
    LivePresence,
    PresenceState,
    activity_key,
    conversation_status,
    effective_status,
    live_presence,
    member_presence,
    presence_audience,
    presence_sent_key,
    socket_count_key,
    socket_left_key,
    typing_key,
)
from .reactions import ReactionGroup, load_reactions, reaction_groups
from .search import search_messages
from .uploads import (
    download_path,
    downloadable_attachment,
    thumbnail_path,
    unsent_upload,
    unsent_uploads,
)

__all__ = [
    "OFFLINE",
    "ReactionGroup",
    "load_reactions",
    "reaction_groups",
    "ConversationStatus",
    "ConversationSummary",
    "LivePresence",
    "ConversationView",
    "LeftGroupError",
    "MessagePage",
    "active_members",
    "active_membership",
    "conversation_messages",
    "conversation_view",
    "group_membership",
    "membership",
    "page_for",
    "read_positions",
    "seen_by",
    "sees",
    "seen_by_names",
    "sorted_members",
    "PresenceState",
    "access_message",
    "activity_key",
    "blocked_user_ids",
    "canonical_pair",
    "conversation_between",
    "conversation_status",
    "count_blocked_users",
    "effective_status",
    "get_member",
    "is_blocked_between",
    "list_blocked_users",
    "list_conversations",
    "list_messages",
    "live_presence",
    "member_presence",
    "message_audience",
    "message_context",
    "message_history",
    "members_by_id",
    "members_in_bulk",
    "parse_row_id",
    "parse_user_id",
    "presence_audience",
    "presence_sent_key",
    "read_receipts",
    "search_members",
    "search_messages",
    "socket_count_key",
    "socket_left_key",
    "typing_key",
    "unread_total",
    "download_path",
    "downloadable_attachment",
    "thumbnail_path",
    "unsent_upload",
    "unsent_uploads",
]
