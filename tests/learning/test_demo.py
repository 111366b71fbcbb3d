"""The demo library lets a holder of any post reach the Tianjin hours with the post's own courses."""

from collections import defaultdict

import pytest

from sitecert.learning.demo import demo_library_seed
from sitecert.learning.models import Category, Course, QuestionBank, TrainingRecord
from sitecert.learning.selectors import courses_for
from sitecert.registry.models import Post

pytestmark = pytest.mark.django_db


def test_every_post_has_enough_courses_and_questions(personas):
    assert demo_library_seed(personas.institution_admin.organisation) == demo_library_seed(
        personas.institution_admin.organisation
    )
    for post in Post.objects.all():
        record = TrainingRecord(post=post)
        hours = defaultdict(int)
        for course in courses_for(record=record):
            hours[course.category] += course.class_hours
            unit_minutes = sum(u.required_seconds for u in course.units.all()) / 60
            assert unit_minutes >= course.class_hours * 45  # a class hour is 45 minutes of real learning
        assert hours[Category.PROFESSIONAL] >= 22 and sum(hours.values()) >= 32, post
        assert QuestionBank.objects.get(post=post).questions.count() >= 30
    assert Course.objects.filter(units__isnull=True).count() == 0
