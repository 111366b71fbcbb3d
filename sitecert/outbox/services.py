"""The outbox: SMS and e-mail leave through here, at least once and once per key.

`message_put` writes a message in the caller's transaction; after the commit the Celery worker delivers it
(`outbox.tasks.deliver`), so a rolled-back decision sends nothing and a slow gateway never holds a request.
Delivery locks the message's row, sends, and marks it sent in one transaction: a worker killed before the
commit leaves it unsent and it is delivered again (the broker re-queues an unacknowledged task, the sweep
finds anything older that is still pending). The one case that can reach the gateway twice — killed after
the gateway accepted, before the commit — carries the same key both times: gateways that take a client
message id (as every commercial SMS API does) drop the second; docs/deployment.md says how to pass it.
Without a broker (development, tests) the worker's part runs at once, in the caller's transaction."""

import logging
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

from sitecert.outbox.models import Message

log = logging.getLogger(__name__)
Channel = Message.Channel
DELIVER = "sitecert.outbox.deliver"


@dataclass(frozen=True)
class Letter:
    """A message to put: where, what, and the key that makes it once."""

    channel: str
    to: str
    body: str
    key: str
    subject: str = ""


def messages_put(letters: Iterable[Letter], *, now: datetime, at_once: bool = False) -> int:
    """Write the letters not written before (by key); the worker delivers them after the commit. Without a
    worker they are delivered after the commit too, or, `at_once`, right away (a code the person is waiting
    for; a reminder run): as the request did before there was a queue. Returns how many are new."""
    letters = list(letters)
    if not letters:
        return 0
    keys = [letter.key for letter in letters]
    known = set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
    new = [
        Message(channel=x.channel, to=x.to, subject=x.subject, body=x.body, key=x.key, created_at=now)
        for x in letters
        if x.key not in known
    ]
    Message.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)  # a racing writer's row stands
    ids = list(
        Message.objects.filter(key__in=[m.key for m in new], sent_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not settings.CELERY_TASK_ALWAYS_EAGER:  # by name: the task is a face of the worker (outbox/tasks.py)
        tasks_after_commit(DELIVER, ids)
    elif at_once:
        _deliver_each(ids, now)
    else:
        transaction.on_commit(lambda: _deliver_each(ids, now))
    return len(new)


def tasks_after_commit(task: str, ids: list[int]) -> None:
    """Queue the task (by name) once per id when the transaction commits. A broker that cannot take them
    (Redis restarting) must not turn a committed request into an error: what they would do waits in the
    database (the sweep resends pending messages; a PDF is rendered at its first reading)."""

    def send() -> None:
        try:
            for pk in ids:
                current_app.send_task(task, args=[pk])
        except (OperationalError, OSError) as error:
            log.warning("broker unreachable, %s left for the sweep: %s", task, error)

    transaction.on_commit(send)


def message_put(
    *, channel: str, to: str, body: str, key: str, now: datetime, subject: str = "", at_once: bool = False
) -> int:
    return messages_put([Letter(channel, to, body, key, subject)], now=now, at_once=at_once)


def _deliver_each(ids: list[int], now: datetime) -> None:
    for pk in ids:
        with suppress(Undelivered):  # recorded on the message and logged; the sweep tries it again
            message_deliver(message_id=pk, now=now)


class Undelivered(Exception):
    """The gateway refused or failed; the worker retries with back-off."""


def message_deliver(*, message_id: int, now: datetime) -> str:
    """Send one message unless it was sent or given up: "sent", "done" (nothing to do) or "dead". A failure
    is recorded and raised (Undelivered) while tries remain."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.sent_at or message.dead_at:
            return "done"
        message.attempts += 1
        try:
            _send(message)
        except Exception as exc:  # any gateway failure: recorded, retried, or dead after the last try
            message.last_error = f"{type(exc).__name__}: {exc}"[:500]
            dead = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
            message.dead_at = now if dead else None
            message.save(update_fields=["attempts", "last_error", "dead_at"])
            _log_failure(message, exc, dead)
            if dead:
                return "dead"
            failure = Undelivered(message.last_error)
        else:
            message.sent_at = now
            message.save(update_fields=["attempts", "sent_at"])
            return "sent"
    raise failure  # after the commit, so the attempt is on record


def _log_failure(message: Message, exc: Exception, dead: bool) -> None:
    """What operators alert on (docs/deployment.md, "What to monitor"): a failed try is a warning, a dead
    letter an error, with the message's purpose (its key's first part: a code, an issuance notice, a reminder)
    and the error's kind, never the number, text or key."""
    log.log(
        logging.ERROR if dead else logging.WARNING,
        "%s %s (%s) %s after try %d: %s",
        message.channel,
        message.pk,
        message.key.split(":", 1)[0],
        "given up" if dead else "not delivered",
        message.attempts,
        type(exc).__name__,
    )


def _send(message: Message) -> None:
    if message.channel == Channel.SMS:
        import_string(settings.SMS_BACKEND)().send(message.to, message.body, key=message.key)
    else:
        send_mail(message.subject, message.body, None, [message.to])


def messages_stale(*, now: datetime, older_than: timedelta) -> list[int]:
    """Messages neither sent nor given up since before `now - older_than`: what the sweep sends again."""
    pending = Message.objects.filter(
        sent_at__isnull=True, dead_at__isnull=True, created_at__lt=now - older_than
    )
    return list(pending.order_by("created_at").values_list("pk", flat=True)[:5000])
