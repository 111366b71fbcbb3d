"""The worker's side of the outbox: deliver one message (retried with exponential back-off, acknowledged only
when done, so a killed worker's message is delivered again), and a sweep for anything left pending."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from sitecert import clock
from sitecert.outbox.services import DELIVER, Undelivered, message_deliver, messages_stale


@shared_task(
    name=DELIVER,
    # a gateway's failure, or the database away for a moment (a restart): tried again in seconds, not left
    # for the sweep (minutes); the message's row lock and the gateway's key keep it sent once
    autoretry_for=(Undelivered, OperationalError, InterfaceError),
    retry_backoff=10,  # 10 s, 20 s, 40 s, … (with jitter)
    retry_backoff_max=600,
    max_retries=None,  # the outbox counts the tries (OUTBOX_MAX_ATTEMPTS) and marks the dead letter
)
def deliver(message_id: int) -> str:
    return message_deliver(message_id=message_id, now=clock.now())


@shared_task(name="sitecert.outbox.sweep")
def sweep() -> int:
    """Re-queue what is still pending after OUTBOX_SWEEP_AFTER seconds (a lost task, a broker restart)."""
    stale = messages_stale(now=clock.now(), older_than=timedelta(seconds=settings.OUTBOX_SWEEP_AFTER))
    for pk in stale:
        deliver.delay(pk)
    return len(stale)
