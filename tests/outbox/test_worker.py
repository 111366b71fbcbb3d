"""The task queue with a real worker (a `celery worker` process, Redis as the broker, the test database):
messages leave after the commit, a worker killed in the middle of a delivery loses nothing and sends nothing
twice, and a worker outlives its broker going away. Needs the Redis that `make test` starts for its
PostgreSQL run (scripts/with-redis)."""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from sitecert.celery import app
from sitecert.outbox.models import Message
from sitecert.outbox.services import message_put
from sitecert.outbox.tasks import deliver, sweep
from tests.registry.test_command import database_url

ROOT = Path(__file__).resolve().parents[2]
CELERY = [str(Path(sys.executable).with_name("celery"))]
needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs the Redis that `make test` starts (scripts/with-redis)"
)


@contextmanager
def worker(gateway: Path, delay: float = 0, broker: str = ""):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "PYTHONPATH": str(ROOT),
        "SMS_BACKEND": "tests.outbox.gateway.FileGateway",
        "SMS_GATEWAY_FILE": str(gateway),
        "SMS_GATEWAY_DELAY": str(delay),
        "CELERY_VISIBILITY_TIMEOUT": "2",  # a killed worker's task comes back within seconds
        **({"CELERY_BROKER_URL": broker} if broker else {}),
    }
    args = ["-A", "sitecert", "worker", "--pool=solo", "--without-mingle", "--without-gossip", "-l", "info"]
    proc = subprocess.Popen([*CELERY, *args], env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:  # the worker says when it listens
            if " ready." in line:
                break
        proc.said = []  # type: ignore[attr-defined]  # the rest of its log, read so that it never blocks
        threading.Thread(target=_listen, args=(proc,), daemon=True).start()
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


def _listen(proc) -> None:
    for line in proc.stderr:
        proc.said.append(line)


class Broker:
    """A Redis of the test's own, to kill and start again: append-only like production's (deploy/), so the
    tasks it had handed out but not seen acknowledged are still there when it comes back."""

    def __init__(self, folder: Path):
        self.folder, self.socket, self.proc = folder, folder / "broker.sock", None
        self.url = f"redis+socket://{self.socket}"

    def start(self) -> None:
        args = ["--port", "0", "--unixsocket", str(self.socket), "--dir", str(self.folder), "--save", ""]
        args += ["--appendonly", "yes", "--appendfsync", "always"]
        self.proc = subprocess.Popen(["redis-server", *args], stdout=subprocess.DEVNULL)
        assert wait_for(self.socket.exists, 10)

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.socket.unlink(missing_ok=True)

    def send(self, message: Message, countdown: float = 0) -> None:
        with app.connection_for_write(self.url) as connection:
            deliver.apply_async((message.pk,), countdown=countdown, connection=connection)


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


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_outlives_its_broker_going_away(settings, tmp_path):
    """Redis killed while the worker holds a task not yet acknowledged (its time not yet come): the worker
    waits for the broker and goes on (Celery 5.7.0's worker exited here, see pyproject.toml); the held task
    comes back from the broker and is sent once, and so is one put after the broker's return."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    gateway, broker = tmp_path / "sms.txt", Broker(tmp_path)
    held, later = (
        Message.objects.create(
            channel="sms",
            to=f"1360220000{n}",
            body=f"验证码 00000{n}",
            key=f"code:test:00000{n}",
            created_at=timezone.now(),
        )
        for n in (3, 4)
    )
    broker.start()
    try:
        with worker(gateway, broker=broker.url) as proc:
            broker.send(held, countdown=4)
            assert wait_for(lambda: any("received" in line for line in proc.said))
            broker.kill()
            retrying = lambda: any("Cannot connect" in line for line in proc.said)  # noqa: E731
            wait_for(lambda: proc.poll() is not None or retrying(), 20)
            assert proc.poll() is None and retrying(), "".join(
                line for line in proc.said if "/MainProc" in line
            )
            broker.start()
            broker.send(later)
            assert wait_for(lambda: Message.objects.filter(sent_at__isnull=False).count() == 2, 60)
            assert proc.poll() is None
    finally:
        broker.kill()
    assert sorted(row[:2] for row in lines(gateway)) == [["sent", held.key], ["sent", later.key]]


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
