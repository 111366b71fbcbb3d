"""Demo: the yearly duty since the 2020 exchange, in the proportions the dashboards should show. Of the
exchanged certificates six in ten learn their 32 hours every year, two in ten fell short last year (behind),
one in ten did too little in 2021–2022 (lapsed), one in ten has no roster entry (lapsed for not working in
the post); this year's hours are still coming in. Then the evaluation as of the day. Idempotent."""

from datetime import date, datetime, timedelta

from sitecert.certificates.models import ECertificate
from sitecert.duty.nightly import RunResult, evaluate
from sitecert.learning.models import Category, Course, HourEntry
from sitecert.people.models import Organisation, RosterEntry

STAFF_AT_DEMO_EMPLOYER = 36  # the rest work for the other employer


def _hours_for(n: int, year: int, today: date) -> tuple[int, int]:
    """(professional, general) hours certificate n did in `year`."""
    profile = n % 10
    if year == today.year:  # the year in progress: some are done, most are part-way
        share = (n * 37 % 100) / 100
        return round(22 * share), round(10 * share)
    if profile in (6, 7) and year == today.year - 1:
        return 12, 6
    if profile == 8 and year == 2022:
        return 8, 4
    return 22, 10


def _entries(cert: ECertificate, n: int, courses: dict, institution: Organisation, today: date) -> list:
    """Hour records of certificate n, course by course (none above its class hours), week by week."""
    rows = []
    for year in range(cert.issued_on.year + 1, today.year + 1):
        professional, general = _hours_for(n, year, today)
        for category, wanted, month in (
            (Category.PROFESSIONAL, professional, 3),
            (Category.GENERAL, general, 6),
        ):
            day = date(year, month, 1 + n % 20)
            for course in (
                courses[category if category == Category.GENERAL else cert.post_id] if wanted else []
            ):
                hours = min(wanted, course.class_hours)
                if day > today or not hours:
                    break
                rows.append(
                    HourEntry(
                        record_id=cert.record_id,
                        course=course,
                        category=category,
                        hours=hours,
                        completed_on=day,
                        source=HourEntry.Source.REPORT,
                        institution=institution,
                    )
                )
                wanted -= hours
                day += timedelta(days=7)
    return rows


def demo_duty_seed(
    *, institution: Organisation, employers: list[Organisation], today: date, now: datetime
) -> RunResult:
    """Idempotent: hour records and roster entries as the profiles above, then the evaluation as of today."""
    courses: dict[str | int, list[Course]] = {
        Category.GENERAL: list(Course.objects.filter(institution=institution, category=Category.GENERAL))
    }
    professional = Course.objects.filter(institution=institution, category=Category.PROFESSIONAL)
    for course in professional.prefetch_related("posts"):
        for post in course.posts.all():
            courses.setdefault(post.pk, []).append(course)
    certs = list(ECertificate.objects.filter(legacy__isnull=False).order_by("number"))
    entries, roster = [], []
    for n, cert in enumerate(certs):
        entries += _entries(cert, n, courses, institution, today)
        if n % 10 != 9:
            employer = employers[0] if n < STAFF_AT_DEMO_EMPLOYER else employers[1]
            roster.append(
                RosterEntry(
                    employer=employer,
                    person_id=cert.holder_id,
                    post_id=cert.post_id,
                    started_on=date(2020, 3, 1),
                )
            )
    HourEntry.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    RosterEntry.objects.bulk_create(roster, batch_size=2000, ignore_conflicts=True)
    return evaluate(as_of=today, now=now)
