"""The Redis cache, made optional: when Redis cannot be reached, reads miss and writes are dropped.

Nothing the registry keeps in the cache is the only copy (dashboard figures are counted again,
import progress is shown from the database), so an outage of Redis must slow pages down, never break
them. The one exception is the sign-in throttle: its keys (FALLBACK_KEY_PREFIXES) go to a cache in the
database (FALLBACK_CACHE) while Redis is down, so guessing passwords is never unthrottled. Failures are
logged once a minute per process, not per call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60.0
# When Redis last came back after a process found it unreachable: copies of database records kept in
# the cache (sessions, config/sessions.py) that are older than this are read again from the database,
# since a change made meanwhile (a sign-out) could not reach the cache.
RECOVERED_KEY = "cache:recovered_at"


def _or(default: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Runs the cache call; if Redis is unreachable, logs and answers from the fallback cache (for
    the keys it keeps) or `default(*args)` instead."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(method)
        def guarded(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                answer = method(self, *args, **kwargs)
            except UNREACHABLE as error:
                self.unreachable(method.__name__, error)
                fallback = self.fallback_for(args[0] if args else kwargs.get("key"))
                if fallback is not None:
                    return getattr(fallback, method.__name__)(*args, **kwargs)
                return default(*args, **kwargs)
            if ResilientRedisCache._down_since is not None:
                self.reachable_again()
            return answer

        return guarded

    return decorate


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _true(*args: Any, **kwargs: Any) -> bool:
    return True


def _given_default(key: str, default: Any = None, version: int | None = None) -> Any:
    return default


def _empty(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    return {}


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is down (see module docstring)."""

    _last_logged = 0.0
    # Since when this process has found Redis unreachable (None: it answered last time).
    _down_since: float | None = None

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._fallback_alias: str | None = params.get("FALLBACK_CACHE")
        self._fallback_prefixes = tuple(params.get("FALLBACK_KEY_PREFIXES", ()))

    def fallback_for(self, key: object) -> Any:
        """The cache that keeps `key` while Redis is down, if any."""
        if self._fallback_alias and isinstance(key, str) and key.startswith(self._fallback_prefixes):
            return caches[self._fallback_alias]
        return None

    def reachable_again(self) -> None:
        ResilientRedisCache._down_since = None
        try:
            super().set(RECOVERED_KEY, time.time(), settings.SESSION_CACHE_SECONDS)
        except UNREACHABLE as error:  # gone again: the next answer marks it
            ResilientRedisCache._down_since = time.time()
            self.unreachable("set", error)

    def unreachable(self, operation: str, error: BaseException) -> None:
        if ResilientRedisCache._down_since is None:
            ResilientRedisCache._down_since = time.time()
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY_SECONDS:
            ResilientRedisCache._last_logged = now
            logger.warning("Redis cache unreachable (%s): %s; carrying on without the cache", operation, error)

    @_or(_given_default)
    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return super().get(key, default, version)

    # Unreachable counts as added (for keys without a fallback): nothing in the registry uses the
    # cache for exclusion; allauth's throttle lock has its fallback.
    @_or(_true)
    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return super().add(key, value, timeout, version)

    @_or(_nothing)
    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        super().set(key, value, timeout, version)

    @_or(_false)
    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return super().touch(key, timeout, version)

    @_or(_false)
    def delete(self, key: str, version: int | None = None) -> bool:
        return super().delete(key, version)

    @_or(_empty)
    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return super().get_many(keys, version)

    @_or(_false)
    def has_key(self, key: str, version: int | None = None) -> bool:
        return super().has_key(key, version)

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            self.unreachable("set_many", error)
            return list(data)  # Django's contract: the keys that were not stored

    @_or(_nothing)
    def delete_many(self, keys: Any, version: int | None = None) -> None:
        super().delete_many(keys, version)

    @_or(_nothing)
    def clear(self) -> None:
        super().clear()
