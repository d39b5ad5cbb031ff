"""Rate limits from SEND_RATE, LOGIN_RATE and REGISTER_RATE.

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
    key = f"throttle:{scope}:{identity}:{window}"
    cache.add(key, 0, timeout=period + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period + 1)
        count = 1
    if count > limit:
        return (window + 1) * period - now
    return None


def retry_after(wait: float) -> int:
    """The Retry-After seconds for a wait: whole seconds, rounded up and never 0 (a
    client told 0 would retry at once into the same window)."""
    return max(1, ceil(wait))


def email_identity(email) -> str | None:
    """A login attempt's identity: the address tried, hashed so no key carries it."""
    if not isinstance(email, str) or not email.strip():
        return None
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


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


class LoginThrottle(WindowCounterThrottle):
    """Per email address tried, so one attacker cannot guess one member's password fast."""

    scope = "login"
    rate_setting = "LOGIN_RATE"

    def identity(self, request, view):
        data = request.data if isinstance(request.data, dict) else {}
        return email_identity(data.get("email"))


class RegisterThrottle(WindowCounterThrottle):
    scope = "register"
    rate_setting = "REGISTER_RATE"

    def identity(self, request, view):
        return self.get_ident(request)
