"""The yearly duty decided in SQL, for many certificates in one statement (DOMAIN.md, "Yearly duty").

Certificates whose duty years start on the same day share every period, so a statement covers one such
cohort (an issue year, or an issue date where the policy counts from it); the periods' bounds are parameters.
An inner aggregate adds up, per certificate, the hours of each closed window and of each year of the window
in progress and checks the roster for each window; the outer SELECT decides: the first closed window under
the two-year minimum or without a roster entry lapses the certificate from the next day; a finished year of
the window in progress under the yearly minimums makes it "behind". The same statement serves one holder's
page (restricted to ids) and the nightly run over a region (inserted into a work table), so they cannot
disagree. Portable SQL: SQLite and PostgreSQL run the same text."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from sitecert.certificates.models import ECertificate, Policy
from sitecert.duty import periods
from sitecert.duty.models import Duty
from sitecert.learning.models import Category, HourEntry
from sitecert.people.models import RosterEntry

RECORDED = (  # a Duty row's columns
    "state",
    "window_starts",
    "window_ends",
    "window_hours",
    "in_post",
    "year_starts",
    "year_ends",
    "year_hours",
    "year_professional",
)
DECIDED = (*RECORDED, "lapse_on", "reason")  # what the statement decides, in its columns' order
State = Duty.State


@dataclass(frozen=True)
class Cohort:
    """Certificates of one policy whose duty starts on the same day, as of one day."""

    policy: Policy  # the newest version of the certificates' policy: its rules apply
    policy_ids: tuple[int, ...]  # every version's id (certificates name the version they were issued under)
    issued_from: date
    issued_to: date
    as_of: date

    @property
    def year_now(self) -> int:
        return periods.year_index(self.policy, self.issued_from, self.as_of)

    @property
    def window_now(self) -> int:
        """The window in progress (the first one before the duty starts)."""
        return max(0, self.year_now // self.policy.window_years)

    def year(self, index: int) -> periods.Period:
        return periods.year(self.policy, self.issued_from, index)

    def window(self, index: int) -> periods.Period:
        return periods.window(self.policy, self.issued_from, index)

    @property
    def current_years(self) -> range:
        """The years of the window in progress, up to the year in progress."""
        return range(self.window_now * self.policy.window_years, self.year_now + 1)


def _tables() -> dict[str, str]:
    return {
        "e": ECertificate._meta.db_table,
        "h": HourEntry._meta.db_table,
        "r": RosterEntry._meta.db_table,
    }


class _Sql:
    """SQL text with its parameters, built in order."""

    def __init__(self) -> None:
        self.params: list = []

    def p(self, *values) -> str:
        self.params += values
        return ", ".join(["%s"] * len(values))

    def case(self, pairs: list[tuple[str, str]], otherwise: str) -> str:
        if not pairs:
            return otherwise
        return "CASE " + " ".join(f"WHEN {c} THEN {v}" for c, v in pairs) + f" ELSE {otherwise} END"


def _aggregate(cohort: Cohort, sql: _Sql, id_filter: str) -> str:
    """Per certificate: w{k} hours of closed window k, t{j}/p{j} hours and professional hours of year j of
    the window in progress (up to as_of), r{k} 1 if a listed roster entry for the post overlaps window k."""
    t, columns = _tables(), []
    hours_in = (
        "ROUND(SUM(CASE WHEN h.completed_on >= {} AND h.completed_on <= {}{} THEN h.hours ELSE 0 END), 1)"
    )
    for k in range(cohort.window_now):
        w = cohort.window(k)
        columns.append(hours_in.format(sql.p(w.starts), sql.p(w.ends), "") + f" AS w{k}")
    for j in cohort.current_years:
        y = cohort.year(j)
        end = min(y.ends, cohort.as_of)
        columns.append(hours_in.format(sql.p(y.starts), sql.p(end), "") + f" AS t{j}")
        since, until = sql.p(y.starts), sql.p(end)  # in the text's order
        prof = f" AND h.category = {sql.p(Category.PROFESSIONAL)}"
        columns.append(hours_in.format(since, until, prof) + f" AS p{j}")
    for k in range(cohort.window_now + 1):
        w = cohort.window(k)
        columns.append(
            f"CASE WHEN EXISTS (SELECT 1 FROM {t['r']} r WHERE r.person_id = e.holder_id"
            f" AND r.post_id = e.post_id AND r.status = {sql.p(RosterEntry.Status.CONFIRMED)}"
            f" AND r.started_on <= {sql.p(min(w.ends, cohort.as_of))}"
            f" AND (r.ended_on IS NULL OR r.ended_on >= {sql.p(w.starts)})) THEN 1 ELSE 0 END AS r{k}"
        )
    first = cohort.window(0).starts
    return (
        f"SELECT e.id AS id, e.number AS number, {', '.join(columns)} FROM {t['e']} e"
        f" LEFT JOIN {t['h']} h ON h.certificate_id = e.record_id"
        f" AND h.completed_on >= {sql.p(first)} AND h.completed_on <= {sql.p(max(first, cohort.as_of))}"
        f" WHERE e.status = {sql.p(ECertificate.Status.VALID)}"
        f" AND e.issued_on >= {sql.p(cohort.issued_from)} AND e.issued_on <= {sql.p(cohort.issued_to)}"
        f" AND e.policy_id IN ({sql.p(*cohort.policy_ids)}) AND {id_filter}"
        " GROUP BY e.id, e.number, e.holder_id, e.post_id"
    )


def reason_text(window: periods.Period, rules: Policy, *, hours: bool, post: bool) -> str:
    """Why a certificate lapsed, in one line (its status reason)."""
    texts = []
    if hours:
        texts.append(
            _("%(window)s 周期学时不足 %(need)d") % {"window": window.label, "need": rules.window_hours}
        )
    if post:
        texts.append(_("%(window)s 周期内无本岗位在岗记录") % {"window": window.label})
    return "；".join(texts)


def statement(cohort: Cohort, id_filter: str, id_params: list) -> tuple[str, list]:
    """The decided columns (DECIDED order) after id and number, then t{j}, p{j} of the window in progress.
    Every fragment takes its own placeholders: parameters follow the text's order."""
    inner_sql, sql, rules = _Sql(), _Sql(), cohort.policy
    inner = _aggregate(cohort, inner_sql, id_filter)
    years, closed = list(cohort.current_years), range(cohort.window_now)

    def short(k: int) -> str:
        return f"f.w{k} < {sql.p(rules.window_hours)}"

    def failed(k: int) -> str:
        return f"({short(k)} OR f.r{k} = 0)"

    def lapsed_or(value, otherwise) -> str:
        """The value of the first failed closed window, else `otherwise` (callables: fresh placeholders)."""
        pairs = [(failed(k), value(k)) for k in closed]
        return sql.case(pairs, otherwise())

    def last_year(k: int) -> periods.Period:
        return cohort.year((k + 1) * rules.window_years - 1)

    def current_state() -> str:
        if cohort.year_now < 0:
            return sql.p(State.NOT_STARTED)
        if len(years) < 2:  # no finished year in the window yet
            return sql.p(State.ON_TRACK)
        behind = " OR ".join(
            f"f.t{j} < {sql.p(rules.yearly_hours)} OR f.p{j} < {sql.p(rules.yearly_professional_hours)}"
            for j in years[:-1]
        )
        return sql.case([(f"({behind})", sql.p(State.BEHIND))], sql.p(State.ON_TRACK))

    def reason(k: int) -> str:
        window = cohort.window(k)
        texts = {
            (h, p): reason_text(window, rules, hours=h, post=p) for h in (True, False) for p in (True, False)
        }
        return sql.case(
            [
                (f"{short(k)} AND f.r{k} = 0", sql.p(texts[True, True])),
                (short(k), sql.p(texts[True, False])),
            ],
            sql.p(texts[False, True]),
        )

    window, year = cohort.window(cohort.window_now), cohort.year(max(0, cohort.year_now))
    last = f"f.t{years[-1]}" if years else "0", f"f.p{years[-1]}" if years else "0"
    decided = [
        lapsed_or(lambda k: sql.p(State.LAPSED), current_state),
        lapsed_or(lambda k: sql.p(cohort.window(k).starts), lambda: sql.p(window.starts)),
        lapsed_or(lambda k: sql.p(cohort.window(k).ends), lambda: sql.p(window.ends)),
        lapsed_or(lambda k: f"f.w{k}", lambda: " + ".join(f"f.t{j}" for j in years) or "0"),
        "CASE WHEN "
        + lapsed_or(lambda k: f"f.r{k}", lambda: f"f.r{cohort.window_now}")
        + " = 1 THEN TRUE ELSE FALSE END",
        lapsed_or(lambda k: sql.p(last_year(k).starts), lambda: sql.p(year.starts)),
        lapsed_or(lambda k: sql.p(last_year(k).ends), lambda: sql.p(year.ends)),
        lapsed_or(lambda k: "0", lambda: last[0]),
        lapsed_or(lambda k: "0", lambda: last[1]),
        lapsed_or(lambda k: sql.p(cohort.window(k).ends + timedelta(days=1)), lambda: "CAST(NULL AS DATE)"),
        lapsed_or(reason, lambda: "''"),
    ]
    select = ", ".join(f"{expr} AS {name}" for expr, name in zip(decided, DECIDED, strict=True))
    extra = "".join(f", f.t{j}, f.p{j}" for j in years)
    text = f"SELECT f.id, f.number, {select}{extra} FROM ({inner}) f"
    return text, sql.params + inner_sql.params + list(id_params)
