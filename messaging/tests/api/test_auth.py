"""Accounts and credentials: JWT (obtain, refresh, rotation, logout), sign-up, /me, and
the browser session with CSRF."""

import base64
import json
from datetime import timedelta
from http import HTTPStatus

import jwt
import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from messaging.tests.factories import TEST_PASSWORD

from .helpers import assert_error, assert_unauthorized, ok_body, tokens_for

MEMBER_ENDPOINTS = [
    ("get", "/api/auth/me"),
    ("get", "/api/users/search?q=a"),
    ("post", "/api/messages/send"),
    ("get", "/api/messages/inbox"),
    ("get", "/api/messages/conversation/00000000-0000-0000-0000-000000000001"),
    ("delete", "/api/messages/conversation/1"),
    ("get", "/api/messages/conversation/00000000-0000-0000-0000-000000000001/status"),
    ("put", "/api/messages/mark-as-read/1"),
    ("get", "/api/messages/unread-count"),
    ("get", "/api/messages/search?q=a"),
    ("post", "/api/messages/block-user"),
    ("delete", "/api/messages/block-user/00000000-0000-0000-0000-000000000001"),
    ("get", "/api/messages/blocked-users"),
    ("post", "/api/messages/report"),
    ("post", "/api/messages/typing/00000000-0000-0000-0000-000000000001"),
    ("put", "/api/messages/presence"),
]


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


# --- missing and bad access tokens ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), MEMBER_ENDPOINTS)
def test_every_member_endpoint_needs_credentials(anon_client, method, path):
    response = getattr(anon_client, method)(path, {}, format="json")
    assert_unauthorized(response)
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_tampered_jwt_is_401(user, other_user):
    header, payload, signature = str(AccessToken.for_user(user)).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["user_id"] = str(other_user.pk)
    forged = f"{header}.{_b64(claims)}.{signature}"
    assert_unauthorized(_bearer(forged).get("/api/auth/me"))


def test_alg_none_jwt_is_401(user):
    claims = dict(AccessToken.for_user(user).payload)
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert_unauthorized(_bearer(unsigned).get("/api/auth/me"))


def test_jwt_signed_with_another_key_is_401(user):
    claims = dict(AccessToken.for_user(user).payload)
    forged = jwt.encode(claims, "not-the-server-key-but-long-enough-for-hs256!", algorithm="HS256")
    assert_unauthorized(_bearer(forged).get("/api/auth/me"))


def test_expired_jwt_is_401(user):
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=1))
    response = _bearer(str(token)).get("/api/auth/me")
    assert_unauthorized(response)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_refresh_token_is_not_accepted_as_access_token(user):
    _access, refresh = tokens_for(user)
    assert_unauthorized(_bearer(refresh).get("/api/auth/me"))


def test_token_of_a_deactivated_member_is_401(user):
    access, _refresh = tokens_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert_unauthorized(_bearer(access).get("/api/auth/me"))


# --- obtain, refresh, logout ---------------------------------------------------------------


