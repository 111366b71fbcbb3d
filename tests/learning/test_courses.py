"""Institutions draft courses and add units; the authority approves; an approved course no longer changes."""

import pytest
from django.test import Client

from sitecert.learning.models import Course
from sitecert.registry.models import Post

pytestmark = pytest.mark.django_db


def test_an_institution_drafts_a_course_and_the_authority_opens_it(client, personas):
    client.force_login(personas.institution_admin)
    civil = Post.objects.get(code="builder-civil")
    data = {
        "code": "XT-SG-09",
        "title": "钢结构施工",
        "class_hours": 8,
        "category": "professional",
        "posts": [civil.pk],
    }
    response = client.post("/org/courses/", data)
    course = Course.objects.get(code="XT-SG-09")
    assert response.url == f"/org/courses/{course.pk}/" and course.status == "draft"
    client.post(
        response.url, {"title": "焊接质量控制", "kind": "text", "minutes": 180, "body": "焊工应持证上岗。"}
    )
    client.post(response.url, {"title": "高强螺栓连接", "kind": "video", "minutes": 180})
    assert [u.required_seconds for u in course.units.all()] == [10800, 10800]
    inspector = Client()
    inspector.force_login(personas.inspector)
    inspector.post("/admin/learning/course/", {"action": "approve", "_selected_action": [course.pk]})
    course.refresh_from_db()
    assert course.status == "approved"
    page = client.post(response.url, {"title": "再加一个", "kind": "text", "minutes": 10}).content.decode()
    assert course.units.count() == 2 and "添加单元" not in page


def test_a_professional_course_needs_its_posts_and_codes_are_unique(client, personas):
    client.force_login(personas.institution_admin)
    page = client.post(
        "/org/courses/", {"code": "XT-1", "title": "无岗位", "class_hours": 4, "category": "professional"}
    ).content.decode()
    assert "专业岗位知识课程须指定适用岗位" in page
    client.post("/org/courses/", {"code": "XT-2", "title": "法规", "class_hours": 4, "category": "general"})
    page = client.post(
        "/org/courses/", {"code": "XT-2", "title": "重复", "class_hours": 4, "category": "general"}
    ).content.decode()
    assert "课程代码已被使用" in page


def test_other_organisations_cannot_touch_an_institutions_courses(client, personas):
    client.force_login(personas.institution_admin)
    client.post("/org/courses/", {"code": "XT-3", "title": "法规", "class_hours": 4, "category": "general"})
    course = Course.objects.get(code="XT-3")
    client.force_login(personas.employer_admin)
    assert client.get("/org/courses/").status_code == 403
    assert client.get(f"/org/courses/{course.pk}/").status_code == 403
