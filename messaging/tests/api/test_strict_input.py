"""The server refuses what the OpenAPI schema does not describe: a query parameter given
twice, a number that is not an integer, a body field no endpoint reads. Each is a 400
with the `errors` map, on every endpoint, and changes nothing."""

from http import HTTPStatus

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from messaging.models import Block, Message, Report
from messaging.tests.factories import TEST_PASSWORD, send


def _refused(response, field: str, reason: str) -> None:
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    body = response.json()
    assert body["success"] is False
    assert body["errors"][field] == [reason]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/messages/inbox?offset=abc&offset=5", "offset"),
        ("/api/messages/inbox?limit=5&limit=6", "limit"),
        ("/api/messages/blocked-users?offset=1&offset=1", "offset"),
        ("/api/messages/conversation/{other}?before=9&before=1", "before"),
        ("/api/messages/conversation/{other}?limit=2&limit=3", "limit"),
        ("/api/messages/search?q=hi&q=there", "q"),
        ("/api/users/search?q=gr&q=ad", "q"),
    ],
)
def test_a_query_parameter_given_twice_is_400(api_client, user, other_user, path, parameter):
    send(other_user, user, "hi there")
    response = api_client.get(path.format(other=other_user.pk))
    _refused(response, parameter, "Give this parameter once.")


@pytest.mark.parametrize("value", ["10.0", "1e1", "+5", " 5", "0x10", "٣", "5 "])
@pytest.mark.parametrize(
    "path",
    [
        "/api/messages/inbox?limit={value}",
        "/api/messages/blocked-users?offset={value}",
        "/api/messages/search?q=hi&limit={value}",
        "/api/users/search?q=gr&limit={value}",
        "/api/messages/conversation/{other}?after={value}",
    ],
)
def test_an_integer_parameter_takes_digits_only(api_client, other_user, path, value):
    response = api_client.get(path.format(value=value, other=other_user.pk))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    ((_field, reasons),) = response.json()["errors"].items()
    assert reasons == ["A valid integer is required."]


@pytest.mark.parametrize("message_id", [10.0, "10", True, [10]])
def test_a_body_integer_must_be_a_json_integer(api_client, user, other_user, message_id):
    message = send(other_user, user, "report me")
    if message_id == 10.0:
        message_id = float(message.pk)
    response = api_client.post(
        "/api/messages/report", {"message_id": message_id, "reason": "spam"}, format="json"
    )
    _refused(response, "message_id", "A valid integer is required.")
    assert not Report.objects.exists()


def _bodies(user, other_user, message):
    refresh = str(RefreshToken.for_user(user))
    return [
        ("post", "/api/auth/register", {"email": "n@example.org", "name": "N", "password": "x"}),
        ("post", "/api/auth/token/", {"email": user.email, "password": TEST_PASSWORD}),
        ("post", "/api/auth/token/refresh/", {"refresh": refresh}),
        ("post", "/api/auth/logout", {"refresh": refresh}),
        ("post", "/api/messages/send", {"recipient_id": str(other_user.pk), "message_text": "x"}),
        ("post", "/api/messages/block-user", {"blocked_user_id": str(other_user.pk)}),
        ("post", "/api/messages/report", {"message_id": message.pk, "reason": "spam"}),
        ("put", "/api/messages/presence", {"status": "do_not_disturb"}),
    ]


@pytest.mark.parametrize("index", range(8))
def test_an_unknown_body_field_is_400_on_every_endpoint(api_client, user, other_user, index):
    message = send(other_user, user, "hello")
    method, path, body = _bodies(user, other_user, message)[index]
    client = api_client if path.startswith("/api/messages/") else APIClient()
    response = getattr(client, method)(path, {**body, "errors": {}}, format="json")
    _refused(response, "errors", "Unknown field.")
    assert Message.objects.count() == 1
    assert not Block.objects.exists() and not Report.objects.exists()
    # The same body without the stray field is accepted.
    accepted = getattr(client, method)(path, body, format="json")
    assert accepted.status_code < 400 or path == "/api/auth/register", accepted.content


def test_field_errors_and_unknown_fields_are_reported_together(api_client):
    response = api_client.post(
        "/api/messages/send", {"recipient_id": "nope", "extra": 1}, format="json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    errors = response.json()["errors"]
    assert set(errors) == {"recipient_id", "extra"}
