"""Courses and enrolments. Time-keeping is in timekeeping.py."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sitecert.errors import DomainError
from sitecert.learning.hooks import learning_refusal
from sitecert.learning.models import Category, Course, Enrolment, TrainingRecord, Unit
from sitecert.people.models import User
from sitecert.policies.selectors import policy_in_force


def course_approve(*, course: Course, by: User) -> Course:
    """The authority approves a course before learners see it; it must have units that fill its hours."""
    if not by.is_staff:
        raise DomainError(_("只有主管部门可以审核课程"), code="forbidden", status=403)
    if not course.units.exists():
        raise DomainError(_("课程没有学习单元，不能审核通过"), code="no_units")
    if course.category == Category.PROFESSIONAL and not course.posts.exists():
        raise DomainError(_("专业岗位知识课程须指定适用岗位"), code="no_posts")
    course.status = Course.Status.APPROVED
    course.save(update_fields=["status"])
    return course


def enrolment_create(*, user: User, record: TrainingRecord, course: Course, today: date) -> Enrolment:
    """Enrol for one of the holder's own training records in `today`'s year; a professional course must fit
    its post. A course already taken counts again once the policy's `course_retake_years` have passed since
    the year it was taken; until then its enrolment is returned (to continue it, or to see it done)."""
    if not user.is_holder or record.person_id != user.person_id:
        raise DomainError(_("只能为本人的证书选课"), code="forbidden", status=404)
    if reason := learning_refusal(record, today):
        raise DomainError(reason, code="record_closed", status=409)
    if course.status != Course.Status.APPROVED:
        raise DomainError(_("课程尚未开放"), code="course_closed", status=404)
    if course.category == Category.PROFESSIONAL and not course.posts.filter(pk=record.post_id).exists():
        raise DomainError(
            _("该课程不是%(post)s的专业岗位知识课程") % {"post": record.post},
            code="wrong_post",
            field="course",
        )
    retake = policy_in_force(on=today).course_retake_years
    taken = Enrolment.objects.filter(record=record, course=course, year__gt=today.year - retake)
    if found := taken.order_by("-year").first():
        return found
    try:
        with transaction.atomic():
            return Enrolment.objects.create(user=user, record=record, course=course, year=today.year)
    except IntegrityError:  # the same click twice at once
        return Enrolment.objects.get(record=record, course=course, year=today.year)


def course_create(
    *, institution, by: User, code: str, title: str, class_hours: int, category: str, posts, summary: str = ""
) -> Course:
    """An institution drafts a course; learners see it once the authority approves it."""
    if not institution.admits(by, institution.Kind.INSTITUTION):
        raise DomainError(_("只有已审核的培训机构可以开设课程"), code="forbidden", status=403)
    if Course.objects.filter(code=code).exists():
        raise DomainError(_("课程代码已被使用"), code="code_taken", field="code")
    if category == Category.PROFESSIONAL and not posts:
        raise DomainError(_("专业岗位知识课程须指定适用岗位"), code="no_posts", field="posts")
    with transaction.atomic():
        course = Course.objects.create(
            institution=institution,
            code=code,
            title=title,
            class_hours=class_hours,
            category=category,
            summary=summary,
        )
        course.posts.set(posts if category == Category.PROFESSIONAL else [])
    return course


def unit_add(*, course: Course, by: User, kind: str, title: str, body: str, minutes: int) -> Unit:
    """Units are added while the course is a draft; an approved course does not change under its learners."""
    if by.organisation_id != course.institution_id:
        raise DomainError(_("只能修改本机构的课程"), code="forbidden", status=404)
    if course.status != Course.Status.DRAFT:
        raise DomainError(_("已审核的课程不能再修改"), code="not_draft")
    order = course.units.count() + 1
    return Unit.objects.create(
        course=course, order=order, kind=kind, title=title, body=body, required_seconds=minutes * 60
    )