def test_obtain_token_returns_bare_pair_usable_for_me(anon_client, user):
    response = anon_client.post(
        "/api/auth/token/", {"email": "ADA@example.org", "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert set(body) == {"access", "refresh"}
    me = ok_body(_bearer(body["access"]).get("/api/auth/me"))
    assert me["data"]["id"] == str(user.pk)


def test_obtain_token_with_wrong_password_is_401(anon_client, user):
    response = anon_client.post(
        "/api/auth/token/", {"email": user.email, "password": "wrong-password"}, format="json"
    )
    assert_unauthorized(response)
    assert response.json() == {"detail": "No active account found with the given credentials"}


def test_obtain_token_for_unknown_email_is_the_same_401(anon_client, user):
    wrong_password = anon_client.post(
        "/api/auth/token/", {"email": user.email, "password": "nope"}, format="json"
    )
    unknown = anon_client.post(
        "/api/auth/token/", {"email": "nobody@example.org", "password": "nope"}, format="json"
    )
    assert_unauthorized(unknown)
    assert unknown.json() == wrong_password.json()


def test_obtain_token_without_password_is_400(anon_client, user):
    response = anon_client.post("/api/auth/token/", {"email": user.email}, format="json")
    assert_error(
        response,
        HTTPStatus.BAD_REQUEST,
        "password: This field is required.",
        {"password": ["This field is required."]},
    )


def test_refresh_rotates_and_the_old_refresh_is_then_rejected(anon_client, user):
    _access, refresh = tokens_for(user)
    response = anon_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert set(body) == {"access", "refresh"}
    assert body["refresh"] != refresh
    ok_body(_bearer(body["access"]).get("/api/auth/me"))

    again = anon_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert_unauthorized(again)
    rotated = anon_client.post(
        "/api/auth/token/refresh/", {"refresh": body["refresh"]}, format="json"
    )
    assert rotated.status_code == HTTPStatus.OK


@pytest.mark.django_db
@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", ""])
def test_garbage_refresh_is_401_or_400(anon_client, garbage):
    response = anon_client.post("/api/auth/token/refresh/", {"refresh": garbage}, format="json")
    if garbage:
        assert_unauthorized(response)
    else:
        assert response.status_code == HTTPStatus.BAD_REQUEST


def test_logout_blacklists_the_refresh_token(anon_client, user):
    _access, refresh = tokens_for(user)
    body = ok_body(anon_client.post("/api/auth/logout", {"refresh": refresh}, format="json"))
    assert body == {"success": True, "data": None, "message": "Logged out."}
    response = anon_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert_unauthorized(response)
    assert response.json() == {"detail": "Token is blacklisted"}


def test_logout_twice_or_with_garbage_is_401_not_500(anon_client, user):
    _access, refresh = tokens_for(user)
    ok_body(anon_client.post("/api/auth/logout", {"refresh": refresh}, format="json"))
    assert_unauthorized(anon_client.post("/api/auth/logout", {"refresh": refresh}, format="json"))
    assert_unauthorized(anon_client.post("/api/auth/logout", {"refresh": "junk"}, format="json"))


@pytest.mark.django_db
def test_logout_without_refresh_is_400(anon_client):
    response = anon_client.post("/api/auth/logout", {}, format="json")
    assert_error(
        response,
        HTTPStatus.BAD_REQUEST,
        "refresh: This field is required.",
        {"refresh": ["This field is required."]},
    )


# --- register ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_register_creates_member_and_returns_usable_tokens(anon_client):
    response = anon_client.post(
        "/api/auth/register",
        {"email": " Lin@Example.ORG ", "name": " Lin Chen ", "password": TEST_PASSWORD},
        format="json",
    )
    body = ok_body(response, HTTPStatus.CREATED)
    data = body["data"]
    assert set(data) == {"user", "access", "refresh"}
    assert data["user"] == {
        "id": data["user"]["id"],
        "name": "Lin Chen",
        "email": "lin@example.org",
        "avatar_url": None,
    }
    me = ok_body(_bearer(data["access"]).get("/api/auth/me"))
    assert me["data"] == data["user"]
    refreshed = anon_client.post(
        "/api/auth/token/refresh/", {"refresh": data["refresh"]}, format="json"
    )
    assert refreshed.status_code == HTTPStatus.OK
    login = anon_client.post(
        "/api/auth/token/", {"email": "lin@example.org", "password": TEST_PASSWORD}, format="json"
    )
    assert login.status_code == HTTPStatus.OK


@pytest.mark.parametrize("email", ["ada@example.org", "ADA@Example.Org", "  ada@example.org "])
def test_register_duplicate_email_in_any_case_is_400(anon_client, user, email):
    response = anon_client.post(
        "/api/auth/register",
        {"email": email, "name": "Someone", "password": TEST_PASSWORD},
        format="json",
    )
    reason = "An account with this email already exists."
    assert_error(response, HTTPStatus.BAD_REQUEST, f"email: {reason}", {"email": [reason]})


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["12345678", "password", "short"])
def test_register_weak_password_is_400(anon_client, password):
    response = anon_client.post(
        "/api/auth/register",
        {"email": "new@example.org", "name": "New Member", "password": password},
        format="json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    body = response.json()
    assert set(body["errors"]) == {"password"}
    assert body["message"] == f"password: {body['errors']['password'][0]}"
    assert body["request_id"] == response.headers["X-Request-ID"]


@pytest.mark.django_db
def test_register_invalid_email_and_missing_name_are_400(anon_client):
    response = anon_client.post(
        "/api/auth/register",
        {"email": "not-an-email", "name": "Someone", "password": TEST_PASSWORD},
        format="json",
    )
    assert_error(
        response,
        HTTPStatus.BAD_REQUEST,
        "email: Enter a valid email address.",
        {"email": ["Enter a valid email address."]},
    )
    blank_name = anon_client.post(
        "/api/auth/register",
        {"email": "someone@example.org", "name": "   ", "password": TEST_PASSWORD},
        format="json",
    )
    assert_error(
        blank_name,
        HTTPStatus.BAD_REQUEST,
        "name: This field may not be blank.",
        {"name": ["This field may not be blank."]},
    )


@pytest.mark.django_db
def test_register_with_wrong_types_is_400(anon_client):
    response = anon_client.post(
        "/api/auth/register",
        {"email": ["a@example.org"], "name": 42, "password": TEST_PASSWORD},
        format="json",
    )
    assert_error(
        response,
        HTTPStatus.BAD_REQUEST,
        "email: Not a valid string.",
        {"email": ["Not a valid string."], "name": ["Not a valid string."]},
    )


# --- me --------------------------------------------------------------------------------------


def test_me_shape(api_client, user):
    user.avatar_url = "https://cdn.example.org/ada.png"
    user.save(update_fields=["avatar_url"])
    assert ok_body(api_client.get("/api/auth/me")) == {
        "success": True,
        "data": {
            "id": str(user.pk),
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "avatar_url": "https://cdn.example.org/ada.png",
        },
        "message": "Your account.",
    }


# --- session auth and CSRF -------------------------------------------------------------------


def _session_client(member) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    return client


def test_session_cookie_authenticates_reads(user):
    body = ok_body(_session_client(user).get("/api/auth/me"))
    assert body["data"]["email"] == user.email


def test_session_write_without_csrf_token_is_403(user, other_user):
    response = _session_client(user).post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": "hi"},
        format="json",
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    body = response.json()
    assert body["success"] is False and body["data"] is None
    assert body["message"].startswith("CSRF Failed")
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_session_write_with_csrf_token_succeeds(user, other_user):
    client = _session_client(user)
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    response = client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": "hi"},
        format="json",
        HTTP_X_CSRFTOKEN=secret,
    )
    body = ok_body(response, HTTPStatus.CREATED)
    assert body["data"]["sender_id"] == str(user.pk)


def test_bearer_token_writes_need_no_csrf(user, other_user):
    access, _refresh = tokens_for(user)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": "hi"},
        format="json",
    )
    assert ok_body(response, HTTPStatus.CREATED)["data"]["message_text"] == "hi"


def test_another_members_session_does_not_leak_into_a_token_request(user, other_user):
    client = _session_client(other_user)
    access, _refresh = tokens_for(user)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert ok_body(client.get("/api/auth/me"))["data"]["id"] == str(user.pk)
