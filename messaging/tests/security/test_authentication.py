"""OWASP API2: broken authentication. Short-lived access tokens, rotation with
blacklisting, logout, a pinned algorithm, and no token outliving its member."""

import base64
import json
import time
from datetime import timedelta
from http import HTTPStatus

import jwt
import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from messaging.tests.factories import TEST_PASSWORD, UserFactory


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def login(client, member) -> dict:
    response = client.post(
        "/api/auth/token/", {"email": member.email, "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == HTTPStatus.OK, response.content
    return response.json()


def refresh(client, token: str):
    return client.post("/api/auth/token/refresh/", {"refresh": token}, format="json")


def claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def assert_rejected(response):
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response.content
    assert set(response.json()) == {"detail"}


# --- lifetimes and algorithm ---------------------------------------------------------------


def test_access_tokens_live_at_most_fifteen_minutes(anon_client, user):
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] <= timedelta(minutes=15)
    pair = login(anon_client, user)
    for access in (pair["access"], refresh(anon_client, pair["refresh"]).json()["access"]):
        payload = claims(access)
        assert payload["token_type"] == "access"
        assert 0 < payload["exp"] - payload["iat"] <= 15 * 60


def test_the_algorithm_is_pinned_to_hs256():
    assert settings.SIMPLE_JWT["ALGORITHM"] == "HS256"
    assert jwt.get_unverified_header(str(AccessToken()))["alg"] == "HS256"


def _payload_for(member, **overrides) -> dict:
    payload = dict(AccessToken.for_user(member).payload)
    payload.update(overrides)
    return payload


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda p, key: jwt.encode(p, key, algorithm="HS512"), id="other-hmac-alg"),
        pytest.param(lambda p, key: jwt.encode(p, "not-our-key" * 4, "HS256"), id="wrong-key"),
        pytest.param(lambda p, key: f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(p)}.", id="none"),
        pytest.param(lambda p, key: f"{b64({'alg': 'NONE', 'typ': 'JWT'})}.{b64(p)}.", id="NONE"),
        pytest.param(
            lambda p, key: jwt.encode({**p, "exp": int(time.time()) - 1}, key, "HS256"),
            id="expired",
        ),
        pytest.param(
            lambda p, key: jwt.encode({**p, "token_type": "refresh"}, key, "HS256"),
            id="refresh-as-access",
        ),
        pytest.param(
            lambda p, key: jwt.encode({k: v for k, v in p.items() if k != "user_id"}, key),
            id="no-member-claim",
        ),
    ],
)
def test_forged_access_tokens_are_refused(user, forge):
    token = forge(_payload_for(user), settings.SIMPLE_JWT["SIGNING_KEY"])
    assert_rejected(bearer(token).get("/api/auth/me"))
    assert_rejected(bearer(token).get("/api/messages/inbox"))


def test_a_tampered_payload_breaks_the_signature(user, other_user):
    header, _payload, signature = str(AccessToken.for_user(user)).split(".")
    forged = f"{header}.{b64(_payload_for(user, user_id=str(other_user.pk)))}.{signature}"
    assert_rejected(bearer(forged).get("/api/auth/me"))
    # Flipping one signature character is also refused.
    good = str(AccessToken.for_user(user))
    flipped = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    assert_rejected(bearer(flipped).get("/api/auth/me"))


def test_a_token_accepted_before_does_not_vouch_for_a_tampered_copy(user, other_user):
    good = str(AccessToken.for_user(user))
    assert bearer(good).get("/api/auth/me").status_code == HTTPStatus.OK
    header, _payload, signature = good.split(".")
    forged = f"{header}.{b64(_payload_for(user, user_id=str(other_user.pk)))}.{signature}"
    assert_rejected(bearer(forged).get("/api/auth/me"))
    flipped = good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1]
    assert_rejected(bearer(flipped).get("/api/auth/me"))
    assert bearer(good).get("/api/auth/me").status_code == HTTPStatus.OK


def test_a_token_accepted_before_is_refused_once_it_expires(user):
    """The server remembers tokens it has verified; expiry still applies to them, with
    the same answer as for an expired token it never saw."""
    key = settings.SIMPLE_JWT["SIGNING_KEY"]
    expires = int(time.time()) + 2
    token = jwt.encode(_payload_for(user, exp=expires), key, "HS256")
    assert bearer(token).get("/api/auth/me").status_code == HTTPStatus.OK
    while time.time() <= expires:
        time.sleep(0.1)
    refused = bearer(token).get("/api/auth/me")
    assert_rejected(refused)
    never_seen = jwt.encode(_payload_for(user, exp=expires, jti="never-seen"), key, "HS256")
    assert refused.json() == bearer(never_seen).get("/api/auth/me").json()


def test_the_signature_of_a_token_is_checked_once_and_its_time_every_time(user, monkeypatch):
    from rest_framework_simplejwt import backends

    from alumunity.users.tokens import AccessToken as ReadAccessToken

    decodes = []
    real_decode = backends.jwt.decode
    monkeypatch.setattr(
        backends.jwt, "decode", lambda *a, **kw: decodes.append(1) or real_decode(*a, **kw)
    )
    token = str(AccessToken.for_user(user))
    first, second = ReadAccessToken(token), ReadAccessToken(token)
    assert len(decodes) == 1
    assert first.payload == second.payload and first.payload is not second.payload
    second["user_id"] = "changed"  # a token's payload is its own
    assert ReadAccessToken(token)["user_id"] == str(user.pk)
    stale = jwt.encode(
        _payload_for(user, nbf=int(time.time()) + 60), settings.SIMPLE_JWT["SIGNING_KEY"]
    )
    for _attempt in range(2):
        with pytest.raises(TokenError):
            ReadAccessToken(stale)


