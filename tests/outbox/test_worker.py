"""The task queue with a real worker (a `celery worker` process, Redis as the broker, the test database):
messages leave after the commit, and a worker killed in the middle of a delivery loses nothing and sends
nothing twice. Needs the Redis that `make test` starts for its PostgreSQL run (scripts/with-redis)."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from sitecert.outbox.models import Message
from sitecert.outbox.services import message_put
from sitecert.outbox.tasks import sweep
from tests.registry.test_command import database_url

ROOT = Path(__file__).resolve().parents[2]
CELERY = [str(Path(sys.executable).with_name("celery"))]
needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs the Redis that `make test` starts (scripts/with-redis)"
)


@contextmanager
def worker(gateway: Path, delay: float = 0):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PYTHONPATH": str(ROOT),
        "SMS_BACKEND": "tests.outbox.gateway.FileGateway",
        "SMS_GATEWAY_FILE": str(gateway),
        "SMS_GATEWAY_DELAY": str(delay),
        "CELERY_VISIBILITY_TIMEOUT": "2",  # a killed worker's task comes back within seconds
    }
    args = ["-A", "sitecert", "worker", "--pool=solo", "--without-mingle", "--without-gossip", "-l", "info"]
    proc = subprocess.Popen([*CELERY, *args], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:  # the worker says when it listens
            if " ready." in line:
                break
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


def put(key: str) -> Message:
    with transaction.atomic():
        message_put(channel="sms", to="13602200001", body=f"验证码 {key[-6:]}", key=key, now=timezone.now())
    return Message.objects.get(key=key)


def lines(gateway: Path) -> list[list[str]]:
    return [line.split("\t") for line in gateway.read_text().splitlines()] if gateway.exists() else []


def wait_for(predicate, seconds: float = 40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_a_message_after_the_commit(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    gateway = tmp_path / "sms.txt"
    with worker(gateway):
        message = put("code:test:000001")
        assert wait_for(lambda: Message.objects.get(pk=message.pk).sent_at is not None)
    assert lines(gateway) == [["sent", "code:test:000001", "13602200001", "验证码 000001"]]


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    gateway = tmp_path / "sms.txt"
    with worker(gateway, delay=4) as first:
        message = put("code:test:000002")
        time.sleep(1.5)  # the worker has the task and waits on the slow gateway
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    assert not lines(gateway) and Message.objects.get(pk=message.pk).sent_at is None
    with worker(gateway):
        assert wait_for(lambda: Message.objects.get(pk=message.pk).sent_at is not None)
    assert [row[:2] for row in lines(gateway)] == [["sent", "code:test:000002"]]
    # The killed try's transaction never committed: one try on record, the one that worked.
    assert Message.objects.get(pk=message.pk).attempts == 1


@pytest.mark.django_db
def test_the_sweep_sends_what_a_lost_task_left_pending(settings, sms):
    settings.OUTBOX_SWEEP_AFTER = 60
    old = timezone.now() - timedelta(minutes=5)
    Message.objects.create(
        channel="sms", to="13602200001", body="验证码 123456", key="code:lost:1", created_at=old
    )
    Message.objects.create(
        channel="sms", to="13602200001", body="验证码 654321", key="code:new:1", created_at=timezone.now()
    )
    assert sweep() == 1  # only the stale one: the fresh one's task is still on its way
    assert sms == [("13602200001", "验证码 123456")]
    assert Message.objects.get(key="code:lost:1").sent_at is not None
