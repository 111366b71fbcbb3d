"""The demo as a visitor walks it: the real `sitecert seed-demo` (small) once for the module, then one test per
login it prints, each logging in through the login page and walking the page that tells that person's story,
on a phone (screenshots for docs/screenshots and the README) and at a desktop's width (every page audited by
axe at both). Then the 2020 round replayed (DEMO_TODAY), and the holder's pages at 200% text size.

The seeded data lives for the module: pytest-django's `live_server` would flush the database after every
test, so this module runs its own server over it and flushes once at the end. The module's `django_db` mark
has pytest-django create the test database when the module runs alone; its per-test part
(`_django_db_helper`) is replaced here by nothing, since the module fixture holds the database open."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from pytest_django.live_server_helper import LiveServer

from sitecert import clock
from sitecert.certificates.eligibility import in_scope
from sitecert.certificates.keys import key_generate
from sitecert.certificates.models import ECertificate
from sitecert.demo.seed import PASSWORD
from sitecert.lib.idnumber import build
from sitecert.people.models import User
from sitecert.policies.selectors import policy_in_force
from sitecert.registry.models import LegacyCertificate
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, audit, log_in, page_on, shoot, shoot_top
from tests.conftest import ensure_post_catalogue

pytestmark = pytest.mark.django_db(transaction=True)
PEOPLE = 600
SITUATIONS = {  # a word of each printed login → the key the tests use
    "on track": "on track",
    "behind": "behind",
    "lapsed": "lapsed",
    "missed": "missed",
    "new entrant": "new entrant",
    "employer": "employer",
    "institution": "institution",
    "authority": "authority",
}


@dataclass
class Demo:
    url: str
    logins: dict[str, str]  # situation → login

    def person(self, situation: str):
        return User.objects.get(username=self.logins[situation]).person


@pytest.fixture
def _django_db_helper():
    """pytest-django's per-test database set-up (a transaction or a flush), not wanted here: see above."""
    yield


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    with django_db_blocker.unblock():
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        served = override_settings(
            PUBLIC_URL=server.url,  # the demo library's video and the QR codes point at this server
            SIGNING_KEY_DIR=tmp / "keys",
            CERTIFICATE_PDF_DIR=tmp / "pdf",
            SMS_BACKEND="sitecert.people.sms.MemoryBackend",
        )
        served.enable()
        try:
            ensure_post_catalogue()
            key_generate(now=clock.now(), actor="test")
            out = StringIO()
            with override_settings(DEBUG=True):  # the demo's logins exist only while DEBUG is on
                call_command("seed_demo", people=PEOPLE, stdout=out)
            printed = dict(re.findall(r"^  (.+?): (\S+) / sitecert-demo$", out.getvalue(), flags=re.M))
            logins = {
                key: next(v for k, v in printed.items() if word in k) for word, key in SITUATIONS.items()
            }
            yield Demo(server.url, logins)
        finally:
            served.disable()
            server.stop()
            server._live_server_modified_settings.disable()
            call_command("flush", verbosity=0, interactive=False)  # as a transactional test leaves it


@pytest.fixture
def page(browser, demo, request):
    yield from page_on(browser, demo.url, request)


def main_text(page) -> str:
    return page.inner_text("main")


def follow(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)
    audit(page)


def exchangeable(person) -> LegacyCertificate | None:
    """The person's old certificate that was in the 2020 round's scope (another province's is not)."""
    round_policy = policy_in_force(on=date(2020, 12, 31))
    return LegacyCertificate.objects.filter(in_scope(round_policy), holder=person).order_by("pk").first()


def tally(page) -> dict[str, int]:
    """The duty dashboard's tiles: label → count."""
    return {label: int(n) for label, n in (t.split() for t in page.locator("#risks li").all_inner_texts())}


def test_a_holder_on_track_sees_this_years_hours_and_the_ecertificate(page, demo):
    log_in(page, demo.logins["on track"], PASSWORD)
    text = main_text(page)
    assert "周期已完成" in text and "继续教育（每年学时）" in text
    shoot(page, SCREENSHOTS / "today-holder-on-track.png")
    number = ECertificate.objects.filter(holder=demo.person("on track"), status="valid").first().number
    follow(page, f"a:has-text('{number}')")
    assert "有效" in page.inner_text("dl.card") and "周期已完成" in page.inner_text("#duty")


