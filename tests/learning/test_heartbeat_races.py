"""Beats at once. A heartbeat reads without a lock and writes only if the session is still as it read it
(compare and set), deciding again under a lock when it is not: copies of a beat sent at once, as a page on a
bad network retries, are accepted once and credited once, on both engines, in real threads."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection

from sitecert.learning.models import DailyCredit, UnitProgress
from sitecert.learning.timekeeping import session_beat, session_open
from tests.learning.conftest import T0

pytestmark = pytest.mark.django_db(transaction=True)
COPIES = 4


def test_racing_copies_of_each_beat_are_accepted_once_and_credited_once(post_catalogue, enrolment):
    unit = enrolment.course.units.get(order=1)  # 120 s: four beats of 30 s fill it, two more earn nothing
    session = session_open(enrolment=enrolment, unit=unit, device="phone", now=T0)

    def send(seq: int):
        try:
            at = T0 + timedelta(seconds=30 * seq)
            return session_beat(token=session.token, user=enrolment.user, seq=seq, visible=True, now=at)
        finally:
            connection.close()  # each thread's own connection

    answers = []
    with ThreadPoolExecutor(COPIES) as pool:
        for seq in range(1, 7):
            answers.append(list(pool.map(send, [seq] * COPIES)))
    for copies in answers:
        assert sum(beat.accepted for beat in copies) == 1
        assert {beat.reason for beat in copies if not beat.accepted} <= {"sequence"}
    credited = [beat.credited for copies in answers for beat in copies if beat.accepted]
    assert credited == [30, 30, 30, 30, 0, 0]
    assert UnitProgress.objects.get(unit=unit).credited_seconds == DailyCredit.objects.get().seconds == 120
    session.refresh_from_db()
    assert session.last_seq == 6
