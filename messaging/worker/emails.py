"""One missed-message email: its subject, plain-text and HTML bodies (Django templates,
so every member's text is escaped in the HTML), absolute links and RFC 8058 headers."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from alumunity.users.models import User

from .. import selectors
from ..models import Message, NotificationSettings, Participant
from ..selectors import MissedConversation


@dataclass(frozen=True)
class EmailConversation:
    """One conversation as the email shows it."""

    title: str
    url: str
    messages: list[Message]
    more: int
    total: int
    is_group: bool
    # A stranger's first messages, waiting in Requests: told once, without their text.
    is_request: bool = False


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def email_conversation(row: Participant, missed: MissedConversation) -> EmailConversation:
    conversation = row.conversation
    if conversation.is_group:
        title = conversation.title
        url = reverse("messaging:group", args=[conversation.pk])
    else:
        title = missed.messages[0].sender.name
        url = reverse("messaging:conversation", args=[conversation.other_user_id(row.user_id)])
    return EmailConversation(
        title=title,
        url=absolute(url),
        messages=missed.messages,
        more=missed.more,
        total=missed.total,
        is_group=conversation.is_group,
        is_request=row.is_request,
    )


def subject_for(conversations: list[EmailConversation]) -> str:
    total = sum(entry.total for entry in conversations)
    if len(conversations) == 1:
        entry = conversations[0]
        sender = entry.messages[0].sender.name
        if entry.is_request:
            return f"New message request from {sender}"
        noun = "message" if total == 1 else "messages"
        where = f" in {entry.title}" if entry.is_group else ""
        return f"{total} new {noun} from {sender}{where}"
    return f"{total} new messages in {len(conversations)} conversations"


def unsubscribe_url(user: User, choices: NotificationSettings) -> str:
    token = selectors.unsubscribe_token(user_id=user.pk, generation=choices.unsubscribe_generation)
    return absolute(reverse("messaging:unsubscribe", args=[token]))


def build_email(
    *,
    user: User,
    choices: NotificationSettings,
    conversations: list[EmailConversation],
    connection=None,
) -> EmailMultiAlternatives:
    unsubscribe = unsubscribe_url(user, choices)
    context = {
        "member": user,
        "conversations": conversations,
        "include_text": choices.email_include_text,
        "unsubscribe_url": unsubscribe,
        "settings_url": absolute(reverse("messaging:notification-settings")),
        "site_url": settings.SITE_URL,
    }
    email = EmailMultiAlternatives(
        subject=subject_for(conversations),
        body=render_to_string("messaging/email/missed_messages.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
        connection=connection,
    )
    email.attach_alternative(
        render_to_string("messaging/email/missed_messages.html", context), "text/html"
    )
    return email
