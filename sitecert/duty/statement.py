"""The statement that decides the yearly duty (docs/rules.md, "Yearly duty"), for many certificates at once.

This is the one place where hours are compared with the policy's minimums. Certificates whose duty years start
on the same day share every period, so a statement covers one such cohort (an issue year, or an issue date
where the policy counts from it); the periods' bounds are parameters. An inner aggregate adds up, per
certificate, the hours of each closed window and of each year of the window in progress (in whole tenths:
exact on every engine) and checks the roster for each window; the outer SELECT decides: the first closed
window under the two-year minimum or without a roster entry lapses the certificate from the next day; a
finished year of the window in progress under the yearly minimums makes it "behind". It also says how many
hours each period still needs, so that explanations, reminders and dashboards read the decision instead of
deciding again. The same statement serves one holder's page (restricted to ids) and the nightly run over a
region (inserted into a work table). Portable SQL: SQLite and PostgreSQL run the same text."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from sitecert.certificates.models import ECertificate
from sitecert.duty import periods
from sitecert.duty.models import Duty
from sitecert.learning.models import TENTHS, Category, HourEntry
from sitecert.people.models import RosterEntry
from sitecert.policies.models import Policy
from sitecert.policies.selectors import rules_by_version

RECORDED = (  # a Duty row's columns, as the statement decides them
    "state",
    "window_starts",
    "window_ends",
    "window_hours",
    "window_short",
    "in_post",
    "year_starts",
    "year_ends",
    "year_hours",
    "year_professional",
    "year_short",
)
DECIDED = (*RECORDED, "lapse_on", "reason")  # the statement's columns after id and number, in this order
State = Duty.State


@dataclass(frozen=True)
class Cohort:
    """Certificates of one policy whose duty starts on the same day, as of one day."""

    policy: Policy  # the newest version of the certificates' policy: its rules apply
    policy_ids: tuple[int, ...]  # every version's id (certificates name the version they were issued under)
    issued_from: date
    issued_to: date
    as_of: date
    recorded: date | None = None  # the window start its certificates' Duty rows record (None: no row yet)
    split: bool = False  # other certificates of the same policy and start record other windows

    @property
    def first_window(self) -> int:
        """The first window to check: the one recorded (every window before it passed when it closed, or the
        certificate would have lapsed then), or the first for certificates never evaluated."""
        for k in range(self.window_now + 1):
            if self.window(k).starts == self.recorded:
                return k
        return 0

    @property
    def closed(self) -> range:
        """The closed windows still to check."""
        return range(self.first_window, self.window_now)

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


def cohorts(*, as_of: date, certificates=None) -> list[Cohort]:
    """The cohorts of valid e-certificates (of `certificates`, a queryset, if given), split by the window
    their Duty rows record, so that windows already passed are not added up again."""
    rules = rules_by_version()
    queryset = ECertificate.objects.all() if certificates is None else certificates
    keys = queryset.filter(status=ECertificate.Status.VALID).order_by()
    found = set()
    for policy_id, issued_on, recorded in keys.values_list(
        "policy_id", "issued_on", "duty__window_starts"
    ).distinct():
        policy, ids = rules[policy_id]
        if policy.window_start == Policy.WindowStart.CALENDAR:
            span = (date(issued_on.year, 1, 1), date(issued_on.year, 12, 31))
        else:
            span = (issued_on, issued_on)
        found.add((policy.pk, ids, span, recorded))
    by_pk = {p.pk: p for p, _ids in rules.values()}
    splits: dict[tuple, int] = {}
    for pk, _ids, span, _recorded in found:
        splits[pk, span] = splits.get((pk, span), 0) + 1
    return [
        Cohort(by_pk[pk], ids, *span, as_of, recorded, splits[pk, span] > 1)
        for pk, ids, span, recorded in sorted(found, key=lambda c: (c[2], c[3] or date.min))
    ]


def _tables() -> dict[str, str]:
    return {
        "e": ECertificate._meta.db_table,
        "h": HourEntry._meta.db_table,
        "r": RosterEntry._meta.db_table,
        "d": Duty._meta.db_table,
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


def as_hours(tenths: str) -> str:
    """Whole tenths back to hours (a decimal on PostgreSQL; SQLite's float is quantized when read)."""
    return f"(({tenths}) / 10.0)"


def cuts(cohort: Cohort) -> list[date]:
    """The last days of the closed windows to check and of the finished years of the window in progress:
    hours after each are summed once, and every period's hours are differences of those sums."""
    return [cohort.window(k).ends for k in cohort.closed] + [
        cohort.year(j).ends for j in cohort.current_years[:-1]
    ]


def sums(cohort: Cohort) -> tuple[dict[int, str], dict[int, str]]:
    """SQL over the aggregate's columns: each closed window's tenths, each current year's tenths."""
    names = ["f.total", *(f"f.a{i}" for i in range(len(cuts(cohort))))]
    spans = list(zip(names, [*names[1:], None], strict=True))  # hours between one cut and the next
    windows = {k: f"({spans[i][0]} - {spans[i][1]})" for i, k in enumerate(cohort.closed)}
    years = {}
    for i, j in enumerate(cohort.current_years, start=len(cohort.closed)):
        after, before = spans[i]
        years[j] = f"({after} - {before})" if before else after
    return windows, years


def _aggregate(cohort: Cohort, sql: _Sql, id_filter: str) -> str:
    """Per certificate: `total` tenths since the first window checked, a{i} tenths after each cut, p{j}
    professional tenths of year j of the window in progress, and `roster`, a bit mask with bit k set when a
    listed roster entry for the post overlaps window k (one index lookup per certificate)."""
    t, hours = _tables(), TENTHS.format("h.hours")
    columns = [f"SUM(COALESCE({hours}, 0)) AS total"]
    for i, cut in enumerate(cuts(cohort)):
        columns.append(f"SUM(CASE WHEN h.completed_on > {sql.p(cut)} THEN {hours} ELSE 0 END) AS a{i}")
    for j in cohort.current_years:
        y = cohort.year(j)
        since = sql.p(y.starts)
        until = f" AND h.completed_on <= {sql.p(y.ends)}" if y.ends < cohort.as_of else ""
        columns.append(
            f"SUM(CASE WHEN h.completed_on >= {since}{until}"
            f" AND h.category = {sql.p(Category.PROFESSIONAL)} THEN {hours} ELSE 0 END) AS p{j}"
        )
    bits = " + ".join(
        f"MAX(CASE WHEN r.started_on <= {sql.p(min(cohort.window(k).ends, cohort.as_of))}"
        f" AND (r.ended_on IS NULL OR r.ended_on >= {sql.p(cohort.window(k).starts)}) THEN {1 << k} ELSE 0 END)"
        for k in [*cohort.closed, cohort.window_now]
    )
    columns.append(
        f"COALESCE((SELECT {bits} FROM {t['r']} r WHERE r.person_id = e.holder_id AND r.post_id = e.post_id"
        f" AND r.status = {sql.p(RosterEntry.Status.CONFIRMED)}), 0) AS roster"
    )
    first = cohort.window(cohort.first_window).starts
    text = (
        f"SELECT e.id AS id, e.number AS number, {', '.join(columns)} FROM {t['e']} e"
        f" LEFT JOIN {t['h']} h ON h.record_id = e.record_id"
        f" AND h.completed_on >= {sql.p(first)} AND h.completed_on <= {sql.p(max(first, cohort.as_of))}"
        f" WHERE e.status = {sql.p(ECertificate.Status.VALID)}"
        f" AND e.issued_on >= {sql.p(cohort.issued_from)} AND e.issued_on <= {sql.p(cohort.issued_to)}"
        f" AND e.policy_id IN ({sql.p(*cohort.policy_ids)})"
    )
    if cohort.split:  # certificates of this cohort record different windows: only those recording this one
        d = t["d"]
        text += (
            f" AND NOT EXISTS (SELECT 1 FROM {d} d WHERE d.certificate_id = e.id)"
            if cohort.recorded is None
            else f" AND e.id IN (SELECT d.certificate_id FROM {d} d WHERE d.window_starts = {sql.p(cohort.recorded)})"
        )
    return f"{text} AND {id_filter} GROUP BY e.id"


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
    """The decided columns (DECIDED order) after id and number, then for each year of the window in progress
    its hours, professional hours and whether it fell behind. Every fragment takes its own placeholders:
    parameters follow the text's order."""
    inner_sql, sql, rules = _Sql(), _Sql(), cohort.policy
    inner = _aggregate(cohort, inner_sql, id_filter)
    years, closed = list(cohort.current_years), cohort.closed
    window_sum, year_sum = sums(cohort)

    def short(column: str, need: int) -> str:
        """Tenths still needed to reach `need` hours (0 when reached)."""
        return f"CASE WHEN ({column}) < {sql.p(need * 10)} THEN {sql.p(need * 10)} - ({column}) ELSE 0 END"

    def listed(k: int) -> str:
        return f"(f.roster & {1 << k}) > 0"

    def window_below(k: int) -> str:
        return f"({window_sum[k]}) < {sql.p(rules.window_hours * 10)}"

    def failed(k: int) -> str:
        return f"({window_below(k)} OR NOT {listed(k)})"

    def year_behind(j: int) -> str:
        return (
            f"(({year_sum[j]}) < {sql.p(rules.yearly_hours * 10)}"
            f" OR f.p{j} < {sql.p(rules.yearly_professional_hours * 10)})"
        )

    def lapsed_or(value, otherwise) -> str:
        """The value of the first failed closed window, else `otherwise` (callables: fresh placeholders)."""
        return sql.case([(failed(k), value(k)) for k in closed], otherwise())

    def last_year(k: int) -> periods.Period:
        return cohort.year((k + 1) * rules.window_years - 1)

    def current_state() -> str:
        if cohort.year_now < 0:
            return sql.p(State.NOT_STARTED)
        finished = years[:-1]
        if not finished:
            return sql.p(State.ON_TRACK)
        behind = " OR ".join(year_behind(j) for j in finished)
        return sql.case([(f"({behind})", sql.p(State.BEHIND))], sql.p(State.ON_TRACK))

    def reason(k: int) -> str:
        window = cohort.window(k)
        texts = {
            (h, p): reason_text(window, rules, hours=h, post=p) for h in (True, False) for p in (True, False)
        }
        return sql.case(
            [
                (f"{window_below(k)} AND NOT {listed(k)}", sql.p(texts[True, True])),
                (window_below(k), sql.p(texts[True, False])),
            ],
            sql.p(texts[False, True]),
        )

    def current_year_short() -> str:
        if not years:
            return "0"
        j = years[-1]

        def total() -> str:
            return short(year_sum[j], rules.yearly_hours)

        def professional() -> str:
            return short(f"f.p{j}", rules.yearly_professional_hours)

        # Each occurrence takes its own placeholders (in the text's order).
        return f"CASE WHEN {total()} > {professional()} THEN {total()} ELSE {professional()} END"

    window, year = cohort.window(cohort.window_now), cohort.year(max(0, cohort.year_now))
    current_window = " + ".join(year_sum[j] for j in years) or "0"
    last = (year_sum[years[-1]], f"f.p{years[-1]}") if years else ("0", "0")
    decided = {
        "state": lapsed_or(lambda k: sql.p(State.LAPSED), current_state),
        "window_starts": lapsed_or(lambda k: sql.p(cohort.window(k).starts), lambda: sql.p(window.starts)),
        "window_ends": lapsed_or(lambda k: sql.p(cohort.window(k).ends), lambda: sql.p(window.ends)),
        "window_hours": as_hours(lapsed_or(lambda k: window_sum[k], lambda: current_window)),
        "window_short": as_hours(
            lapsed_or(
                lambda k: short(window_sum[k], rules.window_hours),
                lambda: short(current_window, rules.window_hours),
            )
        ),
        "in_post": "CASE WHEN "
        + lapsed_or(listed, lambda: listed(cohort.window_now))
        + " THEN TRUE ELSE FALSE END",
        "year_starts": lapsed_or(lambda k: sql.p(last_year(k).starts), lambda: sql.p(year.starts)),
        "year_ends": lapsed_or(lambda k: sql.p(last_year(k).ends), lambda: sql.p(year.ends)),
        "year_hours": as_hours(lapsed_or(lambda k: "0", lambda: last[0])),
        "year_professional": as_hours(lapsed_or(lambda k: "0", lambda: last[1])),
        "year_short": as_hours(lapsed_or(lambda k: "0", current_year_short)),
        "lapse_on": lapsed_or(
            lambda k: sql.p(cohort.window(k).ends + timedelta(days=1)), lambda: "CAST(NULL AS DATE)"
        ),
        "reason": lapsed_or(reason, lambda: "''"),
    }
    select = ", ".join(f"{decided[name]} AS {name}" for name in DECIDED)
    extra = "".join(
        f", {as_hours(year_sum[j])}, {as_hours(f'f.p{j}')}, CASE WHEN {year_behind(j)} THEN 1 ELSE 0 END"
        for j in years
    )
    text = f"SELECT f.id, f.number, {select}{extra} FROM ({inner}) f"
    return text, sql.params + inner_sql.params + list(id_params)
