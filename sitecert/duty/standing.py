"""Where one certificate stands in its yearly duty, decided from its figures (DOMAIN.md, "Yearly duty") and
explained in the holder's terms. The same decision serves one certificate's page and a region's nightly run."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from sitecert.certificates.eligibility import hours_text
from sitecert.duty.figures import reason_text
from sitecert.duty.models import Duty
from sitecert.duty.periods import Period
from sitecert.policies.models import Policy

State = Duty.State
TENTH = Decimal("0.1")


def hours(value) -> Decimal:
    """SQLite sums decimals as floats: back to tenths of an hour."""
    return Decimal(str(value or 0)).quantize(TENTH)


def day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


SOON = timedelta(days=180)  # a shortfall this close to its deadline puts the certificate at risk


@dataclass
class YearFigures:
    period: Period
    hours: Decimal
    professional: Decimal


@dataclass
class Standing:
    number: str
    policy: Policy
    as_of: date
    state: str
    window: Period  # in progress; for a lapsed certificate the window it failed
    window_hours: Decimal
    in_post: bool
    years: list[YearFigures] = field(default_factory=list)  # the window's years so far, the current last
    lapse_on: date | None = None

    @classmethod
    def recorded(cls, number: str, policy: Policy, as_of: date, *, values, lapse_on) -> "Standing":
        """From a Duty row's values (RECORDED order), as stored or as just decided in SQL."""
        state, w_starts, w_ends, w_hours, in_post, y_starts, y_ends, y_hours, y_prof = values
        calendar = policy.window_start == Policy.WindowStart.CALENDAR
        year = YearFigures(Period(day(y_starts), day(y_ends), calendar), hours(y_hours), hours(y_prof))
        return cls(
            number,
            policy,
            as_of,
            state,
            Period(day(w_starts), day(w_ends), calendar),
            hours(w_hours),
            bool(in_post),
            [year],
            day(lapse_on) if lapse_on else None,
        )

    @property
    def lapse_reasons(self) -> tuple[str, ...]:
        """Why a lapsed certificate lapsed: "hours", "post" or both."""
        if self.state != State.LAPSED:
            return ()
        return ("hours",) * (self.window_hours < self.policy.window_hours) + ("post",) * (not self.in_post)

    @property
    def state_label(self) -> str:
        return str(State(self.state).label)

    @property
    def year(self) -> YearFigures:
        return self.years[-1]

    @property
    def window_short(self) -> Decimal:
        return max(Decimal(0), self.policy.window_hours - self.window_hours)

    @property
    def year_short(self) -> Decimal:
        """Hours the year in progress still needs (total, or professional if that needs more)."""
        year, rules = self.year, self.policy
        return max(
            Decimal(0), rules.yearly_hours - year.hours, rules.yearly_professional_hours - year.professional
        )

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
            if y.hours < rules.yearly_hours or y.professional < rules.yearly_professional_hours
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
