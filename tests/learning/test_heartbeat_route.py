"""The heartbeat's hot path (api/hotpath.py): an ordinary beat is answered before the middleware stack with the
very answer the documented operation gives; every refusal goes on down the stack and keeps its shape."""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from sitecert.api.hotpath import Heartbeats
from sitecert.clock import real_now
from sitecert.learning.models import LearningSession, UnitProgress
from sitecert.learning.timekeeping import session_open
from sitecert.people.services import api_token_create
from sitecert.people.sessions import SessionStore
from tests.learning.conftest import T0

pytestmark = pytest.mark.django_db
CSRF = "q" * 32  # a CSRF secret as the cookie holds it; the page sends the same in X-CSRFToken

# (seconds after the unit opened, body): accepted, too soon, replayed, hidden, a body that does not fit the
# schema, one with a missing field, a string number, back and on, past the unit's end
SCRIPT = [
    (30, {"seq": 1, "visible": True}),
    (60, {"seq": 2}),
    (61, {"seq": 2}),
    (62, {"seq": 9}),
    (90, {"seq": "x"}),
    (91, {"visible": True}),
    (95, {"seq": "3"}),
    (120, {"seq": 4, "visible": False}),
    (400, {"seq": 5}),
]


@pytest.fixture
def opened(enrolment):
    unit = enrolment.course.units.get(order=1)
    return session_open(enrolment=enrolment, unit=unit, device="phone", now=T0)


def play(client, drive_clock, token, **headers):
    answers = []
    for at, body in SCRIPT:
        drive_clock(T0 + timedelta(seconds=at))
        response = client.post(
            f"/api/v1/learning/sessions/{token}/beats", body, content_type="application/json", **headers
        )
        answers.append((response.status_code, response.json(), response["Content-Type"]))
    return answers


def both_ways(settings, client, drive_clock, token, **headers):
    """The script once through the hot path and once through the whole stack, from the same state."""
    with transaction.atomic():
        hot = play(client, drive_clock, token, **headers)
        credited = UnitProgress.objects.get().credited_seconds
        transaction.set_rollback(True)
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith(".Heartbeats")]
    stack = play(client, drive_clock, token, **headers)
    assert UnitProgress.objects.get().credited_seconds == credited > 0
    return hot, stack


