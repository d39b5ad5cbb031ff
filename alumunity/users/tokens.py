"""Reading and refreshing a JWT, stricter than simplejwt's own classes.

A token's member claim is looked up only when it is a UUID string: simplejwt passes any
signed value to the database lookup, so a validly signed token naming `"foo"` or `42`
was a 500 (or a 400 on refresh) instead of a 401.

simplejwt 5.5 looks the member up with `.get()` (a deleted member becomes a 500) and
accepts a refresh token without a member claim. Its rotation blacklists the old token
with a get_or_create whose result it ignores, so two concurrent uses of one refresh
token both receive a fresh pair. Here the member must exist and be active, and the old
token is claimed atomically: of several concurrent uses, exactly one wins.

Every authenticated request looks its member up: the statement is compiled once
(alumunity.prepared), not built and compiled by the ORM on every request.

Checking an access token's signature costs more than the rest of a small request's
authentication (PyJWT prepares the key and scans every segment each time), and a
client sends the same token on every request for its lifetime: the backend remembers
the payloads of the tokens it has verified and checks only their time claims again."""

import functools
import uuid
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework_simplejwt import authentication, tokens
from rest_framework_simplejwt import serializers as simplejwt
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.utils import get_md5_hash_password

from alumunity.prepared import Prepared
from alumunity.strict import RefuseUnknownFields


def _member_id(payload) -> uuid.UUID | None:
    user_id = payload.get(api_settings.USER_ID_CLAIM)
    if not isinstance(user_id, str):
        return None
    try:
        return uuid.UUID(user_id)
    except ValueError:
        return None


def claimed_member(payload):
    """The member a token's claim names, or None when it names no one (or is malformed)."""
    user_id = _member_id(payload)
    if user_id is None:
        return None
    return get_user_model().objects.filter(**{api_settings.USER_ID_FIELD: user_id}).first()


@functools.cache
def _member_statement() -> Prepared:
    model = get_user_model()
    field = api_settings.USER_ID_FIELD
    return Prepared(
        lambda member_id: model.objects.filter(**{field: member_id}),
        member_id=model._meta.get_field(field),
    )


# Tokens whose verified payload is kept per process; a member's client refreshes its
# access token every ACCESS_TOKEN_LIFETIME, so this covers that many active clients.
VERIFIED_TOKENS = 4096


class VerifiedTokenBackend(TokenBackend):
    """simplejwt's backend, verifying each token's signature and claims once: a token it
    has verified before (the very same bytes, so the same header, payload and signature)
    is accepted from memory while its time claims still hold, checked against the clock
    PyJWT reads. Any other token, or one whose `exp` has passed or whose `nbf`/`iat`
    lie ahead, goes through the full decode, which gives simplejwt's own errors."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Failures raise and are not kept; only verified payloads are.
        self._verified = functools.lru_cache(maxsize=VERIFIED_TOKENS)(self._verify)

    def _verify(self, token) -> dict:
        return super().decode(token, verify=True)

    def decode(self, token, verify: bool = True) -> dict:
        if not verify:
            return super().decode(token, verify=False)
        payload = self._verified(token)
        if _time_claims_hold(payload):
            return dict(payload)  # the caller's own copy: Token instances write to theirs
        return super().decode(token, verify=True)


def _time_claims_hold(payload: dict) -> bool:
    """Whether a verified payload is still current: `exp` ahead of now (PyJWT's leeway
    only widens that), `nbf` and `iat` not ahead of it. Their values passed PyJWT's
    integer checks when the token was verified."""
    now = datetime.now(tz=UTC).timestamp()
    if "exp" in payload and int(payload["exp"]) <= now:
        return False
    return all(int(payload[claim]) <= now for claim in ("nbf", "iat") if claim in payload)


class AccessToken(tokens.AccessToken):
    """simplejwt's access token (same name, type and checks), read through
    VerifiedTokenBackend; settings.SIMPLE_JWT["AUTH_TOKEN_CLASSES"] names it."""

    _token_backend = VerifiedTokenBackend(
        api_settings.ALGORITHM,
        api_settings.SIGNING_KEY,
        api_settings.VERIFYING_KEY,
        api_settings.AUDIENCE,
        api_settings.ISSUER,
        api_settings.JWK_URL,
        api_settings.LEEWAY,
        api_settings.JSON_ENCODER,
    )


class JWTAuthentication(authentication.JWTAuthentication):
    def get_user(self, validated_token):
        """simplejwt's checks, in its order and with its messages, on one compiled query."""
        member_id = _member_id(validated_token)
        if member_id is None:
            raise exceptions.AuthenticationFailed("User not found", code="user_not_found")
        found = _member_statement().instances(self.user_model, member_id=member_id)
        if not found:
            raise AuthenticationFailed(_("User not found"), code="user_not_found")
        user = found[0]
        if api_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


class TokenObtainPairSerializer(RefuseUnknownFields, simplejwt.TokenObtainPairSerializer):
    """simplejwt's, refusing body fields it does not read (400), like every endpoint."""


class TokenRefreshSerializer(RefuseUnknownFields, simplejwt.TokenRefreshSerializer):
    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])  # signature, expiry, type, blacklist
        user = claimed_member(refresh.payload)
        if user is None or not api_settings.USER_AUTHENTICATION_RULE(user):
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        data = {"access": str(refresh.access_token)}
        if api_settings.ROTATE_REFRESH_TOKENS:
            try:
                # get_or_create's pair (the stubs say a BlacklistedToken).
                _blacklisted, claimed = refresh.blacklist()  # type: ignore[misc]
            except IntegrityError:  # a concurrent use inserted the same row first
                claimed = False
            if not claimed:
                raise InvalidToken("Token is blacklisted")
            refresh.set_jti()
            refresh.set_exp()
            refresh.set_iat()
            refresh.outstand()
            data["refresh"] = str(refresh)
        return data
