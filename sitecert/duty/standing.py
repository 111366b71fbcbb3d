"""Where one certificate stands in its yearly duty, decided from its figures (DOMAIN.md, "Yearly duty") and
explained in the holder's terms. The same decision serves one certificate's page and a region's nightly run."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from sitecert.certificates.eligibility import hours_text
from sitecert.certificates.models import Policy
from sitecert.duty.figures import Cohort, Row
from sitecert.duty.models import Duty
from sitecert.duty.periods import Period

State = Duty.State
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
    lapse_reasons: tuple[str, ...] = ()  # "hours", "post"

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

    def duty_values(self) -> tuple:
        """What the Duty row records, in figures.Row.recorded's order."""
        year = self.year
        return (
            self.state,
            self.window.starts,
            self.window.ends,
            self.window_hours,
            self.in_post,
            year.period.starts,
            year.period.ends,
            year.hours,
            year.professional,
        )

    @property
    def reason(self) -> str:
        """Why a lapsed certificate lapsed, in one line (its status reason)."""
        texts = {
            "hours": _("%(window)s 周期学时不足 %(need)d")
            % {"window": self.window.label, "need": self.policy.window_hours},
            "post": _("%(window)s 周期内无本岗位在岗记录") % {"window": self.window.label},
        }
        return "；".join(texts[r] for r in self.lapse_reasons)

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


def decide(cohort: Cohort, row: Row) -> Standing:
    """The first closed window that fell short lapses the certificate from the next day; otherwise the window
    in progress is explained, "behind" when a finished year of it missed the yearly minimum."""
    rules = cohort.policy
    for index, done in enumerate(row.closed):
        reasons = ("hours",) * (done < rules.window_hours) + ("post",) * (not row.in_post[index])
        if reasons:
            window = cohort.window(index)
            last = cohort.year((index + 1) * rules.window_years - 1)
            return Standing(
                row.number,
                rules,
                cohort.as_of,
                State.LAPSED,
                window,
                done,
                "post" not in reasons,
                [YearFigures(last, Decimal(0), Decimal(0))],
                window.ends + timedelta(days=1),
                reasons,
            )
    window = cohort.window(cohort.window_now)
    if cohort.year_now < 0:
        years = [YearFigures(cohort.year(0), Decimal(0), Decimal(0))]
        return Standing(
            row.number, rules, cohort.as_of, State.NOT_STARTED, window, Decimal(0), row.in_post[-1], years
        )
    years = [
        YearFigures(cohort.year(y), t, p) for y, (t, p) in zip(cohort.current_years, row.years, strict=True)
    ]
    behind = any(
        y.hours < rules.yearly_hours or y.professional < rules.yearly_professional_hours for y in years[:-1]
    )
    return Standing(
        row.number,
        rules,
        cohort.as_of,
        State.BEHIND if behind else State.ON_TRACK,
        window,
        sum((y.hours for y in years), Decimal(0)),
        row.in_post[-1],
        years,
    )
