"""The employer's staff duty list (at risk first, filters, xlsx) and the authority's region dashboard
(exchange progress, post, district and state, lapse forecast; charts and the same figures as xlsx)."""

import io
import re
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from sitecert import clock
from sitecert.lib.idnumber import mask
from sitecert.registry.models import Post
from tests.duty.conftest import at

pytestmark = pytest.mark.django_db
TODAY = date(2022, 3, 15)


@pytest.fixture
def histories(exchanged, colleague, learn, run):
    """王芳 did 22 hours in 2021 (behind); 张伟 did the full 32 in 2021 and 10 in 2022 (on track)."""
    learn(exchanged, {2021: (12, 10)})
    learn(colleague, {2021: (22, 10), 2022: (10, 0)})
    run(TODAY)
    clock.set_now(at(TODAY))
    yield exchanged, colleague
    clock.set_now(None)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_at_risk_come_first_with_hours_needed_and_the_deadline(histories, personas):
    wang, zhang = histories
    page = client_for(personas.employer_admin).get("/org/duty/").content.decode()
    assert page.index(wang.number) < page.index(zhang.number)
    assert "2021–2022：22/64" in page and "42 学时" in page and "2022-12-31" in page
    assert "2021–2022：42/64" in page
    only = client_for(personas.employer_admin).get("/org/duty/?risk=high").content.decode()
    assert wang.number in only and zhang.number not in only


def tiles(page: str) -> dict[str, int]:
    return {
        label: int(n) for label, n in re.findall(r'<a href="[^"]*"[^>]*>(\S+) <strong>(\d+)</strong>', page)
    }


def test_the_tiles_count_the_post_chosen_whatever_risk_is_shown(histories, personas):
    wang, zhang = histories
    client = client_for(personas.employer_admin)
    everyone = client.get("/org/duty/").content.decode()
    assert tiles(everyone) == {"有风险": 1, "学时未满": 1, "已失效": 0, "已完成": 0}
    high = client.get("/org/duty/?risk=high").content.decode()
    assert tiles(high) == tiles(everyone)  # the other tiles keep their counts
    assert 'href="?risk=medium"' in high and 'href="?risk=high" aria-current="true"' in high
    other_post = Post.objects.exclude(pk=wang.post_id).exclude(pk=zhang.post_id).first()
    none = client.get(f"/org/duty/?post={other_post.pk}").content.decode()
    assert set(tiles(none).values()) == {0}  # of the post chosen, not of everyone
    assert f'href="?post={other_post.pk}&amp;risk=high"' in none  # a tile keeps the post chosen


def test_the_risk_and_the_duty_state_are_two_cells(histories, personas):
    wang, _zhang = histories
    page = client_for(personas.employer_admin).get("/org/duty/").content.decode()
    row = re.search(rf"<tr class=\"risk-high\">(.*?){wang.number}", page, re.S)[1]
    cells = re.findall(r"<td data-label=\"([^\"]+)\">(.*?)</td>", row, re.S)
    assert [(label, re.sub(r"<[^>]+>", "", text).strip()) for label, text in cells[:2]] == [
        ("风险", "有风险"),
        ("义务状态", "学时落后"),
    ]


def test_the_staff_duty_export_lists_the_same_rows(histories, personas):
    wang, zhang = histories
    response = client_for(personas.employer_admin).get("/org/duty.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[4] for r in rows] == [wang.number, zhang.number]
    assert rows[0][:4] == ("有风险", "王芳", mask(wang.holder.id_number), "施工员（土建施工）")
    assert rows[0][2].startswith("120104") and "********" in rows[0][2]  # the ID number masked
    assert rows[0][7:10] == (22, 64, 42) and "学时落后" in rows[0][14]


def test_another_employer_sees_none_of_it(histories, personas):
    wang, zhang = histories
    page = client_for(personas.other_employer_admin).get("/org/duty/").content.decode()
    assert wang.number not in page and zhang.number not in page
    assert client_for(personas.holder).get("/org/duty/").status_code == 403


def test_the_region_dashboard_reads_at_a_glance(histories, personas):
    response = client_for(personas.inspector).get("/authority/duty/")
    page = response.content.decode()
    assert page.count("<svg") == 4 and "kozea.github.io" not in page
    names = re.findall(r'<svg role="img" aria-label="([^"]+)"', page)  # each chart named for screen readers
    assert names[0] == "换证进度（累计）" and len(names) == 4
    assert "南开区" in page and "滨海新区" in page  # from the ID numbers' area codes
    assert "学时落后" in page and "<strong>2</strong> / " in page
    assert client_for(personas.employer_admin).get("/authority/duty/").status_code == 403


def test_the_region_figures_as_a_spreadsheet(histories, personas):
    response = client_for(personas.inspector).get("/authority/duty.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["换证进度", "按岗位", "按地区", "失效预测"]
    posts = {row[0]: row for row in book["按岗位"].iter_rows(min_row=2, values_only=True)}
    assert posts["施工员（土建施工）"][1:3] == (1, 1) and posts["施工员（土建施工）"][-1] == 2
    districts = {row[0] for row in book["按地区"].iter_rows(min_row=2, values_only=True)}
    assert districts == {"南开区", "滨海新区"}
    forecast = list(book["失效预测"].iter_rows(min_row=2, values_only=True))
    assert forecast == [("2022-12", 2, 2)]  # both windows end 2022-12-31 still short
    assert book["按岗位"]._charts


def test_the_certificate_page_explains_the_duty(histories, personas):
    wang, _zhang = histories
    page = client_for(personas.holder).get(f"/certificates/{wang.number}/").content.decode()
    assert "2021–2022 周期已完成 22/64 学时，还需 42 学时，截止 2022-12-31" in page
    assert "2021 年只完成 22/32 学时（专业岗位知识 12/22），学时落后" in page
    assert "学时落后" in page and "义务状态记录" in page
