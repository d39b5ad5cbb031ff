"""Privacy (SPEC §9.5): what one member is shown of another's reading, presence and
typing, and whether a member receives message requests. Every door asks here (the
REST payloads, the socket events, the pages), so the rule lives in this module only.

The two `show_*` settings are reciprocal: a member who hides read receipts sends none
and sees none, one who hides presence shows as offline (without a last-seen time) and
sees everyone so. A message request also withholds the recipient's presence and typing
from its sender until it is accepted (its reading is never recorded until then: see
services.reads)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import TypedDict

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from alumunity.users.models import User

from ..models import Conversation, Message, Participant
from .members import canonical_pair
from .rows import MessageRow, SearchHit

# Message requests count against their sender's allowance for this long.
REQUEST_WINDOW = timedelta(hours=24)


class PrivacySettings(TypedDict):
    show_read_receipts: bool
    show_presence: bool
    message_requests: bool


def message_requests_on(user: User) -> bool:
    """The member's choice, or the site default for one who never made it."""
    if user.message_requests is None:
        return settings.MESSAGE_REQUESTS_DEFAULT
    return user.message_requests


def privacy_settings(user: User) -> PrivacySettings:
    return PrivacySettings(
        show_read_receipts=user.show_read_receipts,
        show_presence=user.show_presence,
        message_requests=message_requests_on(user),
    )


def shares_receipts(first: User, second: User) -> bool:
    """Whether read receipts pass between these two members (both show them)."""
    return receipts_pass(first.show_read_receipts, second.show_read_receipts)


def receipts_pass(first_shows: bool, second_shows: bool) -> bool:
    """Whether read receipts pass between two members who show them or not."""
    return bool(first_shows and second_shows)


def shares_presence(first: User, second: User) -> bool:
    """Whether presence passes between these two members (both show it)."""
    return bool(first.show_presence and second.show_presence)


def _waiting_request(*, recipient_id: uuid.UUID, sender_id: uuid.UUID) -> QuerySet[Participant]:
    """The recipient's side of their direct conversation with the sender, while it is
    a request from the sender."""
    user_one_id, user_two_id = canonical_pair(recipient_id, sender_id)
    return Participant.objects.filter(
        user_id=recipient_id,
        is_request=True,
        conversation__user_one_id=user_one_id,
        conversation__user_two_id=user_two_id,
    )


def sees_activity(*, viewer_id: uuid.UUID, member_id: uuid.UUID) -> bool:
    """Whether `viewer` is told `member`'s presence and typing: both show presence
    (read now, not from a member object a socket may have loaded before a change), and
    no request from the viewer waits with the member. One query."""
    hidden = User.objects.filter(pk__in=[viewer_id, member_id], show_presence=False)
    withheld = Q(Exists(hidden)) | Q(
        Exists(_waiting_request(recipient_id=member_id, sender_id=viewer_id))
    )
    return not User.objects.filter(pk=member_id).filter(withheld).exists()


def group_activity_audience(
    *, member_id: uuid.UUID, members: Iterable[tuple[uuid.UUID, bool]]
) -> list[uuid.UUID]:
    """Who in a group is told `member`'s typing, from (member, shows presence) rows read
    now: nobody while the member hides their presence, never a member who hides theirs."""
    rows = list(members)
    if not any(user_id == member_id and shows for user_id, shows in rows):
        return []
    return [user_id for user_id, shows in rows if shows and user_id != member_id]


def activity_withheld_sql(*, conversation: str, other: str) -> str:
    """The inbox's SQL words for "the other member's presence is withheld from the
    reader" (sees_activity's rule): either hides it, or a request from the reader waits
    with them. Given the aliases of the conversation and the other member; the reader's
    own flag is a parameter (%s)."""
    table = Participant._meta.db_table
    return (
        f"(%s = 0 OR {other}.show_presence = 0 OR EXISTS (SELECT 1 FROM {table} q "
        f"WHERE q.conversation_id = {conversation}.id AND q.user_id = {other}.id "
        f"AND q.is_request = 1))"
    )


