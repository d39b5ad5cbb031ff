"""Message requests (SPEC §9.5): the allowance of unanswered requests a member may send,
and accepting one. Which first message becomes a request is decided where the
conversation is created (services.messages); replying accepts in the same statement
that delivers the reply (services.messages.deliver)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from alumunity.users.models import User

from .. import events
from ..exceptions import NotFound, RequestLimitError
from ..models import Participant
from ..selectors import member_presence, membership, parse_row_id, sees_activity
from ..selectors.privacy import REQUEST_WINDOW


def check_request_allowance(*, sender: User) -> None:
    """Refuse a new request when the sender has MESSAGE_REQUESTS_PER_DAY unanswered
    requests from the last 24 hours. Called inside the sending transaction, before the
    conversation is created: the lock on the sender's row makes their first messages
    queue here, so parallel sends cannot all pass the count together."""
    User.objects.select_for_update().filter(pk=sender.pk).values_list("pk", flat=True).get()
    since = timezone.now() - REQUEST_WINDOW
    sent = Participant.objects.filter(
        is_request=True,
        conversation__created_by=sender,
        conversation__created_at__gte=since,
    ).aggregate(count=Count("pk"), oldest=Min("conversation__created_at"))
    limit = settings.MESSAGE_REQUESTS_PER_DAY
    if sent["count"] >= limit:
        wait = (sent["oldest"] + REQUEST_WINDOW - timezone.now()).total_seconds()
        raise RequestLimitError(limit=limit, wait=max(wait, 1.0))


def accept_request(*, user: User, conversation_id: object) -> Participant:
    """Accept a message request: the conversation joins the member's inbox and unread
    count, and from now on its sender hears of their reading, presence and typing (their
    presence is sent at once). Anything that is not a request for this member: 404."""
    pk = parse_row_id(conversation_id)
    with transaction.atomic():
        accepted = (
            Participant.objects.filter(conversation_id=pk, user=user, is_request=True).update(
                is_request=False
            )
            if pk
            else 0
        )
        if not accepted:
            raise NotFound("Message request not found.")
        participant = membership(user=user, conversation_id=pk)
        sender_id = participant.conversation.other_user_id(user.pk)
        if sender_id is not None and sees_activity(viewer_id=sender_id, member_id=user.pk):
            events.presence(
                user_id=user.pk, audience=[sender_id], **member_presence(user_id=user.pk)
            )
    return participant
