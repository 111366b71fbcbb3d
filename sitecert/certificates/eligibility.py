"""Whether an old certificate may be exchanged on a given day (docs/rules.md, "Exchange"), explained check by
check in the holder's terms.

One annotated query decides, for one certificate or for a whole region: whether it is in the round's scope,
how many hours of each kind it still lacks (summed in whole tenths, so exactly), and whether the assessment
was passed. The explanation a holder reads and the bulk decision of `sitecert exchange` read those columns,
so they cannot disagree; no threshold is compared anywhere else. An old certificate belongs to the region
whose policy names its issuer."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import and_

from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _

from sitecert.certificates.models import ECertificate
from sitecert.learning.models import AssessmentAttempt, Category, HourEntry, hours_text, tenths
from sitecert.policies.models import Policy
from sitecert.policies.selectors import policy_in_force, regions
from sitecert.registry.models import LegacyCertificate, LegacyStatus

SCOPE = ("issuer", "issued_since", "status")
CLOSING = {*SCOPE, "deadline"}  # failed checks that no learning can fix
TENTH = Decimal("0.1")


def scope(policy: Policy) -> dict[str, Q]:
    """The round's scope, check by check: issued by the commission, since the earliest date, shown valid."""
    return {
        "issuer": Q(issuer__in=policy.issuers),
        "issued_since": Q(issued_on__gte=policy.issued_since),
        "status": Q(status=LegacyStatus.VALID),
    }


def in_scope(policy: Policy) -> Q:
    return reduce(and_, scope(policy).values())


def window(policy: Policy, as_of: date) -> str:
    """Where `as_of` falls in the exchange window: "not_open", "open" or "closed"."""
    if as_of < policy.exchange_opens:
        return "not_open"
    return "closed" if as_of > policy.exchange_closes else "open"


def region_policies(on: date) -> list[Policy]:
    """The policy in force on the day in every region."""
    return [policy_in_force(on=on, region=region) for region in regions()]


def policy_of(certificate: LegacyCertificate, policies: list[Policy], on: date) -> Policy:
    """The policy of the region whose policy names the certificate's issuer; the deployment's own otherwise
    (whose explanation then says that the issuer is not in scope)."""
    return next((p for p in policies if certificate.issuer in p.issuers), None) or policy_in_force(on=on)


def _tenths(entries: QuerySet) -> Coalesce:
    total = entries.values("record__person").annotate(t=Sum(tenths())).values("t")
    return Coalesce(Subquery(total), 0, output_field=IntegerField())


def annotated(queryset: QuerySet, *, policy: Policy, as_of: date) -> QuerySet:
    """Old certificates with what decides their exchange on `as_of`: in_<check> for each scope check, the hours
    that count (dated inside the exchange window and not after `as_of`) and those still lacking, in tenths,
    and whether the post's assessment was passed."""
    until = min(as_of, policy.exchange_closes)
    dated = HourEntry.objects.filter(completed_on__gte=policy.exchange_opens, completed_on__lte=until)
    own = dated.filter(record__legacy=OuterRef("pk"))
    general = (
        dated.filter(record__person=OuterRef("holder"))  # hours shared across a holder's certificates
        if policy.share_general_hours
        else own
    ).filter(category=Category.GENERAL)
    passed_online = AssessmentAttempt.objects.filter(
        record__legacy=OuterRef("pk"),
        passed=True,
        submitted_at__date__gte=policy.exchange_opens,
        submitted_at__date__lte=until,
    )
    passed_reported = own.filter(assessment_score__gte=policy.pass_mark)
    checks = {f"in_{code}": ExpressionWrapper(q, BooleanField()) for code, q in scope(policy).items()}
    return (
        queryset.annotate(
            professional_tenths=_tenths(own.filter(category=Category.PROFESSIONAL)),
            general_tenths=_tenths(general),
            assessment_ok=Exists(passed_online) | Exists(passed_reported),
            **checks,
        )
        .annotate(total_tenths=F("professional_tenths") + F("general_tenths"))
        .annotate(
            professional_short=Greatest(
                Value(policy.exchange_professional_hours * 10) - F("professional_tenths"), Value(0)
            ),
            total_short=Greatest(Value(policy.exchange_hours * 10) - F("total_tenths"), Value(0)),
        )
    )


def candidates(*, policy: Policy, as_of: date) -> QuerySet:
    """Every old certificate of the policy's round that meets every requirement on `as_of` and has no
    e-certificate yet."""
    if window(policy, as_of) != "open":
        return LegacyCertificate.objects.none()
    rows = annotated(
        LegacyCertificate.objects.filter(in_scope(policy), ecertificate__isnull=True),
        policy=policy,
        as_of=as_of,
    ).filter(professional_short=0, total_short=0)
    return rows.filter(assessment_ok=True) if policy.assessment_required else rows


@dataclass
class Check:
    code: str
    ok: bool
    message: str


