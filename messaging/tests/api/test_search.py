"""GET /api/messages/search and GET /api/users/search."""

from http import HTTPStatus

import pytest

from messaging.tests.factories import UserFactory, send

from .helpers import assert_error, expected_member, expected_message, ok_list

SEARCH = "/api/messages/search"
PEOPLE = "/api/users/search"


def test_search_returns_matches_newest_first_with_the_other_member(
    api_client, user, other_user, third_user
):
    older = send(other_user, user, "Lunch on Friday?")
    send(user, other_user, "sure")
    newer = send(user, third_user, "friday works for the launch")
    data, total = ok_list(api_client.get(f"{SEARCH}?q=FRIDAY"))
    assert total == 2
    assert data == [
        {
            **expected_message(newer),
            "other_user_id": str(third_user.pk),
            "other_user_name": third_user.name,
        },
        {
            **expected_message(older),
            "other_user_id": str(other_user.pk),
            "other_user_name": other_user.name,
        },
    ]


def test_search_sees_only_my_conversations(api_client, user, other_user, third_user):
    send(other_user, third_user, "secret plan")
    send(other_user, user, "public plan")
    data, total = ok_list(api_client.get(f"{SEARCH}?q=plan"))
    assert (total, [item["message_text"] for item in data]) == (1, ["public plan"])


def test_search_query_is_stripped(api_client, user, other_user):
    send(other_user, user, "quarterly report")
    assert ok_list(api_client.get(f"{SEARCH}?q=%20%20quarterly%20%20"))[1] == 1


def test_search_limit_caps_the_page_but_not_the_total(api_client, user, other_user):
    for i in range(4):
        send(other_user, user, f"note {i}")
    data, total = ok_list(api_client.get(f"{SEARCH}?q=note&limit=3"))
    assert (len(data), total) == (3, 4)
    assert [item["message_text"] for item in data] == ["note 3", "note 2", "note 1"]


@pytest.mark.parametrize("q", ["a", "the", "%%%", "?!", "é"])
def test_queries_without_an_indexable_word_are_200(api_client, user, other_user, q):
    send(other_user, user, "the cat sat")
    data, total = ok_list(api_client.get(SEARCH, {"q": q}))
    assert total >= len(data)


@pytest.mark.parametrize(
    ("params", "field", "reason"),
    [
        ({"q": ""}, "q", "This field may not be blank."),
        ({"q": "   "}, "q", "This field may not be blank."),
        ({}, "q", "This field is required."),
        ({"q": "x" * 201}, "q", "Ensure this field has no more than 200 characters."),
        ({"q": "a\x00b"}, "q", "Null characters are not allowed."),
        ({"q": "ok", "limit": "0"}, "limit", "Ensure this value is greater than or equal to 1."),
        ({"q": "ok", "limit": "101"}, "limit", "Ensure this value is less than or equal to 100."),
        ({"q": "ok", "limit": "abc"}, "limit", "A valid integer is required."),
    ],
    ids=["empty", "whitespace", "missing", "201-chars", "nul", "limit-0", "limit-101", "limit-abc"],
)
@pytest.mark.parametrize("path", [SEARCH, PEOPLE])
def test_bad_search_params_are_400(api_client, path, params, field, reason):
    response = api_client.get(path, params)
    assert_error(response, HTTPStatus.BAD_REQUEST, f"{field}: {reason}", {field: [reason]})


def test_two_hundred_characters_is_accepted(api_client):
    assert ok_list(api_client.get(SEARCH, {"q": "x" * 200})) == ([], 0)


# --- people ------------------------------------------------------------------------------


def test_people_search_by_name_excludes_me_and_never_shows_emails(
    api_client, user, other_user, third_user
):
    grace_two = UserFactory(name="Grace Kelly", email="kelly@example.org")
    UserFactory(name="Gone Grace", email="gone@example.org", is_active=False)
    response = api_client.get(PEOPLE, {"q": "grace"})
    data, total = ok_list(response)
    assert total == 2
    assert data == [expected_member(other_user), expected_member(grace_two)]
    for member in (other_user, grace_two, user):
        assert member.email not in response.content.decode()


def test_people_search_by_exact_email_finds_without_showing_it(api_client, other_user):
    response = api_client.get(PEOPLE, {"q": "GRACE@example.org"})
    assert ok_list(response) == ([expected_member(other_user)], 1)
    assert "grace@example.org" not in response.content.decode()


def test_people_search_never_returns_myself(api_client, user):
    assert ok_list(api_client.get(PEOPLE, {"q": "Ada"})) == ([], 0)
    assert ok_list(api_client.get(PEOPLE, {"q": user.email})) == ([], 0)


def test_people_search_limit(api_client, user):
    UserFactory.create_batch(3, name="Alumnus")
    data, total = ok_list(api_client.get(PEOPLE, {"q": "alumnus", "limit": 2}))
    assert (len(data), total) == (2, 3)
