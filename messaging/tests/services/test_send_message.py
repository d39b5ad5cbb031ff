import uuid

import pytest
from django.db import connection

from messaging import events, services
from messaging.exceptions import InvalidInput, NotFound, SuspendedError
from messaging.models import Conversation, Message, Participant
from messaging.tests.factories import UserFactory, send
from messaging.tests.invariants import assert_unread_counters_exact


def _conversation(first, second) -> Conversation:
    one, two = sorted([first.pk, second.pk])
    return Conversation.objects.get(user_one_id=one, user_two_id=two)


def _counters(conversation: Conversation) -> tuple:
    conversation.refresh_from_db()
    return (
        conversation.message_count,
        conversation.unread_count_one,
        conversation.unread_count_two,
        conversation.last_message_id,
        conversation.last_message_at,
    )


def test_text_is_stripped(user, other_user):
    result = services.send_message(sender=user, recipient_id=other_user.pk, text="  \n hi there \t")

    assert result.created is True
    assert Message.objects.get(pk=result.message.pk).message_text == "hi there"


@pytest.mark.parametrize("text", ["", "   ", " \n\t ", None])
def test_empty_or_whitespace_text_without_attachment_is_rejected(user, other_user, text):
    with pytest.raises(InvalidInput) as error:
        services.send_message(sender=user, recipient_id=other_user.pk, text=text)

    assert "message_text" in error.value.errors
    assert not Message.objects.exists()
    assert not Conversation.objects.exists()


def test_text_of_5000_characters_is_accepted(user, other_user):
    message = send(user, other_user, "x" * 5000)

    assert len(Message.objects.get(pk=message.pk).message_text) == 5000


def test_text_of_5001_characters_is_rejected(user, other_user):
    with pytest.raises(InvalidInput) as error:
        send(user, other_user, "x" * 5001)

    assert "message_text" in error.value.errors
    assert not Message.objects.exists()


def test_length_is_measured_after_stripping(user, other_user):
    message = send(user, other_user, "  " + "x" * 5000 + "  ")

    assert len(message.message_text) == 5000


def test_attachment_only_send_is_accepted(user, other_user):
    result = services.send_message(
        sender=user,
        recipient_id=other_user.pk,
        text="   ",
        attachment_url="https://files.example.org/cv.pdf",
        attachment_type="application/pdf",
    )

    stored = Message.objects.get(pk=result.message.pk)
    assert (stored.message_text, stored.attachment_url, stored.attachment_type) == (
        "",
        "https://files.example.org/cv.pdf",
        "application/pdf",
    )
    assert _conversation(user, other_user).unread_count_for(other_user.pk) == 1


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "ftp://files.example.org/cv.pdf",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "//files.example.org/cv.pdf",
        "not a url",
    ],
)
def test_attachment_url_must_be_http_or_https(user, other_user, url):
    with pytest.raises(InvalidInput) as error:
        send(user, other_user, "see attached", attachment_url=url)

    assert "attachment_url" in error.value.errors
    assert not Message.objects.exists()


def test_attachment_url_of_500_characters_is_accepted(user, other_user):
    prefix = "https://files.example.org/"
    url = prefix + "a" * (500 - len(prefix))

    message = send(user, other_user, "", attachment_url=url)

    assert Message.objects.get(pk=message.pk).attachment_url == url


def test_attachment_url_over_500_characters_is_rejected(user, other_user):
    prefix = "https://files.example.org/"
    url = prefix + "a" * (501 - len(prefix))

    with pytest.raises(InvalidInput) as error:
        send(user, other_user, "", attachment_url=url)

    assert "attachment_url" in error.value.errors
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "field, value",
    [
        ("text", "hello\x00world"),
        ("attachment_url", "https://files.example.org/\x00.pdf"),
        ("client_message_id", "abc\x00"),
    ],
)
def test_nul_character_is_rejected(user, other_user, field, value):
    kwargs = {"text": "hello", field: value}

    with pytest.raises(InvalidInput):
        services.send_message(sender=user, recipient_id=other_user.pk, **kwargs)

    assert not Message.objects.exists()


