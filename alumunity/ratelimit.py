"""Rate limits from SEND_RATE, LOGIN_RATE, LOGIN_ADDRESS_RATE, REGISTER_RATE and
EMAIL_LOOKUP_RATE.

DRF's built-in throttles read a history list, append and write it back, so concurrent
requests (and several server processes) can all slip through. These count with one
atomic cache increment per request in a fixed window, shared through the cache (Redis
when REDIS_URL is set), so the limit holds across processes."""

import hashlib
import time
from math import ceil

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from alumunity.users.names import is_email_lookup

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'60/min' -> (60, 60); '30/hour' -> (30, 3600)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period.strip().lower()]


def count_hit(*, scope: str, identity: str, rate: str) -> float | None:
    """Count one request for `identity`; None when allowed, else the seconds to wait.
    The web pages call this too, so a limit holds across the API and the pages."""
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    count = _count(f"throttle:{scope}:{identity}:{window}", timeout=period + 1)
    if count > limit:
        return (window + 1) * period - now
    return None


def _count(key: str, *, timeout: int) -> int:
    """One more hit on a window's counter, atomically: an increment where the counter
    exists (every hit but the window's first: one cache operation, not an add before
    each), else the counter created at 1."""
    try:
        return cache.incr(key)
    except ValueError:  # the window's first hit
        pass
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)  # a concurrent first hit created it
    except ValueError:  # and it is gone already (evicted)
        cache.add(key, 1, timeout=timeout)
        return 1


def retry_after(wait: float) -> int:
    """The Retry-After seconds for a wait: whole seconds, rounded up and never 0 (a
    client told 0 would retry at once into the same window)."""
    return max(1, ceil(wait))


def client_address(request) -> str:
    """The client's address: the socket's, or the X-Forwarded-For entry NUM_PROXIES
    trusted proxies vouch for. Used by the API and the pages alike."""
    return BaseThrottle().get_ident(request)


def login_attempt_wait(*, address: str, email) -> float | None:
    """Count one login attempt; None when allowed, else the seconds to wait.

    Two limits: LOGIN_ADDRESS_RATE per client address, whatever the emails tried (no
    password spraying), and LOGIN_RATE per (address, email) (no fast guessing of one
    member's password). Keyed by address too, so that wrong guesses from elsewhere cannot
    lock a member out of their own account."""
    wait = count_hit(scope="login-address", identity=address, rate=settings.LOGIN_ADDRESS_RATE)
    if wait is not None or not (isinstance(email, str) and email.strip()):
        # An attempt the address limit refused never reaches the password check, so it
        # must not use up one of the (address, email) tries either.
        return wait
    tried = f"{address}\n{email.strip().lower()}"
    identity = hashlib.sha256(tried.encode()).hexdigest()[:32]  # no key carries an email
    return count_hit(scope="login", identity=identity, rate=settings.LOGIN_RATE)


def email_lookup_wait(*, user, query) -> float | None:
    """Count one member search if it looks a member up by exact email; None when allowed.
    The answer tells whether an address belongs to a member, so a member may ask only so
    often (EMAIL_LOOKUP_RATE), on the API and the pages together."""
    if not isinstance(query, str) or not is_email_lookup(query):
        return None
    return count_hit(scope="email-lookup", identity=str(user.pk), rate=settings.EMAIL_LOOKUP_RATE)


class WindowCounterThrottle(BaseThrottle):
    scope = ""
    rate_setting = ""

    def __init__(self):
        self.wait_seconds: float | None = None

    def identity(self, request, view) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        identity = self.identity(request, view)
        if identity is None:
            return True
        self.wait_seconds = count_hit(
            scope=self.scope, identity=identity, rate=getattr(settings, self.rate_setting)
        )
        return self.wait_seconds is None

    def wait(self) -> float | None:
        return self.wait_seconds


class SendThrottle(WindowCounterThrottle):
    scope = "send"
    rate_setting = "SEND_RATE"

    def identity(self, request, view):
        return str(request.user.pk) if request.user and request.user.is_authenticated else None


class UploadThrottle(SendThrottle):
    scope = "upload"
    rate_setting = "UPLOAD_RATE"


class LoginThrottle(WindowCounterThrottle):
    def allow_request(self, request, view) -> bool:
        data = request.data if isinstance(request.data, dict) else {}
        self.wait_seconds = login_attempt_wait(
            address=client_address(request), email=data.get("email")
        )
        return self.wait_seconds is None


class RegisterThrottle(WindowCounterThrottle):
    scope = "register"
    rate_setting = "REGISTER_RATE"

    def identity(self, request, view):
        return self.get_ident(request)


class EmailLookupThrottle(WindowCounterThrottle):
    def allow_request(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return True
        self.wait_seconds = email_lookup_wait(
            user=request.user, query=request.query_params.get("q")
        )
        return self.wait_seconds is None
