"""The Redis cache, made to degrade instead of fail.

Everything this project keeps in the cache is disposable: throttle counters, typing
flags, socket counts, "activity written recently" markers. When Redis is down, a request
must still work (a send is saved, the pages keep polling), so each operation that cannot
reach Redis answers as an empty cache would, and the outage is logged (at most every
few seconds, not once per request). Throttles then let requests through until Redis is
back: failing open is the lesser harm than refusing every member.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 10
_last_logged = 0.0


def _unreachable(operation: str) -> None:
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning("Redis cache unreachable (%s); serving without it", operation)


def _degraded(method, fallback):
    """`method`, answering `fallback(*arguments)` instead when Redis cannot be reached."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except UNREACHABLE:
            _unreachable(method.__name__)
            return fallback(*args, **kwargs)

    return call


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


class ResilientRedisCache(RedisCache):
    # add() says "stored": callers that add a marker to do something once go ahead.
    add = _degraded(RedisCache.add, lambda *args, **kwargs: True)
    get = _degraded(RedisCache.get, lambda key, default=None, version=None: default)
    set = _degraded(RedisCache.set, _nothing)
    touch = _degraded(RedisCache.touch, _false)
    delete = _degraded(RedisCache.delete, _false)
    get_many = _degraded(RedisCache.get_many, lambda *args, **kwargs: {})
    has_key = _degraded(RedisCache.has_key, _false)
    # A counter that cannot be read starts again: 1 for an increment, 0 for a decrement.
    incr = _degraded(RedisCache.incr, lambda key, delta=1, version=None: max(delta, 0))
    set_many = _degraded(RedisCache.set_many, lambda data, *args, **kwargs: list(data))
    delete_many = _degraded(RedisCache.delete_many, _nothing)
    clear = _degraded(RedisCache.clear, _false)
