"""sqlkit: a query compiled once answers what the ORM answers, for every value, on both engines."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Q

from sitecert.registry.models import LegacyCertificate
from sitecert.sqlkit import Compiled
from tests.personas import certificate


def _holders_certificates(id_number: str, post: str):
    return (
        LegacyCertificate.objects.filter(holder__id_number=id_number, post__code=post, status="valid")
        .order_by("certificate_no")
        .values_list("certificate_no", "holder__name", "issued_on", "created_at")
    )


BY_PERSON_AND_POST = Compiled(_holders_certificates)


def test_compiled_rows_equal_the_orms_for_each_value_with_dates_converted(personas):
    wang, li = personas.holder.person, personas.other_holder.person
    certificate(wang, "TJ2015009901", post="materials")
    certificate(wang, "TJ2015009902", post="materials", status="revoked")
    for person in (wang, li):
        for post in ("safety", "materials", "labour"):
            expected = list(_holders_certificates(person.id_number, post))
            found = [tuple(row) for row in BY_PERSON_AND_POST.rows(id_number=person.id_number, post=post)]
            assert found == expected
    materials = BY_PERSON_AND_POST.rows(id_number=wang.id_number, post="materials")
    assert [row[0] for row in materials] == ["TJ2015009901"] and materials[0][2].isoformat() == "2015-03-06"


def test_a_value_the_query_does_not_carry_as_given_is_refused(db):
    wrapped = Compiled(lambda number: LegacyCertificate.objects.filter(certificate_no__contains=number))
    with pytest.raises(ValueError, match="as given"):  # the ORM passes "%TJ2015000101%"
        wrapped.rows(number="TJ2015000101")


def test_a_value_may_stand_in_several_places(personas):
    wang = personas.holder.person
    certificate(wang, "TJ2015009901", post="materials")
    either = Compiled(
        lambda text: (
            LegacyCertificate.objects.filter(Q(certificate_no=text) | Q(holder__name=text))
            .order_by("certificate_no")
            .values_list("certificate_no")
        )
    )
    for text in ("TJ2015009901", wang.name, "无此人"):
        expected = LegacyCertificate.objects.filter(Q(certificate_no=text) | Q(holder__name=text))
        assert [row[0] for row in either.rows(text=text)] == sorted(c.certificate_no for c in expected)
    assert len(either.rows(text=wang.name)) >= 1


def test_on_postgresql_a_hot_query_is_prepared_and_planned_once_per_connection(personas):
    """settings.py binds parameters on the server, so psycopg prepares a statement run five times: planning
    was most of verification's database time (docs/scaling.md)."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    wang = personas.holder.person
    for _ in range(6):
        BY_PERSON_AND_POST.rows(id_number=wang.id_number, post="safety")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%registry_legacycertificate%"],
        )
        assert cursor.fetchone()[0] >= 1


def _guarded_write(legacy, person, status: str, expected_status: str) -> bool:
    from sitecert.learning.models import DailyCredit
    from sitecert.sqlkit import Add, Update, update_if

    return update_if(
        Update(LegacyCertificate, legacy.pk, status=status),
        {"status": expected_status, "certificate_no": legacy.certificate_no},
        then=[
            Add(DailyCredit, {"person": person.pk, "day": date(2026, 11, 30)}, "seconds", 30),
            Update(type(person), person.pk, name="王芳芳"),
        ],
    )


def test_a_guarded_write_takes_effect_whole_while_its_row_is_as_read_and_not_at_all_after(personas):
    from django.test.utils import CaptureQueriesContext

    from sitecert.learning.models import DailyCredit

    person = personas.holder.person
    legacy = person.legacy_certificates.get(certificate_no="TJ2015000101")
    with CaptureQueriesContext(connection) as statements:
        assert _guarded_write(legacy, person, "revoked", expected_status="valid")
    if connection.vendor == "postgresql":
        assert len(statements) == 1  # one round trip, atomic by itself
    assert _guarded_write(legacy, person, "valid", expected_status="valid") is False  # it is revoked now
    person.refresh_from_db()
    legacy.refresh_from_db()
    assert (legacy.status, person.name) == ("revoked", "王芳芳")
    assert DailyCredit.objects.get(person=person).seconds == 30  # once: the refused write added nothing
    assert _guarded_write(legacy, person, "valid", expected_status="revoked")
    assert DailyCredit.objects.get(person=person, day=date(2026, 11, 30)).seconds == 60
