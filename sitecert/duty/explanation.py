"""Where a certificate stands in its yearly duty, explained in the holder's terms: the figures and decision of
statement.py (run for these certificates, or as the nightly run recorded them), read, never decided again."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from sitecert.certificates.models import ECertificate
from sitecert.duty.models import Duty
from sitecert.duty.periods import Period
from sitecert.duty.statement import DECIDED, RECORDED, Cohort, cohorts, reason_text, statement
from sitecert.learning.models import hours_text
from sitecert.policies.models import Policy
from sitecert.policies.selectors import rules_by_version

State = Duty.State
TENTH = Decimal("0.1")


def hours(value) -> Decimal:
    """Hours as the statement gives them (SQLite: a float of whole tenths), to tenths of an hour."""
    return Decimal(str(value or 0)).quantize(TENTH)


def day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


SOON = timedelta(days=180)  # a shortfall this close to its deadline puts the certificate at risk


@dataclass
class YearFigures:
    period: Period
    hours: Decimal
    professional: Decimal
    behind: bool = False  # a finished year under the yearly minimums (decided by the statement)


@dataclass
class Standing:
    number: str
    policy: Policy
    as_of: date
    state: str
    window: Period  # in progress; for a lapsed certificate the window it failed
    window_hours: Decimal
    window_short: Decimal  # hours the window still needs (for a lapsed certificate: lacked)
    in_post: bool
    years: list[YearFigures] = field(default_factory=list)  # the window's years so far, the current last
    year_short: Decimal = Decimal(0)  # hours the year in progress still needs (total or professional)
    lapse_on: date | None = None

    @classmethod
    def recorded(cls, number: str, policy: Policy, as_of: date, *, values: dict, lapse_on) -> "Standing":
        """From a Duty row's values (RECORDED names), as stored or as just decided in SQL."""
        calendar = policy.window_start == Policy.WindowStart.CALENDAR
        year = YearFigures(
            Period(day(values["year_starts"]), day(values["year_ends"]), calendar),
            hours(values["year_hours"]),
            hours(values["year_professional"]),
        )
        return cls(
            number,
            policy,
            as_of,
            values["state"],
            Period(day(values["window_starts"]), day(values["window_ends"]), calendar),
            hours(values["window_hours"]),
            hours(values["window_short"]),
            bool(values["in_post"]),
            [year],
            hours(values["year_short"]),
            day(lapse_on) if lapse_on else None,
        )

    @property
    def lapse_reasons(self) -> tuple[str, ...]:
        """Why a lapsed certificate lapsed: "hours", "post" or both."""
        if self.state != State.LAPSED:
            return ()
        return ("hours",) * (self.window_short > 0) + ("post",) * (not self.in_post)

    @property
    def state_label(self) -> str:
        return str(State(self.state).label)

    @property
    def year(self) -> YearFigures:
        return self.years[-1]

    @property
    def risk(self) -> str:
        """lapsed; high (behind, or short or out of post with the deadline near); medium (short); none."""
        if self.state == State.LAPSED:
            return "lapsed"
        near = self.window.ends - self.as_of <= SOON
        if self.state == State.BEHIND or (near and (self.window_short or not self.in_post)):
            return "high"
        return "medium" if self.window_short or self.year_short or not self.in_post else "none"

    @property
    def reason(self) -> str:
        """Why a lapsed certificate lapsed, in one line (its status reason)."""
        return reason_text(
            self.window, self.policy, hours="hours" in self.lapse_reasons, post="post" in self.lapse_reasons
        )

    @property
    def lines(self) -> list[str]:
        """The explanation, line by line."""
        if self.state == State.LAPSED:
            return self._lapsed_lines()
        if self.state == State.NOT_STARTED:
            return [self._rules_line()]
        return [self._window_line(), self._year_line(), *self._behind_lines(), self._post_line()]

    def _rules_line(self) -> str:
        rules = self.policy
        return _(
            "继续教育自 %(day)s 起计算：每年至少 %(y)d 学时（专业岗位知识至少 %(p)d 学时），"
            "每 %(n)d 年周期至少 %(w)d 学时"
        ) % {
            "day": self.window.starts,
            "y": rules.yearly_hours,
            "p": rules.yearly_professional_hours,
            "n": rules.window_years,
            "w": rules.window_hours,
        }

    def _window_line(self) -> str:
        figures = {
            "window": self.window.label,
            "done": hours_text(self.window_hours),
            "need": self.policy.window_hours,
            "short": hours_text(self.window_short),
            "end": self.window.ends,
        }
        if self.window_short:
            return (
                _("%(window)s 周期已完成 %(done)s/%(need)d 学时，还需 %(short)s 学时，截止 %(end)s") % figures
            )
        return _("%(window)s 周期已完成 %(done)s/%(need)d 学时") % figures

    def _year_line(self) -> str:
        year = self.year
        return _(
            "%(year)s已完成 %(done)s/%(need)d 学时，其中专业岗位知识 %(p)s/%(pn)d 学时，截止 %(end)s"
        ) % {
            "year": year.period.label,
            "done": hours_text(year.hours),
            "need": self.policy.yearly_hours,
            "p": hours_text(year.professional),
            "pn": self.policy.yearly_professional_hours,
            "end": year.period.ends,
        }

    def _behind_lines(self) -> list[str]:
        rules = self.policy
        return [
            _("%(year)s只完成 %(done)s/%(need)d 学时（专业岗位知识 %(p)s/%(pn)d），学时落后")
            % {
                "year": y.period.label,
                "done": hours_text(y.hours),
                "need": rules.yearly_hours,
                "p": hours_text(y.professional),
                "pn": rules.yearly_professional_hours,
            }
            for y in self.years[:-1]
            if y.behind
        ]

    def _post_line(self) -> str:
        if self.in_post:
            return _("本周期有本岗位的在岗记录")
        return _("本周期尚无本岗位的在岗记录：周期结束时仍无记录，证书将失效")

    def _lapsed_lines(self) -> list[str]:
        again = _("需重新参加职业培训取证")
        lines = []
        if "hours" in self.lapse_reasons:
            lines.append(
                _("%(window)s 周期只完成 %(done)s/%(need)d 学时")
                % {
                    "window": self.window.label,
                    "done": hours_text(self.window_hours),
                    "need": self.policy.window_hours,
                }
            )
        if "post" in self.lapse_reasons:
            lines.append(_("%(window)s 周期内没有本岗位的在岗记录") % {"window": self.window.label})
        lines.append(_("证书自 %(day)s 起失效，%(again)s") % {"day": self.lapse_on, "again": again})
        return lines


