"""Learning year after year: a course counts again in a later year (the policy's course_retake_years), so the
demo library lets a holder meet the yearly duty for at least six consecutive years, decided by the real
duty statement."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from sitecert.certificates.exchange import certificates_issue
from sitecert.duty.nightly import evaluate
from sitecert.errors import DomainError
from sitecert.learning.demo import demo_library_seed
from sitecert.learning.models import HourEntry
from sitecert.learning.selectors import courses_with_enrolments
from sitecert.learning.services import enrolment_create
from sitecert.policies.selectors import policy_in_force

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=TZ)


def complete(enrolment, day: date) -> None:
    """What the time-keeping does when the last unit is done (timekeeping._complete_course)."""
    enrolment.completed_at = at(day)
    enrolment.save(update_fields=["completed_at"])
    course = enrolment.course
    HourEntry.objects.create(
        record=enrolment.record,
        course=course,
        category=course.category,
        hours=course.class_hours,
        completed_on=day,
        source=HourEntry.Source.ONLINE,
        institution=course.institution,
    )


@pytest.fixture
def exchanged(personas, keys):
    legacy = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    day = date(2020, 10, 9)
    return certificates_issue(legacy_ids=[legacy.pk], policy=policy_in_force(on=day), as_of=day, now=at(day))[
        0
    ]


def test_a_completed_course_is_taken_again_the_next_year_not_twice_in_one(personas, exchanged):
    demo_library_seed(personas.institution_admin.organisation)
    choice = courses_with_enrolments(record=exchanged.record, today=date(2021, 3, 1))[0]
    first = enrolment_create(
        user=personas.holder, record=exchanged.record, course=choice.course, today=date(2021, 3, 1)
    )
    complete(first, date(2021, 3, 20))
    same_year = enrolment_create(
        user=personas.holder, record=exchanged.record, course=choice.course, today=date(2021, 11, 1)
    )
    assert same_year == first  # done this year: it counts once
    again = enrolment_create(
        user=personas.holder, record=exchanged.record, course=choice.course, today=date(2022, 1, 5)
    )
    assert again != first and again.year == 2022 and again.completed_at is None


def test_a_stricter_policy_makes_a_course_wait_its_years(personas, exchanged, policy):
    policy(course_retake_years=3)
    demo_library_seed(personas.institution_admin.organisation)
    course = courses_with_enrolments(record=exchanged.record, today=date(2021, 3, 1))[0].course
    first = enrolment_create(
        user=personas.holder, record=exchanged.record, course=course, today=date(2021, 3, 1)
    )
    complete(first, date(2021, 3, 20))
    for year in (2022, 2023):
        assert (
            enrolment_create(
                user=personas.holder, record=exchanged.record, course=course, today=date(year, 2, 1)
            )
            == first
        )
    assert (
        enrolment_create(
            user=personas.holder, record=exchanged.record, course=course, today=date(2024, 2, 1)
        ).year
        == 2024
    )


def test_the_demo_library_carries_a_holder_through_six_years_of_duty(personas, exchanged):
    demo_library_seed(personas.institution_admin.organisation)
    rules = policy_in_force(on=date(2021, 1, 1))
    for year in range(2021, 2027):
        professional = general = 0
        for choice in courses_with_enrolments(record=exchanged.record, today=date(year, 2, 1)):
            assert choice.state == "new", (year, choice.course.code)  # last year's courses count again
            category = choice.course.category
            if (category == "professional" and professional >= rules.yearly_professional_hours) or (
                professional + general >= rules.yearly_hours
            ):
                continue
            enrolment = enrolment_create(
                user=personas.holder, record=exchanged.record, course=choice.course, today=date(year, 2, 1)
            )
            complete(enrolment, date(year, 4, 1))
            professional += choice.course.class_hours * (category == "professional")
            general += choice.course.class_hours * (category == "general")
        assert (
            professional >= rules.yearly_professional_hours and professional + general >= rules.yearly_hours
        )
        evaluate(as_of=date(year, 12, 31), now=at(date(year, 12, 31)))
        exchanged.refresh_from_db()
        assert (exchanged.status, exchanged.duty.state) == ("valid", "on_track"), year


def test_a_void_record_may_not_be_enrolled_with_the_way_forward(personas):
    demo_library_seed(personas.institution_admin.organisation)
    from sitecert.learning.records import record_for_legacy

    legacy = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    record = record_for_legacy(legacy, now=at(date(2021, 3, 1)))
    course = courses_with_enrolments(record=record, today=date(2021, 3, 1))[0].course
    with pytest.raises(DomainError) as refused:
        enrolment_create(user=personas.holder, record=record, course=course, today=date(2021, 3, 1))
    assert (
        refused.value.code == "record_closed"
        and "已作废" in refused.value.message
        and "职业培训" in refused.value.message
    )