def test_sending_to_yourself_is_rejected(user):
    with pytest.raises(InvalidInput) as error:
        services.send_message(sender=user, recipient_id=str(user.pk), text="note to self")

    assert "recipient_id" in error.value.errors
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    "recipient_id",
    [uuid.UUID(int=1), "5f0c3a52-7d7e-4c4e-9d0a-6b1f2e3d4c5b", "not-a-uuid", "", None, 42],
)
def test_unknown_or_malformed_recipient_is_not_found(user, recipient_id):
    with pytest.raises(NotFound):
        services.send_message(sender=user, recipient_id=recipient_id, text="hello")

    assert not Message.objects.exists()


def test_inactive_recipient_is_not_found(user):
    gone = UserFactory(is_active=False)

    with pytest.raises(NotFound):
        send(user, gone)

    assert not Message.objects.exists()


def test_suspended_sender_cannot_send(user, other_user):
    user.messaging_suspended = True
    user.save(update_fields=["messaging_suspended"])

    with pytest.raises(SuspendedError):
        send(user, other_user)

    assert not Message.objects.exists()


def test_suspended_member_can_still_receive(user, other_user):
    user.messaging_suspended = True
    user.save(update_fields=["messaging_suspended"])

    send(other_user, user, "still reaches you")

    assert _conversation(user, other_user).unread_count_for(user.pk) == 1


def test_emoji_and_four_byte_characters_round_trip(user, other_user):
    text = "Hello 👋🏽 from 𝄞 and 𠜎 — naïve café ✓ 👨‍👩‍👧"

    message = send(user, other_user, text)

    assert Message.objects.get(pk=message.pk).message_text == text


def test_conversation_is_created_once_per_pair_in_canonical_order(user, other_user):
    first = send(user, other_user, "one way")
    second = send(other_user, user, "other way")
    third = send(user, other_user, "again")

    conversation = Conversation.objects.get()
    assert first.conversation_id == second.conversation_id == third.conversation_id
    assert conversation.pk == first.conversation_id
    assert (conversation.user_one_id, conversation.user_two_id) == tuple(
        sorted([user.pk, other_user.pk])
    )


def test_each_pair_has_its_own_conversation(user, other_user, third_user):
    send(user, other_user)
    send(user, third_user)
    send(third_user, other_user)

    assert Conversation.objects.count() == 3


def test_send_updates_counters_together(user, other_user):
    first = send(user, other_user, "first")
    conversation = _conversation(user, other_user)
    other_side = conversation.side_of(other_user.pk)
    my_side = conversation.side_of(user.pk)

    second = send(user, other_user, "second")
    conversation.refresh_from_db()

    assert conversation.message_count == 2
    assert getattr(conversation, f"unread_count_{other_side}") == 2
    assert getattr(conversation, f"unread_count_{my_side}") == 0
    assert conversation.last_message_id == second.pk
    assert conversation.last_message_at == Message.objects.get(pk=second.pk).sent_at
    assert first.pk < second.pk

    reply = send(other_user, user, "reply")
    conversation.refresh_from_db()

    assert conversation.message_count == 3
    assert getattr(conversation, f"unread_count_{other_side}") == 2
    assert getattr(conversation, f"unread_count_{my_side}") == 1
    assert conversation.last_message_id == reply.pk
    assert_unread_counters_exact()


def test_failure_inside_the_transaction_leaves_nothing(user, other_user, monkeypatch):
    send(user, other_user, "before")
    conversation = _conversation(user, other_user)
    before = _counters(conversation)

    def explode(message):
        assert Message.objects.filter(pk=message.pk).exists()  # the insert did happen
        raise RuntimeError("channel layer exploded")

    monkeypatch.setattr(events, "message_new", explode)

    with pytest.raises(RuntimeError):
        send(user, other_user, "lost", client_message_id="retry-me")

    assert list(Message.objects.values_list("message_text", flat=True)) == ["before"]
    assert _counters(conversation) == before
    assert_unread_counters_exact()

    monkeypatch.undo()
    retried = services.send_message(
        sender=user, recipient_id=other_user.pk, text="lost", client_message_id="retry-me"
    )
    assert retried.created is True


