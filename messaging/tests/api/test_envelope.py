"""The error envelope for every kind of failure that happens before or around a view: unknown
paths, wrong methods, malformed bodies, oversized bodies and the request id."""

from http import HTTPStatus

import pytest

from .helpers import assert_error, ok_body

pytestmark = pytest.mark.django_db


def test_unknown_api_path_is_a_json_404(api_client):
    assert_error(api_client.get("/api/no-such-endpoint"), HTTPStatus.NOT_FOUND, "Not found.")


def test_unknown_api_path_is_a_json_404_without_credentials(anon_client):
    assert_error(anon_client.get("/api/messages/nothing/here"), HTTPStatus.NOT_FOUND, "Not found.")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/api/messages/send", "POST"),
        ("post", "/api/messages/inbox", "GET"),
        ("get", "/api/messages/mark-as-read/1", "PUT"),
        ("put", "/api/messages/unread-count", "GET"),
        ("get", "/api/messages/presence", "PUT"),
        ("get", "/api/auth/register", "POST"),
    ],
)
def test_wrong_method_is_a_405_envelope(api_client, method, path, allowed):
    response = getattr(api_client, method)(path)
    assert_error(response, HTTPStatus.METHOD_NOT_ALLOWED, f'Method "{method.upper()}" not allowed.')
    assert allowed in response.headers["Allow"].split(", ")
    assert method.upper() not in response.headers["Allow"].split(", ")


def test_malformed_json_body_is_a_400(api_client):
    response = api_client.post(
        "/api/messages/send", data='{"recipient_id": ', content_type="application/json"
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert body["message"].startswith("Malformed request body")
    assert body == {
        "success": False,
        "data": None,
        "message": body["message"],
        "request_id": response.headers["X-Request-ID"],
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/messages/send", "[" * 100_000),
        ("/api/messages/send", '{"a":' * 50_000 + "1" + "}" * 50_000),
        ("/api/auth/token/", "[" * 100_000),
    ],
    ids=["arrays", "objects", "token-endpoint"],
)
def test_deeply_nested_json_is_a_400_not_a_500(api_client, path, body):
    response = api_client.post(path, data=body, content_type="application/json")
    assert_error(
        response,
        HTTPStatus.BAD_REQUEST,
        "Malformed request body: JSON parse error - nested too deeply.",
    )


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("null", "No data provided"),
        ('"text"', "Invalid data. Expected a dictionary, but got str."),
    ],
)
def test_json_body_that_is_not_an_object_is_a_400(api_client, body, reason):
    response = api_client.post("/api/messages/send", data=body, content_type="application/json")
    assert_error(response, HTTPStatus.BAD_REQUEST, reason, {"non_field_errors": [reason]})


def test_invalid_utf8_or_nan_in_json_is_a_400(api_client):
    for body in (b'{"message_text": "\xff\xfe"}', b'{"recipient_id": NaN}'):
        response = api_client.post("/api/messages/send", data=body, content_type="application/json")
        assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
        assert response.json()["message"].startswith("Malformed request body: JSON parse error")


def test_json_array_body_is_a_400(api_client, other_user):
    response = api_client.post(
        "/api/messages/send", [{"recipient_id": str(other_user.pk)}], format="json"
    )
    reason = "Invalid data. Expected a dictionary, but got list."
    assert_error(response, HTTPStatus.BAD_REQUEST, reason, {"non_field_errors": [reason]})


def test_form_encoded_body_is_refused_not_crashed(api_client, other_user):
    response = api_client.post(
        "/api/messages/send",
        data=f"recipient_id={other_user.pk}&message_text=hi",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(
        response,
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        'Unsupported media type "application/x-www-form-urlencoded" in request.',
    )


def test_body_over_one_megabyte_is_a_413(api_client, other_user):
    text = "x" * (1024 * 1024)
    response = api_client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": text},
        format="json",
    )
    assert_error(response, HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request body is larger than 1 MB.")


def test_body_just_under_the_limit_reaches_validation(api_client, other_user):
    text = "x" * (1024 * 1024 - 200)
    response = api_client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": text},
        format="json",
    )
    reason = "Ensure this field has no more than 5000 characters."
    assert_error(
        response, HTTPStatus.BAD_REQUEST, f"message_text: {reason}", {"message_text": [reason]}
    )


