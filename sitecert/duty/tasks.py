"""The worker's duty jobs: the nightly evaluation and the morning's reminders (both idempotent)."""

from dataclasses import asdict

from celery import shared_task

from sitecert import clock
from sitecert.duty.nightly import evaluate
from sitecert.duty.reminders import send_reminders


@shared_task(name="sitecert.duty.evaluate_nightly")
def evaluate_nightly() -> dict:
    result = evaluate(as_of=clock.today(), now=clock.now())
    return {"evaluated": result.evaluated, "changed": result.changed, "lapsed": result.lapsed}


@shared_task(name="sitecert.duty.reminders_daily")
def reminders_daily() -> dict:
    today, now = clock.today(), clock.now()
    evaluate(as_of=today, now=now)  # reminders read the figures as of today
    result = send_reminders(as_of=today, now=now)
    return {k: v for k, v in asdict(result).items() if k != "by_point"}
