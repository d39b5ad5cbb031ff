"""PUT / DELETE /api/messages/{id}/reactions/{emoji} (SPEC §9.3): one emoji, at most 20
different per message, `reactions` on every message object in first-use order, and a
page with reactions costs one query more than a page without."""

from http import HTTPStatus
from urllib.parse import quote

import pytest

from conftest import client_for
from messaging import services
from messaging.models import Message, Reaction
from messaging.tests.factories import UserFactory, send

from .helpers import assert_error, ok_body, ok_list

pytestmark = pytest.mark.django_db

NOT_AN_EMOJI = "Give exactly one emoji."


def _path(message_id, emoji):
    return f"/api/messages/{message_id}/reactions/{quote(emoji)}"


def _react(client, message_id, emoji):
    return client.put(_path(message_id, emoji))


def test_add_is_idempotent_and_counts_in_first_use_order(
    api_client, other_client, user, other_user
):
    message = send(other_user, user, "We won!")
    body = ok_body(_react(api_client, message.pk, "🎉"))
    assert body["data"]["reactions"] == [{"emoji": "🎉", "count": 1, "me": True}]
    ok_body(_react(api_client, message.pk, "🎉"))
    ok_body(_react(other_client, message.pk, "👍"))
    body = ok_body(_react(other_client, message.pk, "🎉"))
    assert body["data"]["reactions"] == [
        {"emoji": "🎉", "count": 2, "me": True},
        {"emoji": "👍", "count": 1, "me": True},
    ]
    page = ok_list(api_client.get(f"/api/messages/conversation/{other_user.pk}"))[0]
    assert page[0]["reactions"] == [
        {"emoji": "🎉", "count": 2, "me": True},
        {"emoji": "👍", "count": 1, "me": False},
    ]
    assert Message.objects.get(pk=message.pk).reaction_count == 3


def test_remove(api_client, user, other_user):
    message = send(other_user, user, "hi")
    _react(api_client, message.pk, "👍")
    body = ok_body(api_client.delete(_path(message.pk, "👍")))
    assert body["data"]["reactions"] == []
    # Removing what is not there changes nothing.
    ok_body(api_client.delete(_path(message.pk, "👍")))
    assert Message.objects.get(pk=message.pk).reaction_count == 0
    assert not Reaction.objects.exists()


@pytest.mark.parametrize(
    "emoji", ["👨‍👩‍👧", "🇫🇷", "👍🏽", "❤️", "#️⃣", "🏳️‍🌈"], ids=lambda e: e.encode().hex()
)
def test_sequences_flags_and_skin_tones_are_one_emoji(api_client, user, other_user, emoji):
    message = send(other_user, user, "hi")
    body = ok_body(_react(api_client, message.pk, emoji))
    assert body["data"]["reactions"] == [{"emoji": emoji, "count": 1, "me": True}]


def test_emoji_without_its_variation_selector_is_the_same_reaction(
    api_client, other_client, user, other_user
):
    message = send(other_user, user, "hi")
    ok_body(_react(api_client, message.pk, "❤"))
    body = ok_body(_react(other_client, message.pk, "❤️"))
    assert body["data"]["reactions"] == [{"emoji": "❤️", "count": 2, "me": True}]


@pytest.mark.parametrize(
    "emoji", ["a", "👍👍", "👍a", ":+1:", "1", "\u200d", "ab", " ", "<b>", "👍" * 40]
)
def test_anything_but_one_emoji_is_400(api_client, user, other_user, emoji):
    message = send(other_user, user, "hi")
    assert_error(
        _react(api_client, message.pk, emoji),
        HTTPStatus.BAD_REQUEST,
        f"emoji: {NOT_AN_EMOJI}",
        {"emoji": [NOT_AN_EMOJI]},
    )
    assert not Reaction.objects.exists()


def test_at_most_twenty_different_emoji(api_client, other_client, user, other_user):
    message = send(other_user, user, "hi")
    emoji = ["😀", "😃", "😄", "😁", "😆", "😅", "😂", "🤣", "😊", "😇"]
    emoji += ["🙂", "🙃", "😉", "😌", "😍", "🥰", "😘", "😗", "😙", "😚"]
    for one in emoji:
        ok_body(_react(api_client, message.pk, one))
    reason = "A message can carry at most 20 different emoji."
    assert_error(
        _react(other_client, message.pk, "🐙"),
        HTTPStatus.BAD_REQUEST,
        f"emoji: {reason}",
        {"emoji": [reason]},
    )
    # One already there may still be added by someone else.
    body = ok_body(_react(other_client, message.pk, "😀"))
    assert body["data"]["reactions"][0] == {"emoji": "😀", "count": 2, "me": True}
    assert len(body["data"]["reactions"]) == 20


