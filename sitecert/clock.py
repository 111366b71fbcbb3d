"""The one place the outermost layer (views, API, commands) reads the time; services take it as an argument.
Tests that drive a live server set the time here instead of sleeping; the demo may live on another day
(settings.DEMO_TODAY, DEBUG only) to replay the 2020 round."""

from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

_fixed: datetime | None = None


def now() -> datetime:
    if _fixed is not None:
        return _fixed
    real = real_now()
    if settings.DEBUG and settings.DEMO_TODAY:
        day = settings.DEMO_TODAY
        return real.replace(year=day.year, month=day.month, day=day.day)
    return real


def real_now() -> datetime:
    """The wall clock, for what a replayed day must not change: the demo data is seeded as of today. In the
    region's time (TIME_ZONE: sitecert activates no other; looking up the active one was a twentieth of a
    heartbeat's Python)."""
    return timezone.now().astimezone(timezone.get_default_timezone())


def set_now(moment: datetime | None) -> None:
    """Tests only: freeze the clock at `moment` (None: back to the real time)."""
    global _fixed
    _fixed = moment


def today() -> date:
    """The local date of now()."""
    return timezone.localdate(now(), timezone.get_default_timezone())
