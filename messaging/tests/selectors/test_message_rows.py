"""The API's conversation pages as plain rows (selectors.list_message_rows): the same
messages, fields, payloads and queries as the model instances of list_messages."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging import selectors, services
from messaging.exceptions import NotFound
from messaging.models import Message
from messaging.payloads import message_payload
from messaging.selectors.rows import MESSAGE_ROW_NAMES
from messaging.tests.factories import AttachmentFactory, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(user, other_user):
    """Every kind of message a page shows: plain, retried by client id, with an
    attachment, read, edited, deleted for everyone, hidden by a moderator, reacted to."""
    attachment = AttachmentFactory(uploader=user)
    messages = [
        send(user, other_user, "plain"),
        send(other_user, user, "with an id", client_message_id="phone-1"),
        send(user, other_user, "", attachment_id=attachment.pk),
        send(other_user, user, "to be edited"),
        send(user, other_user, "to be deleted"),
        send(other_user, user, "to be hidden"),
        send(user, other_user, "reacted to"),
        send(other_user, user, "unread"),
    ]
    services.mark_read(reader=other_user, message_id=messages[0].pk)
    services.edit_message(editor=other_user, message_id=messages[3].pk, text="edited")
    services.delete_message(deleter=user, message_id=messages[4].pk)
    Message.objects.filter(pk=messages[5].pk).update(is_hidden=True)
    services.add_reaction(user=other_user, message_id=messages[6].pk, emoji="👍")
    services.add_reaction(user=user, message_id=messages[6].pk, emoji="👍")
    # Two messages at one instant: only the id orders them.
    same = timezone.now() + timedelta(seconds=5)
    Message.objects.filter(pk__in=[messages[6].pk, messages[7].pk]).update(sent_at=same)
    return messages


def _both(reader, other, **page):
    with CaptureQueriesContext(connection) as with_instances:
        instances = selectors.list_messages(user=reader, other_user_id=other.pk, **page)
    with CaptureQueriesContext(connection) as with_rows:
        rows = selectors.list_message_rows(user=reader, other_user_id=other.pk, **page)
    assert len(with_rows.captured_queries) == len(with_instances.captured_queries)
    assert (rows.other_user, rows.conversation, rows.total) == (
        instances.other_user,
        instances.conversation,
        instances.total,
    )
    return instances.messages, rows.messages


def _same(instances, rows, viewer):
    assert [row.pk for row in rows] == [message.pk for message in instances]
    for message, row in zip(instances, rows, strict=True):
        for name in MESSAGE_ROW_NAMES:
            mine, theirs = getattr(row, name), getattr(message, name)
            assert (mine, type(mine)) == (theirs, type(theirs)), name
        for shown in ("is_deleted", "visible_text", "shows_attachment"):
            assert getattr(row, shown) == getattr(message, shown), shown
        assert row.sent_at.tzinfo is not None
    assert [message_payload(row, viewer_id=viewer.pk) for row in rows] == [
        message_payload(message, viewer_id=viewer.pk) for message in instances
    ]


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_the_newest_page_as_rows_is_the_page_of_instances(user, other_user, varied, limit):
    for reader, other in ((user, other_user), (other_user, user)):
        instances, rows = _both(reader, other, limit=limit)
        assert len(rows) == min(limit, len(varied))
        _same(instances, rows, reader)


def test_every_page_before_a_message_as_rows(user, other_user, varied):
    for anchor in varied:
        instances, rows = _both(user, other_user, limit=3, before=anchor.pk)
        _same(instances, rows, user)


def test_rows_keep_the_window_receipts_and_404s(user, other_user, varied):
    # Grace hides her receipts: Ada's own messages stay unread in what Ada is shown.
    services.update_privacy_settings(user=other_user, show_read_receipts=False)
    other_user.refresh_from_db()
    user.refresh_from_db()
    instances, rows = _both(user, other_user, limit=50)
    _same(instances, rows, user)
    assert not any(row.read_at for row in rows if row.sender_id == user.pk)
    # After Ada's delete-for-me only what comes later shows.
    services.delete_conversation(user=user, conversation_id=varied[0].conversation_id)
    later = send(other_user, user, "after the marker")
    instances, rows = _both(user, other_user, limit=50)
    assert [row.pk for row in rows] == [later.pk]
    _same(instances, rows, user)
    for anchor in (varied[2].pk, 10**9):
        with pytest.raises(NotFound):
            selectors.list_message_rows(
                user=user, other_user_id=other_user.pk, limit=5, before=anchor
            )


def test_no_conversation_yet_is_an_empty_page(user, other_user):
    page = selectors.list_message_rows(user=user, other_user_id=other_user.pk, limit=50)
    assert (page.messages, page.total, page.conversation) == ([], 0, None)


def test_opening_as_rows_marks_read_as_opening_with_instances(user, other_user, varied):
    page = services.open_conversation_rows(reader=user, other_user_id=other_user.pk, limit=50)
    unread = [row for row in page.messages if row.recipient_id == user.pk]
    assert unread and all(row.read_at is not None for row in unread)
    assert not Message.objects.filter(recipient=user, read_at__isnull=True).exists()
    again = selectors.list_messages(user=user, other_user_id=other_user.pk, limit=50)
    _same(again.messages, page.messages, user)


def test_after_and_around_stay_instances(user, other_user, varied):
    page = services.open_conversation_rows(
        reader=user, other_user_id=other_user.pk, limit=3, after=varied[1].pk
    )
    assert all(isinstance(message, Message) for message in page.messages)
    assert [message.pk for message in page.messages] == [m.pk for m in varied[2:5]]


def test_rows_write_whole_seconds_and_microseconds_as_instances_do(user, other_user, varied):
    # The rows keep each time as its stored text (no fraction at a whole second on
    # SQLite, always six digits on MariaDB); the payloads must not tell them apart.
    whole = timezone.now().replace(microsecond=0)
    Message.objects.filter(pk=varied[0].pk).update(sent_at=whole, read_at=whole)
    Message.objects.filter(pk=varied[3].pk).update(edited_at=whole + timedelta(microseconds=7))
    Message.objects.filter(pk=varied[4].pk).update(deleted_at=whole)
    for reader, other in ((user, other_user), (other_user, user)):
        instances, rows = _both(reader, other, limit=50)
        _same(instances, rows, reader)
    payloads = {row.pk: message_payload(row, viewer_id=user.pk) for row in rows}
    assert payloads[varied[0].pk]["sent_at"] == whole.isoformat().replace("+00:00", "Z")
    assert payloads[varied[3].pk]["edited_at"].endswith(".000007Z")


def test_a_page_before_a_message_reads_its_anchor_in_its_own_statement(user, other_user, varied):
    """The member's pair and the page: two statements. Only a page that comes back
    empty asks for its anchor (a third), to tell the oldest message (an empty page)
    from one the member does not see (404)."""
    for list_page in (selectors.list_messages, selectors.list_message_rows):
        with CaptureQueriesContext(connection) as paging:
            page = list_page(user=user, other_user_id=other_user.pk, limit=5, before=varied[3].pk)
        assert [m.pk for m in page.messages] == [m.pk for m in varied[:3]]
        assert len(paging.captured_queries) == 2
        with CaptureQueriesContext(connection) as oldest:
            page = list_page(user=user, other_user_id=other_user.pk, limit=5, before=varied[0].pk)
        assert page.messages == []
        assert len(oldest.captured_queries) == 3
        with pytest.raises(NotFound):
            list_page(user=user, other_user_id=other_user.pk, limit=5, before=10**9)
