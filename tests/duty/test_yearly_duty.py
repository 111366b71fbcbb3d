"""The yearly duty after the exchange (docs/rules.md, "Yearly duty"), on histories across several years: on time,
behind one year, lapsed for hours, lapsed for not working in the post, the 31 December / 1 January edges."""

from datetime import date
from decimal import Decimal

import pytest

from sitecert.audit.models import AuditEntry
from sitecert.audit.services import audit_verify
from sitecert.certificates.models import ECertificate
from sitecert.certificates.verification import verify_number
from sitecert.duty.explanation import explain
from sitecert.duty.models import Duty, DutyChange
from sitecert.people.models import RosterEntry

pytestmark = pytest.mark.django_db
FULL = (22, 10)  # a year's 32 hours, 22 professional


def refreshed(ecert: ECertificate) -> ECertificate:
    return ECertificate.objects.get(pk=ecert.pk)


def test_before_the_first_year_the_duty_is_only_announced(exchanged, run):
    standing = explain(certificate=exchanged, as_of=date(2020, 12, 31))
    assert standing.state == "not_started"
    assert standing.lines == [
        "继续教育自 2021-01-01 起计算：每年至少 32 学时（专业岗位知识至少 22 学时），每 2 年周期至少 64 学时"
    ]
    run(date(2020, 12, 31))
    assert Duty.objects.get(pk=exchanged.pk).state == "not_started"


def test_on_time_holder_stays_valid_window_after_window(exchanged, learn, run):
    learn(exchanged, {2021: FULL, 2022: FULL, 2023: FULL, 2024: FULL, 2025: FULL})
    for as_of in (date(2023, 1, 1), date(2025, 1, 1), date(2025, 11, 25)):
        run(as_of)
        assert refreshed(exchanged).status == "valid"
    standing = explain(certificate=exchanged, as_of=date(2025, 11, 25))
    assert (standing.state, standing.window.label, standing.window_hours) == ("on_track", "2025–2026", 32)
    assert standing.lines[0] == "2025–2026 周期已完成 32/64 学时，还需 32 学时，截止 2026-12-31"
    assert standing.lines[1] == "2025 年已完成 32/32 学时，其中专业岗位知识 22/22 学时，截止 2025-12-31"
    assert standing.lines[-1] == "本周期有本岗位的在岗记录"


def test_the_issues_own_example_line(exchanged, learn):
    learn(exchanged, {2021: FULL, 2022: FULL, 2023: FULL, 2024: FULL, 2025: (24, 12), 2026: (4, 0)})
    standing = explain(certificate=exchanged, as_of=date(2026, 11, 25))
    assert standing.lines[0] == "2025–2026 周期已完成 40/64 学时，还需 24 学时，截止 2026-12-31"


def test_a_short_year_is_behind_until_its_window_closes_and_does_not_lapse_alone(exchanged, learn, run):
    learn(exchanged, {2021: (12, 10), 2022: ([(24, date(2022, 3, 1)), (8, date(2022, 4, 1))], 12)})
    assert explain(certificate=exchanged, as_of=date(2021, 12, 31)).state == "on_track"  # 2021 not finished
    behind = explain(certificate=exchanged, as_of=date(2022, 1, 1))
    assert behind.state == "behind" and behind.risk == "high"
    assert "2021 年只完成 22/32 学时（专业岗位知识 12/22），学时落后" in behind.lines
    run(date(2022, 1, 1))
    assert Duty.objects.get(pk=exchanged.pk).state == "behind"
    change = DutyChange.objects.get(certificate=exchanged)
    assert (change.before, change.after, change.as_of) == ("", "behind", date(2022, 1, 1))
    run(date(2023, 1, 1))  # 22 + 44 = 66 hours in 2021–2022: the window is met
    assert refreshed(exchanged).status == "valid"
    duty = Duty.objects.get(pk=exchanged.pk)
    assert (duty.state, duty.window_starts) == ("on_track", date(2023, 1, 1))
    change = DutyChange.objects.get(after="on_track")
    assert (change.before, change.as_of) == ("behind", date(2023, 1, 1))