def test_failure_in_the_counter_update_leaves_nothing(user, other_user):
    send(user, other_user, "before")
    conversation = _conversation(user, other_user)
    before = _counters(conversation)
    # The counters live on the participant rows: their update is the one that fails,
    # failed by the database connection itself, however the statement was built.
    table = Participant._meta.db_table

    def fail_the_counter_update(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("UPDATE") and table in sql:
            raise RuntimeError("database went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail_the_counter_update), pytest.raises(RuntimeError):
        send(user, other_user, "lost")

    assert list(Message.objects.values_list("message_text", flat=True)) == ["before"]
    assert _counters(conversation) == before


def test_failed_first_message_leaves_no_conversation(user, other_user, monkeypatch):
    def explode(message):
        raise RuntimeError("boom")

    monkeypatch.setattr(events, "message_new", explode)

    with pytest.raises(RuntimeError):
        send(user, other_user, "hello")

    assert not Message.objects.exists()
    assert not Conversation.objects.exists()


def test_new_message_event_is_published_after_commit(
    user, other_user, django_capture_on_commit_callbacks, monkeypatch
):
    delivered = []
    monkeypatch.setattr(events, "_deliver", lambda user_ids, event: delivered.append(event))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = send(user, other_user, "hi")

    assert delivered == []
    for callback in callbacks:
        callback()
    assert [(event["type"], event["message"]["id"]) for event in delivered] == [
        ("message.new", message.pk)
    ]


# --- idempotent client_message_id -------------------------------------------------------


def test_retry_with_same_client_message_id_returns_the_original(user, other_user):
    first = services.send_message(
        sender=user, recipient_id=other_user.pk, text="hello", client_message_id="c-1"
    )
    conversation = _conversation(user, other_user)
    before = _counters(conversation)

    retry = services.send_message(
        sender=user, recipient_id=other_user.pk, text="hello", client_message_id="c-1"
    )

    assert (first.created, retry.created) == (True, False)
    assert retry.message.pk == first.message.pk
    assert Message.objects.count() == 1
    assert _counters(conversation) == before
    assert_unread_counters_exact()


def test_retry_publishes_no_new_event(user, other_user, django_capture_on_commit_callbacks):
    send(user, other_user, "hello", client_message_id="c-1")

    with django_capture_on_commit_callbacks() as callbacks:
        send(user, other_user, "hello", client_message_id="c-1")

    assert callbacks == []


def test_same_client_message_id_from_another_sender_is_a_new_message(user, other_user, third_user):
    mine = services.send_message(
        sender=user, recipient_id=other_user.pk, text="hi", client_message_id="shared"
    )
    theirs = services.send_message(
        sender=third_user, recipient_id=other_user.pk, text="hi", client_message_id="shared"
    )

    assert theirs.created is True
    assert theirs.message.pk != mine.message.pk
    assert Message.objects.filter(client_message_id="shared").count() == 2
    assert_unread_counters_exact()


def test_client_message_id_of_64_characters_is_accepted(user, other_user):
    message = send(user, other_user, client_message_id="c" * 64)

    assert Message.objects.get(pk=message.pk).client_message_id == "c" * 64


def test_client_message_id_over_64_characters_is_rejected(user, other_user):
    with pytest.raises(InvalidInput) as error:
        send(user, other_user, client_message_id="c" * 65)

    assert "client_message_id" in error.value.errors
    assert not Message.objects.exists()


def test_messages_without_client_message_id_are_never_merged(user, other_user):
    first = services.send_message(sender=user, recipient_id=other_user.pk, text="same")
    second = services.send_message(
        sender=user, recipient_id=other_user.pk, text="same", client_message_id="  "
    )

    assert second.created is True
    assert second.message.pk != first.message.pk
    assert Message.objects.filter(client_message_id__isnull=True).count() == 2
