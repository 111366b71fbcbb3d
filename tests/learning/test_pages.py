"""The learner's pages: a catalogue per certificate, a course page with its rules, the assessment."""

import re

import pytest
from django.test import Client

from sitecert.learning.models import AssessmentAttempt, Course
from sitecert.learning.records import record_for_legacy
from tests.personas import course, question_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(personas, policy, in_round):
    policy(questions=4)
    org, by = personas.institution_admin.organisation, personas.inspector
    formwork = ("模板工程", 600, "text", "模板及支架应有足够的承载能力。")
    course(org, "TJ-TJ-02", "混凝土结构施工", hours=3, units=(formwork,), approve_by=by)
    law = ("安全生产法", 600, "text", "生产经营单位的主要负责人对本单位安全生产工作全面负责。")
    course(org, "TJ-GEN-01", "建设工程法律法规", hours=4, category="general", units=(law,), approve_by=by)
    question_bank("builder-civil", "混凝土浇筑后多久开始养护？", ["12小时内", "3天后", "7天后", "不需要"], 6)
    return record_for_legacy(
        personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101"), now=in_round
    )


def test_the_catalogue_offers_the_posts_courses_and_general_ones(client, personas, setup):
    client.force_login(personas.holder)
    page = client.get(f"/learn/record/{setup.pk}/").content.decode()
    assert "混凝土结构施工" in page and "建设工程法律法规" in page and "学时只计入本证书" in page
    other = Client()
    other.force_login(personas.other_holder)
    assert other.get(f"/learn/record/{setup.pk}/").status_code == 404


def test_the_course_page_states_the_time_keeping_rules(client, personas, setup):
    client.force_login(personas.holder)
    response = client.post(f"/learn/record/{setup.pk}/enrol/{Course.objects.get(code='TJ-TJ-02').pk}/")
    page = client.get(response.url).content.decode()
    assert "学时如何计算" in page and "每 30 秒向服务器报告一次" in page and "每天最多计入 8 小时" in page


def test_an_assessment_page_shows_no_answers_and_grades_what_was_ticked(client, personas, setup):
    client.force_login(personas.holder)
    response = client.post(f"/learn/record/{setup.pk}/assessment/")
    attempt = AssessmentAttempt.objects.get()
    page = client.get(response.url).content.decode()
    assert "answer" not in page and "限时 30 分钟" in page
    ticks = {}
    for item in attempt.paper:
        shown = re.findall(rf'name="q{item["question"]}" value="(\d)"> ([^<]+)</label>', page)
        ticks[f"q{item['question']}"] = [value for value, text in shown if text.strip() == "12小时内"]
    result = client.post(response.url, ticks, follow=True).content.decode()
    assert "得分 100" in result and "通过" in result
    other = Client()
    other.force_login(personas.other_holder)
    assert other.get(response.url).status_code == 404
