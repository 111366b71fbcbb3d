"""A holder learns a text unit to completion in a real browser (the server's clock driven by the test), passes
the assessment and downloads the proof of hours, whose QR code a real decoder reads back from the printed page."""

import shutil
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sitecert import clock
from sitecert.learning.models import HourEntry
from sitecert.learning.records import record_for_legacy
from tests.browser.conftest import HELP, audit, shoot
from tests.personas import PASSWORD, course, make_personas, question_bank

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2020, 9, 1, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def driven_clock():
    clock.set_now(T0)
    yield lambda seconds: clock.set_now(T0 + timedelta(seconds=seconds))
    clock.set_now(None)


def test_a_holder_learns_passes_the_assessment_and_prints_the_proof_of_hours(
    page, driven_clock, tmp_path, policy
):
    policy(questions=5)
    personas = make_personas()
    body = "基槽开挖至设计标高后，应由建设、勘察、设计、施工和监理单位共同验槽。\n检查槽底土质是否与勘察报告相符。"
    unit = ("地基验槽", 90, "text", body)
    org = personas.institution_admin.organisation
    course(
        org,
        "TJ-SG-TJ-01",
        "土建施工员岗位知识：地基与基础",
        hours=1,
        units=(unit,),
        approve_by=personas.inspector,
    )
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")

    page.goto("/accounts/login/")
    page.fill("#id_username", personas.holder.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/me/")
    audit(page)
    page.click("button:has-text('参加继续教育')")  # begins the certificate's training record
    page.wait_for_url("**/learn/record/*/")
    audit(page)
    record = cert.training_record
    page.click("button:has-text('选课')")
    page.wait_for_url("**/learn/*/")
    audit(page)
    assert "学时如何计算" in page.inner_text("main") and "已学 0 分，共 1 分 30 秒" in page.inner_text("main")
    page.click("text=地基验槽")
    page.wait_for_function("() => document.getElementById('learn-status').textContent.startsWith('学习中')")
    assert page.inner_text("#learn-status") == "学习中 已学 0 分，共 1 分 30 秒"
    audit(page)
    results = []
    for step in (1, 2, 3):
        driven_clock(30 * step)
        results.append(page.evaluate("window.sitecertLearning.beat(true)"))
    assert [r["credited"] for r in results] == [30, 30, 30]
    page.wait_for_function("() => document.getElementById('learn-status').textContent === '本单元已完成'")
    shoot(page, HELP / "holder-3-learning.png")
    entry = HourEntry.objects.get(record=record)
    assert (entry.hours, entry.category, entry.completed_on.isoformat()) == (1, "professional", "2020-09-01")

    # The assessment of the certificate's post, then the proof of hours.
    options = ["通知勘察设计单位处理", "继续施工", "自行换填", "不予理会"]
    question_bank("builder-civil", "验槽时发现土质与勘察报告不符，应当如何处理？", options, 25)
    driven_clock(3600)
    page.goto(f"/learn/record/{record.pk}/")
    page.click("button:has-text('开始考核')")
    page.wait_for_url("**/learn/assessment/*/")
    audit(page)
    for label in page.locator("label:has-text('通知勘察设计单位处理')").all():
        label.click()
    page.click("button:has-text('交卷')")
    assert "得分 100" in page.inner_text("#assessment-result")
    audit(page)
    page.goto(f"/learn/record/{record.pk}/")
    assert "已通过考核" in page.inner_text("main")
    with page.expect_download() as download:
        page.click("text=下载学时证明")
    pdf = tmp_path / "proof.pdf"
    download.value.save_as(pdf)
    subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", pdf, tmp_path / "proof"], check=True)
    image = tmp_path / "proof.png"
    shutil.copy(image, HELP / "holder-4-proof.png")
    url = subprocess.run(
        ["zbarimg", "--quiet", "--raw", image], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert "/verify/hours/" in url
    page.goto(url)
    assert "TJ2015000101" in page.inner_text("#verified") and "通过" in page.inner_text("#verified")


def test_a_video_unit_counts_while_it_plays_cannot_be_skipped_and_resumes(page, driven_clock, live_server):
    from sitecert.learning.models import Enrolment, Unit, UnitProgress
    from sitecert.learning.services import enrolment_create

    personas = make_personas()
    made = course(
        personas.institution_admin.organisation,
        "TJ-SG-TJ-02",
        "土建施工员岗位知识：模板工程（视频）",
        hours=1,
        units=(("模板支设录像", 40, "video", "观看录像，注意支撑间距。"),),
        approve_by=personas.inspector,
    )
    Unit.objects.filter(course=made).update(
        video_url=f"{live_server.url}/static/sitecert/demo/test-pattern-60s.webm",
        captions_url=f"{live_server.url}/static/sitecert/demo/test-pattern-60s.zh-Hans.vtt",
    )
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    record = record_for_legacy(cert, now=T0)
    enrolment = enrolment_create(user=personas.holder, record=record, course=made, today=T0.date())
    page.goto("/accounts/login/")
    page.fill("#id_username", personas.holder.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/me/")
    audit(page)
    page.goto(f"/learn/{enrolment.pk}/unit/1/")
    page.wait_for_function(
        "() => document.getElementById('learn-status').textContent.startsWith('视频已暂停')"
    )
    # The whole (small) file in the buffer, so that seeks need no range requests from the test server.
    page.evaluate("(v => { v.preload = 'auto'; v.load(); })(document.getElementById('learn-video'))")
    page.wait_for_function(
        "() => (v => v.readyState >= 4 && v.buffered.length && v.buffered.end(0) >= v.duration - 0.5)(document.getElementById('learn-video'))"
    )

    box = page.locator("#learn-video").bounding_box()
    assert box["width"] >= 350 and box["height"] >= 190, box  # the phone's width, not the file's 64 × 36
    page.wait_for_function(  # the captions are served (under the CSP) and read: four cues
        "() => (t => t.kind === 'captions' && t.cues && t.cues.length === 4)(document.getElementById('learn-video').textTracks[0])"
    )

    driven_clock(30)
    assert page.evaluate("window.sitecertLearning.beat(true)") is None  # not playing: no beat, no time
    page.evaluate("document.getElementById('learn-video').currentTime = 50")
    page.wait_for_function(
        "() => (v => !v.seeking && v.currentTime < 5)(document.getElementById('learn-video'))"
    )  # no skipping ahead
    with page.expect_response("**/resume"):  # playing starts the server's clock from now
        page.evaluate(
            "(async () => { const v = document.getElementById('learn-video'); v.muted = true; await v.play(); })()"
        )
    page.wait_for_function("() => document.getElementById('learn-status').textContent.startsWith('学习中')")
    driven_clock(60)
    beat = page.evaluate("window.sitecertLearning.beat(true)")
    assert beat["accepted"] and beat["credited"] == 30, beat
    with page.expect_response("**/beats"):  # pausing stops it
        page.evaluate("document.getElementById('learn-video').pause()")
    page.wait_for_function(
        "() => document.getElementById('learn-status').textContent.startsWith('视频已暂停')"
    )
    driven_clock(85)
    assert page.evaluate("window.sitecertLearning.beat(true)") is None  # paused: the clock stands still
    progress = UnitProgress.objects.get(enrolment=enrolment)
    assert (progress.credited_seconds, progress.position) == (30, 30)

    page.reload()
    page.wait_for_function(
        "() => document.getElementById('learn-status').textContent.startsWith('视频已暂停')"
    )
    page.wait_for_function(
        "() => Math.abs(document.getElementById('learn-video').currentTime - 30) < 1"
    )  # resumed
    assert Enrolment.objects.get(pk=enrolment.pk).completed_at is None
    page.evaluate(
        "window.sitecertLearning.quiet()"
    )  # no beat may reach the server while the database is reset
