"""Employers' roster uploads of files as offices make them (issue 14): the office corpus, row limits counted
while the file streams, and the upload's size checked before it is read."""

import json
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sitecert.people.models import RosterEntry
from sitecert.uploads import UPLOAD_MAX_BYTES

pytestmark = pytest.mark.django_db

OFFICE = Path(__file__).resolve().parent.parent / "fixtures" / "office"
EXPECTED = json.loads((OFFICE / "expected.json").read_text(encoding="utf-8"))
EXCEL_NUMBER = "身份证号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出"


def upload(client, name: str, content: bytes):
    return client.post("/org/roster/upload/", {"file": SimpleUploadedFile(name, content)}).content.decode()


def test_a_roster_with_a_title_row_and_a_numeric_id_is_read_row_by_row(client, personas):
    client.force_login(personas.employer_admin)
    spec = EXPECTED["roster-numeric-ids.xlsx"]["rows"]
    page = upload(client, "名单.xlsx", (OFFICE / "roster-numeric-ids.xlsx").read_bytes())
    assert "新增 1，更新 0，未变 0，重复 0，拒绝 1" in page  # the 合计 row is neither
    assert f"<td>3</td><td>身份证号码</td><td>{EXCEL_NUMBER}</td>" in page
    assert spec["3"] == {"rejected": ["id_excel_number"]}
    created = spec["4"]["created"]
    employer = personas.employer_admin.organisation
    entries = RosterEntry.objects.filter(employer=employer, person__id_number=created["id_number"])
    assert [e.post.code for e in entries] == [created["post"]]


def test_a_million_empty_rows_are_refused_at_the_limit_not_read_to_the_end(client, personas):
    client.force_login(personas.employer_admin)
    started = time.perf_counter()
    page = upload(client, "名单.xlsx", (OFFICE / "million-empty-rows.xlsx").read_bytes())
    assert time.perf_counter() - started < 10  # reading the whole file takes about 20 s
    assert "文件“名单.xlsx”：一次最多导入50000行（空行也计入），请分批上传或删除多余的空行" in page
    assert EXPECTED["million-empty-rows.xlsx"]["refused"] == "too_many_rows"


def test_rows_past_the_limit_are_not_read(client, personas):
    """The file breaks after its 50,001st row: a reader that counts as it goes never gets there."""
    client.force_login(personas.employer_admin)
    li = personas.other_holder.person
    line = f"{li.id_number},{li.name},安全员,2020-01-06\n"
    content = ("身份证号,姓名,岗位,起始日期\n" + line * 50_001 + '"unclosed,' + "x" * 200_000).encode()
    page = upload(client, "名单.csv", content)
    assert "一次最多导入50000行" in page and "未闭合的引号" not in page
    assert not RosterEntry.objects.filter(person=li, employer=personas.employer_admin.organisation).exists()


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(client, personas):
    client.force_login(personas.employer_admin)
    page = upload(client, "名单.csv", b"x" * (UPLOAD_MAX_BYTES + 1))
    assert "文件“名单.csv”超过 20 MB，请分批上传" in page


def test_a_zip_bomb_roster_is_refused_at_once(client, personas):
    client.force_login(personas.employer_admin)
    started = time.perf_counter()
    page = upload(client, "名单.xlsx", (OFFICE / "zip-bomb.xlsx").read_bytes())
    assert time.perf_counter() - started < 1
    assert "压缩比异常" in page
