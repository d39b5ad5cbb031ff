"""Who is on the other end of a socket.

A browser proves itself with its session cookie, and only from a page of this site: a
browser always sends `Origin`, and its scheme, host and port must be this site's own
(otherwise any site the member visits, or another app on the same host, could open a
socket with their cookie). A mobile app sends an access JWT
in the handshake's `Authorization: Bearer` header and usually no `Origin`. A token is
never read from the URL, where proxies and logs would keep it.

The middleware only decides; the consumer accepts and then closes a rejected socket
with a code the client can read (a close before accepting reaches it as a bare HTTP 403).
"""

from urllib.parse import urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from alumunity.users.tokens import JWTAuthentication

UNAUTHENTICATED = 4401
FORBIDDEN = 4403


def _header(scope, name: bytes) -> bytes | None:
    for header_name, value in scope.get("headers", []):
        if header_name.lower() == name:
            return value
    return None


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_key(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) origin, the port made explicit; None otherwise."""
    try:
        parsed = urlparse(url)
        port = parsed.port
    except ValueError:
        return None
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.hostname:
        return None
    return parsed.scheme, parsed.hostname, port or _DEFAULT_PORTS[parsed.scheme]


def site_origins(scope) -> set[tuple[str, str, int]]:
    """The origins of this site's own pages: the one the handshake was addressed to (its
    Host, when that is one of ALLOWED_HOSTS) or, for a handshake without a Host header,
    every ALLOWED_HOSTS name on the served PORT; plus CSRF_TRUSTED_ORIGINS, which a
    deployment behind a proxy sets to its public origin."""
    scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
    host = _header(scope, b"host")
    if host is not None:
        own = _origin_key(f"{scheme}://{host.decode('latin1')}")
        candidates: list[tuple[str, str, int] | None]
        candidates = [own] if own and validate_host(own[1], settings.ALLOWED_HOSTS) else []
    else:
        candidates = [
            _origin_key(f"{scheme}://{name}:{settings.SERVED_PORT}")
            for name in settings.ALLOWED_HOSTS
            if name != "*" and not name.startswith(".")
        ]
    candidates += [_origin_key(trusted) for trusted in settings.CSRF_TRUSTED_ORIGINS]
    return {candidate for candidate in candidates if candidate is not None}


def origin_allowed(origin: bytes, scope) -> bool:
    try:
        key = _origin_key(origin.decode("ascii"))
    except UnicodeDecodeError:
        return False
    return key is not None and key in site_origins(scope)


@database_sync_to_async
def _user_for_token(raw_token: str):
    """The active member an access token names, and when the token expires; None for a
    bad, expired or refresh token, or a member who no longer exists."""
    authentication = JWTAuthentication()
    try:
        token = authentication.get_validated_token(raw_token.encode())
        user = authentication.get_user(token)
    except (InvalidToken, TokenError, AuthenticationFailed):
        return None, None
    return user, token.get("exp")


class SocketAuthMiddleware(BaseMiddleware):
    """Sets scope["user"] (AnonymousUser when not proven), scope["rejection"] (a close
    code, for a foreign Origin) and scope["token_expires_at"] (a Unix time, JWT only).
    Runs inside channels' AuthMiddlewareStack, which has already read the session."""

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        origin = _header(scope, b"origin")
        authorization = _header(scope, b"authorization")
        session_user = scope.get("user") or AnonymousUser()
        scope["user"] = AnonymousUser()
        scope["token_expires_at"] = None
        if origin is not None and not origin_allowed(origin, scope):
            scope["rejection"] = FORBIDDEN
        elif authorization is not None:
            scheme, _, raw_token = authorization.decode("latin1").partition(" ")
            if scheme.lower() == "bearer" and raw_token.strip():
                user, expires_at = await _user_for_token(raw_token.strip())
                if user is not None:
                    scope["user"], scope["token_expires_at"] = user, expires_at
        elif origin is not None:
            scope["user"] = session_user
        return await super().__call__(scope, receive, send)


def socket_auth_stack(inner):
    """Session cookie, then the Bearer header and the Origin check, then `inner`."""
    return AuthMiddlewareStack(SocketAuthMiddleware(inner))
