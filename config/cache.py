"""The Redis cache, made optional: when Redis cannot be reached, reads miss and writes are dropped.

Nothing the registry keeps in the cache is the only copy (dashboard figures are counted again,
import progress is shown from the database, sign-in throttling pauses), so an outage of Redis must
slow pages down, never break them. Failures are logged once a minute per process, not per call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
LOG_EVERY_SECONDS = 60.0


def _or(default: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Runs the cache call; if Redis is unreachable, logs and answers `default(*args)` instead."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(method)
        def guarded(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as error:
                self.unreachable(method.__name__, error)
                return default(*args, **kwargs)

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


def _empty(*args: Any, **kwargs: Any) -> dict:
    return {}


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is down (see module docstring)."""

    _last_logged = 0.0

    def unreachable(self, operation: str, error: BaseException) -> None:
        now = time.monotonic()
        if now - ResilientRedisCache._last_logged >= LOG_EVERY_SECONDS:
            ResilientRedisCache._last_logged = now
            logger.warning("Redis cache unreachable (%s): %s; carrying on without the cache", operation, error)

    @_or(_given_default)
    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return super().get(key, default, version)

    # Unreachable counts as added: allauth's sign-in throttle takes its lock with add() and would
    # otherwise wait a second per attempt; nothing in the registry uses the cache for exclusion.
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
    def get_many(self, keys: Any, version: int | None = None) -> dict:
        return super().get_many(keys, version)

    @_or(_false)
    def has_key(self, key: str, version: int | None = None) -> bool:
        return super().has_key(key, version)

    def set_many(self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list:
        try:
            return super().set_many(data, timeout, version)
        except UNREACHABLE as error:
            self.unreachable("set_many", error)
            return list(data)  # Django's contract: the keys that were not stored

    @_or(_nothing)
    def delete_many(self, keys: Any, version: int | None = None) -> None:
        super().delete_many(keys, version)