def test_a_refresh_token_is_not_an_access_token_and_vice_versa(anon_client, user):
    pair = login(anon_client, user)
    assert_rejected(bearer(pair["refresh"]).get("/api/auth/me"))
    assert_rejected(refresh(anon_client, pair["access"]))


# --- rotation, blacklisting and logout ------------------------------------------------------


def test_refresh_rotates_and_the_old_refresh_token_dies(anon_client, user):
    pair = login(anon_client, user)
    first = refresh(anon_client, pair["refresh"])
    assert first.status_code == HTTPStatus.OK
    rotated = first.json()
    assert set(rotated) == {"access", "refresh"}
    assert rotated["refresh"] != pair["refresh"]
    assert_rejected(refresh(anon_client, pair["refresh"]))
    # The new one works, once.
    assert refresh(anon_client, rotated["refresh"]).status_code == HTTPStatus.OK
    assert_rejected(refresh(anon_client, rotated["refresh"]))


def test_logout_blacklists_the_refresh_token(anon_client, user):
    pair = login(anon_client, user)
    response = anon_client.post("/api/auth/logout", {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == HTTPStatus.OK
    assert_rejected(refresh(anon_client, pair["refresh"]))
    again = anon_client.post("/api/auth/logout", {"refresh": pair["refresh"]}, format="json")
    assert again.status_code == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize("token_kind", ["access", "garbage", "forged"])
def test_logout_refuses_what_is_not_a_valid_refresh_token(anon_client, user, token_kind):
    token = {
        "access": str(AccessToken.for_user(user)),
        "garbage": "not.a.token",
        "forged": jwt.encode(
            dict(RefreshToken.for_user(user).payload), "not-our-key" * 4, algorithm="HS256"
        ),
    }[token_kind]
    response = anon_client.post("/api/auth/logout", {"refresh": token}, format="json")
    assert response.status_code == HTTPStatus.UNAUTHORIZED, response.content


def test_a_forged_refresh_token_is_refused(anon_client, user):
    payload = dict(RefreshToken.for_user(user).payload)
    for token in (
        jwt.encode(payload, "not-our-key" * 4, algorithm="HS256"),
        f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(payload)}.",
        jwt.encode(
            {**payload, "exp": int(time.time()) - 1},
            settings.SIMPLE_JWT["SIGNING_KEY"],
            algorithm="HS256",
        ),
    ):
        assert_rejected(refresh(anon_client, token))


# --- tokens must not outlive their member ---------------------------------------------------


def test_a_deactivated_members_tokens_stop_working_everywhere(anon_client, user):
    pair = login(anon_client, user)
    client = bearer(pair["access"])
    assert client.get("/api/auth/me").status_code == HTTPStatus.OK
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert_rejected(client.get("/api/auth/me"))
    assert_rejected(client.get("/api/messages/inbox"))
    assert_rejected(refresh(anon_client, pair["refresh"]))
    response = anon_client.post(
        "/api/auth/token/", {"email": user.email, "password": TEST_PASSWORD}, format="json"
    )
    assert_rejected(response)


def test_a_deleted_members_tokens_stop_working_everywhere(anon_client, db):
    member = UserFactory()
    pair = login(anon_client, member)
    member.delete()

    assert_rejected(bearer(pair["access"]).get("/api/auth/me"))
    # simplejwt alone answers this one with a 500 (a bare .get() on the member).
    assert_rejected(refresh(anon_client, pair["refresh"]))


def test_a_refresh_token_without_a_member_is_refused(anon_client, db):
    token = RefreshToken()  # signed by us, but names nobody
    assert_rejected(refresh(anon_client, str(token)))


def test_a_deactivated_members_session_stops_working(user):
    browser = Client()
    browser.force_login(user)
    assert browser.get("/api/auth/me").status_code == HTTPStatus.OK
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert browser.get("/api/auth/me").status_code == HTTPStatus.UNAUTHORIZED


def test_login_does_not_tell_which_emails_exist(anon_client, user):
    wrong_password = anon_client.post(
        "/api/auth/token/", {"email": user.email, "password": "wrong password"}, format="json"
    )
    unknown = anon_client.post(
        "/api/auth/token/",
        {"email": "nobody@example.org", "password": "wrong password"},
        format="json",
    )
    assert wrong_password.status_code == unknown.status_code == HTTPStatus.UNAUTHORIZED
    assert wrong_password.json() == unknown.json()


# --- sign-up passwords ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("short1", id="too-short"),
        pytest.param("password", id="common"),
        pytest.param("1234567890123", id="numeric"),
        pytest.param("maryannsmith", id="like-the-email"),
    ],
)
def test_sign_up_applies_djangos_password_validators(anon_client, db, password):
    response = anon_client.post(
        "/api/auth/register",
        {"email": "maryannsmith@example.org", "name": "Mary Ann Smith", "password": password},
        format="json",
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    body = response.json()
    assert body["success"] is False and body["errors"]["password"]
    if password != "password":  # the field's own name
        assert password not in response.content.decode()


def test_the_password_validators_are_all_enabled():
    names = {entry["NAME"].rsplit(".", 1)[1] for entry in settings.AUTH_PASSWORD_VALIDATORS}
    assert names >= {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
