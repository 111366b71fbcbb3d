"""Sign-in sessions: read from the cache (Redis), kept in the database (Django's cached_db), and each cached
copy kept for SESSION_CACHE_SECONDS only.

A signed-in page reads its session on every request: from Redis that is no database query. But a sign-out
during a Redis outage deletes the session from the database and cannot delete Redis's copy, which Redis keeps
through its restart (append-only); with Django's own timeout (the session's two weeks) a copied cookie would
be signed in again when Redis came back. A few minutes bound that, at the price of one database read per
session per few minutes. A page's heartbeat, the most frequent request, reads the session's row from the
database with its own query instead (`read_with`): no Redis call, and the database's word at once."""

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.models import Session
from django.db import connections
from django.utils import timezone
from django.utils.crypto import salted_hmac


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


def password_mark(password: str) -> str:
    """A mark of a user's password hash that the database can compute again (MD5 of the hash and a secret
    derived from SECRET_KEY): a write guarded by `still_signed_in` holds only while the password is the one
    the sign-in was checked with, as Django's session hash holds only until the password changes. Useless to
    anyone without the secret, so it may travel in a page's echo (learning.echo)."""
    return hashlib.md5((password + _mark_secret()).encode()).hexdigest()


@cache
def _mark_secret() -> str:
    return salted_hmac("sitecert.people.sessions.password_mark", "").hexdigest()


def still_signed_in(alias: str, *, key: str, user_id: int, mark: str) -> tuple[str, list]:
    """A condition for a write (SQL and its values): web session `key` is neither signed out nor expired, and
    its user is active with the password of `mark`: what Django checks of a signed-in request, in the
    database, so that one statement both checks and writes (a page's heartbeat that echoes its state)."""
    connection = connections[alias]
    expiry = connection.ops.adapt_datetimefield_value(timezone.now())  # noqa: TID251 (as `load` reads it)
    return _still_text(alias), [key, expiry, user_id, True, _mark_secret(), mark]


@cache
def _still_text(alias: str) -> str:
    quote, users = connections[alias].ops.quote_name, get_user_model()._meta
    column = lambda meta, name: quote(meta.get_field(name).column)  # noqa: E731
    sessions = Session._meta
    return (
        f"EXISTS (SELECT 1 FROM {quote(sessions.db_table)} WHERE {column(sessions, 'session_key')} = %s"
        f" AND {column(sessions, 'expire_date')} > %s)"
        f" AND EXISTS (SELECT 1 FROM {quote(users.db_table)} WHERE {column(users, 'id')} = %s"
        f" AND {column(users, 'is_active')} = %s AND MD5({column(users, 'password')} || %s) = %s)"
    )


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
