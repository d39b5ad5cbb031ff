"""The JSON shapes of the API and the socket events, built in one place for the API, the
pages and the socket, so every door shows a message the same way (and a hidden one never
leaks). Selectors return data (datetimes, UUIDs); the words and ISO strings are made
here."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .models import Attachment, Conversation, Message, MessageRevision, Participant
from .selectors.reactions import reaction_groups, shows_reactions
from .selectors.rows import MessageRow, SearchHit, StoredTime, stored_moment
from .selectors.uploads import download_path, thumbnail_path

if TYPE_CHECKING:
    from alumunity.users.models import User

    from .selectors.groups import MemberCard
    from .selectors.inbox import ConversationSummary
    from .selectors.presence import ConversationStatus


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is not UTC:  # what the selectors read is UTC already
        moment = moment.astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


def stored_iso(value: StoredTime) -> str | None:
    """A time as a MessageRow holds it (selectors.rows), in iso()'s words. The stored
    text, `YYYY-MM-DD HH:MM:SS` with `.ffffff` when there are microseconds (SQLite, as
    Django writes it) or always (MariaDB), becomes `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`
    without a datetime in between (0.3 µs, where parsing and iso() took 3); anything
    else (a datetime a service set) goes through iso()."""
    if isinstance(value, str) and len(value) in _STORED_LENGTHS and value[10] == " ":
        if value.endswith(".000000"):
            value = value[:19]
        return f"{value[:10]}T{value[11:]}Z"
    return iso(stored_moment(value))


_STORED_LENGTHS = (19, 26)


@functools.lru_cache(maxsize=65536)
def id_text(member_id: uuid.UUID) -> str:
    """A member id as the API writes it. Written once per id and process (a UUID is
    immutable): str() took 1.2 µs, twice for every message of a page."""
    return str(member_id)


def message_payload(message: Message | MessageRow, *, viewer_id: uuid.UUID | None = None) -> dict:
    """The message object, on every path and event: version 1's fields, `kind` (text or
    system) added by version 2, and version 2.1's `edited_at`, `deleted` and `reactions`
    (`me`: whether `viewer_id` is among those who reacted). A hidden or deleted message
    shows its placeholder text, no attachment and no reactions."""
    text, shown = message.shown()
    recipient_id = message.recipient_id
    if isinstance(message, MessageRow):
        sent_at = stored_iso(message.sent_at_stored)
        read_at = stored_iso(message.read_at_stored)
        edited_at = stored_iso(message.edited_at_stored)
    else:
        sent_at, read_at, edited_at = (
            iso(message.sent_at),
            iso(message.read_at),
            iso(message.edited_at),
        )
    payload = {
        "id": message.pk,
        "conversation_id": message.conversation_id,
        "sender_id": id_text(message.sender_id),
        "recipient_id": id_text(recipient_id) if recipient_id else None,
        "message_text": text,
        "attachment_url": (message.attachment_url or None) if shown else None,
        "attachment_type": (message.attachment_type or None) if shown else None,
        "sent_at": sent_at,
        "read": message.is_read,
        "read_at": read_at,
        "client_message_id": message.client_message_id,
        "hidden": message.is_hidden,
        "kind": message.kind,
        "edited_at": edited_at,
        "deleted": message.is_deleted,
        "reactions": reactions_payload(message, viewer_id=viewer_id),
    }
    return payload


def message_payloads(
    messages: Iterable[Message | MessageRow], *, viewer_id: uuid.UUID | None
) -> list[dict]:
    """A page's message objects, for one viewer (a door reads its request's member once,
    not once a message: DRF's `request.user` is a property worth 1-3 µs a call)."""
    return [message_payload(message, viewer_id=viewer_id) for message in messages]


def reactions_payload(message: Message | MessageRow, *, viewer_id: uuid.UUID | None) -> list[dict]:
    if not shows_reactions(message):
        return []
    return [
        {"emoji": group.emoji, "count": len(group.user_ids), "me": viewer_id in group.user_ids}
        for group in reaction_groups(message)
    ]


def revision_payload(revision: MessageRevision) -> dict:
    """One earlier version of a message: its text, when it was written and when an edit
    replaced it."""
    return {
        "message_text": revision.message_text,
        "written_at": iso(revision.written_at),
        "replaced_at": iso(revision.replaced_at),
    }


def search_result_payload(hit: SearchHit, *, viewer_id: uuid.UUID) -> dict:
    """A search result: a direct message names the other member; a group message names
    its conversation instead (`conversation_kind`, `conversation_title`)."""
    if hit.conversation_kind == Conversation.Kind.GROUP:
        return {
            **message_payload(hit, viewer_id=viewer_id),
            "other_user_id": None,
            "other_user_name": None,
            "conversation_kind": hit.conversation_kind,
            "conversation_title": hit.conversation_title,
        }
    if hit.sender_id == viewer_id:
        other_id, other_name = hit.recipient_id, hit.recipient_name
    else:
        other_id, other_name = hit.sender_id, hit.sender_name
    return {
        **message_payload(hit, viewer_id=viewer_id),
        "other_user_id": id_text(other_id),
        "other_user_name": other_name,
    }


def search_result_payloads(hits: Iterable[SearchHit], *, viewer_id: uuid.UUID) -> list[dict]:
    """A page of search results, for one viewer (as message_payloads)."""
    return [search_result_payload(hit, viewer_id=viewer_id) for hit in hits]


def conversation_summary_payload(summary: ConversationSummary) -> dict:
    return {
        **summary,
        "other_user_id": id_text(summary["other_user_id"]) if summary["other_user_id"] else None,
        "last_message_at": iso(summary["last_message_at"]),
    }


def conversation_status_payload(status: ConversationStatus) -> dict:
    return {**status, "other_user_last_seen_at": iso(status["other_user_last_seen_at"])}


def member_payload(user: User) -> dict:
    """What one member may see of another: never the email address."""
    return {"id": id_text(user.pk), "name": user.name, "avatar_url": user.avatar_url or None}


def own_account_payload(user: User) -> dict:
    return {**member_payload(user), "email": user.email}


def attachment_payload(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "name": attachment.original_name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": download_path(attachment.pk),
        "width": attachment.width,
        "height": attachment.height,
        "thumbnail_url": thumbnail_path(attachment.pk) if attachment.thumbnail_name else None,
    }


def conversation_payload(
    conversation: Conversation, members: list[MemberCard], viewer: Participant
) -> dict:
    """The conversation object: its active members (selectors.MemberCard, in order) and
    the viewer's own muted flag and unread count."""
    return {
        "conversation_id": conversation.pk,
        "kind": conversation.kind,
        "title": conversation.title if conversation.is_group else None,
        "members": [
            {
                "id": id_text(member.user_id),
                "name": member.name,
                "photo_url": member.avatar_url or None,
                "role": member.role,
            }
            for member in members
        ],
        "member_count": len(members),
        "created_at": iso(conversation.created_at),
        "muted": viewer.muted,
        "unread_count": viewer.unread_count,
        "is_request": viewer.is_request,
    }
