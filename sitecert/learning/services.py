"""Courses and enrolments. Time-keeping is in timekeeping.py."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sitecert.errors import DomainError
from sitecert.learning.models import Category, Course, Enrolment, Unit
from sitecert.people.models import User
from sitecert.registry.models import LegacyCertificate


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


def enrolment_create(*, user: User, certificate: LegacyCertificate, course: Course) -> Enrolment:
    """Enrol for one of the holder's own certificates; a professional course must fit its post."""
    if not user.is_holder or certificate.holder_id != user.person_id:
        raise DomainError(_("只能为本人的证书选课"), code="forbidden", status=404)
    if course.status != Course.Status.APPROVED:
        raise DomainError(_("课程尚未开放"), code="course_closed", status=404)
    if course.category == Category.PROFESSIONAL and not course.posts.filter(pk=certificate.post_id).exists():
        raise DomainError(
            _("该课程不是%(post)s的专业岗位知识课程") % {"post": certificate.post},
            code="wrong_post",
            field="course",
        )
    try:
        with transaction.atomic():
            return Enrolment.objects.create(user=user, certificate=certificate, course=course)
    except IntegrityError:
        return Enrolment.objects.get(certificate=certificate, course=course)


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
