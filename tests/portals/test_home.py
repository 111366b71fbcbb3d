"""The front page explains what sitecert does today and leads to each thing people come for; the demo can
live on another day (DEMO_TODAY, DEBUG only) to replay the 2020 round."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured

from sitecert import clock

pytestmark = pytest.mark.django_db


def test_the_home_page_explains_and_leads_to_query_verification_login_and_registration(client):
    page = client.get("/").content.decode()
    for link in (
        'href="/verify/"',
        'href="/query/"',
        'href="/accounts/login/"',
        'href="/accounts/register/"',
    ):
        assert link in page
    assert "未在 2020-12-31 前换发电子证书的原证书已作废" in page  # the policy's deadline, not a constant
    assert "每年参加不少于 32 学时" in page and "职业培训" in page


def test_demo_today_moves_the_clock_only_in_the_demo(settings):
    settings.DEBUG, settings.DEMO_TODAY = True, date(2020, 10, 15)
    assert clock.today() == date(2020, 10, 15)
    settings.DEBUG = False
    assert clock.today() != date(2020, 10, 15)


def test_demo_today_refuses_production(monkeypatch):
    import importlib

    import sitecert.settings

    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("DEMO_TODAY", "2020-10-15")
    with pytest.raises(ImproperlyConfigured, match="DEMO_TODAY"):
        importlib.reload(sitecert.settings)
    monkeypatch.undo()
    importlib.reload(sitecert.settings)


def test_a_browser_finds_the_icon_and_the_api_docs_work_offline(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon.url.endswith("sitecert/favicon.svg")
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()


def test_api_authentication_errors_speak_chinese(client):
    body = client.get("/api/v1/me/certificates").json()
    assert body["message"].startswith("请先登录") and body["details"] is None