def explain_many(*, certificates: Iterable[ECertificate], as_of: date) -> dict[int, Standing]:
    """Each e-certificate's standing on `as_of`: valid ones decided by the statement (one per cohort),
    lapsed ones as recorded. Revoked certificates have no duty and are left out."""
    certificates = list(certificates)
    valid = [c.pk for c in certificates if c.status == ECertificate.Status.VALID]
    results: dict[int, Standing] = {}
    for cohort in cohorts(as_of=as_of, certificates=ECertificate.objects.filter(pk__in=valid)):
        marks = ", ".join(["%s"] * len(valid))
        text, params = statement(cohort, f"e.id IN ({marks})", valid)
        with connection.cursor() as cursor:
            cursor.execute(text, params)
            for row in cursor.fetchall():
                results[row[0]] = standing_from(cohort, row)
    results.update(_lapsed([c for c in certificates if c.status == ECertificate.Status.LAPSED], as_of))
    return results


def explain(*, certificate: ECertificate, as_of: date) -> Standing | None:
    return explain_many(certificates=[certificate], as_of=as_of).get(certificate.pk)


def _lapsed(certificates: list[ECertificate], as_of: date) -> dict[int, Standing]:
    """Lapsed certificates as the run that lapsed them recorded (a lapse is never undone)."""
    rules = rules_by_version()
    duties = {d.pk: d for d in Duty.objects.filter(pk__in=[c.pk for c in certificates])}
    results = {}
    for cert in certificates:
        duty = duties.get(cert.pk)
        if duty is None:  # lapsed by hand: nothing to explain beyond the status
            continue
        policy = rules[cert.policy_id][0]
        results[cert.pk] = Standing.recorded(
            cert.number,
            policy,
            as_of,
            values={f: getattr(duty, f) for f in RECORDED},
            lapse_on=cert.status_since,
        )
    return results


def standing_from(cohort: Cohort, row: tuple) -> Standing:
    """A statement row: id, number, the DECIDED columns, then (hours, professional, behind) per current year."""
    _id, number, *decided = row
    values = dict(zip(DECIDED, decided, strict=False))
    standing = Standing.recorded(
        number, cohort.policy, cohort.as_of, values=values, lapse_on=values["lapse_on"]
    )
    years = decided[len(DECIDED) :]
    if standing.state != State.LAPSED and years:
        standing.years = [
            YearFigures(cohort.year(j), hours(years[3 * i]), hours(years[3 * i + 1]), bool(years[3 * i + 2]))
            for i, j in enumerate(cohort.current_years)
        ]
    return standing
