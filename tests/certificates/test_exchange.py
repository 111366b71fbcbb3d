"""The automatic exchange: issued the moment the last requirement is met, exactly once, never after the
deadline; the bulk run catches up (docs/rules.md, rule 3.3)."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connections

from sitecert.audit.models import AuditEntry
from sitecert.audit.services import audit_verify
from sitecert.certificates.exchange import certificate_issue, certificates_issue, exchange_run
from sitecert.certificates.models import ECertificate
from sitecert.certificates.numbers import number_valid
from sitecert.errors import DomainError
from sitecert.learning.models import HourEntry
from sitecert.learning.records import record_for_legacy
from sitecert.policies.selectors import policy_in_force
from tests.certificates.conftest import IN_WINDOW, NOW
from tests.personas import certificate

pytestmark = pytest.mark.django_db


def complete(report, cert, on=IN_WINDOW):
    report(cert, "professional", 22, on=on, score=86)
    report(cert, "general", 10, on=on)


def test_the_report_that_completes_the_hours_issues_the_ecertificate(builder, report, keys):
    report(builder, "professional", 22, score=86)
    assert not ECertificate.objects.exists()
    report(builder, "general", 10)
    ecert = ECertificate.objects.get(legacy=builder)
    assert (ecert.holder, ecert.post, ecert.issued_on, ecert.status) == (
        builder.holder,
        builder.post,
        IN_WINDOW,
        "valid",
    )
    assert ecert.issuer == "天津市住房和城乡建设委员会" and ecert.version == 1
    assert ecert.number.startswith("TJ2020") and number_valid(ecert.number)
    version = ecert.versions.get()
    assert (version.version, version.cause, version.name, version.kid) == (1, "issue", "王芳", keys.kid)
    entry = AuditEntry.objects.get(action="ecertificate.issue")
    assert entry.subject == f"ecertificate:{ecert.number}" and entry.data["legacy"] == "TJ2015000101"


def test_a_number_with_one_wrong_character_fails_its_check(builder, report, keys):
    complete(report, builder)
    number = ECertificate.objects.get().number
    typo = number[:-3] + ("1" if number[-3] != "1" else "2") + number[-2:]
    assert number_valid(number) and not number_valid(typo)


def test_reports_again_and_explicit_requests_do_not_issue_twice(builder, report, keys):
    complete(report, builder)
    complete(report, builder)
    again = certificate_issue(legacy=builder, as_of=IN_WINDOW, now=NOW)
    assert ECertificate.objects.count() == 1 and again == ECertificate.objects.get()
    assert AuditEntry.objects.filter(action="ecertificate.issue").count() == 1


def test_each_old_certificate_gets_its_own_ecertificate_and_number(personas, builder, report, keys):
    other = certificate(personas.holder.person, "TJ2017000301", post="builder-civil")
    complete(report, builder)
    complete(report, other)
    numbers = set(ECertificate.objects.values_list("number", flat=True))
    assert len(numbers) == 2 and all(number_valid(n) for n in numbers)


def test_after_the_deadline_exchange_is_refused_with_the_reason(builder, report, keys):
    complete(report, builder, on=date(2020, 12, 31))
    late = date(2021, 1, 1)
    assert ECertificate.objects.filter(legacy=builder, issued_on=date(2020, 12, 31)).exists()
    with pytest.raises(DomainError, match="换证已于 2020-12-31 截止"):
        exchange_run(as_of=late, now=NOW)


def test_hours_reported_after_the_deadline_are_refused_and_issue_nothing(builder, report, keys):
    late = report(builder, "professional", 22, on=date(2021, 1, 5), score=86, accepted=False)
    assert [r.code for r in late.rejections] == ["record_closed"]
    assert not ECertificate.objects.exists()
    with pytest.raises(DomainError, match="原证书已自动作废"):
        certificate_issue(legacy=builder, as_of=date(2021, 1, 5), now=NOW)


def test_an_ineligible_certificate_is_refused_with_what_is_missing(builder, report, keys):
    report(builder, "professional", 16)
    with pytest.raises(DomainError) as refused:
        certificate_issue(legacy=builder, as_of=IN_WINDOW, now=NOW)
    assert "还差专业岗位知识 6 学时" in refused.value.message and refused.value.code == "not_eligible"


def test_without_a_signing_key_learning_is_kept_and_the_bulk_run_catches_up(
    builder, report, settings, tmp_path
):
    settings.SIGNING_KEY_DIR = tmp_path / "none"
    complete(report, builder)
    assert HourEntry.objects.filter(record__legacy=builder).count() == 2 and not ECertificate.objects.exists()
    from sitecert.certificates.keys import key_generate

    key_generate(now=NOW, actor="test")
    result = exchange_run(as_of=IN_WINDOW + timedelta(days=1), now=NOW)
    assert (result.candidates, result.issued) == (1, 1)
    assert exchange_run(as_of=IN_WINDOW + timedelta(days=1), now=NOW).issued == 0


def test_the_bulk_run_replays_a_date_and_issues_only_what_was_due_then(personas, builder, courses, keys):
    """Records imported straight into the tables (no trigger): the run as of a date decides for everyone."""
    late = certificate(personas.holder.person, "TJ2017000301", post="builder-civil")
    institution = personas.institution_admin.organisation

    def entries(cert, on):
        for kind, hours, score in (("professional", 22, 75), ("general", 10, None)):
            HourEntry.objects.create(
                record=record_for_legacy(cert, now=NOW),
                course=courses[kind],
                category=kind,
                hours=hours,
                completed_on=on,
                source="report",
                institution=institution,
                assessment_score=score,
            )

    entries(builder, date(2020, 8, 1))
    entries(late, date(2020, 11, 1))
    first = exchange_run(as_of=date(2020, 10, 1), now=NOW)
    assert (first.candidates, first.issued) == (1, 1)
    assert list(ECertificate.objects.values_list("legacy__certificate_no", "issued_on")) == [
        ("TJ2015000101", date(2020, 10, 1))
    ]
    assert exchange_run(as_of=date(2020, 12, 31), now=NOW).issued == 1
    assert audit_verify() == []


@pytest.mark.django_db(transaction=True)
def test_two_triggers_racing_issue_exactly_once(post_catalogue, settings, tmp_path):
    """Two transactions decide at the same moment for the same old certificate (concurrent on PostgreSQL;
    SQLite serialises writers): one e-certificate, one number, one audit entry."""
    from tests.personas import make_personas

    personas = make_personas()
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    settings.SIGNING_KEY_DIR = tmp_path / "keys"
    from sitecert.certificates.keys import key_generate

    key_generate(now=NOW, actor="test")
    policy = policy_in_force(on=IN_WINDOW)
    barrier, results, errors = threading.Barrier(2), [], []

    def issue():
        try:
            barrier.wait()
            results.append(certificates_issue(legacy_ids=[cert.pk], policy=policy, as_of=IN_WINDOW, now=NOW))
        except Exception as exc:  # reported below; a thread must not die silently
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(len(r) for r in results) == [0, 1]
    assert ECertificate.objects.filter(legacy=cert).count() == 1
    assert AuditEntry.objects.filter(action="ecertificate.issue").count() == 1
    assert audit_verify() == []


def test_the_holder_is_told_once_by_sms_when_the_ecertificate_is_issued(
    builder, report, keys, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(builder, "professional", 22, score=86)
        report(builder, "general", 10)
        report(builder, "general", 2, on=IN_WINDOW + timedelta(days=1))  # a later record issues nothing again
    number = ECertificate.objects.get().number
    assert sms == [
        (
            "13602200001",
            f"【施工现场专业人员证书服务】您的施工员（土建施工）职业培训合格证已签发，编号 {number}。登录后可下载打印，扫码可核验。",
        )
    ]


def test_a_rolled_back_issuance_tells_nobody(builder, report, keys, sms, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        complete(report, builder)
        raise RuntimeError("interrupted")
    assert sms == [] and not ECertificate.objects.exists()
