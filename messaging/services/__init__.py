"""Every write to message state, and every rule that guards one (who may send, read,
report, block or moderate what).

Each service takes keyword arguments, runs in one transaction and publishes its events
only after commit. Counters change with F() expressions in the database, never as
Python arithmetic, so concurrent writers cannot lose an update. A send locks the
conversation row for its whole transaction, which orders messages and the
delete-for-me marker exactly; reads lock only the message rows they change.

The package is split by subdomain; callers import from here (`from messaging import
services`).
"""

from .blocks import block_user, unblock_user
from .conversations import delete_conversation
from .editing import delete_message, edit_message, may_edit
from .groups import add_members, create_group, remove_member, rename_group, set_muted
from .messages import (
    SendRequest,
    SendResult,
    check_conversation_message,
    check_message,
    do_send_message,
    send_message,
    send_to_conversation,
)
from .moderation import close_report, report_message, set_message_hidden, set_messaging_suspended
from .notifications import (
    claim_due,
    finish_claim,
    give_up_claim,
    retry_claim,
    unsubscribe,
    update_notification_settings,
)
from .presence import (
    close_socket,
    end_browser_session,
    open_socket,
    record_activity,
    record_conversation_typing,
    record_heartbeat,
    record_typing,
    set_presence_mode,
)
from .privacy import update_privacy_settings
from .push import (
    claim_push,
    finish_push_claim,
    remove_push_subscriptions,
    retry_push_claim,
    subscribe_push,
    unsubscribe_push,
)
from .reactions import add_reaction, remove_reaction
from .reads import (
    mark_conversation_read,
    mark_read,
    open_conversation,
    open_conversation_by_id,
    open_conversation_by_id_rows,
    open_conversation_rows,
    read_conversation,
)
from .requests import accept_request, check_request_allowance
from .uploads import remove_unsent_uploads, upload_attachment

__all__ = [
    "accept_request",
    "check_request_allowance",
    "update_privacy_settings",
    "SendRequest",
    "SendResult",
    "add_members",
    "add_reaction",
    "delete_message",
    "edit_message",
    "may_edit",
    "remove_reaction",
    "check_conversation_message",
    "check_message",
    "create_group",
    "open_conversation_by_id",
    "open_conversation_by_id_rows",
    "read_conversation",
    "remove_member",
    "rename_group",
    "send_to_conversation",
    "set_muted",
    "claim_due",
    "finish_claim",
    "give_up_claim",
    "retry_claim",
    "unsubscribe",
    "update_notification_settings",
    "claim_push",
    "finish_push_claim",
    "remove_push_subscriptions",
    "retry_push_claim",
    "subscribe_push",
    "unsubscribe_push",
    "do_send_message",
    "block_user",
    "close_report",
    "close_socket",
    "delete_conversation",
    "end_browser_session",
    "mark_conversation_read",
    "mark_read",
    "open_conversation",
    "open_conversation_rows",
    "open_socket",
    "record_activity",
    "record_conversation_typing",
    "record_heartbeat",
    "record_typing",
    "report_message",
    "send_message",
    "set_message_hidden",
    "set_messaging_suspended",
    "set_presence_mode",
    "unblock_user",
    "remove_unsent_uploads",
    "upload_attachment",
]
