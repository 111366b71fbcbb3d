"""A signed-in browser's session: read from the cache, kept by the database, ended everywhere at sign-out.

Sessions are read from the cache (Redis in production; these tests run on both it and the in-process one) and
written to the database as well, and each request reads its user by a compiled query (people/backends.py).
What a person would notice if either went wrong: signed out when Redis restarts, or still signed in after
signing out, after being deactivated or after a password change."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.test import Client
from django.utils import timezone

from sitecert.celery import app
from sitecert.people.tasks import clear_sessions_nightly
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(personas) -> Client:
    """A browser that signed in through the login page, as a holder does."""
    browser = Client()
    answer = browser.post("/accounts/login/", {"username": personas.holder.mobile, "password": PASSWORD})
    assert answer.status_code == 302 and settings.SESSION_COOKIE_NAME in answer.cookies
    assert browser.get("/me/").status_code == 200
    return browser


def is_signed_in(browser: Client) -> bool:
    answer = browser.get("/me/")
    assert answer.status_code in (200, 302)
    return answer.status_code == 200


def with_cookie_of(browser: Client) -> Client:
    """Another client presenting the same session cookie (a copy of it, as a thief or a second tab would)."""
    other = Client()
    other.cookies[settings.SESSION_COOKIE_NAME] = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return other


def test_a_session_outlives_the_cache_losing_it(personas):
    browser = signed_in(personas)
    cache.clear()  # Redis restarted without its data, or evicted the session
    assert is_signed_in(browser)
    assert browser.get("/me/").context["user"] == personas.holder


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(personas):
    browser = signed_in(personas)
    copy = with_cookie_of(browser)
    assert is_signed_in(copy)
    assert browser.post("/accounts/logout/").status_code in (200, 302)
    assert not is_signed_in(copy)


def test_a_sign_out_that_could_not_reach_the_cache_holds_within_minutes(personas, settings, monkeypatch):
    """Signed out while Redis is unreachable: the database forgets the session, Redis's copy cannot be deleted
    and comes back with Redis. That copy lasts SESSION_CACHE_SECONDS (here 1 s), not the session's weeks."""
    settings.SESSION_CACHE_SECONDS = 1
    browser = signed_in(personas)
    copy = with_cookie_of(browser)
    monkeypatch.setattr(type(caches["default"]), "delete", lambda *args, **kwargs: False)  # as in an outage
    browser.post("/accounts/logout/")
    assert not Session.objects.exists() and is_signed_in(copy)  # by the copy the sign-out could not delete
    time.sleep(1.1)  # the cached copy's lifetime
    assert not is_signed_in(copy)


def test_a_deactivated_account_is_signed_out_at_its_next_request(personas):
    browser = signed_in(personas)
    personas.holder.is_active = False
    personas.holder.save(update_fields=["is_active"])
    assert not is_signed_in(browser)


def test_a_password_change_signs_out_the_accounts_other_browsers(personas):
    browser, elsewhere = signed_in(personas), signed_in(personas)
    personas.holder.set_password("New-Tianjin-2021")
    personas.holder.save(update_fields=["password"])
    assert not is_signed_in(browser) and not is_signed_in(elsewhere)


def test_the_signed_in_user_is_the_whole_account(personas):
    """The compiled read of the user gives what the ORM does: every field, the person's and role's relations."""
    seen = signed_in(personas).get("/me/").context["user"]
    holder = type(personas.holder).objects.get(pk=personas.holder.pk)
    fields = [field.attname for field in holder._meta.concrete_fields]
    assert [getattr(seen, name) for name in fields] == [getattr(holder, name) for name in fields]
    assert seen.person == holder.person


def test_the_nightly_sweep_removes_expired_sessions_and_keeps_live_ones(personas):
    browser, gone = signed_in(personas), signed_in(personas)
    expired = Session.objects.filter(session_key=gone.cookies[settings.SESSION_COOKIE_NAME].value)
    expired.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert (
        "sitecert.people.clear_sessions_nightly"
        in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        and clear_sessions_nightly.name in app.tasks
    )
    clear_sessions_nightly()
    assert not expired.exists() and is_signed_in(browser)
