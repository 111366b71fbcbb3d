"""A holder learns a text unit to completion in a real browser, with the server's clock driven by the test."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sitecert import clock
from sitecert.learning.models import Course, HourEntry, Unit
from sitecert.learning.services import course_approve
from sitecert.registry.models import Post
from tests.browser.conftest import HELP, shoot
from tests.personas import PASSWORD, make_personas

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2020, 9, 1, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def driven_clock():
    clock.set_now(T0)
    yield lambda seconds: clock.set_now(T0 + timedelta(seconds=seconds))
    clock.set_now(None)


def test_a_holder_learns_a_text_unit_to_completion(page, driven_clock):
    personas = make_personas()
    course = Course.objects.create(
        institution=personas.institution_admin.organisation,
        code="TJ-SG-TJ-01",
        title="土建施工员岗位知识：地基与基础",
        class_hours=1,
        category="professional",
    )
    course.posts.add(Post.objects.get(code="builder-civil"))
    Unit.objects.create(
        course=course,
        order=1,
        kind="text",
        title="地基验槽",
        required_seconds=90,
        body="基槽开挖至设计标高后，应由建设、勘察、设计、施工和监理单位共同验槽。\n检查槽底土质是否与勘察报告相符。",
    )
    course_approve(course=course, by=personas.inspector)
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")

    page.goto("/accounts/login/")
    page.fill("#id_username", personas.holder.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/me/")
    page.click(f"a[href='/learn/certificate/{cert.pk}/']")
    page.wait_for_url(f"**/learn/certificate/{cert.pk}/")
    page.click("button:has-text('选课')")
    page.wait_for_url("**/learn/*/")
    assert "学时如何计算" in page.inner_text("main")
    page.click("text=地基验槽")
    page.wait_for_function("document.getElementById('learn-status').textContent.startsWith('学习中')")
    results = []
    for step in (1, 2, 3):
        driven_clock(30 * step)
        results.append(page.evaluate("window.sitecertLearning.beat(true)"))
    assert [r["credited"] for r in results] == [30, 30, 30]
    page.wait_for_function("document.getElementById('learn-status').textContent === '本单元已完成'")
    shoot(page, HELP / "holder-3-learning.png")
    entry = HourEntry.objects.get(certificate=cert)
    assert (entry.hours, entry.category, entry.completed_on.isoformat()) == (1, "professional", "2020-09-01")