def test_under_64_hours_lapses_from_the_day_after_the_window(exchanged, learn, run):
    learn(exchanged, {2021: FULL, 2022: (20, 0)})
    run(date(2022, 12, 31))
    assert refreshed(exchanged).status == "valid"  # the window's last day is still inside it
    run(date(2023, 1, 1))
    lapsed = refreshed(exchanged)
    assert (lapsed.status, lapsed.status_since) == ("lapsed", date(2023, 1, 1))
    assert lapsed.status_reason == "2021–2022 周期学时不足 64"
    change = DutyChange.objects.get(after="lapsed")
    assert (change.before, change.reason, change.window_hours) == (
        "on_track",
        "2021–2022 周期学时不足 64",
        52,
    )
    entry = AuditEntry.objects.filter(action="duty.evaluate").order_by("-seq").first()
    assert (entry.data["lapsed"], entry.data["changes"], entry.data["run"]) == (1, 1, change.run)
    assert audit_verify() == []
    DutyChange.objects.filter(pk=change.pk).update(reason="学时已满")  # someone edits the record
    assert audit_verify() == [f"#{entry.seq} the duty changes of run {change.run} were altered"]
    standing = explain(certificate=lapsed, as_of=date(2023, 1, 1))
    assert standing.lines == [
        "2021–2022 周期只完成 52/64 学时",
        "证书自 2023-01-01 起失效，需重新参加职业培训取证",
    ]


def test_hours_dated_on_the_windows_last_day_still_count(exchanged, learn, run):
    learn(exchanged, {2021: FULL, 2022: ([(20, date(2022, 3, 1))], [(12, date(2022, 12, 31))])})
    run(date(2023, 1, 1))
    assert refreshed(exchanged).status == "valid"
    assert Duty.objects.get(pk=exchanged.pk).window_starts == date(2023, 1, 1)


def test_hours_dated_the_next_day_count_for_the_next_window_only(exchanged, learn, run):
    learn(exchanged, {2021: FULL, 2022: (20, 0), 2023: ([(12, date(2023, 1, 1))], 0)})
    run(date(2023, 1, 2))
    assert refreshed(exchanged).status == "lapsed"


def test_no_roster_entry_in_the_post_during_the_window_lapses_it(exchanged, learn, run, personas):
    learn(exchanged, {2021: FULL, 2022: FULL})
    RosterEntry.objects.filter(person=exchanged.holder).update(ended_on=date(2020, 12, 31))
    standing = explain(certificate=exchanged, as_of=date(2022, 6, 1))
    assert standing.lines[-1] == "本周期尚无本岗位的在岗记录：周期结束时仍无记录，证书将失效"
    run(date(2023, 1, 1))
    lapsed = refreshed(exchanged)
    assert lapsed.status == "lapsed" and lapsed.status_reason == "2021–2022 周期内无本岗位在岗记录"


def test_a_roster_entry_overlapping_part_of_the_window_is_enough(exchanged, learn, run):
    learn(exchanged, {2021: FULL, 2022: FULL})
    RosterEntry.objects.filter(person=exchanged.holder).update(ended_on=date(2021, 3, 1))
    run(date(2023, 1, 1))
    assert refreshed(exchanged).status == "valid"


def test_a_disputed_roster_entry_or_another_post_does_not_count(exchanged, learn, run, personas):
    learn(exchanged, {2021: FULL, 2022: FULL})
    entry = personas.entry
    entry.status = RosterEntry.Status.DISPUTED
    entry.save()
    RosterEntry.objects.create(
        employer=entry.employer,
        person=entry.person,
        post_id=personas.other_entry.post_id,
        started_on=date(2021, 1, 1),
    )
    run(date(2023, 1, 1))
    assert refreshed(exchanged).status == "lapsed"


def test_a_lapse_shows_on_verification_from_the_day_it_takes_effect(exchanged, learn, run):
    learn(exchanged, {2021: FULL})
    run(date(2023, 1, 1))
    assert verify_number(exchanged.number, today=date(2022, 12, 31)).outcome == "valid"
    result = verify_number(exchanged.number, today=date(2023, 1, 1))
    assert result.outcome == "lapsed" and result.message == "该证书已于 2023-01-01 失效，持证人需重新取证"


def test_a_lapse_stays_even_when_late_hours_arrive_for_the_failed_window(exchanged, learn, run):
    learn(exchanged, {2021: FULL, 2022: (20, 0)})
    run(date(2023, 1, 1))
    learn(exchanged, {2022: (0, [(12, date(2022, 12, 20))])})
    run(date(2023, 2, 1))
    assert refreshed(exchanged).status == "lapsed"


