"""A Redis cache that keeps answering when Redis does not: the cache is a convenience, never a
reason for a 500 (issue 11, "degrade, don't fail").

Every use of the cache (today DRF's throttles, such as the API token rate limit) goes through
``caches["default"]``. When Redis refuses, resets or times out (socket timeouts of a quarter
second, set in ``CACHES``), the operation is answered by a per-process in-memory cache instead,
and Redis is not asked again for ``RETRY_AFTER`` seconds, so a frozen Redis costs one process
one timeout per interval rather than every request. Rate limits therefore keep working while
Redis is away, per process instead of across processes: looser by the number of server
processes, never absent.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


def failsafe_redis_cache(location: str) -> dict[str, Any]:
    """The ``CACHES`` entry of a fail-safe Redis cache at ``location``: the socket timeouts are
    what bound a request's wait for a frozen Redis."""
    return {
        "BACKEND": "config.cache.FailSafeRedisCache",
        "LOCATION": location,
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }


#: How long Redis is left alone after a failure before it is tried again.
RETRY_AFTER = 5.0
_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
#: Per location: until when (monotonic) Redis counts as down. Process-wide: Django makes one
#: cache object per thread, and every thread should learn from the first one's timeout.
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class FailSafeRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = str(server)
        # LocMemCache instances of one name share their store across the process's threads.
        self._fallback = LocMemCache(f"failsafe:{self._location}", {"TIMEOUT": params.get("TIMEOUT", 300)})

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= _down_until.get(self._location, 0.0):
            try:
                return getattr(super(), operation)(*args, **kwargs)
            except _UNAVAILABLE as exc:
                with _lock:
                    was_up = time.monotonic() >= _down_until.get(self._location, 0.0)
                    _down_until[self._location] = time.monotonic() + RETRY_AFTER
                if was_up:
                    logger.warning("cache: Redis unavailable (%s); answering from memory for %ss", exc, RETRY_AFTER)
        return getattr(self._fallback, operation)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> Any:
        return self._call("clear")


def forget_failures() -> None:
    """Tests: make the next operation ask Redis again."""
    with _lock:
        _down_until.clear()
