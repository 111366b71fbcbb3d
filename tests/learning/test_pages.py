"""The learner's pages: a catalogue per certificate, a course page with its rules, the assessment."""

import re

import pytest
from django.test import Client

from sitecert.learning.models import AssessmentAttempt, Course, Question, QuestionBank, Unit
from sitecert.learning.services import course_approve
from sitecert.registry.models import Post

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(personas, settings):
    settings.ASSESSMENT_RULES = {**settings.ASSESSMENT_RULES, "QUESTIONS": 4}
    civil = Post.objects.get(code="builder-civil")
    course = Course.objects.create(
        institution=personas.institution_admin.organisation,
        code="TJ-TJ-02",
        title="混凝土结构施工",
        class_hours=3,
        category="professional",
    )
    course.posts.add(civil)
    Unit.objects.create(
        course=course,
        order=1,
        kind="text",
        title="模板工程",
        body="模板及支架应有足够的承载能力。",
        required_seconds=600,
    )
    course_approve(course=course, by=personas.inspector)
    general = Course.objects.create(
        institution=personas.institution_admin.organisation,
        code="TJ-GEN-01",
        title="建设工程法律法规",
        class_hours=4,
        category="general",
    )
    Unit.objects.create(
        course=general,
        order=1,
        kind="text",
        title="安全生产法",
        body="生产经营单位的主要负责人对本单位安全生产工作全面负责。",
        required_seconds=600,
    )
    course_approve(course=general, by=personas.inspector)
    bank = QuestionBank.objects.create(post=civil, title="土建施工员")
    for i in range(6):
        Question.objects.create(
            bank=bank,
            kind="single",
            text=f"混凝土浇筑后多久开始养护？（{i}）",
            options=["12小时内", "3天后", "7天后", "不需要"],
            answer=[0],
        )
    return personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")


def test_the_catalogue_offers_the_posts_courses_and_general_ones(client, personas, setup):
    client.force_login(personas.holder)
    page = client.get(f"/learn/certificate/{setup.pk}/").content.decode()
    assert "混凝土结构施工" in page and "建设工程法律法规" in page and "学时只计入本证书" in page
    other = Client()
    other.force_login(personas.other_holder)
    assert other.get(f"/learn/certificate/{setup.pk}/").status_code == 404


def test_the_course_page_states_the_time_keeping_rules(client, personas, setup):
    client.force_login(personas.holder)
    response = client.post(f"/learn/certificate/{setup.pk}/enrol/{Course.objects.get(code='TJ-TJ-02').pk}/")
    page = client.get(response.url).content.decode()
    assert "学时如何计算" in page and "每 30 秒向服务器报告一次" in page and "每天最多计入 8 小时" in page


def test_an_assessment_page_shows_no_answers_and_grades_what_was_ticked(client, personas, setup):
    client.force_login(personas.holder)
    response = client.post(f"/learn/certificate/{setup.pk}/assessment/")
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
