"""Reminders before a year or a window ends while hours are short (`sitecert send-reminders`): to the holder
by SMS and e-mail, and a digest to the administrators of each employer whose roster lists them.

Each (certificate, period, deadline, point) is recorded once, before anything is sent, under a unique
constraint; a run sends only the reminders it recorded itself, so a second or a racing run sends nothing
again. Messages leave through the outbox (recorded in the same transaction, retried by the worker)."""

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from sitecert.certificates.models import ECertificate
from sitecert.duty.models import Duty, Reminder
from sitecert.learning.models import hours_text
from sitecert.outbox.models import Message
from sitecert.outbox.services import Channel, Letter, messages_put
from sitecert.people.models import RosterEntry, User
from sitecert.registry.models import Post

log = logging.getLogger(__name__)


def point_reached(days_left: int, points: list[int]) -> int | None:
    """The most urgent reminder point reached `days_left` days before a deadline (points: days before)."""
    reached = [p for p in points if 0 <= days_left <= p]
    return min(reached) if reached else None


def due(*, as_of: date, points: list[int]) -> list[Reminder]:
    """Unsaved reminders for every point reached on `as_of` by a valid certificate short of hours or out of
    post, as the last evaluation recorded it in the Duty rows (hours still needed included)."""
    horizon = as_of + timedelta(days=max(points))
    rows = (
        Duty.objects.filter(
            certificate__status=ECertificate.Status.VALID,
            state__in=[Duty.State.ON_TRACK, Duty.State.BEHIND],
        )
        .filter(Q(year_ends__range=(as_of, horizon)) | Q(window_ends__range=(as_of, horizon)))
        .values_list("certificate_id", "window_ends", "window_short", "in_post", "year_ends", "year_short")
    )
    found = []
    for cert, w_ends, w_short, in_post, y_ends, y_short in rows:
        for period, ends, short, missing in (
            (Reminder.Period.WINDOW, w_ends, w_short, w_short > 0 or not in_post),
            (Reminder.Period.YEAR, y_ends, y_short, y_short > 0),
        ):
            point = point_reached((ends - as_of).days, points)
            if point is not None and missing:
                found.append(
                    Reminder(
                        certificate_id=cert,
                        period=period,
                        period_ends=ends,
                        days_before=point,
                        hours_short=short,
                        sent_on=as_of,
                    )
                )
    return found


@dataclass
class SendResult:
    recorded: int = 0
    holders: int = 0
    employers: int = 0
    undelivered: int = 0  # messages of the run not delivered when it ended (queued, or failed and retrying)
    by_point: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def send_reminders(*, as_of: date, now: datetime, points: list[int] | None = None) -> SendResult:
    """Record the reminders due on `as_of` that no run recorded before and, in the same transaction, put their
    messages (in Chinese) in the outbox: a run that dies half-way records and sends nothing, and a reminder
    recorded is sent after the commit, retried until delivered or a dead letter."""
    points = points or settings.REMINDER_DAYS
    run = uuid.uuid4().hex
    reminders = due(as_of=as_of, points=points)
    for reminder in reminders:
        reminder.run = run
    with transaction.atomic():
        Reminder.objects.bulk_create(reminders, batch_size=2000, ignore_conflicts=True)
        mine = list(
            Reminder.objects.filter(run=run).select_related("certificate__post", "certificate__holder")
        )
        result = SendResult(recorded=len(mine))
        for reminder in mine:
            result.by_point[reminder.days_before] += 1
        with translation.override("zh-hans"):
            letters = [*_to_holders(mine, result, run), *_to_employers(mine, as_of, result, run)]
        messages_put(letters, now=now, at_once=True)
    result.undelivered = Message.objects.filter(
        key__startswith=f"reminder:{run}:", sent_at__isnull=True
    ).count()
    return result


def _line(reminder: Reminder) -> str:
    figures = {"h": hours_text(reminder.hours_short), "day": reminder.period_ends}
    if reminder.period == Reminder.Period.YEAR:
        return _("本年度还需 %(h)s 学时（截止 %(day)s）") % figures
    if reminder.hours_short:
        return _("本周期还需 %(h)s 学时（截止 %(day)s）") % figures
    return _("本周期尚无本岗位在岗记录（截止 %(day)s）") % figures


def _by_certificate(reminders: list[Reminder]) -> dict[ECertificate, list[Reminder]]:
    """Each certificate's reminders, the year's before the window's."""
    grouped = defaultdict(list)
    for reminder in sorted(reminders, key=lambda r: r.period != Reminder.Period.YEAR):
        grouped[reminder.certificate].append(reminder)
    return grouped


def _to_holders(reminders: list[Reminder], result: SendResult, run: str) -> Iterator[Letter]:
    grouped = _by_certificate(reminders)
    accounts = {
        u.person_id: u for u in User.objects.filter(person__in={c.holder_id for c in grouped}, is_active=True)
    }
    for cert, items in grouped.items():
        user = accounts.get(cert.holder_id)
        if user is None:
            continue
        post = Post.label(cert.post.name, cert.post.specialty)
        text = _(
            "【施工现场专业人员证书服务】您的%(post)s证书 %(no)s：%(lines)s。请及时参加继续教育，逾期证书将失效。"
        ) % {
            "post": post,
            "no": cert.number,
            "lines": "；".join(_line(r) for r in items),
        }
        mine = _letters(
            user, _("继续教育提醒：%(no)s") % {"no": cert.number}, text, f"reminder:{run}:{cert.pk}"
        )
        result.holders += bool(mine)
        yield from mine


def _to_employers(reminders: list[Reminder], as_of: date, result: SendResult, run: str) -> Iterator[Letter]:
    """One digest per employer administrator: their listed staff who were reminded today."""
    grouped = _by_certificate(reminders)
    wanted = {(c.holder_id, c.post_id): c for c in grouped}
    # Only staff whose entry is open to the employer: a digest must not tell more than its staff list.
    entries = RosterEntry.objects.open_on(as_of).filter(person_id__in={k[0] for k in wanted})
    staff: dict[int, set[ECertificate]] = defaultdict(set)
    for employer_id, person_id, post_id in entries.values_list("employer_id", "person_id", "post_id"):
        if (person_id, post_id) in wanted:
            staff[employer_id].add(wanted[(person_id, post_id)])
    admins = User.objects.filter(organisation_id__in=staff, is_org_admin=True, is_active=True)
    for admin in admins:
        certs = sorted(staff[admin.organisation_id or 0], key=lambda c: c.number)
        lines = [f"{c.holder.name} {c.number}：" + "；".join(_line(r) for r in grouped[c]) for c in certs]
        text = _(
            "【施工现场专业人员证书服务】贵单位有 %(n)d 名在岗人员继续教育学时不足，请登录单位门户查看：%(url)s/org/duty/"
        ) % {"n": len(certs), "url": settings.PUBLIC_URL}
        mine = _letters(
            admin,
            _("在岗人员继续教育提醒"),
            text,
            f"reminder:{run}:employer:{admin.pk}",
            "\n".join([text, *lines]),
        )
        result.employers += bool(mine)
        yield from mine


def _letters(user: User, subject: str, text: str, key: str, body: str | None = None) -> list[Letter]:
    """An SMS to a confirmed mobile and an e-mail to an address on file, each keyed once."""
    letters = []
    if user.mobile and user.mobile_confirmed_at:
        letters.append(Letter(Channel.SMS, str(user.mobile), text, f"{key}:sms"))
    if user.email:
        letters.append(Letter(Channel.EMAIL, user.email, body or text, f"{key}:email", subject))
    return letters
