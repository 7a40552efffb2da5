"""Sessions kept in the database, read from a copy in the cache, refreshed now and then.

The database holds the record of every session (expiry, sign-out); the cache (Redis) holds a copy
for at most SESSION_CACHE_SECONDS, so a signed-in page reads its session without a database round
trip. While Redis is down the copy is skipped and the database answers (config/cache.py).

A copy must never outlive a sign-out that Redis did not hear about: the cache marks the moment it
came back after a failure (config.cache.RECOVERED_KEY), and a copy older than that mark is read
again from the database. The mark is read with the copy, in the same round trip.

Saving the session on every request (for the inactivity timeout) cost three statements per page;
`SessionRefreshMiddleware` saves it only when SESSION_REFRESH_SECONDS have passed since it was last
saved, so an unattended session still ends between SESSION_COOKIE_AGE minus that and
SESSION_COOKIE_AGE after its last request.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache.backends.base import BaseCache
from django.http import HttpRequest, HttpResponse

from config.cache import RECOVERED_KEY

logger = logging.getLogger(__name__)

REFRESHED_AT = "_refreshed_at"


class SessionStore(cached_db.SessionStore):
    cache_key_prefix = "registry.session:"
    # cached_db's attributes and helpers, which django-stubs does not declare.
    _cache: BaseCache

    def _record(self) -> Any:
        return self._get_session_from_db()  # type: ignore[attr-defined]  # cached_db's own database read

    def load(self) -> dict[str, Any]:
        try:
            found = self._cache.get_many([self.cache_key, RECOVERED_KEY])
        except Exception:  # the copy is a convenience: the database answers (config/cache.py logs outages)
            found = {}
        if self._usable(found.get(self.cache_key), found.get(RECOVERED_KEY)):
            data: dict[str, Any] = found[self.cache_key]["data"]
            return data
        record = self._record()
        if record is None:
            return {}
        data = self.decode(record.session_data)
        self._keep_copy(data, record.expire_date.timestamp())
        return data

    def save(self, must_create: bool = False) -> None:
        # Every save starts the expiry again: noted, so the next refresh is due from now.
        self[REFRESHED_AT] = int(time.time())
        # The database's save, then a fresh copy (cached_db's save writes a copy of its own shape).
        super(cached_db.SessionStore, self).save(must_create)
        self._keep_copy(dict(self.items()), time.time() + self.get_expiry_age())

    def exists(self, session_key: str) -> bool:
        # The database holds every session: asking the cache first would only add a round trip.
        return bool(super(cached_db.SessionStore, self).exists(session_key))

    def delete(self, session_key: str | None = None) -> None:
        # The record first (signing out must never depend on the cache), then the copy.
        super(cached_db.SessionStore, self).delete(session_key)
        key = session_key if session_key is not None else self.session_key
        if key is None:
            return
        try:
            self._cache.delete(self.cache_key_prefix + key)
        except Exception:  # the copy is older than the cache's recovery mark when it is back
            logger.warning("A signed-out session's copy could not be removed from the cache.", exc_info=True)

    @staticmethod
    def _usable(copy: object, recovered_at: object) -> bool:
        """A copy of this shape, younger than SESSION_CACHE_SECONDS and the cache's last recovery,
        of a session that has not expired. (The cache's own expiry says the same; this does not
        depend on it.)"""
        if not (isinstance(copy, dict) and {"data", "at", "expires"} <= copy.keys()):
            return False
        now = time.time()
        if isinstance(recovered_at, float | int) and copy["at"] < recovered_at:
            return False
        return bool(copy["at"] + settings.SESSION_CACHE_SECONDS > now and copy["expires"] > now)

    def _keep_copy(self, data: dict[str, Any], expires: float) -> None:
        now = time.time()
        seconds = int(min(expires - now, settings.SESSION_CACHE_SECONDS))
        if seconds > 0:
            try:
                self._cache.set(self.cache_key, {"data": data, "at": now, "expires": expires}, seconds)
            except Exception:  # without a copy the next page reads the database
                logger.warning("A session's copy could not be kept in the cache.", exc_info=True)


class SessionRefreshMiddleware:
    """Saves a session (so its expiry starts again) once SESSION_REFRESH_SECONDS have passed since
    it was last saved, instead of on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():
            return response  # an anonymous visitor without a session gets none
        now = int(time.time())
        saved_at = session.get(REFRESHED_AT, 0)
        if not isinstance(saved_at, int) or now - saved_at >= settings.SESSION_REFRESH_SECONDS:
            session.modified = True  # SessionMiddleware saves it (and the save notes when)
        return response
