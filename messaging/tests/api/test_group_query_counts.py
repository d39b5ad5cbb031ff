"""Constant queries in groups: the same exact count at 3 and at 50 members, for the
paths a member uses all day. Counts include the JWT's member query; savepoints are
left out."""

import pytest

from conftest import client_for
from messaging import services
from messaging.tests.factories import UserFactory

SIZES = [3, 50]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}-members")
def busy_group(request, api_client, user):
    """A group of n members where everyone has written once, and Ada has made a request."""
    others = UserFactory.create_batch(request.param - 1)
    group = services.create_group(
        creator=user, member_ids=[m.pk for m in others], title="Class of 99"
    )
    for member in others:
        services.send_to_conversation(sender=member, conversation_id=group.pk, text="hi all")
    assert api_client.get("/api/auth/me").status_code == 200
    return group, others


def test_send(api_client, busy_group, assert_database_query_count, assert_cache_call_count):
    group, _ = busy_group
    # member, membership; then in one transaction: the conversation lock, the active
    # members (the audience), the message, one UPDATE of every member's row; the cache:
    # the send throttle (add, incr) and the activity marker, no typing key (a group's
    # typing is only an event)
    with assert_database_query_count(6), assert_cache_call_count(3):
        response = api_client.post(
            f"/api/conversations/{group.pk}/messages", {"message_text": "hello"}, format="json"
        )
    assert response.status_code == 201


def test_inbox(api_client, busy_group, assert_database_query_count):
    # member, the page's ids with the total, the page (with the member count)
    with assert_database_query_count(3):
        response = api_client.get("/api/messages/inbox")
    assert response.json()["total"] == 1


def test_conversation_first_open(api_client, busy_group, assert_database_query_count):
    group, others = busy_group
    # member, membership, page; the locked row, the new position, the audience; read
    # positions for "seen by"
    with assert_database_query_count(7):
        response = api_client.get(f"/api/conversations/{group.pk}/messages?limit=100")
    assert response.json()["total"] == len(others) + 1


def test_conversation_when_nothing_is_unread(api_client, busy_group, assert_database_query_count):
    group, _ = busy_group
    api_client.get(f"/api/conversations/{group.pk}/messages")
    # member, membership, page, read positions
    with assert_database_query_count(4):
        api_client.get(f"/api/conversations/{group.pk}/messages?limit=100")


def test_mark_read(api_client, busy_group, assert_database_query_count):
    group, _ = busy_group
    # member, membership; the locked row, the new position, the audience
    with assert_database_query_count(5):
        response = api_client.put(f"/api/conversations/{group.pk}/read", {}, format="json")
    assert response.status_code == 200


def test_unread_count(api_client, busy_group, assert_database_query_count):
    _, others = busy_group
    with assert_database_query_count(2):
        response = api_client.get("/api/messages/unread-count")
    assert response.json()["data"] == {"unread_count": len(others)}


def test_every_member_counts_exactly(busy_group):
    group, others = busy_group
    for member in others[:3]:
        count = client_for(member).get("/api/messages/unread-count").json()["data"]
        assert count == {"unread_count": len(others) - 1}


@pytest.mark.django_db(transaction=True)
def test_search(api_client, busy_group, assert_database_query_count):
    """Committed rows, so MariaDB's FULLTEXT index answers (see test_query_counts)."""
    _group, others = busy_group
    # SQLite: member, the member's groups and markers, the matches (own terms and the
    # groups', one UNION ALL), the page. MariaDB: member, direct matches with the
    # member's groups (UNION ALL), the matches in those groups, the page.
    with assert_database_query_count(4):
        response = api_client.get("/api/messages/search?q=hi+all&limit=100")
    assert response.json()["total"] == len(others)
    assert {item["conversation_kind"] for item in response.json()["data"]} == {"group"}