def hide_unshared_receipts(
    messages: Iterable[Message | MessageRow], *, viewer: User, other: User
) -> None:
    """The viewer's own messages stay ✓ (unread) in what they are shown when receipts
    do not pass between them and the other member. Only the copies shown are changed:
    every write of read_at is an UPDATE by id, never a save of these objects."""
    _hide_own_receipts(messages, viewer=viewer, other_shows=other.show_read_receipts)


def hide_unshared_receipts_in_hits(hits: Iterable[SearchHit], *, viewer: User) -> None:
    """hide_unshared_receipts for search hits, each from a conversation of its own: a
    direct hit carries whether its recipient shows receipts."""
    for hit in hits:
        if hit.recipient_id is not None:
            _hide_own_receipts([hit], viewer=viewer, other_shows=hit.recipient_shows_receipts)


def _hide_own_receipts(
    messages: Iterable[Message | MessageRow], *, viewer: User, other_shows: bool
) -> None:
    if receipts_pass(viewer.show_read_receipts, other_shows):
        return
    for message in messages:
        if message.sender_id == viewer.pk:
            message.read_at = None


def receipt_goes_to_sender(
    *, reader: User, conversation: Conversation, sender_id: uuid.UUID | None
) -> bool:
    """Whether the sender of what `reader` just read hears of it (message.read): both
    show receipts. The sender comes from the conversation when it was loaded with its
    members, else one query."""
    if not reader.show_read_receipts or sender_id is None:
        return False
    cached = [
        member
        for field in ("user_one", "user_two")
        if Conversation._meta.get_field(field).is_cached(conversation)  # type: ignore[union-attr]
        and (member := getattr(conversation, field)) is not None
        and member.pk == sender_id
    ]
    if cached:
        return bool(cached[0].show_read_receipts)
    return User.objects.filter(pk=sender_id, show_read_receipts=True).exists()


def receipt_goes_to_its_sender(message: Message) -> bool:
    """Whether the sender of a message just read hears of it (message.read): both show
    receipts. For a message from selectors.access_message, which reads the reader's
    setting as stored now and brings the sender along: no query."""
    reader_shows = getattr(message, "_reader_shows_receipts", False)
    return bool(reader_shows and message.sender.show_read_receipts)


def hide_unshared_receipt(message: Message, *, found: Message | None = None) -> None:
    """A message about to be shown again after a change (an edit, a delete, a reaction):
    its read state stays hidden when receipts do not pass between its two members (as
    hide_unshared_receipts does for pages). `found` is the same message as
    selectors.access_message returned it, with both members' settings read; only the
    copy shown changes, after every write to it."""
    source = found or message
    if source.recipient_id is None:
        return
    recipient_shows = getattr(source, "_recipient_shows_receipts", False)
    if not (recipient_shows and source.sender.show_read_receipts):
        message.read_at = None


def visible_positions(
    rows: Iterable[tuple[object, int, bool]], *, viewer: User | None
) -> dict[object, int]:
    """A group's read positions as `viewer` may see them, from (member, position, shows
    receipts) rows: none for a viewer who hides receipts, and never the position of a
    member who hides theirs."""
    if viewer is not None and not viewer.show_read_receipts:
        return {}
    return {member_id: position for member_id, position, shows in rows if shows}


def receipt_audience(*, reader: User, members: Iterable[tuple[object, bool]]) -> list:
    """Who hears that `reader` moved their read position in a group, from (member, shows
    receipts) rows: the reader's own devices always, the others only when both show
    receipts."""
    if not reader.show_read_receipts:
        return [reader.pk]
    return [reader.pk, *(member for member, shows in members if shows and member != reader.pk)]


def unanswered_requests_sent() -> Subquery:
    """Per member (the outer query's row), how many message requests they sent in the
    last 24 hours that wait unanswered: the number the request allowance counts, and a
    spam signal for staff."""
    since = timezone.now() - REQUEST_WINDOW
    waiting = (
        Participant.objects.filter(
            is_request=True,
            conversation__created_by=OuterRef("pk"),
            conversation__created_at__gte=since,
        )
        .order_by()
        .values("conversation__created_by")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Subquery(waiting, output_field=IntegerField())
