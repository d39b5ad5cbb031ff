"""The doors' search page is read as plain rows (SearchHit); each hit shows what the
message read as a Message instance shows, and names the other member or the group.

InnoDB adds rows to a FULLTEXT index only when their transaction commits, so these tests
commit their writes (transaction=True) and search afterwards, as a request does."""

import pytest

from messaging import selectors, services
from messaging.payloads import message_payload, search_result_payload
from messaging.tests.factories import UserFactory, send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def people(transactional_db):
    return [UserFactory(name=name) for name in ("Ada", "Grace", "Alan")]


def _pages(member, query):
    instances, total = selectors.search_messages(user=member, query=query, limit=50)
    page = selectors.search_messages_page(user=member, query=query, limit=50)
    assert page.total == total
    assert [hit.pk for hit in page.results] == [message.pk for message in instances]
    return instances, page.results


def test_each_hit_shows_what_its_message_shows(people):
    ada, grace, alan = people
    read_by_grace = send(ada, grace, "kettle one")
    services.mark_read(reader=grace, message_id=read_by_grace.pk)
    from_grace = send(grace, ada, "kettle two")
    services.add_reaction(user=ada, message_id=from_grace.pk, emoji="👍")
    services.update_privacy_settings(user=alan, show_read_receipts=False)
    read_by_alan = send(ada, alan, "kettle three")
    services.mark_read(reader=alan, message_id=read_by_alan.pk)
    group = services.create_group(
        creator=ada, member_ids=[str(grace.pk), str(alan.pk)], title="Tea club"
    )
    services.send_to_conversation(sender=grace, conversation_id=group.pk, text="kettle four")
    edited = send(grace, ada, "kettle five")
    services.edit_message(editor=grace, message_id=edited.pk, text="kettle five, edited")

    instances, hits = _pages(ada, "kettle")

    assert len(hits) == 5
    for hit, message in zip(hits, instances, strict=True):
        assert message_payload(hit, viewer_id=ada.pk) == message_payload(message, viewer_id=ada.pk)
    by_text = {hit.message_text: search_result_payload(hit, viewer_id=ada.pk) for hit in hits}
    assert by_text["kettle one"]["read"] is True
    assert by_text["kettle one"]["other_user_name"] == "Grace"
    # Alan does not share receipts: Ada's message to him stays unread to her.
    assert by_text["kettle three"]["read"] is False
    assert by_text["kettle three"]["other_user_id"] == str(alan.pk)
    assert by_text["kettle two"]["other_user_name"] == "Grace"
    assert by_text["kettle two"]["reactions"] == [{"emoji": "👍", "count": 1, "me": True}]
    assert by_text["kettle five, edited"]["edited_at"] is not None
    group_hit = by_text["kettle four"]
    assert (group_hit["conversation_kind"], group_hit["conversation_title"]) == (
        "group",
        "Tea club",
    )
    assert (group_hit["other_user_id"], group_hit["other_user_name"]) == (None, None)


def test_the_recipient_sees_the_sender_named(people):
    ada, grace, _alan = people
    send(ada, grace, "teapot")

    _, (hit,) = _pages(grace, "teapot")

    payload = search_result_payload(hit, viewer_id=grace.pk)
    assert (payload["other_user_id"], payload["other_user_name"]) == (str(ada.pk), "Ada")
    assert "conversation_kind" not in payload
