"""Reads for learners and for the certificate side."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from sitecert.learning.models import Category, Course, Enrolment, HourEntry, TrainingRecord
from sitecert.policies.selectors import policy_in_force


def courses_for(*, record: TrainingRecord) -> QuerySet[Course]:
    """Approved courses that count for this record: its post's professional ones, and general ones."""
    fitting = Q(category=Category.GENERAL) | Q(category=Category.PROFESSIONAL, posts=record.post_id)
    return (
        Course.objects.filter(fitting, status=Course.Status.APPROVED).distinct().order_by("category", "code")
    )


@dataclass
class CourseChoice:
    course: Course
    enrolment: Enrolment | None  # the one that counts now (taken within the policy's retake years)

    @property
    def state(self) -> str:
        """new (may be taken, again or for the first time), learning, or done (counts until it may be retaken)."""
        if self.enrolment is None:
            return "new"
        return "done" if self.enrolment.completed_at else "learning"


def courses_with_enrolments(*, record: TrainingRecord, today: date) -> list[CourseChoice]:
    """The courses that count for the record, each with the enrolment that counts now, if any: a course taken
    more than `course_retake_years` ago may be taken again and count again."""
    retake = policy_in_force(on=today).course_retake_years
    current = {}
    for enrolment in Enrolment.objects.filter(record=record, year__gt=today.year - retake).order_by("year"):
        current[enrolment.course_id] = enrolment
    return [CourseChoice(course, current.get(course.pk)) for course in courses_for(record=record)]


def enrolment_for(*, user, pk: int) -> Enrolment:
    """The learner's own enrolment, or DoesNotExist (views turn it into 404)."""
    return Enrolment.objects.select_related("course", "record__post").get(pk=pk, user=user)


@dataclass
class YearRecord:
    year: int
    hours: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))


def hour_records(*, record: TrainingRecord) -> list[YearRecord]:
    """Hours per year and category on one record (one grouped query)."""
    rows = (
        HourEntry.objects.filter(record=record)
        .annotate(year=ExtractYear("completed_on"))
        .values("year", "category")
        .annotate(hours=Sum("hours"))
        .order_by("year")
    )
    years: dict[int, YearRecord] = defaultdict(lambda: YearRecord(0))
    for row in rows:
        record = years[row["year"]]
        record.year = row["year"]
        record.hours[row["category"]] = row["hours"]
    return list(years.values())