def test_a_token_beat_is_answered_as_the_documented_operation_answers_it(settings, drive_clock, opened):
    secret = api_token_create(user=opened.user, name="手机")[1]
    hot, stack = both_ways(
        settings, Client(), drive_clock, opened.token, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert hot == stack
    assert [status for status, _body, _type in hot] == [200, 200, 200, 200, 422, 422, 200, 200, 200]
    assert [body.get("reason") for _status, body, _type in hot[:4]] == ["ok", "ok", "sequence", "sequence"]


def test_a_page_beat_with_the_web_session_is_answered_the_same(settings, drive_clock, opened):
    page = Client(enforce_csrf_checks=True)
    page.force_login(opened.user)
    page.cookies["csrftoken"] = CSRF
    hot, stack = both_ways(settings, page, drive_clock, opened.token, HTTP_X_CSRFTOKEN=CSRF)
    assert hot == stack


def the_stack(request):
    return HttpResponse("the stack", status=599)


def beat(token, body=None, **headers):
    body = json.dumps(body or {"seq": 1, "visible": True})
    url = f"/api/v1/learning/sessions/{token}/beats"
    return RequestFactory().post(url, body, content_type="application/json", **headers)


def signed_in(user) -> dict:
    """The cookies of a web session of `user`, with the CSRF cookie a page has."""
    browser = Client()
    browser.force_login(user)
    return {"sessionid": browser.cookies["sessionid"].value, "csrftoken": CSRF}


def test_an_ordinary_beat_never_reaches_the_stack(drive_clock, opened):
    secret = api_token_create(user=opened.user, name="手机")[1]
    page = beat(opened.token, {"seq": 2}, HTTP_X_CSRFTOKEN=CSRF)
    page.COOKIES = signed_in(opened.user)
    for at, request in ((30, beat(opened.token, HTTP_AUTHORIZATION=f"Bearer {secret}")), (60, page)):
        drive_clock(T0 + timedelta(seconds=at))
        response = Heartbeats(the_stack)(request)
        assert response.status_code == 200
        assert json.loads(response.content)["credited"] == 30
        assert response["X-Frame-Options"] == "DENY"
        assert response["Content-Length"] == str(len(response.content))


def test_every_refusal_goes_down_the_stack_and_changes_nothing(drive_clock, opened, personas):
    drive_clock(T0 + timedelta(seconds=30))
    mine = api_token_create(user=opened.user, name="手机")[1]
    theirs = api_token_create(user=personas.other_holder, name="手机")[1]
    requests = [
        beat(opened.token),  # no credential
        beat(opened.token, HTTP_AUTHORIZATION="Bearer sc_not-a-token"),
        beat(opened.token, HTTP_AUTHORIZATION=f"Basic {mine}"),
        beat(opened.token, HTTP_AUTHORIZATION=f"Bearer {theirs}"),  # somebody else's session
        beat("no-such-session", HTTP_AUTHORIZATION=f"Bearer {mine}"),
        beat(opened.token, {"seq": "one"}, HTTP_AUTHORIZATION=f"Bearer {mine}"),
    ]
    requests.append(beat(opened.token, HTTP_AUTHORIZATION=f"Bearer {mine}", HTTP_HOST="elsewhere.example"))
    page = beat(opened.token)  # the web session without its CSRF token
    page.COOKIES = signed_in(opened.user)
    stranger = beat(opened.token, HTTP_X_CSRFTOKEN=CSRF)  # another person's web session
    stranger.COOKIES = signed_in(personas.other_holder)
    requests += [page, stranger]
    others = [RequestFactory().get(f"/api/v1/learning/sessions/{opened.token}/beats")]
    others.append(RequestFactory().post(f"/api/v1/learning/sessions/{opened.token}/resume"))
    for request in requests + others:
        assert Heartbeats(the_stack)(request).status_code == 599
    opened.refresh_from_db()
    assert opened.last_seq == 0 and UnitProgress.objects.get().credited_seconds == 0


def test_a_page_beat_reads_its_user_with_the_session_and_django_still_checks_it(drive_clock, opened):
    """The signed-in user is the owner's row read with the beat's session, not read again; Django's checks of
    the web session hold on it: a password changed since signing in, a deactivated account or a signed-out
    session all go down the stack and change nothing."""
    user, users = opened.user, get_user_model()._meta.db_table
    page = beat(opened.token, HTTP_X_CSRFTOKEN=CSRF)
    page.COOKIES = signed_in(user)
    drive_clock(T0 + timedelta(seconds=30))
    with CaptureQueriesContext(connection) as queries:
        assert Heartbeats(the_stack)(page).status_code == 200
    assert not [q["sql"] for q in queries if f'FROM "{users}"' in q["sql"]]

    def refused(page) -> bool:
        return Heartbeats(the_stack)(page).status_code == 599

    changed_password = beat(opened.token, {"seq": 2}, HTTP_X_CSRFTOKEN=CSRF)
    changed_password.COOKIES = signed_in(user)
    user.set_password("换了的密码-2026")
    user.save()
    deactivated = beat(opened.token, {"seq": 2}, HTTP_X_CSRFTOKEN=CSRF)
    deactivated.COOKIES = signed_in(user)
    drive_clock(T0 + timedelta(seconds=60))
    assert refused(changed_password)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert refused(deactivated)
    get_user_model().objects.filter(pk=user.pk).update(is_active=True)
    signed_out = beat(opened.token, {"seq": 2}, HTTP_X_CSRFTOKEN=CSRF)
    signed_out.COOKIES = signed_in(user)
    SessionStore(signed_out.COOKIES["sessionid"]).delete()
    assert refused(signed_out)
    opened.refresh_from_db()
    assert opened.last_seq == 1 and UnitProgress.objects.get().credited_seconds == 30


def test_a_page_beat_reads_its_web_session_with_the_learning_session_not_from_the_cache(
    drive_clock, opened, monkeypatch
):
    """The page's web session is its database row, read with the beat's own query: the cache (Redis) is not
    asked, and the database's word holds: a web session whose row is gone (signed out while the cache was
    away) or has expired is refused there, though the cache still holds a copy that says signed in."""
    store = caches[settings.SESSION_CACHE_ALIAS]
    asked, get = [], type(store).get

    def counted(cache, key, *args, **kwargs):
        asked.append(key)
        return get(cache, key, *args, **kwargs)

    page = beat(opened.token, HTTP_X_CSRFTOKEN=CSRF)
    page.COOKIES = signed_in(opened.user)
    drive_clock(T0 + timedelta(seconds=30))
    monkeypatch.setattr(type(store), "get", counted)
    with CaptureQueriesContext(connection) as queries:
        assert Heartbeats(the_stack)(page).status_code == 200
    monkeypatch.undo()
    assert not [key for key in asked if "sessions" in key]
    sessions, learning = Session._meta.db_table, LearningSession._meta.db_table
    assert all(learning in q["sql"] for q in queries if sessions in q["sql"])  # never read on its own

    def refused_though_cached(change) -> bool:
        page = beat(opened.token, {"seq": 2}, HTTP_X_CSRFTOKEN=CSRF)
        page.COOKIES = signed_in(opened.user)
        key = page.COOKIES["sessionid"]
        change(Session.objects.filter(session_key=key))
        assert SessionStore(key).load()["_auth_user_id"] == str(opened.user.pk)  # the cache's copy
        return Heartbeats(the_stack)(page).status_code == 599

    drive_clock(T0 + timedelta(seconds=60))
    assert refused_though_cached(lambda row: row.delete())
    assert refused_though_cached(lambda row: row.update(expire_date=real_now() - timedelta(seconds=1)))
    opened.refresh_from_db()
    assert opened.last_seq == 1 and UnitProgress.objects.get().credited_seconds == 30
