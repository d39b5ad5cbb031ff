"""A message hidden by staff: it keeps its place as "Message removed by
a moderator" and its original text never reaches a member again."""

import pytest

from messaging import services
from messaging.tests.factories import UserFactory, send

from .helpers import REMOVED, expected_message, ok_list


@pytest.fixture
def moderator(db):
    return UserFactory(is_staff=True, name="Moderator")


@pytest.fixture
def hidden(user, other_user, moderator):
    send(user, other_user, "first, harmless")
    message = send(
        other_user,
        user,
        "offensive platypus words",
        attachment_url="https://files.example.org/bad.png",
        attachment_type="image/png",
    )
    services.set_message_hidden(actor=moderator, message=message, hidden=True, reason="abuse")
    message.refresh_from_db()
    return message


def test_hidden_message_keeps_its_place_for_both_members(
    api_client, other_client, user, other_user, hidden
):
    for client, other in ((api_client, other_user), (other_client, user)):
        data, total = ok_list(client.get(f"/api/messages/conversation/{other.pk}"))
        hidden.refresh_from_db()
        assert total == 2
        assert data[1] == expected_message(hidden)
        assert data[1]["message_text"] == REMOVED
        assert (data[1]["attachment_url"], data[1]["attachment_type"], data[1]["hidden"]) == (
            None,
            None,
            True,
        )
        assert "platypus" not in str(data)


def test_inbox_preview_of_a_hidden_last_message_is_the_removed_text(
    api_client, other_client, hidden
):
    for client in (api_client, other_client):
        response = client.get("/api/messages/inbox")
        inbox, _ = ok_list(response)
        assert inbox[0]["last_message"] == REMOVED
        assert "platypus" not in response.content.decode()


def test_search_never_matches_a_hidden_message(api_client, other_client, hidden):
    for client in (api_client, other_client):
        assert ok_list(client.get("/api/messages/search", {"q": "platypus"})) == ([], 0)
    assert ok_list(api_client.get("/api/messages/search", {"q": "harmless"}))[1] == 1


def test_unhiding_restores_the_original(api_client, other_user, moderator, hidden):
    services.set_message_hidden(actor=moderator, message=hidden, hidden=False)
    data, _ = ok_list(api_client.get(f"/api/messages/conversation/{other_user.pk}"))
    assert (data[1]["message_text"], data[1]["hidden"]) == ("offensive platypus words", False)
    assert ok_list(api_client.get("/api/messages/search", {"q": "platypus"}))[1] == 1
