"""Whether an old certificate may be exchanged on a given day, explained check by check in the holder's
terms (DOMAIN.md, "Exchange"). One annotated query answers for one certificate or for a whole region, so
the explanation a holder reads and the bulk decision of `sitecert exchange` cannot disagree."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from sitecert.certificates.models import ECertificate
from sitecert.learning.models import AssessmentAttempt, Category, HourEntry
from sitecert.policies.models import Policy
from sitecert.policies.selectors import policy_in_force
from sitecert.registry.models import LegacyCertificate, LegacyStatus

CLOSING = {"issuer", "issued_since", "status", "deadline"}  # failed checks that no learning can fix
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=7, decimal_places=1))


def _hours(entries: QuerySet) -> Coalesce:
    total = entries.values("certificate__holder").annotate(h=Sum("hours")).values("h")
    return Coalesce(Subquery(total), ZERO)


def annotated(queryset: QuerySet, *, policy: Policy, as_of: date) -> QuerySet:
    """Old certificates with the hours and the assessment pass that count for the exchange on `as_of`:
    dated inside the exchange window and not after `as_of`."""
    until = min(as_of, policy.exchange_closes)
    dated = HourEntry.objects.filter(completed_on__gte=policy.exchange_opens, completed_on__lte=until)
    own = dated.filter(certificate=OuterRef("pk"))
    general = (
        dated.filter(certificate__holder=OuterRef("holder"))  # hours shared across a holder's certificates
        if policy.share_general_hours
        else own
    ).filter(category=Category.GENERAL)
    passed_online = AssessmentAttempt.objects.filter(
        certificate=OuterRef("pk"),
        passed=True,
        submitted_at__date__gte=policy.exchange_opens,
        submitted_at__date__lte=until,
    )
    passed_reported = own.filter(assessment_score__gte=policy.pass_mark)
    return queryset.annotate(
        professional_hours=_hours(own.filter(category=Category.PROFESSIONAL)),
        general_hours=_hours(general),
        assessment_ok=Exists(passed_online) | Exists(passed_reported),
    )


def in_scope(policy: Policy) -> Q:
    return Q(status=LegacyStatus.VALID, issued_on__gte=policy.issued_since, issuer__in=policy.issuers)


def candidates(*, policy: Policy, as_of: date) -> QuerySet:
    """Every old certificate that meets every requirement on `as_of` and has no e-certificate yet."""
    if not policy.exchange_opens <= as_of <= policy.exchange_closes:
        return LegacyCertificate.objects.none()
    rows = annotated(
        LegacyCertificate.objects.filter(in_scope(policy), ecertificate__isnull=True),
        policy=policy,
        as_of=as_of,
    ).annotate(total_hours=F("professional_hours") + F("general_hours"))
    rows = rows.filter(
        professional_hours__gte=policy.exchange_professional_hours, total_hours__gte=policy.exchange_hours
    )
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


def hours_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def explain(*, certificate: LegacyCertificate, as_of: date) -> Eligibility:
    """Each check of the exchange, passed or not, with what is missing in the person's terms."""
    return explain_many(certificates=[certificate], as_of=as_of)[certificate.pk]


def explain_many(*, certificates, as_of: date) -> dict[int, Eligibility]:
    """`explain` for many old certificates at once (a holder's, an employer's staff): two queries in all."""
    policy = policy_in_force(on=as_of)
    pks = [c.pk for c in certificates]
    rows = annotated(LegacyCertificate.objects.filter(pk__in=pks), policy=policy, as_of=as_of)
    figures = {r.pk: r for r in rows.only("pk")}
    ecerts = {e.legacy_id: e for e in ECertificate.objects.filter(legacy_id__in=pks, issued_on__lte=as_of)}
    results = {}
    for certificate in certificates:
        row = figures[certificate.pk]
        result = Eligibility(certificate, as_of, policy, ecerts.get(certificate.pk), row.professional_hours)
        result.total_hours = row.professional_hours + row.general_hours
        result.checks = [*_scope_checks(certificate, policy), _window_check(policy, as_of)]
        result.checks += _learning_checks(result, policy, row.assessment_ok)
        results[certificate.pk] = result
    return results


def _scope_checks(certificate: LegacyCertificate, policy: Policy) -> list[Check]:
    again = _("需重新参加职业培训取证")
    return [
        Check(
            "issuer",
            certificate.issuer in policy.issuers,
            _("发证机关为%(issuer)s") % {"issuer": certificate.issuer}
            if certificate.issuer in policy.issuers
            else _("发证机关“%(issuer)s”不在换证范围，%(again)s")
            % {"issuer": certificate.issuer, "again": again},
        ),
        Check(
            "issued_since",
            certificate.issued_on >= policy.issued_since,
            _("发证日期 %(day)s") % {"day": certificate.issued_on}
            if certificate.issued_on >= policy.issued_since
            else _("发证日期 %(day)s 早于 %(since)s，不在换证范围，%(again)s")
            % {"day": certificate.issued_on, "since": policy.issued_since, "again": again},
        ),
        Check(
            "status",
            certificate.status == LegacyStatus.VALID,
            _("证书状态为有效")
            if certificate.status == LegacyStatus.VALID
            else _("证书状态为%(status)s，%(again)s")
            % {"status": certificate.get_status_display(), "again": again},
        ),
    ]


def _window_check(policy: Policy, as_of: date) -> Check:
    if as_of < policy.exchange_opens:
        return Check("not_open", False, _("换证自 %(day)s 开始") % {"day": policy.exchange_opens})
    if as_of > policy.exchange_closes:
        return Check(
            "deadline",
            False,
            _("换证已于 %(day)s 截止，原证书已自动作废，需重新参加职业培训取证")
            % {"day": policy.exchange_closes},
        )
    return Check("window", True, _("换证期限至 %(day)s") % {"day": policy.exchange_closes})


def _learning_checks(result: Eligibility, policy: Policy, assessment_ok: bool) -> list[Check]:
    professional, total = result.professional_hours, result.total_hours
    need_professional = max(Decimal(0), policy.exchange_professional_hours - professional)
    need_total = max(Decimal(0), policy.exchange_hours - total)
    checks = [
        Check(
            "professional_hours",
            not need_professional,
            _("还差专业岗位知识 %(h)s 学时") % {"h": hours_text(need_professional)}
            if need_professional
            else _("专业岗位知识已完成 %(h)s 学时") % {"h": hours_text(professional)},
        ),
        Check(
            "total_hours",
            not need_total,
            _("还差 %(h)s 学时（已完成 %(done)s / %(need)d）")
            % {"h": hours_text(need_total), "done": hours_text(total), "need": policy.exchange_hours}
            if need_total
            else _("继续教育已完成 %(h)s 学时") % {"h": hours_text(total)},
        ),
    ]
    if policy.assessment_required:
        checks.append(
            Check("assessment", assessment_ok, _("考核已通过") if assessment_ok else _("尚未通过本岗位考核"))
        )
    return checks
