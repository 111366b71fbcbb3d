"""Logging in with whatever a person knows: their ID number, their mobile number, or a user name."""

import re
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import BigIntegerField, CharField, Value
from django.db.models.functions import Cast

from sitecert import sqlkit
from sitecert.lib import idnumber
from sitecert.lib.textnorm import clean

MOBILE = re.compile(r"1[3-9][0-9]{9}")


def find_account(identifier: str):
    """The account an identifier names, or None: ID number (holders), confirmed mobile, or user name."""
    User = get_user_model()
    text = clean(identifier)
    try:
        number = idnumber.parse(text).value
    except idnumber.InvalidIdNumber:
        number = None
    if number:
        return User.objects.filter(person__id_number=number).first()
    if MOBILE.fullmatch(text):
        return User.objects.filter(mobile=text, mobile_confirmed_at__isnull=False).first()
    return User.objects.filter(username=text).first()


def lockout_username(request, credentials) -> str:
    """Failed logins count per account, however the person named it (django-axes)."""
    identifier = (credentials or {}).get("username", "")
    account = find_account(identifier) if identifier else None
    return account.username if account else clean(identifier)


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = find_account(username)
        if user is None:
            get_user_model()().set_password(password)  # the same time as a real check: no account probing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The signed-in user of a request (every page and every beat of a signed-in browser asks), by a query
        compiled once: the ORM wrote the same lookup anew each time, a third of a page beat's Python. Or the
        row the request has just read with its own query (`known`), when it is that user's."""
        user = _KNOWN.get()
        if user is None or str(user.pk) != str(user_id):
            found = _USER.rows(pk=str(user_id))
            user = sqlkit.instance(get_user_model(), found[0]) if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


_KNOWN: ContextVar = ContextVar("known_user", default=None)


@contextmanager
def known(user):
    """Within it, `get_user` takes this freshly read user instead of reading the row again; Django's checks of
    the web session (its user's password hash, an inactive account) run on it as on every request."""
    reset = _KNOWN.set(user)
    try:
        yield
    finally:
        _KNOWN.reset(reset)


_USER = sqlkit.Compiled(
    lambda pk: (
        get_user_model()
        .objects.filter(pk=Cast(Value(pk, CharField()), BigIntegerField()))  # a text mark (sqlkit.Compiled)
        .values_list(*sqlkit.columns(get_user_model()))
    )
)
