"""Reactions and edits under concurrent writers on a real database (MariaDB row locks,
or SQLite's single writer): the 20-emoji cap holds, the counter stays exact, and an
edit racing a delete leaves the message deleted with no text."""

import pytest

from messaging import services
from messaging.exceptions import MessagingError
from messaging.models import Message, MessageRevision, Reaction
from messaging.tests.factories import UserFactory

from .test_concurrency import _needs_separate_connections, together  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

EMOJI = [chr(code) for code in range(0x1F600, 0x1F600 + 30)]  # 😀 … 30 different faces


def test_thirty_different_emoji_at_once_never_pass_twenty():
    creator, *others = UserFactory.create_batch(30)
    group = services.create_group(creator=creator, member_ids=[m.pk for m in others], title="Big")
    message = services.send_to_conversation(
        sender=creator, conversation_id=group.pk, text="vote"
    ).message

    def react(member, emoji):
        def run():
            try:
                services.add_reaction(user=member, message_id=message.pk, emoji=emoji)
            except MessagingError:
                return "refused"
            return "added"

        return run

    results = together([react(m, e) for m, e in zip([creator, *others], EMOJI, strict=True)])

    assert results.count("added") == 20
    assert Reaction.objects.filter(message=message).values("emoji_key").distinct().count() == 20
    assert Message.objects.get(pk=message.pk).reaction_count == Reaction.objects.count() == 20


def test_the_same_reaction_from_many_members_counts_each_once():
    creator, *others = UserFactory.create_batch(12)
    group = services.create_group(creator=creator, member_ids=[m.pk for m in others], title="Big")
    message = services.send_to_conversation(
        sender=creator, conversation_id=group.pk, text="vote"
    ).message
    members = [creator, *others]
    # Each member adds 👍 twice at once: idempotent, so one reaction each.
    together(
        [
            lambda member=member: services.add_reaction(
                user=member, message_id=message.pk, emoji="👍"
            )
            for member in members * 2
        ]
    )
    assert Reaction.objects.count() == len(members)
    assert Message.objects.get(pk=message.pk).reaction_count == len(members)


def test_an_edit_racing_a_delete_leaves_the_message_deleted_and_empty():
    ada, grace = UserFactory.create_batch(2)
    for attempt in range(5):
        message = services.send_message(
            sender=ada, recipient_id=grace.pk, text=f"original {attempt}"
        ).message

        def edit(message=message):
            try:
                services.edit_message(editor=ada, message_id=message.pk, text="edited")
            except MessagingError:
                return "refused"
            return "edited"

        together(
            [
                edit,
                lambda message=message: services.delete_message(deleter=ada, message_id=message.pk),
            ]
        )
        message.refresh_from_db()
        assert message.deleted_at is not None and message.message_text == ""
        original = MessageRevision.objects.get(message=message, deleted=True)
        assert original.message_text in {f"original {attempt}", "edited"}
