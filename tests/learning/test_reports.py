"""Institutions report offline training: per-row validation, a row-numbered report, idempotent, own courses only."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sitecert.learning.assessments import assessment_passed
from sitecert.learning.models import HourEntry
from sitecert.learning.reports import hour_report_rows
from sitecert.learning.selectors import hour_records
from sitecert.lib.uscc import build as build_uscc
from sitecert.people.models import Organisation
from sitecert.people.services import api_token_create
from tests.conftest import write_table
from tests.personas import course

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
HEADER = ("身份证号", "姓名", "证书编号", "课程代码", "学时", "类别", "完成日期", "考核成绩")


@pytest.fixture(autouse=True)
def _during_the_round(drive_clock):
    """Reports in the weeks before the 2020 deadline (the rows are dated November 2020)."""
    drive_clock(datetime(2020, 12, 1, 10, 0, tzinfo=TZ))


@pytest.fixture
def courses(personas):
    org, by = personas.institution_admin.organisation, personas.inspector
    own = course(org, "XT-SG-01", "施工组织设计", hours=16, approve_by=by)
    general = course(org, "XT-GEN-01", "工程建设标准强制性条文", hours=10, category="general", approve_by=by)
    elsewhere = Organisation.objects.create(
        kind="institution", name="别家培训中心", uscc=build_uscc("52120000MJ0599999"), status="active"
    )
    course(elsewhere, "BJ-01", "别家课程", hours=8, category="general", approve_by=by)
    return own, general


def rows_for(personas):
    wang = personas.holder.person
    return [
        (wang.id_number, wang.name, "TJ2015000101", "XT-SG-01", "16", "专业岗位知识", "2020-11-02", "86"),
        (wang.id_number, wang.name, "TJ2015000101", "XT-GEN-01", "10", "通用知识", "2020/11/03", ""),
        (
            wang.id_number,
            wang.name,
            "TJ2015000101",
            "BJ-01",
            "8",
            "通用知识",
            "2020-11-04",
            "",
        ),  # another's course
        (
            wang.id_number,
            "王小芳",
            "TJ2015000101",
            "XT-GEN-01",
            "10",
            "通用知识",
            "2020-11-05",
            "",
        ),  # wrong name
        (
            wang.id_number,
            wang.name,
            "TJ2016000102",
            "XT-SG-01",
            "16",
            "专业岗位知识",
            "2020-11-06",
            "",
        ),  # other post
        (wang.id_number, wang.name, "TJ2015000101", "XT-SG-01", "40", "专业岗位知识", "2020-11-07", "101"),
    ]


def upload(client, path):
    return client.post("/org/reports/upload/", {"file": SimpleUploadedFile(path.name, path.read_bytes())})


@pytest.mark.parametrize("kind", ["csv-gb18030", "xlsx"])
def test_a_report_keeps_good_rows_and_explains_the_rest(client, personas, courses, tmp_path, kind):
    client.force_login(personas.institution_admin)
    path = write_table(tmp_path / "线下培训", HEADER, rows_for(personas), kind)
    page = upload(client, path).content.decode()
    assert "新增 2，更新 0，未变 0，重复 0，拒绝 4" in page
    for expected in (
        "<td>4</td><td>课程代码</td>",
        "<td>5</td><td>证书编号</td>",
        "<td>6</td><td>课程代码</td>",
        "<td>7</td><td>学时</td>",
        "<td>7</td><td>考核成绩</td>",
    ):
        assert expected in page
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    year = hour_records(record=cert.training_record)[0]
    assert (year.year, year.hours["professional"], year.hours["general"]) == (2020, 16, 10)
    result = assessment_passed(record=cert.training_record, until=date(2020, 12, 31))
    assert (result.score, result.source) == (86, "report")
    again = upload(client, path).content.decode()
    assert "新增 0，更新 0，未变 2，重复 0，拒绝 4" in again and HourEntry.objects.count() == 2


def test_the_api_takes_the_same_rows(personas, courses):
    _token, secret = api_token_create(
        user=personas.institution_admin, organisation=personas.institution_admin.organisation, name="教务系统"
    )
    keys = ("id_number", "name", "certificate_no", "course", "hours", "category", "completed_on", "score")
    body = [dict(zip(keys, row, strict=True)) for row in rows_for(personas)[:3]]
    response = Client().post(
        "/api/v1/learning/reports",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["created"], data["rejected"]) == (2, 1) and data["rejections"][0][:3] == [
        3,
        "课程代码",
        "course_unknown",
    ]


def test_only_institutions_report(client, personas, courses, tmp_path):
    client.force_login(personas.employer_admin)
    assert client.get("/org/reports/upload/").status_code == 403
    _token, secret = api_token_create(user=personas.employer_admin, name="x")
    response = Client().post(
        "/api/v1/learning/reports",
        [],
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403


def test_after_the_round_hours_for_a_void_old_certificate_are_refused_with_the_way_forward(personas, courses):
    wang = personas.holder.person
    row = dict(
        zip(
            ("id_number", "name", "certificate_no", "course", "hours", "category", "completed_on"),
            (wang.id_number, wang.name, "TJ2015000101", "XT-SG-01", "16", "专业岗位知识", "2021-03-01"),
            strict=True,
        )
    )
    institution = personas.institution_admin.organisation
    now = datetime(2021, 3, 2, 10, 0, tzinfo=TZ)
    result = hour_report_rows(institution=institution, rows=[(2, row)], today=now.date(), now=now)
    (rejection,) = result.rejections
    assert (rejection.row, rejection.column, rejection.code) == (2, "证书编号", "record_closed")
    assert "原证书 TJ2015000101 已作废（未在 2020-12-31 前换发电子证书）" in rejection.message
    assert "职业培训" in rejection.message and not HourEntry.objects.exists()


def test_a_report_as_an_institution_exports_it_is_read_and_a_numeric_id_refused(
    client, personas, courses, tmp_path
):
    """Issue 14: a title row, spaced and wrapped headers, an ID number stored as a number (rejected, never
    matched to anyone), one behind an apostrophe (read), a YYYYMMDD number as the date, a totals row."""
    from openpyxl import Workbook

    wang = personas.holder.person
    book = Workbook()
    sheet = book.active
    sheet.append(["线下培训学时上报表"])
    sheet.merge_cells("A1:H1")
    sheet.append(["身份证\n号码", "姓  名", "证书编号", "课程代码", "学时", "类别", "完成日期", "考核成绩"])
    sheet.append(
        [float(wang.id_number), wang.name, "TJ2015000101", "XT-SG-01", 16, "专业岗位知识", 20201102, 86]
    )
    sheet.append(
        ["'" + wang.id_number, wang.name, "TJ2015000101", "XT-GEN-01", 10, "通用知识", 20201103, None]
    )
    sheet.append(["合计", None, None, None, 26])
    book.save(tmp_path / "上报.xlsx")
    client.force_login(personas.institution_admin)
    page = upload(client, tmp_path / "上报.xlsx").content.decode()
    assert "新增 1，更新 0，未变 0，重复 0，拒绝 1" in page
    assert (
        "<td>3</td><td>身份证号码</td><td>身份证号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出</td>"
        in page
    )
    entry = HourEntry.objects.get()
    assert (entry.course.code, entry.completed_on, entry.hours) == ("XT-GEN-01", date(2020, 11, 3), 10)
