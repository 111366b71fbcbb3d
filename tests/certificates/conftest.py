from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from sitecert.learning.reports import hour_report_rows
from tests.personas import course

TZ = ZoneInfo("Asia/Shanghai")
IN_WINDOW = date(2020, 9, 1)
NOW = datetime(2020, 9, 1, 10, 0, tzinfo=TZ)


@pytest.fixture
def courses(personas):
    """A professional course of 24 hours for builder-civil and a general one of 12, both approved."""
    org, by = personas.institution_admin.organisation, personas.inspector
    return {
        "professional": course(org, "TJ-SG-01", "建筑施工技术新规范", hours=24, approve_by=by),
        "general": course(org, "TJ-TY-01", "建设法规与职业道德", hours=12, category="general", approve_by=by),
    }


@pytest.fixture
def report(personas, courses):
    """An institution reports hours for a certificate, through the real reporting service."""

    def send(
        cert,
        kind: str,
        hours,
        on: date = IN_WINDOW,
        score: int | None = None,
        today: date | None = None,
        accepted: bool = True,
    ):
        row = {
            "id_number": cert.holder.id_number,
            "name": cert.holder.name,
            "certificate_no": cert.certificate_no,
            "course": courses[kind].code,
            "hours": str(hours),
            "category": kind,
            "completed_on": on.isoformat(),
            "score": "" if score is None else str(score),
        }
        result = hour_report_rows(
            institution=personas.institution_admin.organisation,
            rows=[(2, row)],
            today=today or on,
            now=datetime.combine(today or on, time(12), tzinfo=TZ),
        )
        assert not accepted or not result.rejections, result.rejections
        return result

    return send


@pytest.fixture
def builder(personas):
    """王芳's valid builder-civil certificate TJ2015000101 (issued 2015 by the commission)."""
    return personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
