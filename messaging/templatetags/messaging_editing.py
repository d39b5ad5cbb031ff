"""What the page templates need for editing, delete for everyone and reactions: whether
a message offers Edit, its reactions as the reader sees them, and the picker's emoji."""

from dataclasses import dataclass

from django import template

from messaging import selectors, services
from messaging.models import Message

register = template.Library()

# The picker: a few emoji everyone uses; any other one goes through the API.
COMMON_REACTIONS = ("👍", "❤️", "😂", "😮", "😢", "🎉", "🙏", "👀")


@dataclass(frozen=True)
class ShownReaction:
    emoji: str
    count: int
    me: bool
    names: str


@register.simple_tag(takes_context=True)
def may_edit(context, message: Message) -> bool:
    return services.may_edit(context["request"].user, message)


@register.simple_tag(takes_context=True)
def reactions_of(context, message: Message) -> list[ShownReaction]:
    """The message's reactions in first-use order; none on a hidden or deleted one."""
    if message.is_hidden or message.is_deleted:
        return []
    me = context["request"].user.pk
    return [
        ShownReaction(
            group.emoji, len(group.user_ids), me in group.user_ids, ", ".join(group.names)
        )
        for group in selectors.reaction_groups(message)
    ]


@register.simple_tag
def common_reactions() -> tuple[str, ...]:
    return COMMON_REACTIONS


@register.filter
def reactable(message: Message) -> bool:
    return message.kind == Message.Kind.TEXT and not message.is_hidden and not message.is_deleted
