"""The figures the yearly duty is decided on, for many certificates in one SQL statement: hours in every
closed window, hours and professional hours in each year of the window in progress, whether a roster entry
for the post overlaps each window, and the figures last recorded (to write only what changed).

Certificates whose duty years start on the same day share every period, so each statement covers one such
cohort (an issue year, or an issue date where the policy counts from it) and one range of ids; the periods'
bounds are parameters. Portable SQL: SQLite and PostgreSQL run the same text."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from sitecert.certificates.models import ECertificate, Policy
from sitecert.duty import periods
from sitecert.duty.models import Duty
from sitecert.learning.models import Category, HourEntry
from sitecert.people.models import RosterEntry

TENTH = Decimal("0.1")
RECORDED = (  # the Duty columns, in the order of Standing.duty_values
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


def hours(value) -> Decimal:
    """SQLite sums decimals as floats: back to tenths of an hour."""
    return Decimal(str(value or 0)).quantize(TENTH)


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


@dataclass(frozen=True)
class Row:
    id: int
    number: str
    closed: list[Decimal]  # hours in each closed window, oldest first
    in_post: list[bool]  # a roster entry overlaps each window (closed ones, then the one in progress so far)
    years: list[tuple[Decimal, Decimal]]  # (total, professional) in each year of the window in progress
    recorded: tuple | None  # the Duty row's values as last written (see Standing.duty_values)


def _tables() -> dict[str, str]:
    return {
        "e": ECertificate._meta.db_table,
        "h": HourEntry._meta.db_table,
        "r": RosterEntry._meta.db_table,
        "d": Duty._meta.db_table,
    }


def statement(cohort: Cohort, id_filter: str) -> tuple[str, list]:
    """The SQL and its parameters for one cohort; `id_filter` restricts e.id (a range or a list)."""
    t, params, columns = _tables(), [], []
    hours_in = "CASE WHEN h.completed_on >= %s AND h.completed_on <= %s {extra}THEN h.hours ELSE 0 END"
    for w in range(cohort.window_now):
        columns.append(f"SUM({hours_in.format(extra='')})")
        params += [cohort.window(w).starts, cohort.window(w).ends]
    for y in cohort.current_years:
        for extra in ("", "AND h.category = %s "):
            columns.append(f"SUM({hours_in.format(extra=extra)})")
            params += [cohort.year(y).starts, min(cohort.year(y).ends, cohort.as_of)]
            params += [Category.PROFESSIONAL] if extra else []
    for w in range(cohort.window_now + 1):
        columns.append(
            f"CASE WHEN EXISTS (SELECT 1 FROM {t['r']} r WHERE r.person_id = e.holder_id"
            " AND r.post_id = e.post_id AND r.status = %s AND r.started_on <= %s"
            " AND (r.ended_on IS NULL OR r.ended_on >= %s)) THEN 1 ELSE 0 END"
        )
        params += [
            RosterEntry.Status.CONFIRMED,
            min(cohort.window(w).ends, cohort.as_of),
            cohort.window(w).starts,
        ]
    recorded = ", ".join(
        "MAX(CASE WHEN d.in_post THEN 1 ELSE 0 END)" if c == "in_post" else f"MAX(d.{c})" for c in RECORDED
    )
    sql = (
        f"SELECT e.id, e.number, {', '.join(columns)}, COUNT(d.certificate_id), {recorded}"
        f" FROM {t['e']} e"
        f" LEFT JOIN {t['h']} h ON h.certificate_id = e.record_id"
        " AND h.completed_on >= %s AND h.completed_on <= %s"
        f" LEFT JOIN {t['d']} d ON d.certificate_id = e.id"
        " WHERE e.status = %s AND e.issued_on >= %s AND e.issued_on <= %s"
        f" AND e.policy_id IN ({', '.join(['%s'] * len(cohort.policy_ids))}) AND {id_filter}"
        " GROUP BY e.id, e.number, e.holder_id, e.post_id"
    )
    first = cohort.window(0).starts
    params += [
        first,
        max(first, cohort.as_of),
        ECertificate.Status.VALID,
        cohort.issued_from,
        cohort.issued_to,
    ]
    return sql, params + list(cohort.policy_ids)


def rows(cohort: Cohort, *, id_filter: str, id_params: list) -> Iterator[Row]:
    """The figures of the cohort's valid certificates that `id_filter` selects (fetched in one go: callers
    pass ranges small enough to hold)."""
    sql, params = statement(cohort, id_filter)
    closed, years = cohort.window_now, len(cohort.current_years)
    with connection.cursor() as cursor:
        cursor.execute(sql, params + id_params)
        fetched = cursor.fetchall()
    for raw in fetched:
        values = raw[2:]
        sums = values[: closed + 2 * years]
        flags = values[closed + 2 * years : closed + 2 * years + closed + 1]
        count, *recorded = values[closed + 2 * years + closed + 1 :]
        yield Row(
            raw[0],
            raw[1],
            [hours(v) for v in sums[:closed]],
            [bool(v) for v in flags],
            [(hours(sums[closed + 2 * i]), hours(sums[closed + 2 * i + 1])) for i in range(years)],
            _recorded(recorded) if count else None,
        )


def _recorded(values: list) -> tuple:
    state, w_starts, w_ends, w_hours, in_post, y_starts, y_ends, y_hours, y_prof = values
    return (
        state,
        _day(w_starts),
        _day(w_ends),
        hours(w_hours),
        bool(in_post),
        _day(y_starts),
        _day(y_ends),
        hours(y_hours),
        hours(y_prof),
    )


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
