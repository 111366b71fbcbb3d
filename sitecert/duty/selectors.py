"""What employers and the authority see of the yearly duty: an employer's staff at risk first (live), the
region's figures (from the last evaluation's Duty rows, in grouped queries)."""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils.translation import gettext_lazy as _

from sitecert.audit.models import AuditEntry
from sitecert.certificates.eligibility import in_scope
from sitecert.certificates.models import ECertificate
from sitecert.duty.explanation import Standing, explain_many
from sitecert.duty.models import Duty
from sitecert.lib.areas import area_name
from sitecert.people.models import Organisation, RosterEntry
from sitecert.policies.selectors import policy_in_force
from sitecert.registry.models import LegacyCertificate, Post

RISKS = [
    ("high", _("有风险")),
    ("medium", _("学时未满")),
    ("lapsed", _("已失效")),
    ("none", _("已完成")),
]
RISK_ORDER = {code: i for i, (code, _label) in enumerate(RISKS)}
RISK_LABELS = dict(RISKS)


@dataclass
class StaffDuty:
    entry: RosterEntry
    certificate: ECertificate
    standing: Standing

    @property
    def risk_label(self) -> str:
        return str(RISK_LABELS[self.standing.risk])

    @property
    def sort_key(self) -> tuple:
        s = self.standing
        return (RISK_ORDER[s.risk], s.window.ends, -s.window_short, self.entry.person.name)


def employer_duty(
    *, employer: Organisation, as_of: date, post: Post | None = None
) -> tuple[list[StaffDuty], int]:
    """The employer's current staff (through entries open to it: docs/security.md) with an e-certificate for the post they work in, at risk first (nearest
    deadline, most hours short); and how many listed staff have no e-certificate for their post."""
    listed = RosterEntry.objects.open_on(as_of).filter(employer=employer)  # vouched, not disputed
    if post is not None:
        listed = listed.filter(post=post)
    entries = list(listed.select_related("person", "post"))
    certs = ECertificate.objects.filter(
        holder_id__in={e.person_id for e in entries}, issued_on__lte=as_of
    ).exclude(status=ECertificate.Status.REVOKED)
    newest: dict[tuple[int, int], ECertificate] = {}
    for cert in certs.order_by("issued_on", "pk"):  # a retrained holder's new certificate comes last
        newest[(cert.holder_id, cert.post_id)] = cert
    standings = explain_many(certificates=newest.values(), as_of=as_of)
    rows, missing = [], 0
    for entry in entries:
        found = newest.get((entry.person_id, entry.post_id))
        if found is None or found.pk not in standings:
            missing += 1
            continue
        rows.append(StaffDuty(entry, found, standings[found.pk]))
    return sorted(rows, key=lambda r: r.sort_key), missing


def risk_tally(rows: list[StaffDuty]) -> list[tuple[str, str, int]]:
    """(risk, label, how many of `rows`) for each risk, in RISKS order: the dashboard's tiles."""
    return [(code, str(label), sum(r.standing.risk == code for r in rows)) for code, label in RISKS]


def last_evaluation() -> dict | None:
    """The last `evaluate-duty` run's summary (its audit entry), or None before the first."""
    entry = AuditEntry.objects.filter(action="duty.evaluate").order_by("-seq").first()
    return entry.data if entry else None


DUTY_STATES = [
    ("on_track", _("正常")),
    ("behind", _("学时落后")),
    ("not_started", _("尚未起算")),
    ("lapsed", _("已失效")),
    ("revoked", _("已注销")),
    ("unknown", _("未评估")),
]


def _state(status: str, duty_state: str | None) -> str:
    if status != ECertificate.Status.VALID:
        return status
    return duty_state if duty_state in ("on_track", "behind", "not_started") else "unknown"


def authority_figures(*, as_of: date) -> dict:
    """The region at a glance: exchange progress against the deadline, certificates by post, district and
    state, and the lapses the coming year will bring if hours stay as they are. Grouped queries only."""
    return {
        "as_of": as_of,
        "evaluated": last_evaluation(),
        "exchange": exchange_progress(as_of=as_of),
        "by_post": by_post(),
        "by_district": by_district(),
        "forecast": lapse_forecast(as_of=as_of),
        "states": DUTY_STATES,
    }


def exchange_progress(*, as_of: date) -> dict:
    policy = policy_in_force(on=as_of)
    in_round = LegacyCertificate.objects.filter(in_scope(policy))
    exchanged = ECertificate.objects.filter(legacy__isnull=False, issued_on__lte=as_of)
    monthly = (
        exchanged.annotate(month=TruncMonth("issued_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    issued = {row["month"]: row["n"] for row in monthly}
    cumulative, running = [], 0
    for month in _months(policy.exchange_opens, max([policy.exchange_closes, *issued])):
        running += issued.get(month, 0)
        cumulative.append((month, running))
    scope = in_round.count()
    done = exchanged.count()
    return {
        "opens": policy.exchange_opens,
        "closes": policy.exchange_closes,
        "days_left": (policy.exchange_closes - as_of).days,
        "scope": scope,
        "exchanged": done,
        "percent": round(100 * done / scope, 1) if scope else 0,
        "cumulative": cumulative,
    }


def _months(first: date, last: date) -> list[date]:
    """The first days of the months from `first`'s to `last`'s."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _grouped(key: str, **annotations) -> dict:
    rows = (
        ECertificate.objects.annotate(**annotations)
        .values(key, "status", "duty__state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    table: dict = defaultdict(Counter)
    for row in rows:
        table[row[key]][_state(row["status"], row["duty__state"])] += row["n"]
    return table


def by_post() -> list[tuple[str, Counter]]:
    table = _grouped("post_id")
    return [(str(p), table[p.pk]) for p in Post.objects.all() if p.pk in table]


def by_district() -> list[tuple[str, Counter]]:
    """By the area code of the holder's ID number (its first six digits), merged by district name."""
    merged: dict[str, Counter] = defaultdict(Counter)
    for code, counts in _grouped("area", area=Substr("holder__id_number", 1, 6)).items():
        merged[area_name(code, settings.HOME_AREA)].update(counts)
    return sorted(merged.items(), key=lambda kv: -sum(kv[1].values()))


def lapse_forecast(*, as_of: date) -> list[tuple[date, int, int]]:
    """Per month of the coming year: valid certificates whose window ends then while still short of hours or
    without a roster entry (they lapse the next day unless that changes), and how many windows end in all."""
    ending = Duty.objects.filter(
        certificate__status=ECertificate.Status.VALID,
        window_ends__gte=as_of,
        window_ends__lt=as_of + timedelta(days=365),
    ).exclude(state=Duty.State.NOT_STARTED)
    short = Q(in_post=False) | Q(window_short__gt=0)
    rows = (
        ending.annotate(month=TruncMonth("window_ends"))
        .values("month")
        .annotate(ending=Count("pk"), short=Count("pk", filter=short))
        .order_by("month")
    )
    return [(r["month"], r["short"], r["ending"]) for r in rows]


def state_rows(table: list[tuple[str, Counter]]) -> list[tuple[str, list[int], int]]:
    """(name, counts in DUTY_STATES order, total) for tables and spreadsheets."""
    return [(name, [c[code] for code, _l in DUTY_STATES], sum(c.values())) for name, c in table]
