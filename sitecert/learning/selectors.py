"""Reads for learners and for the certificate side."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from sitecert.learning.models import Category, Course, Enrolment, HourEntry
from sitecert.registry.models import LegacyCertificate


def courses_for(*, certificate: LegacyCertificate) -> QuerySet[Course]:
    """Approved courses that count for this certificate: its post's professional ones, and general ones."""
    fitting = Q(category=Category.GENERAL) | Q(category=Category.PROFESSIONAL, posts=certificate.post_id)
    return (
        Course.objects.filter(fitting, status=Course.Status.APPROVED).distinct().order_by("category", "code")
    )


def enrolment_for(*, user, pk: int) -> Enrolment:
    """The learner's own enrolment, or DoesNotExist (views turn it into 404)."""
    return Enrolment.objects.select_related("course", "certificate__post").get(pk=pk, user=user)


@dataclass
class YearRecord:
    year: int
    hours: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.hours.values(), Decimal(0))


def hour_records(*, certificate: LegacyCertificate) -> list[YearRecord]:
    """Hours per year and category for one certificate (one grouped query): what the certificate side reads."""
    rows = (
        HourEntry.objects.filter(certificate=certificate)
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
