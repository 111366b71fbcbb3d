"""A signed-in page (or an API client) echoes the server's answer to its last beat (learning/echo.py): the next
beat is decided on it and written in one statement, without reading the session (nor the client's token). The echo is believed only as far as that write
can check it: a replayed, altered, borrowed or stale echo, a signed-out page or a changed password all end as
the beat without an echo ends, decided on what the database says."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.signing import b64_decode, b64_encode
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sitecert.clock import real_now
from sitecert.learning.models import DailyCredit, LearningSession, UnitProgress
from sitecert.learning.timekeeping import session_open
from sitecert.people.models import ApiToken
from sitecert.people.services import api_token_create, api_token_revoke, forget_tokens
from sitecert.people.sessions import SessionStore
from tests.learning.conftest import T0

pytestmark = pytest.mark.django_db
CSRF = "e" * 32


@pytest.fixture
def opened(enrolment):
    unit = enrolment.course.units.get(order=1)  # 120 seconds
    return session_open(enrolment=enrolment, unit=unit, device="phone", now=T0)


def page_of(user) -> Client:
    page = Client(enforce_csrf_checks=True)
    page.force_login(user)
    page.cookies["csrftoken"] = CSRF
    return page


def send(page, drive_clock, token, at: int, seq: int, echo: str = "", visible: bool = True, csrf: str = CSRF):
    drive_clock(T0 + timedelta(seconds=at))
    body = {"seq": seq, "visible": visible, "echo": echo}
    response = page.post(
        f"/api/v1/learning/sessions/{token}/beats",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    return response.status_code, response.json()


def credited() -> int:
    return UnitProgress.objects.get().credited_seconds


def reads(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]


def test_a_page_that_echoes_is_credited_as_one_that_does_not_and_its_beat_reads_nothing(drive_clock, opened):
    page = page_of(opened.user)
    status, first = send(page, drive_clock, opened.token, 30, 1)
    assert status == 200 and first["credited"] == 30 and first["echo"]
    with CaptureQueriesContext(connection) as queries:
        status, second = send(page, drive_clock, opened.token, 60, 2, echo=first["echo"])
    assert status == 200 and second["credited"] == 30 and second["reason"] == "ok"
    assert not reads(queries)  # decided on the echo
    writes = [q for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "WITH"))]
    assert len(writes) == 1 if connection.vendor == "postgresql" else writes
    status, third = send(page, drive_clock, opened.token, 80, 3, echo=second["echo"], visible=False)
    assert third["state"] == "paused" and third["credited"] == 0
    assert credited() == 60 and DailyCredit.objects.get().seconds == 60
    assert LearningSession.objects.get().last_seq == 3


def test_a_replayed_echo_earns_nothing_more(drive_clock, opened):
    """The echo of beat 1 sent again with beat 3: the session has moved on, so the beat is decided on the
    database's word (credit from beat 2, not from beat 1), and the old echo cannot be used twice."""
    page = page_of(opened.user)
    _, first = send(page, drive_clock, opened.token, 30, 1)
    _, second = send(page, drive_clock, opened.token, 55, 2, echo=first["echo"])
    status, third = send(page, drive_clock, opened.token, 90, 3, echo=first["echo"])
    assert status == 200 and third["credited"] == 35  # 90 - 55, as the database has it; not 90 - 30
    status, again = send(page, drive_clock, opened.token, 115, 3, echo=second["echo"])
    assert again["accepted"] is False and again["reason"] == "sequence"
    assert credited() == 30 + 25 + 35 and LearningSession.objects.get().last_seq == 3


def test_an_altered_or_borrowed_echo_is_not_believed(drive_clock, opened, personas):
    page = page_of(opened.user)
    _, first = send(page, drive_clock, opened.token, 30, 1)
    value, signature = first["echo"].rsplit(":", 1)
    plain = json.loads(b64_decode(value.encode()))
    assert {"at": (T0 + timedelta(seconds=30)).isoformat()} in plain
    plain = [{"at": T0.isoformat()} if isinstance(item, dict) else item for item in plain]  # an earlier beat
    altered = b64_encode(json.dumps(plain, separators=(",", ":")).encode()).decode() + ":" + signature
    _, second = send(page, drive_clock, opened.token, 75, 2, echo=altered)
    assert second["credited"] == 45  # 75 - 30, as the database has it; the altered echo would say 75
    other_browser = page_of(opened.user)  # the same person's other web session: an echo is its browser's
    _, third = send(other_browser, drive_clock, opened.token, 95, 3, echo=second["echo"])
    assert third["credited"] == 20 and credited() == 95
    stranger = page_of(personas.other_holder)
    status, _ = send(stranger, drive_clock, opened.token, 118, 4, echo=third["echo"])
    assert status == 404 and LearningSession.objects.get().last_seq == 3 and credited() == 95


