"""Constant queries for the endpoints test_query_counts.py leaves out: mark-as-read,
member search, and message search on each of its paths (the index alone, with a
delete-for-me marker, the bounded fallback). Counts include the JWT's member query and
leave out the test transaction's savepoints; equal with few and with many rows."""

import pytest
from django.db import connection

from messaging import services
from messaging.tests.factories import UserFactory, send

SIZES = [2, 40]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}-rows")
def populated(request, api_client, user, other_user):
    n = request.param
    for partner in UserFactory.create_batch(n, name="Grace Partner"):
        send(partner, user, "omega from a partner ?!")
        send(user, partner, "omega reply")
    unread = [send(other_user, user, f"omega from Grace {i}") for i in range(n)]
    assert api_client.get("/api/auth/me").status_code == 200
    return n, unread


def test_mark_as_read(api_client, populated, assert_database_query_count, assert_cache_call_count):
    _n, unread = populated
    # member, the message with its conversation; then in one transaction: UPDATE counter
    # (which takes the conversation row lock), UPDATE message
    with assert_database_query_count(4), assert_cache_call_count(1):
        response = api_client.put(f"/api/messages/mark-as-read/{unread[0].pk}")
    assert response.json()["data"]["read"] is True
    # Marking again: member, the message; nothing to change
    with assert_database_query_count(2), assert_cache_call_count(1):
        api_client.put(f"/api/messages/mark-as-read/{unread[0].pk}")


def test_member_search(api_client, populated, assert_database_query_count, assert_cache_call_count):
    n, _unread = populated
    # member, the page with the total (inside the name index) and its members joined
    with assert_database_query_count(2), assert_cache_call_count(1):
        response = api_client.get("/api/users/search?q=grace&limit=100")
    assert response.json()["total"] == n + 1


@pytest.mark.django_db(transaction=True)
def test_message_search_through_the_index(
    api_client, populated, assert_database_query_count, assert_cache_call_count
):
    n, _unread = populated
    # SQLite: member, any delete-for-me marker?, ids from FTS5, page.
    # MariaDB: member, visible ids (checked against their conversations), page.
    with (
        assert_database_query_count(4 if connection.vendor == "sqlite" else 3),
        assert_cache_call_count(1),
    ):
        response = api_client.get("/api/messages/search?q=omega&limit=100")
    assert response.json()["total"] == 3 * n


@pytest.mark.django_db(transaction=True)
def test_message_search_with_a_delete_marker(
    api_client, user, populated, assert_database_query_count, assert_cache_call_count
):
    n, unread = populated
    services.delete_conversation(user=user, conversation_id=unread[0].conversation_id)
    # member, (SQLite: any delete-for-me marker?), visible ids, page
    with (
        assert_database_query_count(4 if connection.vendor == "sqlite" else 3),
        assert_cache_call_count(1),
    ):
        response = api_client.get("/api/messages/search?q=omega&limit=100")
    assert response.json()["total"] == 2 * n


def test_message_search_fallback(
    api_client, populated, assert_database_query_count, assert_cache_call_count
):
    n, _unread = populated
    # member, newest sent, newest received, page
    with assert_database_query_count(4), assert_cache_call_count(1):
        response = api_client.get("/api/messages/search", {"q": "?!", "limit": 100})
    assert response.json()["total"] == n
