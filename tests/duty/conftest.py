"""Histories across several years for one holder: an e-certificate issued in the 2020 exchange, then hours
reported year by year by a training institution (naming the e-certificate), roster entries as they come."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sitecert.certificates.models import ECertificate
from sitecert.duty.nightly import evaluate
from sitecert.learning.reports import hour_report_rows
from tests.certificates.conftest import builder, courses, report  # noqa: F401 (fixtures)

TZ = ZoneInfo("Asia/Shanghai")


def at(day: date) -> datetime:
    return datetime.combine(day, time(2, 0), tzinfo=TZ)


@pytest.fixture
def exchanged(builder, report, keys):  # noqa: F811
    """王芳's builder-civil e-certificate, issued on 2020-09-01: windows 2021–2022, 2023–2024, …"""
    report(builder, "professional", 22, score=86)
    report(builder, "general", 10)
    return ECertificate.objects.get(legacy=builder)


@pytest.fixture
def learn(personas, courses):  # noqa: F811
    """Report hours for an e-certificate: learn(ecert, {2021: (22, 10)}) puts the professional hours on
    1 March and the general ones on 1 June of each year (or on the days given as (hours, day) pairs)."""

    def send(ecert: ECertificate, years: dict):
        for year, (professional, general) in years.items():
            for kind, spec, default in (
                ("professional", professional, date(year, 3, 1)),
                ("general", general, date(year, 6, 1)),
            ):
                for hours, day in spec if isinstance(spec, list) else [(spec, default)]:
                    if hours:
                        _row(personas, courses, ecert, kind, hours, day)

    return send


def _row(personas, courses, ecert, kind, hours, day):  # noqa: F811
    limit = courses[kind].class_hours
    while hours > 0:  # one course is at most its class hours a day: spread the rest over following days
        part = min(hours, limit)
        row = {
            "id_number": ecert.holder.id_number,
            "name": ecert.holder.name,
            "certificate_no": ecert.number,
            "course": courses[kind].code,
            "hours": str(part),
            "category": kind,
            "completed_on": day.isoformat(),
        }
        result = hour_report_rows(
            institution=personas.institution_admin.organisation, rows=[(2, row)], today=day, now=at(day)
        )
        assert not result.rejections and result.created == 1, result.rejections
        hours -= part
        day += timedelta(days=1)


@pytest.fixture
def run():
    """The nightly run as of a day, returning the refreshed certificate(s)' outcome."""

    def go(as_of: date):
        return evaluate(as_of=as_of, now=at(as_of))

    return go


@pytest.fixture
def colleague(personas, keys):
    """张伟, 王芳's colleague at the same employer, with a builder-civil e-certificate from the 2020 exchange."""
    from sitecert.certificates.exchange import certificates_issue
    from sitecert.lib.idnumber import build
    from sitecert.people.models import RosterEntry
    from sitecert.policies.selectors import policy_in_force
    from sitecert.registry.models import Person
    from tests.personas import CONFIRMED, certificate

    zhang = Person.objects.create(id_number=build("120116", date(1985, 4, 2), 57), name="张伟")
    legacy = certificate(zhang, "TJ2016000301", "builder-civil")
    RosterEntry.objects.create(
        employer=personas.entry.employer,
        person=zhang,
        post=legacy.post,
        started_on=date(2018, 1, 1),
        **CONFIRMED,
    )
    day = date(2020, 10, 9)
    return certificates_issue(legacy_ids=[legacy.pk], policy=policy_in_force(on=day), as_of=day, now=at(day))[
        0
    ]
