"""Employers and institutions: registration with GB 32100 codes, approval, colleagues, rosters, tokens."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from sitecert.lib.uscc import build as build_uscc
from sitecert.people.models import ApiToken, Organisation, RosterEntry, User
from tests.conftest import last_code, write_table
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

ROSTER_HEADER = ("身份证号", "姓名", "岗位", "起始日期", "截止日期")


def org_form(**extra):
    data = {
        "kind": "employer",
        "name": "天津市北辰区恒基建筑工程有限公司",
        "uscc": build_uscc("91120113MA05R6P2N"),
        "admin_name": "郭磊",
        "mobile": "13512345678",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    return {**data, **extra}


def test_an_employer_registers_and_waits_for_approval(client, sms, personas):
    response = client.post("/accounts/register/organisation/", org_form())
    assert response.status_code == 302
    client.post("/accounts/register/confirm/", {"code": last_code(sms)})
    org = Organisation.objects.get(name="天津市北辰区恒基建筑工程有限公司")
    assert org.status == "pending" and org.staff.get().is_org_admin
    assert "等待主管部门审核" in client.get("/org/").content.decode()
    assert client.get("/org/roster/add/").status_code == 403
    client.force_login(personas.inspector)
    response = client.post("/admin/people/organisation/", {"action": "approve", "_selected_action": [org.pk]})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == "active" and org.decided_by == personas.inspector


@pytest.mark.parametrize(
    ("uscc", "message"),
    [
        ("91120113MA05R6P2NA", "统一社会信用代码校验位不正确"),
        ("9112011", "统一社会信用代码应为18位"),
        ("91120113MA05R6P2IO", "统一社会信用代码应为18位"),
    ],
)
def test_a_wrong_credit_code_is_named(client, sms, uscc, message):
    code = build_uscc("91120113MA05R6P2N")
    if uscc.endswith("A"):
        uscc = code[:-1] + ("A" if code[-1] != "A" else "B")
    page = client.post("/accounts/register/organisation/", org_form(uscc=uscc)).content.decode()
    assert message in page and not Organisation.objects.exists()


def test_a_registered_credit_code_is_refused(client, sms, personas):
    uscc = personas.employer_admin.organisation.uscc
    page = client.post("/accounts/register/organisation/", org_form(uscc=uscc)).content.decode()
    assert "该统一社会信用代码已注册" in page


def test_an_administrator_adds_a_colleague_who_logs_in_by_mobile(client, personas):
    client.force_login(personas.employer_admin)
    response = client.post("/org/accounts/", {"name": "吴刚", "mobile": "13512340001", "password": PASSWORD})
    assert response.status_code == 302
    colleague = User.objects.get(mobile="13512340001")
    assert colleague.organisation == personas.employer_admin.organisation and not colleague.is_org_admin
    client.logout()
    assert (
        client.post("/accounts/login/", {"username": "13512340001", "password": PASSWORD}).status_code == 302
    )
    assert client.get("/org/accounts/").status_code == 403  # not an administrator


def test_a_roster_entry_needs_a_known_person_under_that_name(client, personas):
    client.force_login(personas.employer_admin)
    holder = personas.other_holder.person
    data = {
        "id_number": holder.id_number,
        "name": "李刚",
        "post": personas.entry.post_id,
        "started_on": "2020-01-06",
    }
    page = client.post("/org/roster/add/", data).content.decode()
    assert "未找到该身份证号和姓名对应的人员" in page
    response = client.post("/org/roster/add/", {**data, "name": "李强"})
    assert response.status_code == 302
    assert RosterEntry.objects.filter(employer=personas.employer_admin.organisation, person=holder).exists()


def upload(client, path):
    return client.post("/org/roster/upload/", {"file": SimpleUploadedFile(path.name, path.read_bytes())})


@pytest.mark.parametrize("kind", ["csv-gb18030", "xlsx"])
def test_a_roster_upload_reports_bad_rows_and_keeps_the_good_ones(client, personas, tmp_path, kind):
    client.force_login(personas.employer_admin)
    li = personas.other_holder.person
    rows = [
        (li.id_number, li.name, "安全员", "2020-01-06", ""),
        (
            li.id_number[:-1] + "0" if li.id_number[-1] != "0" else li.id_number[:-1] + "1",
            li.name,
            "安全员",
            "2020-01-06",
            "",
        ),
        (li.id_number, li.name, "施工员", "2020-01-06", ""),
        (li.id_number, li.name, "材料员", "2020-01-06", "2019-01-01"),
    ]
    path = write_table(tmp_path / "名单", ROSTER_HEADER, rows, kind)
    page = upload(client, path).content.decode()
    assert "新增 1，更新 0，未变 0，重复 0，拒绝 3" in page
    for expected in ("<td>3</td><td>身份证号</td>", "<td>4</td><td>岗位</td>", "<td>5</td><td>截止日期</td>"):
        assert expected in page
    assert RosterEntry.objects.filter(employer=personas.employer_admin.organisation, person=li).count() == 1
    again = upload(client, path).content.decode()
    assert "新增 0，更新 0，未变 1" in again


def test_a_roster_file_without_its_columns_is_refused_whole(client, personas, tmp_path):
    client.force_login(personas.employer_admin)
    path = write_table(tmp_path / "名单", ("姓名", "岗位"), [("李强", "安全员")], "csv-utf8")
    page = upload(client, path).content.decode()
    assert "缺少必需的列：身份证号、起始日期" in page


def test_the_staff_list_filters_and_exports_with_masked_id_numbers(client, personas):
    client.force_login(personas.employer_admin)
    page = client.get("/org/").content.decode()
    assert "王芳" in page and "TJ2015000101" in page and "李强" not in page
    assert personas.holder.person.id_number not in page
    assert "王芳" not in client.get("/org/", {"status": "none"}).content.decode()
    export = client.get("/org/staff.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("姓名", "身份证号", "岗位") and rows[1][0] == "王芳"
    assert rows[1][1] == personas.holder.person.masked_id_number and rows[1][7] == "TJ2015000101"
    assert rows[1][8] == "已作废（未在 2020-12-31 前换发电子证书）"  # today, long after the round


def test_a_holder_disputes_an_entry_and_the_employer_sees_it(client, personas):
    client.force_login(personas.holder)
    assert "天津市津南建工集团有限公司" in client.get("/me/").content.decode()
    client.post(f"/me/roster/{personas.entry.pk}/dispute/", {"reason": "2019年已离职"})
    client.force_login(personas.employer_admin)
    assert "持证人有异议：2019年已离职" in client.get("/org/").content.decode()


def test_api_tokens_are_shown_once_stored_hashed_and_revocable(client, personas):
    client.force_login(personas.employer_admin)
    page = client.post("/org/tokens/", {"name": "人事系统"}).content.decode()
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    token = ApiToken.objects.get()
    assert (
        secret.startswith("sc_") and token.digest == ApiToken.digest_of(secret) and secret not in token.digest
    )
    assert secret not in client.get("/org/tokens/").content.decode()
    fresh, bearer = Client(), {"Authorization": f"Bearer {secret}"}
    assert fresh.get("/api/v1/roster", headers=bearer).status_code == 200  # now kept a few seconds
    client.post(f"/org/tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get().revoked_at is not None
    assert fresh.get("/api/v1/roster", headers=bearer).status_code == 401  # at once in this process


def test_the_roster_export_goes_back_in_as_a_roster_upload(client, personas, tmp_path):
    """An HR clerk downloads the list, ends an entry in Excel and uploads it: nothing else changes."""
    client.force_login(personas.employer_admin)
    book = load_workbook(io.BytesIO(client.get("/org/roster.xlsx").content))
    sheet = book.active
    rows = list(sheet.values)
    assert rows[0] == ("身份证号", "姓名", "岗位", "专业", "起始日期", "截止日期")
    assert rows[1][:3] == (personas.holder.person.id_number, "王芳", "施工员（土建施工）")
    sheet.cell(row=2, column=6, value="2024-06-30")
    path = tmp_path / "roster.xlsx"
    book.save(path)
    with path.open("rb") as upload:
        page = client.post("/org/roster/upload/", {"file": upload}).content.decode()
    assert "新增 0，更新 1，未变 0，重复 0，拒绝 0" in page
    personas.entry.refresh_from_db()
    assert str(personas.entry.ended_on) == "2024-06-30"


def test_a_token_marks_its_use_every_five_minutes_and_leaves_other_tokens_kept(
    client, personas, django_assert_num_queries
):
    """Marking one token's last use drops only that token's kept row: in a rush thousands of tokens are
    in use, and each one's mark every five minutes used to empty the whole process's copy."""
    from datetime import timedelta

    from sitecert import clock
    from sitecert.people.services import api_token_authenticate, api_token_create

    now = clock.now()
    first = api_token_create(user=personas.employer_admin, name="人事系统")[1]
    second = api_token_create(user=personas.employer_admin, name="考勤系统")[1]
    assert api_token_authenticate(second, now=now) is not None  # read, marked, then kept
    assert api_token_authenticate(second, now=now) is not None
    assert api_token_authenticate(first, now=now) is not None  # read and marked: the first use
    with django_assert_num_queries(0):
        assert api_token_authenticate(second, now=now).user == personas.employer_admin
    marked = {t.name: t.last_used_at for t in ApiToken.objects.all()}
    assert marked == {"人事系统": now, "考勤系统": now}
    later = now + timedelta(minutes=6)
    with django_assert_num_queries(2):  # read again (its kept row was marked) and marked again
        assert api_token_authenticate(first, now=later) is not None
    assert ApiToken.objects.get(name="人事系统").last_used_at == later
    assert ApiToken.objects.get(name="考勤系统").last_used_at == now
