"""Search follows the current text on both backends (SPEC §9.3): an edited message is
found by its new words only, right after the edit returns, and a message deleted for
everyone is not found at all. The writes commit (transaction=True), as a request's do:
InnoDB's FULLTEXT index sees a row only once its transaction has committed."""

import pytest
from django.db import connection

from conftest import client_for
from messaging import search, selectors, services
from messaging.tests.factories import UserFactory, send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ada(transactional_db):
    return UserFactory(name="Ada", email="ada-edit@example.org")


@pytest.fixture
def grace(transactional_db):
    return UserFactory(name="Grace", email="grace-edit@example.org")


def _found(member, query) -> list[int]:
    results, _total = selectors.search_messages(user=member, query=query, limit=50)
    return [message.pk for message in results]


def test_an_edited_message_is_found_by_its_new_words_only(ada, grace):
    message = send(ada, grace, "meet at the marimba shop")
    assert _found(grace, "marimba") == [message.pk]

    services.edit_message(editor=ada, message_id=message.pk, text="meet at the xylophone shop")

    assert not connection.in_atomic_block
    # Through the index itself, not the bounded fallback.
    assert search.full_text_condition(connection.vendor, grace, "xylophone") is not None
    for member in (ada, grace):
        assert _found(member, "xylophone") == [message.pk]
        assert _found(member, "marimba") == []
        assert _found(member, "meet shop") == [message.pk]


def test_a_deleted_message_leaves_the_index(ada, grace):
    kept = send(grace, ada, "the ocarina concert?")
    message = send(ada, grace, "my ocarina password?")

    services.delete_message(deleter=ada, message_id=message.pk)

    for member in (ada, grace):
        assert _found(member, "ocarina") == [kept.pk]
        assert _found(member, "password") == []
        # The fallback for queries the index cannot answer never sees it either.
        assert _found(member, "?") == [kept.pk]


def test_through_the_api_right_after_the_edit_returns(ada, grace):
    message = send(ada, grace, "bring the banjo")
    response = client_for(ada).patch(
        f"/api/messages/{message.pk}", {"message_text": "bring the bagpipes"}, format="json"
    )
    assert response.status_code == 200
    searcher = client_for(grace)
    found = searcher.get("/api/messages/search", {"q": "bagpipes"}).json()
    assert [result["id"] for result in found["data"]] == [message.pk]
    assert found["data"][0]["message_text"] == "bring the bagpipes"
    assert searcher.get("/api/messages/search", {"q": "banjo"}).json()["data"] == []
