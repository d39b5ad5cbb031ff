"""Message requests (SPEC §9.5): a stranger's first message to a member who receives
requests waits outside the inbox until it is accepted or answered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import selectors, services
from messaging.exceptions import NotFound, RequestLimitError
from messaging.models import Conversation, Participant
from messaging.tests.factories import UserFactory, send


def _row(conversation_id, member) -> Participant:
    return Participant.objects.get(conversation_id=conversation_id, user=member)


@pytest.fixture
def receives_requests(other_user):
    other_user.message_requests = True
    other_user.save(update_fields=["message_requests"])
    return other_user


def test_a_first_message_to_a_member_who_receives_requests_is_a_request(user, receives_requests):
    message = send(user, receives_requests, "hello stranger")

    assert _row(message.conversation_id, receives_requests).is_request is True
    assert _row(message.conversation_id, user).is_request is False
    assert Conversation.objects.get(pk=message.conversation_id).created_by == user


def test_requests_are_off_by_default_and_follow_the_site_default(user, other_user, settings):
    first = send(user, other_user)
    assert _row(first.conversation_id, other_user).is_request is False

    settings.MESSAGE_REQUESTS_DEFAULT = True
    stranger = UserFactory()
    second = send(stranger, other_user)
    assert _row(second.conversation_id, other_user).is_request is True
    # A member's own choice wins over the default.
    other_user.message_requests = False
    other_user.save(update_fields=["message_requests"])
    third = send(UserFactory(), other_user)
    assert _row(third.conversation_id, other_user).is_request is False


def test_a_member_already_written_to_is_no_stranger(user, receives_requests):
    send(receives_requests, user, "I wrote first")
    reply = send(user, receives_requests, "and I answer")

    assert _row(reply.conversation_id, receives_requests).is_request is False


def test_a_request_stays_out_of_the_inbox_and_unread_count(user, receives_requests):
    message = send(user, receives_requests, "hello")

    inbox, total = selectors.list_conversations(user=receives_requests, limit=50, offset=0)
    requests, request_total = selectors.list_conversations(
        user=receives_requests, limit=50, offset=0, requests=True
    )

    assert (inbox, total) == ([], 0)
    assert request_total == 1
    assert requests[0]["conversation_id"] == message.conversation_id
    assert requests[0]["is_request"] is True
    assert requests[0]["other_user_name"] == user.name
    assert selectors.unread_total(user=receives_requests) == 0
    assert selectors.inbox_counts(user=receives_requests) == (0, 1)
    # The sender sees it as sent, in their inbox, not as a request.
    (sent,), _ = selectors.list_conversations(user=user, limit=50, offset=0)
    assert sent["is_request"] is False


def test_accepting_moves_the_request_into_the_inbox(user, receives_requests):
    message = send(user, receives_requests, "hello")

    services.accept_request(user=receives_requests, conversation_id=message.conversation_id)

    assert _row(message.conversation_id, receives_requests).is_request is False
    (row,), _ = selectors.list_conversations(user=receives_requests, limit=50, offset=0)
    assert row["is_request"] is False
    assert selectors.unread_total(user=receives_requests) == 1


@pytest.mark.parametrize("who", ["sender", "stranger", "missing"])
def test_accepting_what_is_not_a_request_for_you_is_not_found(
    user, receives_requests, third_user, who
):
    message = send(user, receives_requests, "hello")
    actor = {"sender": user, "stranger": third_user, "missing": receives_requests}[who]
    conversation_id = 987654 if who == "missing" else message.conversation_id

    with pytest.raises(NotFound):
        services.accept_request(user=actor, conversation_id=conversation_id)
    assert _row(message.conversation_id, receives_requests).is_request is True


def test_accepting_twice_is_not_found(user, receives_requests):
    message = send(user, receives_requests)
    services.accept_request(user=receives_requests, conversation_id=message.conversation_id)
    with pytest.raises(NotFound):
        services.accept_request(user=receives_requests, conversation_id=message.conversation_id)


def test_replying_accepts(user, receives_requests):
    message = send(user, receives_requests, "hello")

    send(receives_requests, user, "hi back")

    assert _row(message.conversation_id, receives_requests).is_request is False


def test_reading_a_request_records_nothing_until_it_is_accepted(user, receives_requests):
    message = send(user, receives_requests, "hello")

    page = services.open_conversation(reader=receives_requests, other_user_id=user.pk, limit=50)
    assert [shown.pk for shown in page.messages] == [message.pk]
    services.mark_read(reader=receives_requests, message_id=message.pk)
    message.refresh_from_db()
    assert message.read_at is None

    services.accept_request(user=receives_requests, conversation_id=message.conversation_id)
    services.open_conversation(reader=receives_requests, other_user_id=user.pk, limit=50)
    message.refresh_from_db()
    assert message.read_at is not None


def test_deleting_a_request_is_the_silent_delete_for_me(user, receives_requests):
    message = send(user, receives_requests, "hello")

    services.delete_conversation(user=receives_requests, conversation_id=message.conversation_id)

    assert selectors.list_conversations(
        user=receives_requests, limit=50, offset=0, requests=True
    ) == ([], 0)
    # The sender still has everything, and can see nothing of the delete.
    (row,), _ = selectors.list_conversations(user=user, limit=50, offset=0)
    assert row["last_message"] == "hello"


def test_the_daily_allowance_of_unanswered_requests(user, settings):
    settings.MESSAGE_REQUESTS_PER_DAY = 3
    strangers = UserFactory.create_batch(5, message_requests=True)
    for stranger in strangers[:3]:
        send(user, stranger)

    with pytest.raises(RequestLimitError) as refused:
        send(user, strangers[3])

    assert refused.value.status == 429
    assert 0 < refused.value.wait <= 24 * 60 * 60
    assert "3 message requests" in refused.value.message
    assert not Conversation.objects.filter(user_one=strangers[3]).exists()
    assert not Conversation.objects.filter(user_two=strangers[3]).exists()
    # Members who do not receive requests, and people already talked to, are not limited.
    send(user, UserFactory())
    send(user, strangers[0], "another message")


def test_answered_and_old_requests_leave_the_allowance(user, settings):
    settings.MESSAGE_REQUESTS_PER_DAY = 2
    first, second, third, fourth = UserFactory.create_batch(4, message_requests=True)
    answered = send(user, first)
    old = send(user, second)
    send(first, user, "thanks")  # answering accepts
    Conversation.objects.filter(pk=old.conversation_id).update(
        created_at=timezone.now() - timedelta(hours=25)
    )

    send(user, third)
    send(user, fourth)  # two in the window: the one answered and the old one do not count

    assert _row(answered.conversation_id, first).is_request is False
    with pytest.raises(RequestLimitError):
        send(user, UserFactory(message_requests=True))


def test_block_works_on_a_request(user, receives_requests):
    from messaging.exceptions import BlockedError

    send(user, receives_requests, "hello")
    services.block_user(blocker=receives_requests, blocked_user_id=user.pk)

    with pytest.raises(BlockedError):
        send(user, receives_requests, "again")


def test_the_refusal_says_when_to_try_again(user, settings):
    settings.MESSAGE_REQUESTS_PER_DAY = 1
    first, second = UserFactory.create_batch(2, message_requests=True)
    send(user, first)

    with pytest.raises(RequestLimitError) as refused:
        send(user, second)

    assert refused.value.message == (
        "You have sent 1 message request in the last 24 hours that nobody has answered yet. "
        "You can start a new conversation in about 24 hours; "
        "you can still write to people you already talk to."
    )
