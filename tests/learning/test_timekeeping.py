"""Honest class hours: a driven clock, and every cheat a script would try."""

from datetime import timedelta

import pytest

from sitecert.errors import DomainError
from sitecert.learning.models import HourEntry, LearningSession
from sitecert.learning.services import course_approve
from sitecert.learning.timekeeping import session_beat, session_open, session_resume
from tests.learning.conftest import T0, enrol
from tests.personas import course

pytestmark = pytest.mark.django_db


class Learner:
    """A page: opens a unit, sends numbered heartbeats at the times the test says."""

    def __init__(self, enrolment, unit_order=1, device="phone", at=T0):
        self.user = enrolment.user
        unit = enrolment.course.units.get(order=unit_order)
        self.session = session_open(enrolment=enrolment, unit=unit, device=device, now=at)
        self.seq = 0

    def beat(self, at, visible=True, seq=None):
        if seq is None:
            self.seq += 1
            seq = self.seq
        return session_beat(token=self.session.token, user=self.user, seq=seq, visible=visible, now=at)


def seconds(n):
    return T0 + timedelta(seconds=n)


def test_time_between_accepted_heartbeats_is_credited_up_to_the_units_length(enrolment):
    page = Learner(enrolment)
    results = [page.beat(seconds(30 * i)) for i in range(1, 6)]
    assert [r.credited for r in results] == [30, 30, 30, 30, 0]
    assert results[3].unit_complete and results[4].unit_seconds == 120


def test_completing_every_unit_earns_the_course_hours_for_that_certificate_only(enrolment, personas):
    page = Learner(enrolment)
    for i in range(1, 5):
        page.beat(seconds(30 * i))
    assert not HourEntry.objects.exists()
    video = Learner(enrolment, unit_order=2, at=seconds(200))
    video.beat(seconds(230))
    video.beat(seconds(260))
    entry = HourEntry.objects.get()
    assert (entry.record.legacy.certificate_no, entry.hours, entry.category, entry.source) == (
        "TJ2015000101",
        2,
        "professional",
        "online",
    )
    enrolment.refresh_from_db()
    assert enrolment.completed_at == seconds(260)


def test_a_heartbeat_flood_earns_no_more_than_real_time(enrolment):
    page = Learner(enrolment)
    flood = [page.beat(seconds(1 + i * 0.45), seq=1) for i in range(40)]  # 40 beats in 19 seconds
    assert not any(r.accepted for r in flood) and {r.reason for r in flood} == {"too_frequent"}
    total = sum(page.beat(seconds(20 * i)).credited for i in range(1, 4))
    assert total == 60  # exactly the 60 real seconds


def test_a_hidden_beat_stops_the_clock_at_once_and_a_flood_of_them_earns_nothing(enrolment):
    """A page hidden (or a video paused) just after a beat must stop the clock then, not 20 seconds later."""
    page = Learner(enrolment)
    assert page.beat(seconds(30)).credited == 30
    hidden = page.beat(seconds(31), visible=False)
    assert (hidden.accepted, hidden.credited, hidden.state, hidden.reason) == (True, 0, "paused", "hidden")
    assert [page.beat(seconds(32 + i), visible=False).credited for i in range(5)] == [0] * 5
    assert page.beat(seconds(90)).credited == 0  # still paused until the learner comes back


def test_replayed_and_reordered_heartbeats_are_refused(enrolment):
    page = Learner(enrolment)
    assert page.beat(seconds(30)).accepted
    replay = page.beat(seconds(60), seq=1)
    skipped = page.beat(seconds(60), seq=3)
    assert (replay.accepted, replay.reason, skipped.accepted, skipped.reason) == (
        False,
        "sequence",
        False,
        "sequence",
    )
    assert page.beat(seconds(60), seq=2).credited == 30


def test_a_long_silence_earns_nothing_and_a_fast_forward_claim_is_ignored(enrolment):
    page = Learner(enrolment)
    away = page.beat(seconds(3600))  # the page says an hour went by; the server saw no heartbeat
    assert away.accepted and away.credited == 0 and away.reason == "gap"
    assert page.beat(seconds(3630)).credited == 30
    progress = page.session.progress
    progress.refresh_from_db()
    assert progress.position <= progress.credited_seconds


