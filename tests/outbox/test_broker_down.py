"""The rush bench stopped Redis for 30 s: issuance and registration committed, then failed their request when
the task could not be queued. A committed request answers; what the task would do waits in the database."""

import pytest
from celery import Celery
from django.utils import timezone

from sitecert.outbox import services
from sitecert.outbox.models import Message
from sitecert.outbox.services import message_put


@pytest.mark.django_db
def test_a_broker_down_after_the_commit_fails_nothing_and_leaves_the_message_for_the_sweep(
    settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production: a worker delivers
    # Nothing listens on this socket: what the app sees of a stopped Redis broker (an app of its own, so the
    # project's app keeps its connections for the worker tests; no publish retries, to be quick).
    broker_down = Celery("broker-down", broker=f"redis+socket://{tmp_path}/redis.sock", set_as_current=False)
    broker_down.conf.task_publish_retry = False
    monkeypatch.setattr(services, "current_app", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message_put(channel="sms", to="13602200001", body="验证码 482913", key="code:1", now=timezone.now())
    assert len(callbacks) == 1  # the queueing ran, met the dead broker, and raised nothing
    message = Message.objects.get(key="code:1")
    assert message.sent_at is None and message.dead_at is None and message.attempts == 0