def test_a_holder_behind_sees_what_this_year_still_needs(page, demo):
    log_in(page, demo.logins["behind"], PASSWORD)
    assert "学时落后" in main_text(page)
    follow(page, "text=继续教育（每年学时）")
    this_year = page.inner_text("#this-year")
    assert "还需" in this_year or "还差" in this_year, this_year
    assert page.locator("button:has-text('选课')").count() > 0  # and courses to take this year
    shoot_top(page, SCREENSHOTS / "today-holder-behind.png")


def test_a_lapsed_holder_is_shown_the_way_back(page, demo):
    log_in(page, demo.logins["lapsed"], PASSWORD)
    text = main_text(page)
    assert "已失效" in text and "职业培训" in text
    shoot(page, SCREENSHOTS / "today-holder-lapsed.png")
    lapsed = ECertificate.objects.filter(holder=demo.person("lapsed"), status="lapsed").first()
    follow(page, f"a:has-text('{lapsed.number}')")
    assert "已失效" in page.inner_text("dl.card")


def test_a_holder_who_missed_the_exchange_sees_the_old_certificate_void(page, demo):
    log_in(page, demo.logins["missed"], PASSWORD)
    text = main_text(page)
    assert "已作废（未在 2020-12-31 前换发电子证书）" in text and "职业培训" in text
    shoot(page, SCREENSHOTS / "today-holder-missed-exchange.png")
    old = exchangeable(demo.person("missed"))
    page.goto(f"/query/?mode=number&certificate_no={old.certificate_no}")  # what a clerk checking sees
    assert "已作废" in page.inner_text("dl.card")


def test_a_new_entrant_certified_by_training_sees_the_certificate_and_its_examination(page, demo):
    log_in(page, demo.logins["new entrant"], PASSWORD)
    ecert = ECertificate.objects.get(holder=demo.person("new entrant"))
    assert ecert.number in main_text(page)
    follow(page, f"a:has-text('{ecert.number}')")
    examination = page.inner_text("#examination")
    assert "天津市建设行业示范培训中心" in examination and "86 分" in examination
    shoot(page, SCREENSHOTS / "today-new-entrant.png")
    page.goto(f"/verify/{ecert.number}")
    assert "证书有效" in page.inner_text(".verdict")


def test_the_employer_sees_its_staff_and_their_duty_using_a_desktops_width(page, demo):
    log_in(page, demo.logins["employer"], PASSWORD)
    assert page.locator("table.cards tbody tr").count() > 20
    shoot_top(page, SCREENSHOTS / "today-employer.png")
    page.set_viewport_size(DESKTOP)
    wrap = page.evaluate("(w => [w.scrollWidth, w.clientWidth])(document.querySelector('main .table-wrap'))")
    assert wrap[0] <= wrap[1], f"the staff list scrolls sideways on a desktop: {wrap}"
    last = page.locator("table.cards thead th").last.bounding_box()
    assert last["x"] + last["width"] <= DESKTOP["width"]  # the certificate columns are in view
    page.set_viewport_size(PHONE)

    follow(page, "text=继续教育义务")
    row = page.locator("#duty tbody tr").first
    risk, state = row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text()
    assert risk == "有风险" and state in {"学时落后", "正常", "尚未起算"}  # two cells, read as two things
    total = page.locator("#duty tbody tr").count()
    assert sum(tally(page).values()) == total
    post = page.locator("#duty tbody td:nth-child(4)").first.inner_text()
    page.select_option("#id_post", label=post)
    follow(page, "form.filters button")
    of_post = page.locator("#duty tbody tr").count()
    tiles = tally(page)
    assert sum(tiles.values()) == of_post < total  # the tiles count the post chosen
    follow(page, "#risks li.risk-high a")  # a tile keeps the post chosen, and the other tiles their counts
    assert "post=" in page.url and "risk=high" in page.url
    assert tally(page) == tiles and page.locator("#duty tbody tr").count() == tiles["有风险"]
    assert page.get_attribute("#risks li.risk-high a", "aria-current") == "true"


