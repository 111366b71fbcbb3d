"""Sign-in sessions: read from the cache (Redis), kept in the database (Django's cached_db), and each cached
copy kept for SESSION_CACHE_SECONDS only.

A signed-in page reads its session on every heartbeat: from Redis that is no database query. But a sign-out
during a Redis outage deletes the session from the database and cannot delete Redis's copy, which Redis keeps
through its restart (append-only); with Django's own timeout (the session's two weeks) a copied cookie would
be signed in again when Redis came back. A few minutes bound that, at the price of one database read per
session per few minutes."""

from django.conf import settings
from django.contrib.sessions.backends import cached_db


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _Capped(self._cache, settings.SESSION_CACHE_SECONDS)


class _Capped:
    """A cache whose entries last at most `seconds`."""

    def __init__(self, cache, seconds: int):
        self._cache, self._seconds = cache, seconds

    def set(self, key, value, timeout=None, **kwargs):
        return self._cache.set(key, value, self._capped(timeout), **kwargs)

    async def aset(self, key, value, timeout=None, **kwargs):
        return await self._cache.aset(key, value, self._capped(timeout), **kwargs)

    def _capped(self, timeout) -> int:
        return self._seconds if timeout is None else min(timeout, self._seconds)

    def __contains__(self, key) -> bool:
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)
