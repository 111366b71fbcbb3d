"""The yearly duty's dashboards in a real browser on a phone, with the demo data (`sitecert seed-demo`):
the employer sees its staff at risk first and downloads the list; the authority reads the region's charts.
The screenshots go to docs/screenshots and the README."""

import csv

import pytest
from openpyxl import load_workbook

from sitecert import clock
from sitecert.demo.seed import OTHER_EMPLOYER, PASSWORD, demo_accounts_seed
from sitecert.people.models import User
from sitecert.registry import demo
from sitecert.registry.importing import registry_import
from tests.browser.conftest import SCREENSHOTS, audit, shoot_top
from tests.browser.conftest import log_in as log_in_with

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_data(keys, tmp_path):
    path = tmp_path / "demo-registry.csv"
    with path.open("w", encoding="gb18030", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(demo.HEADER)
        writer.writerows(demo.registry_rows(1500))
    registry_import(path=path, today=clock.today(), now=clock.now())
    demo_accounts_seed(now=clock.now(), today=clock.today())
    demo_accounts_seed(
        now=clock.now(), today=clock.today()
    )  # idempotent: a second seed changes nothing the pages show
    User.objects.create_superuser("admin", password=PASSWORD)


def log_in(page, username: str) -> None:
    log_in_with(page, username, PASSWORD)


def test_the_employer_sees_staff_at_risk_first(page, demo_data):
    log_in(page, "13800000001")
    page.click("text=继续教育义务")
    page.wait_for_selector("#duty")
    audit(page)
    badges = page.locator("#duty tbody .badge").all_inner_texts()
    order = {"有风险": 0, "学时未满": 1, "已失效": 2, "已完成": 3}
    assert badges and badges == sorted(badges, key=order.get)
    assert badges[0] == "有风险"
    shoot_top(page, SCREENSHOTS / "duty-employer.png")
    page.select_option("#id_risk", "lapsed")
    with page.expect_navigation():
        page.click("form.filters button")
    audit(page)
    assert set(page.locator("#duty tbody .badge").all_inner_texts()) == {"已失效"}
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    with open(download.value.path(), "rb") as f:
        sheet = load_workbook(f).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("风险", "姓名", "身份证号") and {r[0] for r in rows[1:]} == {"已失效"}


def test_another_employer_sees_only_its_own_staff(page, demo_data):
    log_in(page, OTHER_EMPLOYER[2])
    page.goto("/org/duty/")
    numbers = set(page.locator("#duty tbody td a").all_inner_texts())
    log_in(page, "13800000001")
    page.goto("/org/duty/")
    assert numbers and not numbers & set(page.locator("#duty tbody td a").all_inner_texts())


def test_the_authority_reads_the_region_at_a_glance(page, demo_data):
    log_in(page, "admin")
    page.goto("/authority/")
    page.click("text=持证情况总览")
    page.wait_for_selector("figure.chart svg")
    audit(page)
    assert page.locator("figure.chart svg").count() == 4
    box = page.locator("figure.chart svg").first.bounding_box()
    assert box["width"] <= 390  # the charts fit a phone's width
    assert "已失效" in page.locator("table.states").first.inner_text()
    shoot_top(page, SCREENSHOTS / "duty-authority.png")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    with open(download.value.path(), "rb") as f:
        book = load_workbook(f)
    assert book.sheetnames == ["换证进度", "按岗位", "按地区", "失效预测"]
