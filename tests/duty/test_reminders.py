"""Reminders at configurable points before a year or a window ends while hours are short: to the holder
(SMS and e-mail) and the employer's administrators, each point once however often the scheduler runs."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from sitecert.duty.models import Reminder
from sitecert.duty.reminders import point_reached, send_reminders
from sitecert.outbox.models import Message
from sitecert.outbox.services import Undelivered, message_deliver
from tests.duty.conftest import at

pytestmark = pytest.mark.django_db
POINTS = [90, 30, 7]


@pytest.fixture
def short_2021(exchanged, learn, personas, settings, sms):
    """王芳 did 10 professional hours in 2021 and keeps an e-mail address; her employer's admin too."""
    settings.REMINDER_DAYS = POINTS
    learn(exchanged, {2021: (10, 0)})
    personas.holder.email = "wangfang@example.cn"
    personas.holder.save()
    personas.employer_admin.email = "hr@jnjg.example.cn"
    personas.employer_admin.save()
    return exchanged


def remind(as_of: date):
    out = StringIO()
    call_command("send_reminders", as_of=as_of, stdout=out)
    return json.loads(out.getvalue().splitlines()[-1])


@pytest.mark.parametrize(
    ("days_left", "expected"), [(91, None), (90, 90), (31, 90), (30, 30), (8, 30), (7, 7), (0, 7), (-1, None)]
)
def test_the_most_urgent_point_reached(days_left, expected):
    assert point_reached(days_left, POINTS) == expected


def test_the_schedule_is_sent_once_per_point(short_2021, personas, sms):
    assert remind(date(2021, 10, 1))["recorded"] == 0  # 91 days before 31 December
    first = remind(date(2021, 10, 2))
    assert first["by_point"] == {"90": 1} and (first["holders"], first["employers"]) == (1, 1)
    holder_sms = [text for mobile, text in sms if mobile == "13602200001"]
    assert holder_sms == [
        f"【施工现场专业人员证书服务】您的施工员（土建施工）证书 {short_2021.number}："
        "本年度还需 22 学时（截止 2021-12-31）。请及时参加继续教育，逾期证书将失效。"
    ]
    hr_sms = [text for mobile, text in sms if mobile == "13902200001"]
    assert hr_sms == [
        "【施工现场专业人员证书服务】贵单位有 1 名在岗人员继续教育学时不足，请登录单位门户查看：http://127.0.0.1:8000/org/duty/"
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["hr@jnjg.example.cn", "wangfang@example.cn"]
    digest = next(m for m in mail.outbox if m.to == ["hr@jnjg.example.cn"])
    assert f"王芳 {short_2021.number}：本年度还需 22 学时（截止 2021-12-31）" in digest.body
    # The same day again, and days later before the next point: nothing more.
    assert remind(date(2021, 10, 2))["recorded"] == 0
    assert remind(date(2021, 11, 30))["recorded"] == 0
    assert remind(date(2021, 12, 1))["by_point"] == {"30": 1}
    assert remind(date(2021, 12, 24))["by_point"] == {"7": 1}
    assert remind(date(2021, 12, 31))["recorded"] == 0
    assert len([m for m, _t in sms if m == "13602200001"]) == 3
    assert Reminder.objects.filter(certificate=short_2021).count() == 3


def test_a_missed_schedule_sends_only_the_point_reached(short_2021):
    assert remind(date(2021, 12, 26))["by_point"] == {"7": 1}
    assert list(Reminder.objects.values_list("days_before", flat=True)) == [7]


def test_nobody_is_reminded_once_the_hours_are_done(exchanged, learn, settings, sms):
    settings.REMINDER_DAYS = POINTS
    learn(exchanged, {2021: (22, 10)})
    assert remind(date(2021, 12, 1))["recorded"] == 0 and sms == []


def test_the_window_reminder_names_the_hours_the_window_still_needs(exchanged, learn, settings, sms):
    settings.REMINDER_DAYS = POINTS
    learn(exchanged, {2021: (22, 10), 2022: (22, 0)})
    result = remind(date(2022, 12, 1))
    assert result["by_point"] == {"30": 2}  # the year and the window both end on 31 December
    text = next(t for m, t in sms if m == "13602200001")
    assert "本年度还需 10 学时（截止 2022-12-31）；本周期还需 10 学时（截止 2022-12-31）" in text


def test_another_employers_admin_hears_nothing(short_2021, personas, sms):
    remind(date(2021, 10, 2))
    assert not [t for m, t in sms if m == "13902200002"]


def test_a_failing_gateway_is_recorded_retried_and_given_up_as_a_dead_letter(
    short_2021, settings, run, caplog
):
    caplog.set_level("INFO", logger="sitecert.outbox")
    settings.SMS_BACKEND = "tests.duty.test_reminders.BrokenGateway"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    run(date(2021, 10, 2))
    first = send_reminders(as_of=date(2021, 10, 2), now=at(date(2021, 10, 2)))
    assert (first.recorded, first.undelivered, first.holders, first.employers) == (1, 2, 1, 1)
    assert len(mail.outbox) == 2  # e-mail still went out
    assert send_reminders(as_of=date(2021, 10, 2), now=at(date(2021, 10, 2))).recorded == 0
    failing = Message.objects.filter(channel="sms", sent_at__isnull=True, key__startswith="reminder:")
    assert failing.count() == 2 and {m.attempts for m in failing} == {1}
    for m in failing:  # the worker's retries: the second try fails again, the third is the last
        with pytest.raises(Undelivered):
            message_deliver(message_id=m.pk, now=at(date(2021, 10, 2)))
        assert message_deliver(message_id=m.pk, now=at(date(2021, 10, 2))) == "dead"
    dead = Message.objects.filter(dead_at__isnull=False)
    assert dead.count() == 2 and all("gateway down" in m.last_error for m in dead)
    # What an operator alerts on: each failed try a warning, each dead letter an error, with the purpose and
    # the error's kind, and neither the number nor the text (docs/deployment.md, "What to monitor").
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "sitecert.outbox.services"]
    assert sorted(level for level, _ in said) == ["ERROR"] * 2 + ["WARNING"] * 4, said
    assert all("(reminder)" in text and "ConnectionError" in text for _, text in said)
    assert not any(m.to in text or m.body in text for m in dead for _, text in said)


class BrokenGateway:
    def send(self, mobile, text, key=""):
        raise ConnectionError("gateway down")


def test_holders_and_employer_admins_set_where_e_mail_reminders_go(personas):
    from django.test import Client

    holder = Client()
    holder.force_login(personas.holder)
    refused = holder.post("/accounts/email/", {"email": "wangfang@"})
    assert refused.status_code == 200 and "输入一个有效的 Email 地址。" in refused.content.decode()
    assert holder.post("/accounts/email/", {"email": "wangfang@example.cn"}).status_code == 302
    personas.holder.refresh_from_db()
    assert personas.holder.email == "wangfang@example.cn"
    assert holder.post("/accounts/email/", {"email": ""}).status_code == 302  # back to SMS only
    personas.holder.refresh_from_db()
    assert personas.holder.email == ""
    admin = Client()
    admin.force_login(personas.employer_admin)
    admin.post("/accounts/email/", {"email": "hr@jnjg.example.cn"})
    personas.employer_admin.refresh_from_db()
    assert personas.employer_admin.email == "hr@jnjg.example.cn"
    assert Client().get("/accounts/email/").status_code == 302  # anonymous: to the login page