def test_outsider_gets_404_and_deleted_or_hidden_400(api_client, third_client, user, other_user):
    message = send(other_user, user, "hi")
    assert_error(_react(third_client, message.pk, "👍"), HTTPStatus.NOT_FOUND, "Message not found.")
    _react(api_client, message.pk, "👍")
    services.delete_message(deleter=other_user, message_id=message.pk)
    assert _react(api_client, message.pk, "👍").status_code == HTTPStatus.BAD_REQUEST
    page = ok_list(api_client.get(f"/api/messages/conversation/{other_user.pk}"))[0]
    assert page[0]["reactions"] == []
    hidden = send(other_user, user, "rude")
    services.set_message_hidden(actor=other_user, message=hidden, hidden=True)
    assert _react(api_client, hidden.pk, "👍").status_code == HTTPStatus.BAD_REQUEST


def test_reactions_in_a_group(user, other_user, third_user):
    group = services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Reunion"
    )
    message = services.send_to_conversation(
        sender=user, conversation_id=group.pk, text="Friday?"
    ).message
    ok_body(_react(client_for(other_user), message.pk, "👍"))
    ok_body(_react(client_for(third_user), message.pk, "👍"))
    page = ok_list(client_for(user).get(f"/api/conversations/{group.pk}/messages"))[0]
    assert page[-1]["reactions"] == [{"emoji": "👍", "count": 2, "me": False}]


def test_search_results_carry_reactions(api_client, user, other_user):
    message = send(other_user, user, "pancakes tomorrow")
    _react(api_client, message.pk, "🥞")
    [result] = ok_list(api_client.get("/api/messages/search?q=pancakes"))[0]
    assert result["reactions"] == [{"emoji": "🥞", "count": 1, "me": True}]


@pytest.mark.parametrize("size", [2, 40])
def test_page_with_reactions_costs_one_query_more(
    api_client, user, other_user, size, assert_database_query_count
):
    messages = [send(other_user, user, f"note {i}") for i in range(size)]
    assert api_client.get(f"/api/messages/conversation/{other_user.pk}").status_code == 200
    # As without reactions (member, the conversation with both members, page): 3.
    with assert_database_query_count(3):
        api_client.get(f"/api/messages/conversation/{other_user.pk}?limit=100")
    reactors = UserFactory.create_batch(3)
    for message in messages:
        for emoji in ("👍", "🎉"):
            services.add_reaction(user=user, message_id=message.pk, emoji=emoji)
        Reaction.objects.bulk_create(
            Reaction(message=message, user=reactor, emoji="😀", emoji_key="1f600")
            for reactor in reactors
        )
        Message.objects.filter(pk=message.pk).update(reaction_count=5)
    # ... and one query for every reaction of the page.
    with assert_database_query_count(4):
        response = api_client.get(f"/api/messages/conversation/{other_user.pk}?limit=100")
    page = ok_list(response)[0]
    assert all(
        message["reactions"]
        == [
            {"emoji": "👍", "count": 1, "me": True},
            {"emoji": "🎉", "count": 1, "me": True},
            {"emoji": "😀", "count": 3, "me": False},
        ]
        for message in page
    )


@pytest.mark.parametrize("size", [3, 50])
def test_group_page_with_reactions_costs_one_query_more(
    api_client, user, size, assert_database_query_count
):
    others = UserFactory.create_batch(size - 1)
    group = services.create_group(creator=user, member_ids=[m.pk for m in others], title="Big")
    for member in others:
        services.send_to_conversation(sender=member, conversation_id=group.pk, text="hi all")
    path = f"/api/conversations/{group.pk}/messages?limit=100"
    api_client.get(path)
    # member, membership, page, read positions (as without reactions)
    with assert_database_query_count(4):
        api_client.get(path)
    for message in Message.objects.filter(conversation=group, kind=Message.Kind.TEXT):
        for member in others[:3]:
            services.add_reaction(user=member, message_id=message.pk, emoji="👍")
    with assert_database_query_count(5):
        page = ok_list(api_client.get(path))[0]
    texts = [message for message in page if message["kind"] == "text"]
    assert len(texts) == size - 1
    assert all(
        message["reactions"] == [{"emoji": "👍", "count": min(3, size - 1), "me": False}]
        for message in texts
    )


def test_reactions_and_edits_count_against_the_send_rate(api_client, user, other_user, settings):
    settings.SEND_RATE = "3/min"
    message = send(user, other_user, "hi")
    for emoji in ("👍", "🎉"):
        ok_body(_react(api_client, message.pk, emoji))
    ok_body(api_client.patch(f"/api/messages/{message.pk}", {"message_text": "hey"}, format="json"))
    refused = _react(api_client, message.pk, "😀")
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert refused.headers["Retry-After"]
    assert Reaction.objects.count() == 2
