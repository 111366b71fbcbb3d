"""Eligibility of an old certificate for the exchange, explained check by check (docs/rules.md, rules 1-3)."""

from datetime import date

import pytest

from sitecert.certificates.eligibility import explain
from tests.certificates.conftest import IN_WINDOW
from tests.personas import certificate

pytestmark = pytest.mark.django_db


def codes(result):
    return {c.code for c in result.checks if not c.ok}


def test_a_fresh_certificate_is_told_everything_it_still_needs(builder):
    result = explain(certificate=builder, as_of=IN_WINDOW)
    assert result.state == "in_progress" and not result.eligible
    assert result.missing == [
        "还差专业岗位知识 22 学时",
        "还差 32 学时（已完成 0 / 32）",
        "尚未通过本岗位考核",
    ]


def test_what_is_missing_is_said_in_hours_of_each_kind(builder, report):
    report(builder, "professional", 16)
    report(builder, "general", "10")
    result = explain(certificate=builder, as_of=IN_WINDOW)
    assert "还差专业岗位知识 6 学时" in result.missing
    assert "还差 6 学时（已完成 26 / 32）" in result.missing
    assert (result.professional_hours, result.total_hours) == (16, 26)


def test_32_hours_with_22_professional_and_a_pass_make_it_eligible(builder, report):
    report(builder, "professional", 22, score=86)
    report(builder, "general", 9.5)
    assert codes(explain(certificate=builder, as_of=IN_WINDOW)) == {"total_hours"}
    report(builder, "general", 10, on=date(2020, 9, 2))
    result = explain(certificate=builder, as_of=date(2020, 9, 2))
    assert result.eligible or result.exchanged  # no signing key in this test: eligible, not issued
    assert result.state == "eligible" and result.missing == []


def test_a_score_under_the_pass_mark_is_not_a_pass(builder, report):
    report(builder, "professional", 24, score=59)
    report(builder, "general", 12)
    assert codes(explain(certificate=builder, as_of=IN_WINDOW)) == {"assessment"}


def test_professional_hours_cannot_be_replaced_by_general_ones(builder, report):
    report(builder, "professional", 20, score=90)
    report(builder, "general", 12)
    report(builder, "general", 12, on=date(2020, 9, 3))
    result = explain(certificate=builder, as_of=date(2020, 9, 3))
    assert result.missing == ["还差专业岗位知识 2 学时"]


def test_a_cancelled_certificate_must_train_and_qualify_again(personas):
    records = personas.holder.person.legacy_certificates.get(certificate_no="TJ2016000102")
    result = explain(certificate=records, as_of=IN_WINDOW)
    assert result.state == "closed"
    assert "证书状态为注销，需重新参加职业培训取证" in result.missing


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "issued_on",
            date(2011, 12, 31),
            "发证日期 2011-12-31 早于 2012-01-01，不在换证范围，需重新参加职业培训取证",
        ),
        (
            "issuer",
            "河北省住房和城乡建设厅",
            "发证机关“河北省住房和城乡建设厅”不在换证范围，需重新参加职业培训取证",
        ),
        ("status", "invalid", "证书状态为无效，需重新参加职业培训取证"),
    ],
)
def test_out_of_scope_certificates_are_closed_with_the_reason(personas, field, value, message):
    cert = certificate(personas.holder.person, "TJ2011009001", post="builder-civil")
    setattr(cert, field, value)
    cert.save()
    result = explain(certificate=cert, as_of=IN_WINDOW)
    assert result.state == "closed" and message in result.missing


def test_every_issuer_name_of_the_commission_is_in_scope(personas):
    for n, issuer in enumerate(
        ("天津市城乡建设和交通委员会", "天津市城乡建设委员会", "天津市住房和城乡建设委员会")
    ):
        cert = certificate(personas.holder.person, f"TJ201200{n}", post="safety")
        cert.issuer, cert.issued_on = issuer, date(2012, 1, 1)
        cert.save()
        assert "issuer" not in codes(explain(certificate=cert, as_of=IN_WINDOW))


def test_the_window_opens_on_the_notice_and_closes_after_31_december(builder):
    assert explain(certificate=builder, as_of=date(2020, 7, 15)).missing[0] == "换证自 2020-07-16 开始"
    assert "window" not in codes(explain(certificate=builder, as_of=date(2020, 12, 31)))
    late = explain(certificate=builder, as_of=date(2021, 1, 1))
    assert late.state == "closed"
    assert "换证已于 2020-12-31 截止，原证书已自动作废，需重新参加职业培训取证" in late.missing


def test_hours_count_only_inside_the_window_and_up_to_the_day_asked(builder, report):
    report(builder, "professional", 10, on=date(2020, 7, 15))  # before the notice
    report(builder, "professional", 12, on=date(2020, 10, 8))
    assert explain(certificate=builder, as_of=date(2020, 10, 7)).professional_hours == 0
    assert explain(certificate=builder, as_of=date(2020, 10, 8)).professional_hours == 12


def test_hours_of_another_certificate_do_not_count_unless_the_policy_shares_general_hours(
    personas, builder, report, policy
):
    safety = certificate(personas.holder.person, "TJ2017000301", post="safety")
    report(safety, "general", 12)
    assert explain(certificate=builder, as_of=IN_WINDOW).total_hours == 0
    policy(share_general_hours=True)
    assert explain(certificate=builder, as_of=IN_WINDOW).total_hours == 12


def test_the_rules_are_policy_rows_not_code(builder, report, policy):
    policy(exchange_hours=20, exchange_professional_hours=10, assessment_required=False)
    report(builder, "professional", 12)
    report(builder, "general", 8)
    assert explain(certificate=builder, as_of=IN_WINDOW).state == "eligible"
