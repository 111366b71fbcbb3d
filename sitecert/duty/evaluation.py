"""Evaluating the yearly duty: one certificate explained, or every certificate of the region recorded
(`sitecert evaluate-compliance`). Both read figures.py's statement and decide with standing.decide, so a
holder's page and the nightly run cannot disagree."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils import translation

from sitecert.certificates.audit import Event, audit_append
from sitecert.certificates.models import ECertificate, Policy
from sitecert.duty import figures
from sitecert.duty.figures import Cohort
from sitecert.duty.models import Duty
from sitecert.duty.periods import Period, year, year_index
from sitecert.duty.standing import Standing, State, YearFigures, decide

SYSTEM = "system"


def policy_rules() -> dict[int, tuple[Policy, tuple[int, ...]]]:
    """Each policy version's id → the newest version of its code (its rules apply) and all its versions' ids."""
    versions = defaultdict(list)
    for policy in Policy.objects.order_by("code", "version"):
        versions[policy.code].append(policy)
    return {p.pk: (found[-1], tuple(v.pk for v in found)) for found in versions.values() for p in found}


def cohorts(*, as_of: date, certificates=None) -> list[Cohort]:
    """The cohorts of valid e-certificates (of `certificates`, a queryset, if given)."""
    rules = policy_rules()
    queryset = ECertificate.objects.all() if certificates is None else certificates
    pairs = queryset.filter(status=ECertificate.Status.VALID).order_by().values_list("policy_id", "issued_on")
    found = set()
    for policy_id, issued_on in pairs.distinct():
        policy, ids = rules[policy_id]
        if policy.window_start == Policy.WindowStart.CALENDAR:
            span = (date(issued_on.year, 1, 1), date(issued_on.year, 12, 31))
        else:
            span = (issued_on, issued_on)
        found.add((policy.pk, ids, span))
    by_pk = {p.pk: p for p, _ids in rules.values()}
    return [Cohort(by_pk[pk], ids, *span, as_of) for pk, ids, span in sorted(found, key=lambda c: c[2])]


def explain_many(*, certificates: Iterable[ECertificate], as_of: date) -> dict[int, Standing]:
    """Each e-certificate's standing on `as_of`: valid ones decided from their figures (one statement per
    cohort), lapsed ones as recorded. Revoked certificates have no duty and are left out."""
    certificates = list(certificates)
    valid = [c.pk for c in certificates if c.status == ECertificate.Status.VALID]
    results: dict[int, Standing] = {}
    for cohort in cohorts(as_of=as_of, certificates=ECertificate.objects.filter(pk__in=valid)):
        marks = ", ".join(["%s"] * len(valid))
        for row in figures.rows(cohort, id_filter=f"e.id IN ({marks})", id_params=valid):
            results[row.id] = decide(cohort, row)
    results.update(_lapsed([c for c in certificates if c.status == ECertificate.Status.LAPSED], as_of))
    return results


def explain(*, certificate: ECertificate, as_of: date) -> Standing | None:
    return explain_many(certificates=[certificate], as_of=as_of).get(certificate.pk)


def _lapsed(certificates: list[ECertificate], as_of: date) -> dict[int, Standing]:
    """Lapsed certificates as the run that lapsed them recorded (a lapse is never undone)."""
    rules = policy_rules()
    duties = {d.pk: d for d in Duty.objects.filter(pk__in=[c.pk for c in certificates])}
    results = {}
    for cert in certificates:
        duty = duties.get(cert.pk)
        policy = rules[cert.policy_id][0]
        if duty is None:  # lapsed by hand: nothing to explain beyond the status
            continue
        last = year_index(policy, cert.issued_on, duty.window_ends)
        window = Period(
            last // policy.window_years,
            duty.window_starts,
            duty.window_ends,
            policy.window_start == Policy.WindowStart.CALENDAR,
        )
        reasons = ("hours",) * (duty.window_hours < policy.window_hours) + ("post",) * (not duty.in_post)
        results[cert.pk] = Standing(
            cert.number,
            policy,
            as_of,
            State.LAPSED,
            window,
            duty.window_hours,
            duty.in_post,
            [YearFigures(year(policy, cert.issued_on, last), duty.year_hours, duty.year_professional)],
            cert.status_since,
            reasons or ("hours",),
        )
    return results


@dataclass
class RunResult:
    as_of: date
    evaluated: int = 0
    changed: int = 0
    lapsed: int = 0
    states: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def evaluate(
    *, as_of: date, now: datetime, chunk: int = 20000, progress: Callable[[int], None] | None = None
) -> RunResult:
    """Decide every valid e-certificate on `as_of` and record what changed: the Duty rows, lapses (status,
    date, reason) and an audit entry per change of state. One transaction; running it again changes nothing."""
    result = RunResult(as_of)
    with translation.override("zh-hans"), transaction.atomic():
        for cohort in cohorts(as_of=as_of):
            ids = list(
                ECertificate.objects.filter(
                    status=ECertificate.Status.VALID,
                    policy_id__in=cohort.policy_ids,
                    issued_on__gte=cohort.issued_from,
                    issued_on__lte=cohort.issued_to,
                )
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for start in range(0, len(ids), chunk):
                part = ids[start : start + chunk]
                rows = figures.rows(
                    cohort, id_filter="e.id >= %s AND e.id <= %s", id_params=[part[0], part[-1]]
                )
                _record(rows, cohort, result, now)
                if progress:
                    progress(len(part))
        audit_append(
            events=[Event(SYSTEM, "duty.evaluate", f"duty:{as_of.isoformat()}", _summary(result))], at=now
        )
    return result


def _summary(result: RunResult) -> dict:
    return {
        "as_of": result.as_of.isoformat(),
        "evaluated": result.evaluated,
        "changed": result.changed,
        "lapsed": result.lapsed,
        "states": dict(result.states),
    }


def _record(rows, cohort: Cohort, result: RunResult, now: datetime) -> None:
    changed, events, lapses = [], [], defaultdict(list)
    for row in rows:
        standing = decide(cohort, row)
        values = standing.duty_values()
        result.evaluated += 1
        result.states[standing.state] += 1
        if values == row.recorded:
            continue
        changed.append(Duty(certificate_id=row.id, **dict(zip(figures.RECORDED, values, strict=True))))
        before = row.recorded[0] if row.recorded else None
        if standing.state == State.LAPSED:
            lapses[(standing.lapse_on, standing.reason)].append(row.id)
        if standing.state != before and (before or standing.state in (State.BEHIND, State.LAPSED)):
            events.append(_event(standing, before))
    Duty.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["certificate"],
        update_fields=list(figures.RECORDED),
        batch_size=2000,
    )
    for (since, reason), ids in lapses.items():
        ECertificate.objects.filter(pk__in=ids).update(
            status=ECertificate.Status.LAPSED, status_since=since, status_reason=reason
        )
        result.lapsed += len(ids)
    audit_append(events=events, at=now)
    result.changed += len(changed)


def _event(standing: Standing, before: str | None) -> Event:
    data = {
        "from": before,
        "to": standing.state,
        "as_of": standing.as_of.isoformat(),
        "window": [standing.window.starts.isoformat(), standing.window.ends.isoformat()],
        "window_hours": str(standing.window_hours),
        "in_post": standing.in_post,
    }
    if standing.state == State.LAPSED:
        data |= {"since": standing.lapse_on.isoformat(), "reason": standing.reason}
    return Event(SYSTEM, f"duty.{standing.state}", f"ecertificate:{standing.number}", data)
