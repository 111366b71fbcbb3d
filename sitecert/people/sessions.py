"""Sign-in sessions: read from the cache (Redis), kept in the database (Django's cached_db), and each cached
copy kept for SESSION_CACHE_SECONDS only.

A signed-in page reads its session on every request: from Redis that is no database query. But a sign-out
during a Redis outage deletes the session from the database and cannot delete Redis's copy, which Redis keeps
through its restart (append-only); with Django's own timeout (the session's two weeks) a copied cookie would
be signed in again when Redis came back. A few minutes bound that, at the price of one database read per
session per few minutes. A page's heartbeat, the most frequent request, reads the session's row from the
database with its own query instead (`read_with`): no Redis call, and the database's word at once."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.utils import timezone


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _Capped(self._cache, settings.SESSION_CACHE_SECONDS)

    def load(self):
        """The session's data; within `read_with` for this session, from the row given there."""
        given = _GIVEN.get()
        if given is None or given[0] != self.session_key:
            return super().load()
        row = given[1]
        # Gone, or expired, as Django's database backend reads it: by the real clock (a session's life is not
        # business time, which tests drive).
        if row is None or row[1] <= timezone.now():  # noqa: TID251
            return {}
        return self.decode(row[0])


_GIVEN: ContextVar = ContextVar("session_given", default=None)


@contextmanager
def read_with(key: str, row: tuple | None):
    """Within it, session `key` loads from `row` (its `session_data` and `expire_date`, or None where there is
    none) as the caller read it from the database with its own query, and the cache is not asked: a page's
    heartbeat reads its web session with its learning session (learning.timekeeping). The database is the
    session's record (the cache holds copies), so a sign-out the cache missed is seen at once."""
    reset = _GIVEN.set((key, row))
    try:
        yield
    finally:
        _GIVEN.reset(reset)


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
