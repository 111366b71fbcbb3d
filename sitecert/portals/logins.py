"""Failed logins, beyond django-axes' pauses (docs/security.md, "Logins").

django-axes pauses an account on one address, and an address, after LOGIN_FAILURE_LIMIT failures. Across
addresses an account is slowed, not locked: after that many failures from anywhere (since its last
successful login, within a day) each further attempt must wait twice as long as the one before, up to
LOGIN_DELAY_MAX seconds. A browser in which the holder logged in before carries a signed device cookie
and is not slowed, so that a stranger's guesses never keep a holder out of their own phone.
"""

import hashlib
from datetime import timedelta

from axes.models import AccessFailureLog
from django.conf import settings
from django.core import signing

from sitecert.people.backends import find_account, lockout_username

DEVICE_COOKIE = "sitecert_device"
DEVICE_SALT = "sitecert.portals.logins.device"
DEVICE_DAYS = 365


def _tag(username: str) -> str:
    """What the cookie keeps of an account: a keyed digest, not the ID number or mobile it logs in with."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:device:{username}".encode()).hexdigest()[:20]


def _known_device(request, username: str) -> bool:
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return False
    try:
        remembered = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_DAYS * 86400)
    except signing.BadSignature:
        return False
    return _tag(username) in remembered


def account_wait(request, identifier: str, *, now) -> int:
    """Seconds before this account may be tried again from this client (0: go ahead)."""
    username = lockout_username(request, {"username": identifier})
    if not username or _known_device(request, username):
        return 0
    since = now - timedelta(days=1)
    account = find_account(identifier)
    if account is not None and account.last_login and account.last_login > since:
        since = account.last_login
    failures = AccessFailureLog.objects.filter(username=username, attempt_time__gt=since)
    count = failures.count()
    free = settings.AXES_FAILURE_LIMIT
    if count < free:
        return 0
    last = failures.order_by("-attempt_time").values_list("attempt_time", flat=True).first()
    delay = min(2 ** (count - free), settings.LOGIN_DELAY_MAX)
    left = delay - (now - last).total_seconds()
    return max(0, int(left + 0.999))


def remember_device(request, response, user) -> None:
    """After a successful login: this browser is the account's (a signed list of up to five accounts,
    for a family's shared phone)."""
    try:
        known = signing.loads(request.COOKIES.get(DEVICE_COOKIE, ""), salt=DEVICE_SALT)
    except signing.BadSignature:
        known = []
    tag = _tag(user.username)
    known = [tag, *[t for t in known if t != tag]][:5]
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(known, salt=DEVICE_SALT),
        max_age=DEVICE_DAYS * 86400,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
