"""What the learning tests share: an approved two-unit course and a holder enrolled on it."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sitecert.learning.records import record_for_legacy
from sitecert.learning.services import enrolment_create
from tests.personas import course

T0 = datetime(2020, 9, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def enrol(user, legacy, course):
    """Enrol for an old certificate's training record, on T0's day."""
    record = record_for_legacy(legacy, now=T0)
    return enrolment_create(user=user, record=record, course=course, today=T0.date())


@pytest.fixture
def approved(personas):
    units = (("安全生产责任制", 120, "text", "……"), ("高处作业", 60, "video"))
    org = personas.institution_admin.organisation
    return course(org, "TJ-AQ-01", "施工现场安全管理", hours=2, units=units, approve_by=personas.inspector)


@pytest.fixture
def enrolment(personas, approved):
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    return enrol(personas.holder, cert, approved)