def test_every_response_carries_a_distinct_request_id(api_client, anon_client):
    responses = [
        api_client.get("/api/messages/inbox"),
        api_client.get("/api/messages/inbox?limit=0"),
        anon_client.get("/api/messages/inbox"),
        anon_client.get("/healthz"),
        api_client.get("/api/nowhere"),
    ]
    ids = [response.headers["X-Request-ID"] for response in responses]
    assert all(ids) and len(set(ids)) == len(ids)


def test_a_proxy_request_id_is_kept_and_echoed_in_errors(api_client):
    response = api_client.get("/api/messages/inbox?limit=abc", HTTP_X_REQUEST_ID="edge-42.a_b")
    assert response.headers["X-Request-ID"] == "edge-42.a_b"
    assert response.json()["request_id"] == "edge-42.a_b"


def test_an_unsafe_proxy_request_id_is_replaced(api_client):
    response = api_client.get("/api/messages/inbox", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response.headers["X-Request-ID"] not in ("", "bad id\nwith newline")
    assert " " not in response.headers["X-Request-ID"]


def test_healthz_is_bare_and_public(anon_client):
    response = anon_client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}
    assert response.headers["X-Request-ID"]


def test_success_envelope_shape(api_client):
    body = ok_body(api_client.get("/api/messages/unread-count"))
    assert body == {"success": True, "data": {"unread_count": 0}, "message": body["message"]}


WRITE_ENDPOINTS = [
    ("post", "/api/messages/send", ("recipient_id", "message_text", "attachment_url")),
    ("post", "/api/messages/block-user", ("blocked_user_id",)),
    ("post", "/api/messages/report", ("message_id", "reason")),
    ("put", "/api/messages/presence", ("status",)),
    ("post", "/api/auth/register", ("email", "name", "password")),
    ("post", "/api/auth/token/", ("email", "password")),
    ("post", "/api/auth/token/refresh/", ("refresh",)),
    ("post", "/api/auth/logout", ("refresh",)),
]
ODD_VALUES = [
    None,
    0,
    -1,
    2**70,
    1.5,
    True,
    "",
    " ",
    "\x00",
    "💥" * 300,
    [],
    ["x"],
    {},
    {"$gt": ""},
]


@pytest.mark.parametrize(("method", "path", "fields"), WRITE_ENDPOINTS, ids=lambda v: str(v))
def test_odd_values_in_every_field_never_cause_a_500(settings, api_client, method, path, fields):
    settings.REGISTER_RATE = settings.LOGIN_RATE = "1000/min"
    for field in fields:
        for value in ODD_VALUES:
            response = getattr(api_client, method)(path, {field: value}, format="json")
            assert response.status_code in (400, 401, 404), (field, value, response.content)
            body = response.json()
            if response.status_code != HTTPStatus.UNAUTHORIZED:
                assert body["success"] is False and body["request_id"]


def test_an_unexpected_error_is_a_500_envelope_logged_with_its_request_id(
    api_client, monkeypatch, caplog
):
    def broken(**kwargs):
        raise KeyError("secret internals")

    monkeypatch.setattr("messaging.selectors.unread_total", broken)
    response = api_client.get("/api/messages/unread-count")
    assert_error(
        response,
        HTTPStatus.INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. Please retry.",
    )
    assert b"secret internals" not in response.content
    request_id = response.headers["X-Request-ID"]
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert errors and all(record.request_id == request_id for record in errors)
    assert any(record.exc_info for record in errors)


def test_database_unavailable_is_a_503_envelope(api_client, monkeypatch):
    from django.db import OperationalError

    def down(**kwargs):
        raise OperationalError("(2002) Can't connect to server")

    monkeypatch.setattr("messaging.selectors.unread_total", down)
    response = api_client.get("/api/messages/unread-count")
    assert_error(
        response,
        HTTPStatus.SERVICE_UNAVAILABLE,
        "The service is temporarily unavailable. Please retry shortly.",
    )
    assert b"2002" not in response.content
