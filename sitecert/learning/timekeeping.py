"""Honest class hours: time is credited on the server, from heartbeats of the one open unit.

The rules (documented on every course page):
- credit is the server's own time between two accepted heartbeats, never what the page claims;
- a heartbeat comes every `HEARTBEAT` seconds; one sooner than `MIN_GAP` after the last is refused (floods),
  one out of sequence is refused (replays, reordering), a gap longer than `MAX_GAP` earns nothing (away);
- a hidden page earns nothing and pauses the session until the learner comes back;
- every `PRESENCE_EVERY` credited seconds the learner confirms presence, and nothing is earned until then;
- one person learns on one device (and one tab) at a time: opening or resuming a unit pauses every other session;
- credit never exceeds the unit's length, nor the daily cap of the policy in force (`daily_cap_minutes`).
"""

import secrets
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import router, transaction
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from sitecert import sqlkit
from sitecert.errors import DomainError
from sitecert.learning import echo
from sitecert.learning.hooks import progress_send
from sitecert.learning.models import DailyCredit, Enrolment, HourEntry, LearningSession, Unit, UnitProgress
from sitecert.people.guards import password_mark, still_signed_in, token_still_live
from sitecert.people.services import TOKEN_USE_MARKED_EVERY
from sitecert.policies.selectors import policy_in_force
from sitecert.sqlkit import Compiled

State = LearningSession.State


def rule(name: str) -> int:
    """A number of the heartbeat protocol (seconds), a setting; the daily cap is policy (daily_cap)."""
    return settings.LEARNING_RULES[name]


def daily_cap(on: date) -> int:
    """Seconds a person may be credited on one day, from the policy in force."""
    return policy_in_force(on=on).daily_cap_minutes * 60


def rules_in_words(*, on: date) -> dict[str, int]:
    """The numbers the course page states, in the units people read."""
    return {
        "heartbeat": rule("HEARTBEAT"),
        "max_gap": rule("MAX_GAP"),
        "presence_minutes": rule("PRESENCE_EVERY") // 60,
        "daily_hours": round(daily_cap(on) / 3600, 1),
    }


@dataclass
class Beat:
    accepted: bool
    credited: int
    state: str
    reason: str
    unit_seconds: int
    unit_required: int
    echo: str = ""  # what the page or API client sends back with its next beat (echo.py); "" where none

    @property
    def unit_complete(self) -> bool:
        return self.unit_seconds >= self.unit_required


def session_open(*, enrolment: Enrolment, unit: Unit, device: str, now: datetime) -> LearningSession:
    """Open a unit on a device; every other session of the learner pauses (one device, one tab)."""
    if unit.course_id != enrolment.course_id:
        raise DomainError(_("该单元不属于此课程"), code="unit_course", status=404)
    with transaction.atomic():
        _pause_others(enrolment.user)
        progress, _created = UnitProgress.objects.get_or_create(enrolment=enrolment, unit=unit)
        return LearningSession.objects.create(
            user=enrolment.user,
            progress=progress,
            device=device[:64],
            token=secrets.token_urlsafe(24),
            opened_at=now,
            last_beat_at=now,
        )


def _pause_others(user, keep: int | None = None) -> None:
    """One device, one tab: the learner's other live sessions pause. So a person has one session that earns at
    a time, which the heartbeat's unlocked read of the day's credit relies on."""
    live = LearningSession.objects.filter(user=user, state__in=[State.ACTIVE, State.AWAITING_PRESENCE])
    live.exclude(pk=keep).update(state=State.PAUSED, paused_reason="other_session")


def _no_session() -> DomainError:
    return DomainError(_("学习会话不存在，请重新打开课程"), code="no_session", status=404)


def _locked(token: str, user) -> LearningSession:
    session = (
        LearningSession.objects.select_for_update(of=("self",))  # not the unit, which every learner shares
        .select_related("progress__unit", "progress__enrolment__record")
        .defer("progress__unit__body", "progress__unit__video_url")  # a unit's text is not read on every beat
        .filter(token=token, user=user)
        .first()
    )
    if session is None:
        raise _no_session()
    return session


@dataclass
class _Live:
    """A heartbeat's session with what the rules read of its unit, progress, person and the person's day."""

    id: int
    user_id: int
    state: str
    paused_reason: str
    last_seq: int
    last_beat_at: datetime
    credited_since_presence: int
    progress_id: int
    credited_seconds: int
    position: int
    completed_at: datetime | None
    enrolment_id: int
    required_seconds: int
    person_id: int
    day_seconds: int | None  # credited to the person on the beat's day