def test_the_run_is_idempotent_and_audits_only_changes(exchanged, learn, run):
    learn(exchanged, {2021: (10, 0)})
    first = run(date(2022, 1, 1))
    entries = AuditEntry.objects.count()
    again = run(date(2022, 1, 1))
    assert (first.evaluated, first.changed) == (1, 1) and (again.evaluated, again.changed) == (1, 0)
    assert AuditEntry.objects.count() == entries + 1  # the run's own summary entry only
    assert AuditEntry.objects.order_by("-seq").first().action == "duty.evaluate"


def test_a_run_that_catches_up_after_years_lapses_at_the_first_failed_window(exchanged, learn, run):
    learn(exchanged, {2021: (10, 0), 2023: FULL, 2024: FULL})
    run(date(2025, 6, 1))
    lapsed = refreshed(exchanged)
    assert lapsed.status_since == date(2023, 1, 1)


def test_windows_counted_from_the_issue_date_where_the_policy_says_so(exchanged, learn, run, policy):
    policy(window_start="issue_date")
    learn(
        exchanged,
        {2021: ([(22, date(2021, 3, 1))], [(10, date(2021, 6, 1))]), 2022: ([(22, date(2022, 9, 1))], 0)},
    )
    # Counted from the day after issue: the exchange's own hours (dated 2020-09-01) do not count twice.
    standing = explain(certificate=exchanged, as_of=date(2022, 9, 1))
    assert standing.window.label == "2020-09-02 至 2022-09-01"
    assert standing.window_hours == Decimal(54) and standing.year.period.starts == date(2021, 9, 2)
    run(date(2022, 9, 1))
    assert refreshed(exchanged).status == "valid"
    run(date(2022, 9, 2))
    lapsed = refreshed(exchanged)
    assert (lapsed.status, lapsed.status_since) == ("lapsed", date(2022, 9, 2))


def test_certificates_recording_different_windows_are_each_checked_from_their_own(
    exchanged, learn, run, request
):
    learn(exchanged, {2021: FULL, 2022: FULL})
    run(date(2022, 6, 1))  # 王芳 records 2021–2022; 张伟's certificate has no record yet
    colleague = request.getfixturevalue("colleague")
    learn(colleague, {2021: FULL, 2022: (10, 0)})
    result = run(date(2023, 1, 1))
    assert (result.evaluated, result.lapsed) == (2, 1)
    assert refreshed(exchanged).status == "valid" and refreshed(colleague).status == "lapsed"
    assert Duty.objects.get(pk=exchanged.pk).window_starts == date(2023, 1, 1)


def test_the_api_explains_the_duty_as_of_a_day(exchanged, learn, personas, run):
    from django.test import Client

    from sitecert.people.services import api_token_create

    learn(exchanged, {2021: (12, 10)})
    _t, secret = api_token_create(user=personas.holder, name="app")
    auth = {"Authorization": f"Bearer {secret}"}
    body = Client().get(f"/api/v1/certificates/{exchanged.number}/duty?as_of=2022-01-01", headers=auth).json()
    assert (body["state"], body["risk"], body["window"]["label"], body["window_short"]) == (
        "behind",
        "high",
        "2021–2022",
        "42",
    )
    assert body["lines"][2] == "2021 年只完成 22/32 学时（专业岗位知识 12/22），学时落后"
    run(date(2023, 1, 1))
    lapsed = Client().get(f"/api/v1/certificates/{exchanged.number}/duty", headers=auth).json()
    assert (lapsed["state"], lapsed["lapse_on"]) == ("lapsed", "2023-01-01")
    detail = Client().get(f"/api/v1/certificates/{exchanged.number}", headers=auth).json()
    assert (detail["status"], detail["status_since"]) == ("lapsed", "2023-01-01")


def test_the_command_reports_in_json_and_a_second_run_changes_nothing(exchanged, learn):
    import json
    from io import StringIO

    from django.core.management import call_command

    learn(exchanged, {2021: FULL})

    def evaluate(command: str) -> dict:
        out = StringIO()
        call_command(command, as_of=date(2023, 1, 1), stdout=out)
        return json.loads(out.getvalue().splitlines()[-1])

    first, again = evaluate("evaluate_duty"), evaluate("evaluate_compliance")  # the former name still works
    assert (first["evaluated"], first["changed"], first["lapsed"]) == (1, 1, 1)
    assert (again["evaluated"], again["changed"], again["lapsed"]) == (0, 0, 0)
    assert first["states"] == {"lapsed": 1}
