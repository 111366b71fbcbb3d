"""The yearly duty of one e-certificate, for the holder's apps and the employers' systems."""

from datetime import date

from django.http import Http404
from ninja import Router, Schema

from sitecert import clock
from sitecert.api.common import AUTH, ErrorOut
from sitecert.duty.explanation import explain
from sitecert.learning.models import hours_text
from sitecert.portals.access import ecertificate_for

router = Router(tags=["duty 年度继续教育义务"], auth=AUTH)


class PeriodOut(Schema):
    label: str
    starts: date
    ends: date
    hours: str
    professional: str | None = None


class DutyOut(Schema):
    number: str
    as_of: date
    state: str
    risk: str
    window: PeriodOut
    window_needed: int
    window_short: str
    year: PeriodOut
    in_post: bool
    lapse_on: date | None
    lines: list[str]


@router.get(
    "/certificates/{number}/duty",
    response={200: DutyOut, 404: ErrorOut},
    summary="电子证书的年度继续教育义务 / An e-certificate's yearly duty, explained",
)
def certificate_duty(request, number: str, as_of: date | None = None):
    """As of a day (default today): the window and year in progress with their hours, what is still
    needed and by when, whether the roster lists the holder in the post; for a lapsed certificate why."""
    ecert = ecertificate_for(request.user, number)
    day = as_of or clock.today()
    standing = explain(certificate=ecert, as_of=day)
    if standing is None:  # cancelled: no duty
        raise Http404
    year = standing.year
    return {
        "number": ecert.number,
        "as_of": day,
        "state": standing.state,
        "risk": standing.risk,
        "window": {
            "label": standing.window.label,
            "starts": standing.window.starts,
            "ends": standing.window.ends,
            "hours": hours_text(standing.window_hours),
        },
        "window_needed": standing.policy.window_hours,
        "window_short": hours_text(standing.window_short),
        "year": {
            "label": year.period.label,
            "starts": year.period.starts,
            "ends": year.period.ends,
            "hours": hours_text(year.hours),
            "professional": hours_text(year.professional),
        },
        "in_post": standing.in_post,
        "lapse_on": standing.lapse_on,
        "lines": standing.lines,
    }