def test_the_institution_reports_a_passed_examination_and_a_refusal_is_tied_to_its_field(page, demo):
    log_in(page, demo.logins["institution"], PASSWORD)
    follow(page, "text=职业培训取证")
    holder = demo.person("on track")
    valid = ECertificate.objects.filter(holder=holder, status="valid").select_related("post").first()

    def report(id_number: str, name: str) -> None:
        page.fill("#id_id_number", id_number)
        page.fill("#id_name", name)
        page.select_option("#id_post", value=str(valid.post_id))
        page.fill("#id_examined_on", (clock.today() - timedelta(days=2)).isoformat())
        page.fill("#id_score", "88")
        follow(page, "button[name=single]")

    report(holder.id_number, holder.name)  # refused: a valid certificate of the post exists
    invalid = page.locator("[aria-invalid=true]").first
    described = invalid.get_attribute("aria-describedby")
    assert described and page.locator(f"#{described.split()[-1]}").inner_text().strip()
    newcomer = build("120105", date(2002, 6, 3), 41)
    report(newcomer, "韩子墨")
    issued = ECertificate.objects.get(holder__id_number=newcomer)
    assert f"已签发电子证书 {issued.number}" in page.inner_text(".flash")
    shoot(page, SCREENSHOTS / "today-institution.png")


def test_the_authority_reads_the_region(page, demo):
    log_in(page, demo.logins["authority"], PASSWORD)
    assert "原证书统计" in main_text(page)
    follow(page, "text=持证情况总览")
    charts = page.locator("figure.chart svg[role=img]")
    assert charts.count() == 4 and all(charts.nth(i).get_attribute("aria-label") for i in range(4))
    shoot_top(page, SCREENSHOTS / "today-authority.png")


def test_the_2020_round_replayed_shows_an_unexchanged_certificate_valid_with_its_progress(page, demo):
    old = exchangeable(demo.person("missed"))
    api = f"/api/v1/registry/certificates/{old.certificate_no}"
    assert page.request.get(api).json()["status"] == "voided"  # today
    with override_settings(DEBUG=True, DEMO_TODAY=date(2020, 10, 15)):
        assert page.request.get(api).json()["status"] == "valid"
        log_in(page, demo.logins["missed"], PASSWORD)
        text = main_text(page)
        assert "已作废" not in text and "有效" in text and "换证进度" in text
        follow(page, f"a[href$='/certificates/legacy/{old.certificate_no}/']")
        assert "2020-12-31" in main_text(page)
        shoot(page, SCREENSHOTS / "replay-2020-exchange.png")


def test_at_200_percent_text_the_holders_pages_do_not_scroll_sideways(page, demo):
    """A phone with its text size at 200% (the browser's default font size doubled: every size in rem and
    em follows): the holder's home, an e-certificate, the learning catalogue and a course fit the width."""
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    log_in(page, demo.logins["on track"], PASSWORD)
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "32px"

    def fits() -> None:
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{page.url} scrolls sideways at 200% text: {width}"

    fits()
    number = ECertificate.objects.filter(holder=demo.person("on track"), status="valid").first().number
    follow(page, f"a:has-text('{number}')")
    fits()
    page.go_back()
    follow(page, "text=继续教育（每年学时）")
    fits()
    follow(page, "button:has-text('选课')")
    assert "学时如何计算" in main_text(page)
    fits()


PAGES = {  # the rest of each portal, each page audited as it loads (`goto`)
    "on track": ["/accounts/email/", "/me/help/"],
    "employer": ["/org/roster/add/", "/org/roster/upload/", "/org/tokens/", "/org/accounts/", "/org/help/"],
    "institution": ["/org/", "/org/courses/", "/org/reports/upload/", "/org/training/", "/org/tokens/"],
    "authority": [
        "/authority/help/",
        "/admin/",
        "/admin/registry/legacycertificate/",
        "/admin/registry/importbatch/add/",
        "/admin/certificates/ecertificate/",
        "/admin/certificates/certificaterequest/",
        "/admin/learning/course/",
        "/admin/policies/policy/",
        "/admin/people/organisation/",
    ],
}


@pytest.mark.parametrize("who", list(PAGES))
def test_the_rest_of_each_portal_passes_the_audit(page, demo, who):
    log_in(page, demo.logins[who], PASSWORD)
    for path in PAGES[who]:
        assert page.goto(path).status == 200, path
    if who == "institution":  # a course's page, with its units and the form to add one
        page.goto("/org/courses/")
        follow(page, "main a[href^='/org/courses/']")
    if who == "authority":  # a change form, with its fieldsets and widgets
        page.goto("/admin/policies/policy/")
        follow(page, "#result_list tbody a >> nth=0")