@dataclass
class Eligibility:
    certificate: LegacyCertificate
    as_of: date
    policy: Policy
    ecertificate: ECertificate | None
    professional_hours: Decimal = Decimal(0)
    total_hours: Decimal = Decimal(0)
    checks: list[Check] = field(default_factory=list)

    @property
    def exchanged(self) -> bool:
        return self.ecertificate is not None

    @property
    def eligible(self) -> bool:
        """Every requirement met and not yet exchanged: the e-certificate is due now."""
        return not self.exchanged and all(c.ok for c in self.checks)

    @property
    def missing(self) -> list[str]:
        return [c.message for c in self.checks if not c.ok]

    @property
    def blocking(self) -> list[str]:
        """What stands in the way, in the person's terms: for a closed certificate only why it is closed
        (hours no longer matter), otherwise everything missing."""
        if self.state == "closed":
            return [c.message for c in self.checks if not c.ok and c.code in CLOSING]
        return self.missing

    @property
    def state(self) -> str:
        """exchanged, eligible, in_progress (can still be done) or closed (needs new training)."""
        if self.exchanged:
            return "exchanged"
        if self.eligible:
            return "eligible"
        return "closed" if any(c.code in CLOSING and not c.ok for c in self.checks) else "in_progress"


def hours(value_in_tenths: int) -> Decimal:
    return (Decimal(value_in_tenths) * TENTH).quantize(TENTH)


def explain(*, certificate: LegacyCertificate, as_of: date) -> Eligibility:
    """Each check of the exchange, passed or not, with what is missing in the person's terms."""
    return explain_many(certificates=[certificate], as_of=as_of)[certificate.pk]


def explain_many(*, certificates, as_of: date) -> dict[int, Eligibility]:
    """`explain` for many old certificates at once (a holder's, an employer's staff): a query per region and
    one for their e-certificates."""
    certificates = list(certificates)
    policies = region_policies(as_of)
    by_policy: dict[Policy, list[LegacyCertificate]] = {}
    for certificate in certificates:
        by_policy.setdefault(policy_of(certificate, policies, as_of), []).append(certificate)
    pks = [c.pk for c in certificates]
    ecerts = {e.legacy_id: e for e in ECertificate.objects.filter(legacy_id__in=pks, issued_on__lte=as_of)}
    results = {}
    for policy, group in by_policy.items():
        rows = annotated(
            LegacyCertificate.objects.filter(pk__in=[c.pk for c in group]), policy=policy, as_of=as_of
        )
        figures = {r.pk: r for r in rows.only("pk")}
        for certificate in group:
            results[certificate.pk] = _explained(certificate, figures[certificate.pk], policy, ecerts, as_of)
    return results


def _explained(certificate, row, policy: Policy, ecerts: dict, as_of: date) -> Eligibility:
    result = Eligibility(certificate, as_of, policy, ecerts.get(certificate.pk))
    result.professional_hours, result.total_hours = hours(row.professional_tenths), hours(row.total_tenths)
    result.checks = [*_scope_checks(certificate, policy, row), _window_check(policy, as_of)]
    result.checks += _learning_checks(result, policy, row)
    return result


def _scope_checks(certificate: LegacyCertificate, policy: Policy, row) -> list[Check]:
    again = _("需重新参加职业培训取证")
    passed = {
        "issuer": _("发证机关为%(issuer)s") % {"issuer": certificate.issuer},
        "issued_since": _("发证日期 %(day)s") % {"day": certificate.issued_on},
        "status": _("证书状态为有效"),
    }
    failed = {
        "issuer": _("发证机关“%(issuer)s”不在换证范围，%(again)s")
        % {"issuer": certificate.issuer, "again": again},
        "issued_since": _("发证日期 %(day)s 早于 %(since)s，不在换证范围，%(again)s")
        % {"day": certificate.issued_on, "since": policy.issued_since, "again": again},
        "status": _("证书状态为%(status)s，%(again)s")
        % {"status": certificate.get_status_display(), "again": again},
    }
    checks = []
    for code in SCOPE:
        ok = bool(getattr(row, f"in_{code}"))
        checks.append(Check(code, ok, passed[code] if ok else failed[code]))
    return checks


def _window_check(policy: Policy, as_of: date) -> Check:
    state = window(policy, as_of)
    if state == "not_open":
        return Check("not_open", False, _("换证自 %(day)s 开始") % {"day": policy.exchange_opens})
    if state == "closed":
        return Check(
            "deadline",
            False,
            _("换证已于 %(day)s 截止，原证书已自动作废，需重新参加职业培训取证")
            % {"day": policy.exchange_closes},
        )
    return Check("window", True, _("换证期限至 %(day)s") % {"day": policy.exchange_closes})


def _learning_checks(result: Eligibility, policy: Policy, row) -> list[Check]:
    need_professional, need_total = hours(row.professional_short), hours(row.total_short)
    checks = [
        Check(
            "professional_hours",
            not need_professional,
            _("还差专业岗位知识 %(h)s 学时") % {"h": hours_text(need_professional)}
            if need_professional
            else _("专业岗位知识已完成 %(h)s 学时") % {"h": hours_text(result.professional_hours)},
        ),
        Check(
            "total_hours",
            not need_total,
            _("还差 %(h)s 学时（已完成 %(done)s / %(need)d）")
            % {
                "h": hours_text(need_total),
                "done": hours_text(result.total_hours),
                "need": policy.exchange_hours,
            }
            if need_total
            else _("继续教育已完成 %(h)s 学时") % {"h": hours_text(result.total_hours)},
        ),
    ]
    if policy.assessment_required:
        checks.append(
            Check(
                "assessment",
                bool(row.assessment_ok),
                _("考核已通过") if row.assessment_ok else _("尚未通过本岗位考核"),
            )
        )
    return checks
