"""Demo: about a third of the in-scope old certificates completed their continuing education in autumn
2020 (hours reported by the demo institution) and were exchanged as of 2020-12-31."""

from datetime import date, datetime

from sitecert.certificates.eligibility import in_scope
from sitecert.certificates.exchange import RunResult, exchange_run
from sitecert.learning.models import Category, Course, HourEntry
from sitecert.learning.records import records_begin, records_of_legacies
from sitecert.people.models import Organisation
from sitecert.policies.selectors import policy_in_force
from sitecert.registry.models import LegacyCertificate, Person

DONE_ON = date(2020, 10, 15)
ROUND_END = date(2020, 12, 31)


def demo_exchange_seed(
    *, institution: Organisation, spare: Person | None, now: datetime, share: int = 3
) -> RunResult:
    """Idempotent. Every `share`-th in-scope certificate (not the demo holder's) gets its hours and pass."""
    policy = policy_in_force(on=ROUND_END)
    general = list(Course.objects.filter(institution=institution, category=Category.GENERAL))
    professional: dict[int, list[Course]] = {}
    for course in Course.objects.filter(
        institution=institution, category=Category.PROFESSIONAL
    ).prefetch_related("posts"):
        for post in course.posts.all():
            professional.setdefault(post.pk, []).append(course)
    certs = (
        LegacyCertificate.objects.filter(in_scope(policy)).exclude(holder=spare).order_by("certificate_no")
    )
    chosen = [cert for n, cert in enumerate(certs.only("pk", "post_id", "holder_id")) if not n % share]
    records = records_of_legacies(chosen)
    records_begin(records.values(), now=now)
    entries = []
    for cert in chosen:
        for i, course in enumerate(professional.get(cert.post_id, []) + general):
            entries.append(
                HourEntry(
                    record=records[cert.pk],
                    course=course,
                    category=course.category,
                    hours=course.class_hours,
                    completed_on=DONE_ON,
                    source=HourEntry.Source.REPORT,
                    institution=institution,
                    assessment_score=80 if i == 0 else None,
                )
            )
    HourEntry.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    return exchange_run(as_of=ROUND_END, now=now)