def _live(token: str, day: str, key: str, lock: bool, owner: bool) -> QuerySet:
    # the day and the key as the text they are given: a compiled query's values pass through untouched (sqlkit)
    on_day = DailyCredit.objects.filter(
        person_id=OuterRef("progress__enrolment__record__person_id"), day=Value(day, CharField())
    )
    sessions = LearningSession.objects.filter(token=token)
    if lock:
        sessions = sessions.select_for_update(of=("self",))  # not the unit every learner shares
    sessions = sessions.annotate(day_seconds=Subquery(on_day.values("seconds")[:1]))
    if not owner:
        return sessions.values_list(*_LIVE_COLUMNS)
    web = Session.objects.filter(session_key=Value(key, CharField()))
    sessions = sessions.annotate(
        web_data=Subquery(web.values("session_data")[:1]), web_expiry=Subquery(web.values("expire_date")[:1])
    )
    return sessions.values_list(*_LIVE_COLUMNS, *sqlkit.columns(get_user_model(), via="user"), *_WEB_COLUMNS)


_LIVE_COLUMNS = (
    "id",
    "user_id",
    "state",
    "paused_reason",
    "last_seq",
    "last_beat_at",
    "credited_since_presence",
    "progress_id",
    "progress__credited_seconds",
    "progress__position",
    "progress__completed_at",
    "progress__enrolment_id",
    "progress__unit__required_seconds",
    "progress__enrolment__record__person_id",
    "day_seconds",
)

_WEB_COLUMNS = ("web_data", "web_expiry")

# The heartbeat is the rush's hot path: its read is compiled once (sqlkit) and it writes in one guarded
# statement (the ORM in a locking transaction took ten round trips). For a signed-in page the read carries the
# session's owner and the page's web session, on which the page is checked (api/hotpath.py): two round trips
# less per beat (the user's row, the web session from the cache).
_READS = {
    (lock, owner): Compiled(
        lambda token, day, key="", lock=lock, owner=owner: _live(token, day, key, lock, owner)
    )
    for lock in (False, True)
    for owner in (False, True)
}


@dataclass(frozen=True)
class SignedIn:
    """A signed-in page's beat: the key of its web session, and `owns(owner, web)`, whether that web session is
    signed in as the learning session's owner, checked on the owner's row and the web session's own
    (`session_data`, `expire_date`; None where there is none) as the beat's read returned them."""

    key: str
    owns: Callable[[object, tuple | None], bool]

    def holds(self, alias: str, user_id: int, mark: str) -> tuple[str, list]:
        """What an echoed beat's write must find still true: the web session signed in as the owner."""
        return still_signed_in(alias, key=self.key, user_id=user_id, mark=mark)

    def fresh(self, mark: str, now: datetime) -> bool:
        """A page's echo holds for its day (the write checks the rest)."""
        return True


@dataclass(frozen=True)
class Bearer:
    """An API client's beat: the digest of its token (what its echo is bound to) and `who`, the token it
    authenticates (an ApiToken) or None, asked only where the beat is decided on the database's word. Its
    echo's mark is the token's last use: an echo older than TOKEN_USE_MARKED_EVERY is not believed, so that
    a beat through the token's authentication marks its use as often as any other request would."""

    key: str
    who: Callable[[], object | None]

    @cached_property
    def token(self):
        return self.who()

    @property
    def user(self):
        return self.token.user if self.token is not None else None

    def holds(self, alias: str, user_id: int, mark: str) -> tuple[str, list]:
        """What an echoed beat's write must find still true: the token the owner's, live, its user active."""
        return token_still_live(alias, digest=self.key, user_id=user_id)

    def fresh(self, mark: str, now: datetime) -> bool:
        return bool(mark) and now - datetime.fromisoformat(mark) <= TOKEN_USE_MARKED_EVERY


_GUARDED = ("last_seq", "state", "last_beat_at")  # what a concurrent beat, device or resume would change


