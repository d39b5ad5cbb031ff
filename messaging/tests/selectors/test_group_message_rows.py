"""The API's group history as plain rows (selectors.conversation_message_rows): the same
messages, payloads, totals, "Seen by" counts and queries as conversation_messages'
model instances, through the selector and through the API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import client_for
from messaging import selectors, services
from messaging.exceptions import NotFound
from messaging.models import Message
from messaging.payloads import message_payload
from messaging.tests.factories import AttachmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _say(member, group, text="", **kwargs) -> Message:
    return services.send_to_conversation(
        sender=member, conversation_id=group.pk, text=text, **kwargs
    ).message


@pytest.fixture
def group(user, other_user, third_user):
    group = services.create_group(
        creator=user, member_ids=[str(other_user.pk), str(third_user.pk)], title="Reunion"
    )
    attachment = AttachmentFactory(uploader=other_user)
    said = [
        _say(user, group, "plain"),
        _say(other_user, group, "", attachment_id=attachment.pk),
        _say(third_user, group, "to be edited"),
        _say(user, group, "to be deleted"),
        _say(other_user, group, "reacted to"),
        _say(third_user, group, "last"),
    ]
    services.edit_message(editor=third_user, message_id=said[2].pk, text="edited")
    services.delete_message(deleter=user, message_id=said[3].pk)
    services.add_reaction(user=user, message_id=said[4].pk, emoji="🎉")
    services.read_conversation(reader=other_user, conversation_id=group.pk)
    return group


def _payloads(messages, viewer):
    return [message_payload(message, viewer_id=viewer.pk) for message in messages]


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_rows_give_the_instances_payloads_totals_and_queries(group, user, limit):
    with CaptureQueriesContext(connection) as with_instances:
        instances = selectors.conversation_messages(
            user=user, conversation_id=group.pk, limit=limit
        )
    with CaptureQueriesContext(connection) as with_rows:
        rows = selectors.conversation_message_rows(user=user, conversation_id=group.pk, limit=limit)
    assert len(with_rows.captured_queries) == len(with_instances.captured_queries)
    assert (rows.conversation, rows.total) == (instances.conversation, instances.total)
    assert _payloads(rows.messages, user) == _payloads(instances.messages, user)
    positions = selectors.read_positions(group, viewer=user)
    assert selectors.seen_counts(rows.messages, positions) == selectors.seen_counts(
        instances.messages, positions
    )


def test_pages_before_a_message_match(group, other_user):
    newest = selectors.conversation_messages(user=other_user, conversation_id=group.pk, limit=50)
    for anchor in newest.messages:
        instances = selectors.conversation_messages(
            user=other_user, conversation_id=group.pk, limit=2, before=anchor.pk
        )
        rows = selectors.conversation_message_rows(
            user=other_user, conversation_id=group.pk, limit=2, before=anchor.pk
        )
        assert _payloads(rows.messages, other_user) == _payloads(instances.messages, other_user)


def test_a_later_member_sees_only_from_joining_and_others_get_404(group, user):
    latecomer = UserFactory()
    services.add_members(user=user, conversation_id=group.pk, user_ids=[str(latecomer.pk)])
    _say(user, group, "welcome")
    rows = selectors.conversation_message_rows(user=latecomer, conversation_id=group.pk, limit=50)
    instances = selectors.conversation_messages(user=latecomer, conversation_id=group.pk, limit=50)
    assert _payloads(rows.messages, latecomer) == _payloads(instances.messages, latecomer)
    assert rows.total == instances.total
    with pytest.raises(NotFound):
        selectors.conversation_message_rows(user=UserFactory(), conversation_id=group.pk, limit=50)


def test_the_api_history_reads_the_group_and_shows_seen_by(group, user, third_user):
    body = client_for(third_user).get(f"/api/conversations/{group.pk}/messages").json()
    expected = selectors.conversation_messages(user=third_user, conversation_id=group.pk, limit=50)
    positions = selectors.read_positions(group, viewer=third_user)
    counts = selectors.seen_counts(expected.messages, positions)
    assert [(m["id"], m["seen_by"]) for m in body["data"]] == [
        (message.pk, count) for message, count in zip(expected.messages, counts, strict=True)
    ]
    participant = selectors.membership(user=third_user, conversation_id=group.pk)
    assert participant.unread_count == 0  # opening it read everything
