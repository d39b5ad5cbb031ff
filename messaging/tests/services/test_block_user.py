import pytest
from django.core.cache import cache
from django.utils import timezone

from messaging import selectors, services
from messaging.exceptions import BlockedError, InvalidInput, NotFound
from messaging.models import Block, Message, Presence
from messaging.tests.factories import send
from messaging.tests.invariants import assert_unread_counters_exact


def _seen_now(*members) -> None:
    for member in members:
        Presence.objects.update_or_create(user=member, defaults={"last_seen_at": timezone.now()})


def test_blocking_yourself_is_rejected(user):
    with pytest.raises(InvalidInput) as error:
        services.block_user(blocker=user, blocked_user_id=str(user.pk))

    assert "blocked_user_id" in error.value.errors
    assert not Block.objects.exists()


@pytest.mark.parametrize(
    "blocked_user_id", ["5f0c3a52-7d7e-4c4e-9d0a-6b1f2e3d4c5b", "not-a-uuid", "", None]
)
def test_blocking_an_unknown_member_is_not_found(user, blocked_user_id):
    with pytest.raises(NotFound):
        services.block_user(blocker=user, blocked_user_id=blocked_user_id)

    assert not Block.objects.exists()


def test_block_is_idempotent(user, other_user):
    first = services.block_user(blocker=user, blocked_user_id=other_user.pk)
    again = services.block_user(blocker=user, blocked_user_id=str(other_user.pk))

    assert first.pk == again.pk
    assert Block.objects.count() == 1
    assert selectors.list_blocked_users(user=user) == [other_user]


@pytest.mark.parametrize("direction", ["blocker_sends", "blocked_sends"])
def test_after_a_block_neither_member_can_send(user, other_user, direction):
    send(user, other_user, "before the block")
    services.block_user(blocker=user, blocked_user_id=other_user.pk)
    sender, recipient = (user, other_user) if direction == "blocker_sends" else (other_user, user)

    with pytest.raises(BlockedError) as error:
        send(sender, recipient, "after the block")

    assert "blocked" in error.value.message
    assert list(Message.objects.values_list("message_text", flat=True)) == ["before the block"]
    assert_unread_counters_exact()


def test_history_stays_visible_to_both_after_a_block(user, other_user):
    sent = [send(user, other_user, "one"), send(other_user, user, "two")]
    services.block_user(blocker=other_user, blocked_user_id=user.pk)

    for member, other in ((user, other_user), (other_user, user)):
        page = selectors.list_messages(user=member, other_user_id=other.pk, limit=50)
        assert ([m.pk for m in page.messages], page.total) == ([m.pk for m in sent], 2)
        _summaries, total = selectors.list_conversations(user=member, limit=50, offset=0)
        assert total == 1


def test_a_block_shows_each_member_offline_and_not_typing_to_the_other(user, other_user):
    send(user, other_user, "hi")
    _seen_now(user, other_user)
    services.record_typing(user=user, to_user_id=other_user.pk)
    services.record_typing(user=other_user, to_user_id=user.pk)
    assert selectors.conversation_status(user=user, other_user_id=other_user.pk)[
        "other_user_typing"
    ]

    services.block_user(blocker=user, blocked_user_id=other_user.pk)

    hidden = {
        "other_user_status": "offline",
        "other_user_last_seen_at": None,
        "other_user_typing": False,
    }
    assert selectors.conversation_status(user=user, other_user_id=other_user.pk) == hidden
    assert selectors.conversation_status(user=other_user, other_user_id=user.pk) == hidden
    for member in (user, other_user):
        (summary,), _ = selectors.list_conversations(user=member, limit=50, offset=0)
        assert summary["other_user_status"] == "offline"


def test_a_block_forgets_typing_already_recorded(user, other_user):
    services.record_typing(user=other_user, to_user_id=user.pk)

    services.block_user(blocker=user, blocked_user_id=other_user.pk)

    assert cache.get(selectors.typing_key(from_user_id=other_user.pk, to_user_id=user.pk)) is None


@pytest.mark.parametrize("typist", ["blocker", "blocked"])
def test_typing_between_blocked_members_records_nothing(
    user, other_user, typist, django_capture_on_commit_callbacks
):
    services.block_user(blocker=user, blocked_user_id=other_user.pk)
    member, other = (user, other_user) if typist == "blocker" else (other_user, user)

    with django_capture_on_commit_callbacks() as callbacks:
        services.record_typing(user=member, to_user_id=other.pk)

    assert cache.get(selectors.typing_key(from_user_id=member.pk, to_user_id=other.pk)) is None
    assert callbacks == []
    assert (
        selectors.conversation_status(user=other, other_user_id=member.pk)["other_user_typing"]
        is False
    )


def test_unblock_restores_sending_status_and_typing(user, other_user):
    _seen_now(user, other_user)
    services.block_user(blocker=user, blocked_user_id=other_user.pk)

    services.unblock_user(blocker=user, blocked_user_id=str(other_user.pk))

    assert not Block.objects.exists()
    send(user, other_user, "hello again")
    send(other_user, user, "welcome back")
    services.record_typing(user=other_user, to_user_id=user.pk)
    status = selectors.conversation_status(user=user, other_user_id=other_user.pk)
    assert (status["other_user_status"], status["other_user_typing"]) == ("online", True)
    assert_unread_counters_exact()


def test_only_the_blocker_can_lift_a_block(user, other_user):
    services.block_user(blocker=user, blocked_user_id=other_user.pk)

    services.unblock_user(blocker=other_user, blocked_user_id=user.pk)

    assert Block.objects.filter(blocker=user, blocked=other_user).exists()
    with pytest.raises(BlockedError):
        send(other_user, user)


def test_a_block_each_way_needs_both_lifted(user, other_user):
    services.block_user(blocker=user, blocked_user_id=other_user.pk)
    services.block_user(blocker=other_user, blocked_user_id=user.pk)

    services.unblock_user(blocker=user, blocked_user_id=other_user.pk)

    with pytest.raises(BlockedError):
        send(user, other_user)
    services.unblock_user(blocker=other_user, blocked_user_id=user.pk)
    assert send(user, other_user).pk


def test_unblocking_someone_never_blocked_changes_nothing(user, other_user, third_user):
    services.block_user(blocker=user, blocked_user_id=third_user.pk)

    services.unblock_user(blocker=user, blocked_user_id=other_user.pk)

    assert list(Block.objects.values_list("blocker_id", "blocked_id")) == [(user.pk, third_user.pk)]
