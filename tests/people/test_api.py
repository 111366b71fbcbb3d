"""The accounts API: register, confirm, log in for a token, my certificates, the roster; in the OpenAPI."""

from datetime import date

import pytest
from django.test import Client

from sitecert.lib.idnumber import build
from sitecert.people.models import RosterEntry
from tests.conftest import last_code
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def test_registration_confirmation_and_a_token_over_the_api(client, sms, personas):
    number = build("120102", date(1992, 9, 9), 88)
    body = {"name": "韩梅", "id_number": number, "mobile": "15022223333", "password": PASSWORD}
    created = client.post("/api/v1/accounts/register", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["mobile_masked"] == "150****3333"
    ticket = created.json()["ticket"]
    wrong = client.post(
        "/api/v1/accounts/confirm", {"ticket": ticket, "code": "000000"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and wrong.json()["message"] == "验证码不正确"
    ok = client.post(
        "/api/v1/accounts/confirm",
        {"ticket": ticket, "code": last_code(sms)},
        content_type="application/json",
    )
    assert ok.status_code == 200
    token = client.post(
        "/api/v1/auth/token",
        {"username": "15022223333", "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 201 and token.json()["kind"] == "holder"
    mine = Client().get(
        "/api/v1/me/certificates", headers={"Authorization": f"Bearer {token.json()['token']}"}
    )
    assert mine.status_code == 200 and mine.json() == []


def test_a_registered_id_number_gets_the_same_answer_and_is_told_by_sms(client, sms, personas):
    body = {
        "name": "王芳",
        "id_number": personas.holder.username,
        "mobile": "15022224444",
        "password": PASSWORD,
    }
    response = client.post("/api/v1/accounts/register", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["mobile_masked"] == "150****4444"
    assert sms[-1] == (
        "15022224444",
        "【施工现场专业人员证书服务】该身份证号已注册，未能重复注册。如忘记密码，请通过“找回密码”用登记的手机号重设。",
    )
    confirm = client.post(
        "/api/v1/accounts/confirm",
        {"ticket": response.json()["ticket"], "code": "123456"},
        content_type="application/json",
    )
    assert confirm.status_code == 400 and confirm.json() == {
        "message": "验证码不正确",
        "details": {"code": "code_wrong", "field": "code"},
    }


def test_a_bad_field_is_still_named(client, sms):
    body = {"name": "韩梅", "id_number": "120102199209090000", "mobile": "15022224444", "password": PASSWORD}
    response = client.post("/api/v1/accounts/register", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["details"]["field"] == "id_number"


def test_a_wrong_password_gets_no_token(client, personas):
    response = client.post(
        "/api/v1/auth/token",
        {"username": personas.holder.username, "password": "x"},
        content_type="application/json",
    )
    assert response.status_code == 401 and response.json()["message"] == "账号或密码不正确"


def test_an_employer_adds_and_reads_roster_entries_with_its_token(client, personas):
    token = client.post(
        "/api/v1/auth/token",
        {"username": personas.employer_admin.mobile, "password": PASSWORD},
        content_type="application/json",
    )
    auth = {"Authorization": f"Bearer {token.json()['token']}"}
    li = personas.other_holder.person
    body = {"id_number": li.id_number, "name": li.name, "post": "safety", "started_on": "2020-09-01"}
    added = Client().post("/api/v1/roster", body, content_type="application/json", headers=auth)
    assert added.status_code == 201 and added.json()["id_number_masked"] == li.masked_id_number
    assert RosterEntry.objects.filter(employer=personas.employer_admin.organisation, person=li).exists()
    unknown = Client().post(
        "/api/v1/roster", {**body, "post": "surveyor"}, content_type="application/json", headers=auth
    )
    assert unknown.status_code == 400 and "surveyor" in unknown.json()["message"]
    listed = Client().get("/api/v1/roster", headers=auth).json()
    assert {r["name"] for r in listed} == {"王芳", "李强"}


def test_the_openapi_document_lists_the_account_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    expected = {
        "/api/v1/accounts/register",
        "/api/v1/accounts/confirm",
        "/api/v1/auth/token",
        "/api/v1/me/certificates",
        "/api/v1/roster",
        "/api/v1/roster/{entry_id}",
    }
    assert expected <= set(paths)
    assert "post" in paths["/api/v1/roster"] and "get" in paths["/api/v1/roster"]