def test_a_hidden_page_pauses_until_the_learner_returns(enrolment):
    page = Learner(enrolment)
    page.beat(seconds(30))
    hidden = page.beat(seconds(60), visible=False)
    assert hidden.credited == 0 and hidden.state == "paused" and hidden.reason == "hidden"
    assert page.beat(seconds(90)).credited == 0  # still paused: the page must say it is back
    session_resume(token=page.session.token, user=page.user, now=seconds(600))
    assert page.beat(seconds(630)).credited == 30


@pytest.mark.parametrize("device", ["phone", "laptop"])
def test_a_second_tab_or_device_pauses_the_first(enrolment, device):
    first = Learner(enrolment, device="phone")
    first.beat(seconds(30))
    second = Learner(enrolment, device=device, at=seconds(40))
    paused = first.beat(seconds(60))
    assert paused.credited == 0 and paused.state == "paused"
    with pytest.raises(DomainError) as refused:
        session_resume(token=first.session.token, user=first.user, now=seconds(61))
    assert refused.value.code == "other_session"
    assert second.beat(seconds(70)).credited == 30
    assert LearningSession.objects.filter(state="active").count() == 1


def test_coming_back_to_a_hidden_tab_pauses_the_learners_other_session(enrolment):
    """One session earns at a time, also when a tab left hidden comes back while another device learns."""
    first = Learner(enrolment)
    assert first.beat(seconds(30), visible=False).state == "paused"
    second = Learner(enrolment, unit_order=2, device="tablet", at=seconds(40))
    session_resume(token=first.session.token, user=first.user, now=seconds(50))
    assert second.beat(seconds(70)).reason == "other_session"
    assert first.beat(seconds(80)).credited == 30
    assert LearningSession.objects.filter(state="active").get() == first.session


def test_presence_is_confirmed_at_intervals(enrolment, settings):
    settings.LEARNING_RULES = {**settings.LEARNING_RULES, "PRESENCE_EVERY": 60}
    page = Learner(enrolment)
    page.beat(seconds(30))
    asked = page.beat(seconds(60))
    assert asked.credited == 30 and asked.state == "presence"
    assert page.beat(seconds(90)).credited == 0
    session_resume(token=page.session.token, user=page.user, now=seconds(300))
    assert page.beat(seconds(330)).credited == 30


def test_the_daily_cap_holds_across_units_and_resets_the_next_day(enrolment, policy):
    policy(daily_cap_minutes=1)
    page = Learner(enrolment)
    assert [page.beat(seconds(25 * i)).credited for i in (1, 2, 3, 4)] == [25, 25, 10, 0]
    next_day = Learner(enrolment, at=T0 + timedelta(days=1))
    assert next_day.beat(T0 + timedelta(days=1, seconds=30)).credited == 30


def test_the_daily_cap_counts_the_beats_own_day_when_a_later_day_has_credit(enrolment, policy):
    """A replayed clock (the demo's DEMO_TODAY) may learn on a day before one already credited."""
    policy(daily_cap_minutes=1)
    later = Learner(enrolment, unit_order=2, at=T0 + timedelta(days=1))
    assert later.beat(T0 + timedelta(days=1, seconds=30)).credited == 30
    page = Learner(enrolment)  # the first unit is 120 s long: only the cap stops it
    assert [page.beat(seconds(25 * i)).credited for i in (1, 2, 3)] == [25, 25, 10]


def test_another_persons_session_cannot_be_driven(enrolment, personas):
    page = Learner(enrolment)
    with pytest.raises(DomainError):
        session_beat(
            token=page.session.token, user=personas.other_holder, seq=1, visible=True, now=seconds(30)
        )


def test_enrolment_is_for_ones_own_certificate_and_a_fitting_post(personas, approved):
    other_cert = personas.other_holder.person.legacy_certificates.get()
    with pytest.raises(DomainError) as not_mine:
        enrol(personas.holder, other_cert, approved)
    assert not_mine.value.code == "forbidden"
    records = personas.holder.person.legacy_certificates.get(certificate_no="TJ2016000102")
    with pytest.raises(DomainError) as wrong_post:
        enrol(personas.holder, records, approved)
    assert wrong_post.value.code == "wrong_post"


def test_a_course_is_not_open_before_approval(personas):
    draft = course(
        personas.institution_admin.organisation, "TJ-GEN-9", "法律法规", hours=4, category="general", units=()
    )
    cert = personas.holder.person.legacy_certificates.first()
    with pytest.raises(DomainError):
        enrol(personas.holder, cert, draft)
    with pytest.raises(DomainError) as no_units:
        course_approve(course=draft, by=personas.inspector)
    assert no_units.value.code == "no_units"
