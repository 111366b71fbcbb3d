"""People using the portals in a real browser, on a phone-sized screen; the screenshots feed the README
and the help pages (使用说明), so the guide never drifts from the pages."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from sitecert import clock
from sitecert.lib.idnumber import build
from sitecert.people import sms
from sitecert.people.models import RosterEntry
from sitecert.registry.models import Person
from tests.browser.conftest import HELP, SCREENSHOTS, audit, log_in, shoot
from tests.personas import PASSWORD, certificate, make_personas

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def in_the_exchange_window():
    """The pages read the clock: show them during the 2020 round, when there is progress to see."""
    clock.set_now(datetime(2020, 9, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    yield
    clock.set_now(None)


def test_a_holder_registers_and_sees_their_old_certificates(page, in_the_exchange_window):
    person = Person.objects.create(id_number=build("120106", date(1986, 4, 12), 35), name="张建华")
    certificate(person, "TJ2013004501", "builder-civil")
    certificate(person, "TJ2014004502", "safety", status="invalid")
    sms.outbox.clear()
    page.goto("/accounts/register/")
    page.fill("#id_name", "张建华")
    page.fill("#id_id_number", person.id_number)
    page.fill("#id_mobile", "13920201234")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    shoot(page, HELP / "holder-1-register.png")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/register/confirm/")
    audit(page)
    assert "139****1234" in page.content()
    code = re.search(r"验证码 (\d{6})", sms.outbox[-1][1])[1]
    page.fill("#id_code", code)
    page.click("button[type=submit]:not([name=resend])")
    page.wait_for_url("**/me/")
    audit(page)
    text = page.inner_text("main")
    assert "TJ2013004501" in text and "施工员（土建施工）" in text and "还差专业岗位知识 22 学时" in text
    assert "TJ2014004502" in text and "证书状态为无效，需重新参加职业培训取证" in text
    shoot(page, HELP / "holder-2-certificates.png", SCREENSHOTS / "holder-home.png")


def roster_file(path, personas):
    wang, li = personas.holder.person, personas.other_holder.person
    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号", "姓名", "岗位", "专业", "起始日期"])
    sheet.append([li.id_number, li.name, "安全员", "", date(2020, 5, 6)])
    sheet.append([wang.id_number, wang.name, "施工员", "", date(2020, 5, 6)])  # no specialty: rejected
    book.save(path)
    return path


def test_an_employer_uploads_a_roster_with_one_bad_row_and_sees_the_report(
    page, tmp_path, in_the_exchange_window
):
    personas = make_personas()
    log_in(page, personas.employer_admin.mobile)
    page.wait_for_url("**/org/")
    page.goto("/org/roster/upload/")
    page.set_input_files("#id_file", str(roster_file(tmp_path / "在岗人员.xlsx", personas)))
    with page.expect_navigation():
        page.click("button[type=submit]")
    audit(page)
    counts = page.inner_text("#roster-counts")
    assert "新增 1" in counts and "拒绝 1" in counts
    report = page.inner_text("#roster-rejections")
    assert "3" in report and "岗位" in report
    shoot(page, HELP / "employer-1-upload.png")
    assert RosterEntry.objects.filter(employer=personas.employer_admin.organisation).count() == 2
    page.goto("/org/")
    assert "李强" in page.inner_text("main")
    shoot(page, HELP / "employer-2-staff.png", SCREENSHOTS / "employer-home.png")


def test_a_holder_cannot_open_another_holders_records(page):
    personas = make_personas()
    log_in(page, personas.other_holder.mobile)
    page.wait_for_url("**/me/")
    assert "TJ2015000101" not in page.content()
    status = page.evaluate(
        """async (url) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            const body = new URLSearchParams({csrfmiddlewaretoken: token, reason: "冒充"});
            return (await fetch(url, {method: "POST", body})).status;
        }""",
        f"/me/roster/{personas.entry.pk}/dispute/",
    )
    assert status == 404
    personas.entry.refresh_from_db()
    assert personas.entry.status == "listed"
    response = page.goto("/org/")
    assert response.status == 403 and "无权访问" in page.inner_text("main")


def test_institution_and_authority_homes(page):
    personas = make_personas()
    log_in(page, personas.institution_admin.mobile)
    page.wait_for_url("**/org/")
    assert "天津市建设职业培训中心" in page.inner_text("main")
    shoot(page, SCREENSHOTS / "institution-home.png")
    page.context.clear_cookies()
    log_in(page, "inspector")
    page.wait_for_url("**/authority/")
    assert "原证书统计" in page.inner_text("main") and "施工员（土建施工）" in page.inner_text("#counts")
    shoot(page, SCREENSHOTS / "authority-home.png")
