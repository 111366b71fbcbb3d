"""Generated histories across several years against an oracle: sixty holders with random yearly hours and
roster entries, evaluated at random days (and at the 31 December / 1 January edges) by sitecert's SQL and by a
plain per-certificate reading of docs/rules.md written here. Both engines; both window counts."""

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sitecert.certificates.models import ECertificate
from sitecert.duty.explanation import explain_many
from sitecert.duty.nightly import evaluate
from sitecert.learning.models import Category, HourEntry
from sitecert.learning.records import record_for_legacy
from sitecert.lib.idnumber import build
from sitecert.people.models import Organisation, RosterEntry
from sitecert.policies.models import Policy
from sitecert.registry.models import LegacyCertificate, Person, Post
from tests.personas import course as make_course

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Oracle:
    """docs/rules.md's yearly duty, read literally, one certificate at a time."""

    policy: Policy

    def first_day(self, issued: date) -> date:
        if self.policy.window_start == Policy.WindowStart.CALENDAR:
            return date(issued.year + 1, 1, 1)
        return issued + timedelta(days=1)

    def year(self, issued: date, k: int) -> tuple[date, date]:
        start = self.first_day(issued)
        return _years_later(start, k), _years_later(start, k + 1) - timedelta(days=1)

    def state(self, issued, hours, roster, as_of) -> tuple[str, date | None]:
        """(state, lapse day) from hour records [(day, hours, professional?)] and roster [(start, end)]."""
        p, k = self.policy, 0
        while True:
            starts, _ = self.year(issued, k * p.window_years)
            _, ends = self.year(issued, k * p.window_years + p.window_years - 1)
            if as_of < starts:
                return "not_started", None
            if as_of <= ends:
                break
            done = sum(h for d, h, _p in hours if starts <= d <= ends)
            listed = any(s <= ends and (e is None or e >= starts) for s, e in roster)
            if done < p.window_hours or not listed:
                return "lapsed", ends + timedelta(days=1)
            k += 1
        for y in range(k * p.window_years, k * p.window_years + p.window_years):
            y_start, y_end = self.year(issued, y)
            if y_end >= as_of:
                break
            total = sum(h for d, h, _p in hours if y_start <= d <= y_end)
            prof = sum(h for d, h, pr in hours if y_start <= d <= y_end and pr)
            if total < p.yearly_hours or prof < p.yearly_professional_hours:
                return "behind", None
        return "on_track", None


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _history(rng, issued: date):
    """Hour records for 2021–2026: most years complete, some short, some empty; in tenths of an hour."""
    records = []
    for year in range(issued.year, 2027):
        roll = rng.random()
        if roll < 0.05:
            continue
        professional = Decimal(rng.choice([22, 22, 22, 24, 24, 18, 21.9])).quantize(Decimal("0.1"))
        general = Decimal(rng.choice([10, 10, 10, 12, 12, 6, 10.1])).quantize(Decimal("0.1"))
        records += [(date(year, rng.randint(1, 12), rng.randint(1, 28)), professional, True)]
        records += [(date(year, 12, 31), general, False)] if general else []
    return records


def _roster(rng) -> list[tuple[date, date | None]]:
    """Listed from 2019 on, or until a year's last or the next year's first day (a window's first day), or
    only from a window's last day on, or never."""
    roll, year = rng.random(), rng.randint(2020, 2025)
    if roll < 0.1:
        return []
    if roll < 0.3:
        return [(date(2019, 1, 1), rng.choice([date(year, 12, 31), date(year + 1, 1, 1)]))]
    if roll < 0.4:
        return [(rng.choice([date(year, 12, 31), date(year + 1, 1, 1)]), None)]
    return [(date(2019, rng.randint(1, 12), 1), None)]


@pytest.fixture
def histories(personas, policy, request):
    rng = random.Random(request.node.name)
    institution = personas.institution_admin.organisation
    employer = Organisation.objects.get(pk=personas.entry.employer_id)
    post = Post.objects.get(code="safety")
    prof = make_course(institution, "GH-P", "安全专业", hours=24, posts=("safety",))
    general = make_course(institution, "GH-G", "通用", hours=24, category="general")
    now = datetime(2020, 9, 1, tzinfo=TZ)
    made = {}
    for n in range(60):
        person = Person.objects.create(
            id_number=build("120104", date(1980, 1, 1) + timedelta(days=n), 300 + n), name=f"测试{n}"
        )
        legacy = LegacyCertificate.objects.create(
            certificate_no=f"TJ2019{n:06d}",
            holder=person,
            post=post,
            issued_on=date(2016, 1, 1),
            issuer="天津市住房和城乡建设委员会",
            status="valid",
            created_at=now,
            updated_at=now,
        )
        issued = date(2020, 9, 1) + timedelta(days=rng.randint(0, 120))
        record = record_for_legacy(legacy, now=now)
        ecert = ECertificate.objects.create(
            number=f"TJ2020{n:07d}X",
            holder=person,
            post=post,
            legacy=legacy,
            record=record,
            policy=Policy.objects.get(code="tianjin-2020"),
            issuer="天津市住房和城乡建设委员会",
            issued_on=issued,
            status_since=issued,
            created_at=now,
        )
        hours, roster = _history(rng, issued), _roster(rng)
        if n % 10 == 0:  # listed only from the last day of the 2021–2022 window (calendar) on
            roster = [(date(2022, 12, 31), None)]
        HourEntry.objects.bulk_create(
            [
                HourEntry(
                    record=record,
                    course=prof if is_prof else general,
                    category=Category.PROFESSIONAL if is_prof else Category.GENERAL,
                    hours=h,
                    completed_on=d,
                    source="report",
                    institution=institution,
                )
                for d, h, is_prof in hours
            ]
        )
        for start, end in roster:
            RosterEntry.objects.create(
                employer=employer, person=person, post=post, started_on=start, ended_on=end
            )
        made[ecert.pk] = (issued, hours, roster)
    return made


DAYS = [
    date(2020, 10, 15),
    date(2020, 12, 31),
    date(2021, 6, 1),
    date(2022, 12, 31),
    date(2023, 1, 1),
    date(2024, 7, 15),
    date(2025, 1, 1),
    date(2026, 11, 25),
]


@pytest.mark.parametrize("window_start", ["calendar", "issue_date"])
def test_sql_and_the_oracle_agree_day_after_day(histories, policy, window_start):
    rules = policy(window_start=window_start)
    oracle, seen = Oracle(rules), set()
    for as_of in DAYS:  # runs in order, as a scheduler would, each one on top of the last
        evaluate(as_of=as_of, now=timezone.now())
        certs = list(ECertificate.objects.filter(pk__in=histories))
        live = explain_many(certificates=certs, as_of=as_of)
        for cert in certs:
            issued, hours, roster = histories[cert.pk]
            expected, lapse_on = oracle.state(issued, hours, roster, as_of)
            seen.add(expected)
            if expected == "lapsed":
                assert (cert.status, cert.status_since) == ("lapsed", lapse_on), (as_of, cert.number)
            else:
                assert cert.status == "valid", (as_of, cert.number)
                assert live[cert.pk].state == expected, (as_of, cert.number, hours, roster)
    assert seen == {"not_started", "on_track", "behind", "lapsed"}  # the histories cover every state
