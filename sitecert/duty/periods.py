"""The years and windows of the yearly duty (docs/rules.md, "Yearly duty"): counted from 1 January of the year
after issue, or from the issue date where the policy says so (from the day after it: 2020-09-01's first
year is 2020-09-02 to 2021-09-01). Pure date arithmetic, no database."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from sitecert.policies.models import Policy


@dataclass(frozen=True)
class Period:
    starts: date
    ends: date
    calendar: bool  # whole calendar years: labelled "2025" / "2025–2026"

    def __contains__(self, day: date) -> bool:
        return self.starts <= day <= self.ends

    @property
    def label(self) -> str:
        if not self.calendar:
            return _("%(start)s 至 %(end)s") % {"start": self.starts, "end": self.ends}
        if self.starts.year == self.ends.year:
            return _("%(year)d 年") % {"year": self.starts.year}
        return f"{self.starts.year}–{self.ends.year}"


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _calendar(policy: Policy) -> bool:
    return policy.window_start == Policy.WindowStart.CALENDAR


def first_day(policy: Policy, issued_on: date) -> date:
    """The day after issue counted from, so that hours the exchange was earned with never count twice."""
    return date(issued_on.year + 1, 1, 1) if _calendar(policy) else issued_on + timedelta(days=1)


def year(policy: Policy, issued_on: date, index: int) -> Period:
    start = first_day(policy, issued_on)
    return Period(
        add_years(start, index),
        add_years(start, index + 1) - timedelta(days=1),
        _calendar(policy),
    )


def window(policy: Policy, issued_on: date, index: int) -> Period:
    years = policy.window_years
    return Period(
        year(policy, issued_on, index * years).starts,
        year(policy, issued_on, index * years + years - 1).ends,
        _calendar(policy),
    )


def year_index(policy: Policy, issued_on: date, day: date) -> int:
    """Which duty year `day` falls in: 0 for the first, -1 before the duty starts."""
    start = first_day(policy, issued_on)
    if day < start:
        return -1
    index = day.year - start.year
    return index - 1 if day < add_years(start, index) else index
