"""Sending SMS through a pluggable backend (settings.SMS_BACKEND), like Django's e-mail backends.

A real gateway is a class with `send(mobile, text, key)`, `key` being the message's idempotency key (pass it
as the gateway's client message id); docs/deployment.md shows how to plug one in. Messages leave through the
outbox (sitecert.outbox), after the commit. Codes (and the notices that stand in for them) go through
`code_send`, which refuses more than SMS_CODES_PER_HOUR / SMS_CODES_PER_DAY to one number and more than one a
minute, whatever the caller.
"""

import sys
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sitecert.outbox.services import Channel, message_put
from sitecert.people.models import SmsQuota
from sitecert.throttle import RateLimited

outbox: list[tuple[str, str]] = []  # what MemoryBackend sent, for tests to read
RESEND_SECONDS = 60


class ConsoleBackend:
    """Development: the message is printed where the server logs."""

    def send(self, mobile: str, text: str, key: str = "") -> None:
        print(f"[SMS → {mobile}] {text}", file=sys.stdout, flush=True)


class MemoryBackend:
    """Tests: the message is kept in `outbox`."""

    def send(self, mobile: str, text: str, key: str = "") -> None:
        outbox.append((mobile, text))


def sms_put(mobile: str, text: str, *, key: str, now: datetime) -> None:
    """A code's SMS, once per key (the outbox); without a worker, sent at once: the person is waiting."""
    message_put(channel=Channel.SMS, to=mobile, body=text, key=key, now=now, at_once=True)


def code_send(mobile: str, text: str, *, now: datetime) -> None:
    """Send a code (or a registration notice) unless this number had one within the minute, its hour's
    or its day's share; RateLimited says when to come back. Counted under a row lock, so concurrent
    requests cannot all slip under the limit."""
    day = timezone.localdate(now)
    with transaction.atomic():
        SmsQuota.objects.get_or_create(mobile=mobile, day=day)
        quota = SmsQuota.objects.select_for_update().get(mobile=mobile, day=day)
        if quota.last_sent_at and (now - quota.last_sent_at).total_seconds() < RESEND_SECONDS:
            wait = RESEND_SECONDS - int((now - quota.last_sent_at).total_seconds())
            raise RateLimited(wait, _("验证码已发送，请%(n)d秒后再获取") % {"n": wait})
        if quota.codes >= settings.SMS_CODES_PER_DAY:
            tomorrow = timezone.make_aware(datetime.combine(day + timedelta(days=1), datetime.min.time()))
            wait = int((tomorrow - now).total_seconds())
            raise RateLimited(wait, _("该手机号今日接收验证码次数已达上限，请明天再试"))
        if quota.hour_from is None or now - quota.hour_from >= timedelta(hours=1):
            quota.hour_from, quota.hour_codes = now, 0
        if quota.hour_codes >= settings.SMS_CODES_PER_HOUR:
            wait = int((quota.hour_from + timedelta(hours=1) - now).total_seconds())
            raise RateLimited(
                wait, _("该手机号接收验证码过于频繁，请%(n)d分钟后再试") % {"n": wait // 60 + 1}
            )
        quota.codes += 1
        quota.hour_codes += 1
        quota.last_sent_at = now
        quota.save()
    sms_put(mobile, text, key=f"code:{mobile}:{uuid.uuid4().hex}", now=now)
