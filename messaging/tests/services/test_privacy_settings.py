"""Reciprocal privacy (SPEC §9.5): a member who hides read receipts sends none and sees
none; one who hides presence shows as offline without last_seen_at and sees everyone
so. Decided in selectors.privacy, checked here through every read that shows them."""

import pytest
from django.core.cache import cache

from messaging import selectors, services
from messaging.exceptions import InvalidInput
from messaging.tests.factories import send


def _hide(member, **flags):
    services.update_privacy_settings(user=member, **flags)


def test_defaults_and_a_partial_update(user, settings):
    assert selectors.privacy_settings(user) == {
        "show_read_receipts": True,
        "show_presence": True,
        "message_requests": False,
    }
    settings.MESSAGE_REQUESTS_DEFAULT = True
    assert selectors.privacy_settings(user)["message_requests"] is True

    result = services.update_privacy_settings(user=user, show_presence=False)

    user.refresh_from_db()
    assert result == {"show_read_receipts": True, "show_presence": False, "message_requests": True}
    assert (user.show_presence, user.show_read_receipts, user.message_requests) == (
        False,
        True,
        None,
    )


def test_a_setting_must_be_a_boolean(user):
    with pytest.raises(InvalidInput):
        services.update_privacy_settings(user=user, show_presence="no")
    user.refresh_from_db()
    assert user.show_presence is True


def _read_flags(reader, other):
    page = selectors.list_messages(user=reader, other_user_id=other.pk, limit=50)
    return [(message.message_text, message.read_at is not None) for message in page.messages]


@pytest.mark.parametrize("hider", ["sender", "reader"])
def test_hidden_receipts_leave_the_senders_messages_unread_to_them(user, other_user, hider):
    message = send(user, other_user, "mine")
    send(other_user, user, "theirs")
    _hide(user if hider == "sender" else other_user, show_read_receipts=False)
    services.open_conversation(reader=other_user, other_user_id=user.pk, limit=50)
    services.open_conversation(reader=user, other_user_id=other_user.pk, limit=50)

    # Stored as read (counters stay right) but shown ✓ to its sender.
    message.refresh_from_db()
    assert message.read_at is not None
    assert _read_flags(user, other_user) == [("mine", False), ("theirs", True)]
    assert _read_flags(other_user, user) == [("mine", True), ("theirs", False)]
    assert selectors.read_receipts(sender=user, other=other_user, message_ids=[message.pk]) == {}
    by_id = selectors.conversation_messages(
        user=user, conversation_id=message.conversation_id, limit=50
    )
    assert [shown.read_at for shown in by_id.messages if shown.sender_id == user.pk] == [None]
    found, _ = selectors.search_messages(user=user, query="mine", limit=10)
    assert [shown.read_at for shown in found] == [None]


def test_receipts_shown_when_both_show_them(user, other_user):
    message = send(user, other_user, "mine")
    services.open_conversation(reader=other_user, other_user_id=user.pk, limit=50)

    assert _read_flags(user, other_user) == [("mine", True)]
    assert list(
        selectors.read_receipts(sender=user, other=other_user, message_ids=[message.pk])
    ) == [message.pk]


def test_group_positions_hide_members_who_hide_receipts(user, other_user, third_user):
    group = services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Class of 99"
    )
    message = services.send_to_conversation(
        sender=user, conversation_id=group.pk, text="hello all"
    ).message
    for reader in (other_user, third_user):
        services.read_conversation(reader=reader, conversation_id=group.pk)
    _hide(third_user, show_read_receipts=False)

    positions = selectors.read_positions(group, viewer=user)
    assert selectors.seen_by(message, positions) == 1
    _hide(user, show_read_receipts=False)
    assert selectors.read_positions(group, viewer=user) == {}


def _seen(member):
    services.record_activity(user=member)


@pytest.mark.parametrize("hider", ["viewer", "member"])
def test_hidden_presence_is_offline_without_last_seen_both_ways(user, other_user, hider):
    send(user, other_user, "hi")
    _seen(other_user)
    _hide(user if hider == "viewer" else other_user, show_presence=False)

    status = selectors.conversation_status(user=user, other_user_id=other_user.pk)
    (row,), _ = selectors.list_conversations(user=user, limit=50, offset=0)

    assert status == {
        "other_user_status": "offline",
        "other_user_last_seen_at": None,
        "other_user_typing": False,
    }
    assert row["other_user_status"] == "offline"


def test_presence_shown_when_both_show_it(user, other_user):
    send(user, other_user, "hi")
    _seen(other_user)

    status = selectors.conversation_status(user=user, other_user_id=other_user.pk)
    (row,), _ = selectors.list_conversations(user=user, limit=50, offset=0)

    assert status["other_user_status"] == "online"
    assert status["other_user_last_seen_at"] is not None
    assert row["other_user_status"] == "online"


@pytest.mark.parametrize("hider", ["typist", "partner"])
def test_hidden_presence_hides_typing(user, other_user, hider):
    send(user, other_user, "hi")
    _hide(other_user if hider == "typist" else user, show_presence=False)

    services.record_typing(user=other_user, to_user_id=user.pk)

    assert (
        selectors.conversation_status(user=user, other_user_id=other_user.pk)["other_user_typing"]
        is False
    )
    assert cache.get(selectors.typing_key(from_user_id=other_user.pk, to_user_id=user.pk)) is None


def test_presence_audience_leaves_out_who_hides_presence(user, other_user, third_user):
    send(user, other_user)
    send(user, third_user)
    assert set(selectors.presence_audience(user=user)) == {other_user.pk, third_user.pk}

    _hide(third_user, show_presence=False)
    assert selectors.presence_audience(user=user) == [other_user.pk]
    _hide(user, show_presence=False)
    assert selectors.presence_audience(user=user) == []


def test_a_waiting_request_withholds_the_recipients_presence_and_typing(user, other_user):
    other_user.message_requests = True
    other_user.save(update_fields=["message_requests"])
    message = send(user, other_user, "hello")
    _seen(other_user)
    services.record_typing(user=other_user, to_user_id=user.pk)

    assert selectors.conversation_status(user=user, other_user_id=other_user.pk) == {
        "other_user_status": "offline",
        "other_user_last_seen_at": None,
        "other_user_typing": False,
    }
    (row,), _ = selectors.list_conversations(user=user, limit=50, offset=0)
    assert row["other_user_status"] == "offline"
    assert user.pk not in selectors.presence_audience(user=other_user)

    services.accept_request(user=other_user, conversation_id=message.conversation_id)
    services.record_typing(user=other_user, to_user_id=user.pk)

    status = selectors.conversation_status(user=user, other_user_id=other_user.pk)
    assert status["other_user_status"] == "online"
    assert status["other_user_typing"] is True
    assert user.pk in selectors.presence_audience(user=other_user)


def test_group_typing_leaves_out_who_hides_presence(user, other_user, third_user, monkeypatch):
    from messaging import events

    heard = []
    monkeypatch.setattr(events, "typing", lambda **event: heard.append(event))
    group = services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Class of 99"
    )
    _hide(third_user, show_presence=False)

    services.record_conversation_typing(user=user, conversation_id=group.pk)
    services.record_conversation_typing(user=third_user, conversation_id=group.pk)

    assert [event["audience"] for event in heard] == [[other_user.pk]]
