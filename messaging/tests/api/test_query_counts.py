"""Constant queries per request: the same exact count with 2 and with 40 conversations
or messages. Each test makes one request first, so the presence activity write (at most
once every 30 s per member) is behind us and only the endpoint counts.

Every count includes one query for the JWT's member. Savepoints are left out (they come
from the test's transaction, not the endpoint); a wrong count prints the queries. Cache
calls are counted too: every request makes one (the `add` that rate-limits the activity
write); the inbox adds one get_many for its partners' sockets, a send the rate
limiter's add and incr and, when it creates the message, the delete that ends the
sender's typing state."""

import pytest
from django.db import connection

from messaging.tests.factories import UserFactory, send

SIZES = [2, 40]


@pytest.fixture(params=SIZES, ids=lambda n: f"{n}-rows")
def populated(request, api_client, user, other_user):
    """n conversations for Ada (one read, one unread message each) and n unread messages
    from Grace in one more conversation; Ada has already made a request."""
    n = request.param
    for partner in UserFactory.create_batch(n):
        send(partner, user, "alpha from a partner")
        send(user, partner, "alpha reply")
    for i in range(n):
        send(other_user, user, f"alpha from Grace {i}")
    assert api_client.get("/api/auth/me").status_code == 200
    return n


def test_inbox(api_client, populated, assert_database_query_count, assert_cache_call_count):
    # member, the page with its total (with last message, both members and presences,
    # and whether a block stands between them)
    with assert_database_query_count(2), assert_cache_call_count(2):
        response = api_client.get("/api/messages/inbox")
    assert response.json()["total"] == populated + 1


def test_conversation_first_open_marks_everything_read(
    api_client, other_user, populated, assert_database_query_count, assert_cache_call_count
):
    # member, the conversation with both members, page; then in one transaction: the
    # counter set to 0 (taking the row lock only if it still holds what the page showed),
    # one UPDATE of the page's unread messages
    with assert_database_query_count(5), assert_cache_call_count(1):
        response = api_client.get(f"/api/messages/conversation/{other_user.pk}")
    assert response.json()["total"] == populated
    assert all(message["read"] for message in response.json()["data"])


def test_conversation_when_nothing_is_unread(
    api_client, other_user, populated, assert_database_query_count, assert_cache_call_count
):
    api_client.get(f"/api/messages/conversation/{other_user.pk}")
    # member, the conversation with both members, page: the counter says nothing to mark
    with assert_database_query_count(3), assert_cache_call_count(1):
        response = api_client.get(f"/api/messages/conversation/{other_user.pk}?limit=100")
    assert len(response.json()["data"]) == populated


def test_search(
    transactional_db, api_client, populated, assert_database_query_count, assert_cache_call_count
):
    # Committed rows, as in production: InnoDB's FULLTEXT index sees a transaction's
    # writes only after commit, so inside the usual test transaction MariaDB would
    # take the bounded fallback path instead of the index.
    # SQLite: member, any delete-for-me marker?, the matching ids from FTS5 (one pass
    # gives the total), the page (with both members). MariaDB: member, the matching
    # visible ids (checked against their conversations), the page.
    with (
        assert_database_query_count(4 if connection.vendor == "sqlite" else 3),
        assert_cache_call_count(1),
    ):
        response = api_client.get("/api/messages/search?q=alpha&limit=100")
    assert response.json()["total"] == 3 * populated


def test_unread_count(api_client, populated, assert_database_query_count, assert_cache_call_count):
    # member, one aggregate over the counters
    with assert_database_query_count(2), assert_cache_call_count(1):
        response = api_client.get("/api/messages/unread-count")
    assert response.json()["data"] == {"unread_count": 2 * populated}


def test_send(
    api_client, other_user, populated, assert_database_query_count, assert_cache_call_count
):
    # member, recipient with the blocks between; then in one transaction: locked
    # conversation, message, counters
    with assert_database_query_count(5), assert_cache_call_count(4):
        response = api_client.post(
            "/api/messages/send",
            {"recipient_id": str(other_user.pk), "message_text": "one more"},
            format="json",
        )
    assert response.status_code == 201


def test_send_with_client_message_id_and_its_retry(
    api_client, other_user, populated, assert_database_query_count, assert_cache_call_count
):
    body = {"recipient_id": str(other_user.pk), "message_text": "once", "client_message_id": "c1"}
    # as a plain send, plus the lookup for an original before and under the lock
    with assert_database_query_count(7), assert_cache_call_count(4):
        assert api_client.post("/api/messages/send", body, format="json").status_code == 201
    # member, the original; the window's send counter (an increment now that it exists)
    # and the activity marker
    with assert_database_query_count(2), assert_cache_call_count(2):
        assert api_client.post("/api/messages/send", body, format="json").status_code == 200