def session_beat(*, token: str, user, seq: int, visible: bool, now: datetime, echo: str = "") -> Beat:
    """One heartbeat of the session of `user`: a user, or a signed-in page (`SignedIn`, its web session checked
    on the owner's row and its own as read with the learning session, neither read again).
    Refused beats change nothing; accepted ones advance the sequence and may earn time.
    Read without a lock and written only if the session is still as read (compare and set); if it changed in
    between (a concurrent beat, another device, a resume), decided again under a lock on what is there now.
    The asker's `echo` of its last answer (a page's or an API client's, `Bearer`), where it still holds,
    spares the read (`_echoed`)."""
    return (
        (echo and isinstance(user, SignedIn | Bearer) and _echoed(token, user, seq, visible, now, echo))
        or _beat(token, user, seq, visible, now, lock=False)
        or _beat(token, user, seq, visible, now, lock=True)
    )


def _beat(token: str, asker, seq: int, visible: bool, now: datetime, lock: bool) -> Beat | None:
    with transaction.atomic() if lock else nullcontext():
        day = _day(now).isoformat()
        web = isinstance(asker, SignedIn)
        found = _READS[lock, web].rows(token=token, day=day, **({"key": asker.key} if web else {}))
        session = _Live(*found[0][: len(_LIVE_COLUMNS)]) if found else None
        if session is None or not _owned(session, found[0], asker):
            raise _no_session()
        mark = password_mark(_password(found[0])) if web else _last_use(asker)
        sealed = echo.Sealed(token, day, asker.key, mark) if isinstance(asker, SignedIn | Bearer) else None
        return _decided(session, seq, visible, now, sealed=sealed)


def _echoed(token: str, asker, seq: int, visible: bool, now: datetime, text: str) -> Beat | None:
    """The beat decided on the session as the asker's echo of the last answer says it is, in one statement
    that writes only if the session is still so and the asker still who it was (`asker.holds`: the page's
    web session, or the client's token, still the owner's); None where the echo does not hold or the beat is
    not an ordinary one (refused, or completing the unit): the beat is then decided on the database's word."""
    day = _day(now).isoformat()
    opened = echo.opened(text, token=token, day=day, key=asker.key)
    if opened is None:
        return None
    values, sealed = opened
    if not asker.fresh(sealed.mark, now):
        return None
    try:
        session = _Live(*values)
    except TypeError:  # an echo of another shape (given before an upgrade)
        return None
    alias = router.db_for_write(LearningSession)
    holds = asker.holds(alias, session.user_id, sealed.mark)
    return _decided(session, seq, visible, now, sealed=sealed, holds=holds)


def _decided(session: "_Live", seq, visible, now, *, sealed=None, holds=None) -> Beat | None:
    """The rules on `session` and their write; None where the session changed meanwhile. With `holds` (the
    echoed path) also None for a refusal or a unit's last beat, which are decided on the database's word."""

    def result(accepted, credited, reason):
        return Beat(
            accepted,
            credited,
            session.state,
            reason,
            session.credited_seconds,
            session.required_seconds,
            echo.sealed(tuple(vars(session).values()), sealed) if accepted and sealed else "",
        )

    gap = (now - session.last_beat_at).total_seconds()
    if seq != session.last_seq + 1:
        return None if holds else result(False, 0, "sequence")
    if gap < rule("MIN_GAP") and visible:  # a hidden beat only stops the clock: never a flood to refuse
        return None if holds else result(False, 0, "too_frequent")
    was = {name: getattr(session, name) for name in _GUARDED}
    session.last_seq, session.last_beat_at = seq, now
    reason, earned = _earned(session, gap, visible)
    credited, writes, done = _credit(session, earned, now)
    if done and holds:
        return None
    if credited and session.credited_since_presence >= rule("PRESENCE_EVERY"):
        session.state, reason = State.AWAITING_PRESENCE, "presence"
    values = {name: getattr(session, name) for name in _SESSION_COLUMNS}
    with transaction.atomic() if done else nullcontext():  # the course's hours with the unit's last beat
        update = sqlkit.Update(LearningSession, session.id, **values)
        if not sqlkit.update_if(update, was, then=writes, holds=holds or ("", [])):
            return None
        if done:
            enrolment = Enrolment.objects.select_related("course", "record").get(pk=session.enrolment_id)
            _complete_course(enrolment, now)
    return result(True, credited, reason)


