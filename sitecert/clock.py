"""The one place the outermost layer (views, API, commands) reads the time; services take it as an argument.
Tests that drive a live server set the time here instead of sleeping."""

from datetime import date, datetime

from django.utils import timezone

_fixed: datetime | None = None


def now() -> datetime:
    return _fixed or timezone.now()


def set_now(moment: datetime | None) -> None:
    """Tests only: freeze the clock at `moment` (None: back to the real time)."""
    global _fixed
    _fixed = moment


def today() -> date:
    """The local date of now()."""
    return timezone.localdate(now())
