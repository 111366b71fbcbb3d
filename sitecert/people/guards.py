"""Conditions a write can carry (SQL and its values) that hold while the one asking is still who it was when
last checked: what Django checks of a signed-in request, or sitecert of a bearer token, in the database, so that
one statement both checks and writes. A page's or an API client's heartbeat that echoes its last answer
(learning/echo.py) is written under one of them, without reading the session or the credential first."""

import hashlib
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connections
from django.utils import timezone
from django.utils.crypto import salted_hmac

from sitecert.people.models import ApiToken


def password_mark(password: str) -> str:
    """A mark of a user's password hash that the database can compute again (MD5 of the hash and a secret
    derived from SECRET_KEY): a write guarded by `still_signed_in` holds only while the password is the one
    the sign-in was checked with, as Django's session hash holds only until the password changes. Useless to
    anyone without the secret, so it may travel in a page's echo (learning.echo)."""
    return hashlib.md5((password + _mark_secret()).encode()).hexdigest()


@cache
def _mark_secret() -> str:
    return salted_hmac("sitecert.people.guards.password_mark", "").hexdigest()


def still_signed_in(alias: str, *, key: str, user_id: int, mark: str) -> tuple[str, list]:
    """A condition for a write (SQL and its values): web session `key` is neither signed out nor expired, and
    its user is active with the password of `mark`: what Django checks of a signed-in request, in the
    database, so that one statement both checks and writes (a page's heartbeat that echoes its state)."""
    connection = connections[alias]
    expiry = connection.ops.adapt_datetimefield_value(timezone.now())  # noqa: TID251 (as `load` reads it)
    return _still_text(alias), [key, expiry, user_id, _mark_secret(), mark]


@cache
def _still_text(alias: str) -> str:
    column, sessions, users = _columns(alias), Session._meta, get_user_model()._meta
    return (
        f"EXISTS (SELECT 1 FROM {column(sessions)} WHERE {column(sessions, 'session_key')} = %s"
        f" AND {column(sessions, 'expire_date')} > %s)"
        f" AND EXISTS (SELECT 1 FROM {column(users)} WHERE {column(users, 'id')} = %s"
        f" AND {column(users, 'is_active')} AND MD5({column(users, 'password')} || %s) = %s)"
    )


def token_still_live(alias: str, *, digest: str, user_id: int) -> tuple[str, list]:
    """A condition for a write: the API token of `digest` is `user_id`'s, not revoked, and that user active (as
    `services.api_token_authenticate` finds a token, but checked in the same statement as the write)."""
    return _token_text(alias), [digest, user_id]


@cache
def _token_text(alias: str) -> str:
    column, tokens, users = _columns(alias), ApiToken._meta, get_user_model()._meta
    return (
        f"EXISTS (SELECT 1 FROM {column(tokens)} JOIN {column(users)}"
        f" ON {column(users, 'id')} = {column(tokens, 'user')}"
        f" WHERE {column(tokens, 'digest')} = %s AND {column(tokens, 'user')} = %s"
        f" AND {column(tokens, 'revoked_at')} IS NULL AND {column(users, 'is_active')})"
    )


def _columns(alias: str):
    """`column(meta)`, a table's quoted name, and `column(meta, field)`, its column's, qualified by the table:
    these conditions sit inside an UPDATE of another table, which has columns of the same names."""
    quote = connections[alias].ops.quote_name

    def column(meta, name: str = "") -> str:
        table = quote(meta.db_table)
        return f"{table}.{quote(meta.get_field(name).column)}" if name else table

    return column