def _owned(session: _Live, row: tuple, asker) -> bool:
    """Whether the asker owns the session: a user, a token's, or a page signed in as the owner whose row was read
    with it."""
    if isinstance(asker, Bearer):
        return asker.user is not None and session.user_id == asker.user.pk
    if not isinstance(asker, SignedIn):
        return session.user_id == asker.pk
    owner, web = row[len(_LIVE_COLUMNS) : -len(_WEB_COLUMNS)], row[-len(_WEB_COLUMNS) :]
    return asker.owns(sqlkit.instance(get_user_model(), owner), web if web[0] is not None else None)


def _last_use(asker) -> str:
    """A token's last use, as its API client's echo carries it (Bearer.fresh); "" for a user asking."""
    used = getattr(getattr(asker, "token", None), "last_used_at", None)
    return used.isoformat() if used else ""


def _password(row: tuple) -> str:
    """The owner's password hash in a signed-in page's read."""
    names = [field.attname for field in get_user_model()._meta.concrete_fields]
    return row[len(_LIVE_COLUMNS) + names.index("password")]


_SESSION_COLUMNS = ("last_seq", "last_beat_at", "state", "paused_reason", "credited_since_presence")


def _earned(session: _Live, gap: float, visible: bool) -> tuple[str, int]:
    if session.state != State.ACTIVE:
        return session.paused_reason or session.state, 0
    if not visible:
        session.state, session.paused_reason = State.PAUSED, "hidden"
        return "hidden", 0
    if gap > rule("MAX_GAP"):
        return "gap", 0
    return "ok", int(gap)


def _day(now: datetime) -> date:
    """The region's date at `now`: TIME_ZONE's, as sitecert activates no other (looking the active zone up
    was a twentieth of a heartbeat's Python)."""
    return timezone.localdate(now, timezone.get_default_timezone())


def _credit(session: _Live, earned: int, now: datetime) -> tuple[int, list, bool]:
    """What a beat credits within the unit's length and the day's cap, the writes that record it, and whether
    it completes the unit. The day's seconds were read with the session: only the person's one active session
    credits them (opening or resuming a unit pauses the others, and its write is guarded by the session)."""
    day = _day(now)
    today = session.day_seconds or 0
    seconds = min(earned, session.required_seconds - session.credited_seconds, daily_cap(day) - today)
    if seconds <= 0:
        return 0, [], False
    session.credited_since_presence += seconds
    session.credited_seconds += seconds
    session.day_seconds = today + seconds
    session.position = max(session.position, session.credited_seconds)
    done = session.credited_seconds >= session.required_seconds and session.completed_at is None
    session.completed_at = now if done else session.completed_at
    progress = sqlkit.Update(
        UnitProgress,
        session.progress_id,
        credited_seconds=session.credited_seconds,
        position=session.position,
        completed_at=session.completed_at,
    )
    return (
        seconds,
        [sqlkit.Add(DailyCredit, {"person": session.person_id, "day": day}, "seconds", seconds), progress],
        done,
    )


def _complete_course(enrolment: Enrolment, now: datetime) -> None:
    """All units done: the course's class hours go to the certificate's record."""
    units = enrolment.course.units.count()
    done = enrolment.progress.filter(completed_at__isnull=False).count()
    if done < units or enrolment.completed_at:
        return
    enrolment.completed_at = now
    enrolment.save(update_fields=["completed_at"])
    course = enrolment.course
    HourEntry.objects.get_or_create(
        record=enrolment.record,
        course=course,
        completed_on=_day(now),
        defaults={
            "category": course.category,
            "hours": course.class_hours,
            "source": HourEntry.Source.ONLINE,
            "institution": course.institution,
        },
    )
    progress_send(records=[enrolment.record_id], on=_day(now), now=now)


def session_resume(*, token: str, user, now: datetime) -> LearningSession:
    """The learner is back (page visible again, presence confirmed): earning restarts from now, not before.
    A session paused by another device stays paused: the learner reopens the unit there instead."""
    with transaction.atomic():
        session = _locked(token, user)
        if session.state == State.PAUSED and session.paused_reason == "other_session":
            raise DomainError(_("已在其他设备或窗口继续学习"), code="other_session", status=409)
        if session.state == State.CLOSED:
            raise DomainError(_("学习会话已结束，请重新打开课程"), code="closed", status=409)
        _pause_others(user, keep=session.pk)
        session.state, session.paused_reason = State.ACTIVE, ""
        session.last_beat_at, session.credited_since_presence = now, 0
        session.save()
        return session