@pytest.mark.parametrize("change", ["signed out", "password changed", "deactivated", "expired"])
def test_an_echo_does_not_outlive_the_sign_in(drive_clock, opened, change):
    page = page_of(opened.user)
    _, first = send(page, drive_clock, opened.token, 30, 1)
    user, key = opened.user, page.cookies["sessionid"].value
    store = SessionStore(key)
    if change == "signed out":
        store.delete()
    elif change == "password changed":
        user.set_password("换了的密码-2026")
        user.save()
    elif change == "deactivated":
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    else:  # the row's expiry passed, and the cache's copy (kept for minutes only) is gone with it
        Session.objects.filter(session_key=key).update(expire_date=real_now() - timedelta(seconds=1))
        store._cache.delete(store.cache_key)
    status, _ = send(page, drive_clock, opened.token, 60, 2, echo=first["echo"])
    assert status in (401, 404)
    assert LearningSession.objects.get().last_seq == 1 and credited() == 30


def test_an_echo_needs_the_pages_csrf_token(drive_clock, opened):
    page = page_of(opened.user)
    _, first = send(page, drive_clock, opened.token, 30, 1)
    status, _ = send(page, drive_clock, opened.token, 60, 2, echo=first["echo"], csrf="")
    assert status == 403 and LearningSession.objects.get().last_seq == 1 and credited() == 30


def test_an_echo_of_yesterday_or_of_a_paused_session_is_decided_on_the_database(drive_clock, opened):
    page = page_of(opened.user)
    _, first = send(page, drive_clock, opened.token, 30, 1)
    other = session_open(enrolment=opened.progress.enrolment, unit=opened.progress.unit, device="pc", now=T0)
    _, paused = send(page, drive_clock, opened.token, 60, 2, echo=first["echo"])
    assert paused["credited"] == 0 and paused["state"] == "paused"  # opened elsewhere meanwhile
    assert credited() == 30 and other.token != opened.token
    drive_clock(T0)
    _, again = send(page_of(opened.user), drive_clock, other.token, 30, 1)
    day = 24 * 3600
    _, tomorrow = send(page_of(opened.user), drive_clock, other.token, day, 2, echo=again["echo"])
    assert tomorrow["credited"] == 0 and tomorrow["reason"] == "gap"  # a night away earns nothing
    assert sorted(DailyCredit.objects.values_list("seconds", flat=True)) == [60]


def client_send(secret, drive_clock, token, at: int, seq: int, echo: str = ""):
    drive_clock(T0 + timedelta(seconds=at))
    response = Client().post(
        f"/api/v1/learning/sessions/{token}/beats",
        {"seq": seq, "visible": True, "echo": echo},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    return response.status_code, response.json()


def test_an_api_client_that_echoes_reads_neither_its_session_nor_its_token(drive_clock, opened):
    secret = api_token_create(user=opened.user, name="手机")[1]
    status, first = client_send(secret, drive_clock, opened.token, 30, 1)
    assert status == 200 and first["credited"] == 30 and first["echo"]
    with CaptureQueriesContext(connection) as queries:
        status, second = client_send(secret, drive_clock, opened.token, 60, 2, echo=first["echo"])
    assert status == 200 and second["credited"] == 30
    assert not reads(queries)  # the token is checked by the write
    assert credited() == 60 and LearningSession.objects.get().last_seq == 2


@pytest.mark.parametrize("change", ["revoked", "deactivated", "another person's token"])
def test_an_api_clients_echo_does_not_outlive_its_token(drive_clock, opened, personas, change):
    secret = api_token_create(user=opened.user, name="手机")[1]
    _, first = client_send(secret, drive_clock, opened.token, 30, 1)
    if change == "revoked":
        api_token_revoke(token=ApiToken.objects.get(), by=opened.user, now=T0)
    elif change == "deactivated":
        get_user_model().objects.filter(pk=opened.user.pk).update(is_active=False)
        forget_tokens()  # as the save of a user does (signals); an update() sends none
    else:
        secret = api_token_create(user=personas.other_holder, name="手机")[1]
    status, _ = client_send(secret, drive_clock, opened.token, 60, 2, echo=first["echo"])
    assert status in (401, 404)
    assert LearningSession.objects.get().last_seq == 1 and credited() == 30


def test_an_api_clients_echo_lets_its_token_be_marked_used_every_five_minutes(drive_clock, opened):
    """An echoed beat does not look its token up; so its echo is believed for five minutes after the token's
    last marked use only, and the token's last use stays as fresh as any other request keeps it."""
    secret = api_token_create(user=opened.user, name="手机")[1]
    _, answer = client_send(secret, drive_clock, opened.token, 30, 1)
    for seq, at in ((2, 60), (3, 90)):
        _, answer = client_send(secret, drive_clock, opened.token, at, seq, echo=answer["echo"])
    assert ApiToken.objects.get().last_used_at == T0 + timedelta(seconds=30)
    with CaptureQueriesContext(connection) as queries:
        status, late = client_send(secret, drive_clock, opened.token, 331, 4, echo=answer["echo"])
    assert status == 200 and late["accepted"] and reads(queries)  # read, as without an echo
    assert ApiToken.objects.get().last_used_at == T0 + timedelta(seconds=331)
    _, after = client_send(secret, drive_clock, opened.token, 361, 5, echo=late["echo"])
    assert after["credited"] == 30 and LearningSession.objects.get().last_seq == 5
