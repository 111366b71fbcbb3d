"""The delivery task tries again by itself what may work in a moment (sitecert/outbox/tasks.py)."""

import pytest
from django.db import OperationalError
from django.utils import timezone

from sitecert.outbox import tasks
from sitecert.outbox.models import Message
from sitecert.outbox.services import message_deliver


@pytest.mark.django_db
def test_a_delivery_that_meets_the_database_away_is_tried_again_not_left_for_the_sweep(monkeypatch, sms):
    """The rush's PostgreSQL restart: a code's delivery task failed on the database and the code waited for the
    sweep (a minute there, five in production), so the person waiting for it gave up."""
    message = Message.objects.create(
        channel="sms", to="13602200001", body="验证码 246810", key="code:db:1", created_at=timezone.now()
    )
    tries = []

    def deliver_once_the_database_is_back(**kwargs):
        tries.append(kwargs["message_id"])
        if len(tries) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return message_deliver(**kwargs)

    monkeypatch.setattr(tasks, "message_deliver", deliver_once_the_database_is_back)
    assert tasks.deliver.apply((message.pk,)).get() == "sent"
    assert tries == [message.pk, message.pk] and sms == [("13602200001", "验证码 246810")]
