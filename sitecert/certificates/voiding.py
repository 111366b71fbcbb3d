"""After a round (docs/rules.md, "After the round"): an old certificate of a region's round that was not
exchanged by the deadline is void from the next day, wherever it is shown, whatever the registry says; replayed
as of a day inside the round it shows as it was. Derived from the policy and the day, never written into the
imported rows. Learning for such a certificate (or for a lapsed or cancelled e-certificate) is refused with
the way forward: a first certificate by training."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from sitecert.certificates.eligibility import region_policies, window
from sitecert.certificates.models import ECertificate
from sitecert.policies.models import Policy
from sitecert.registry.models import LegacyStatus

VOIDED, EXCHANGED = "voided", "exchanged"


def shown_statuses() -> list[tuple[str, str]]:
    """Every status an old certificate is shown with, in the order tables list them."""
    return [
        (EXCHANGED, _("已换发电子证书")),
        *((code, str(label)) for code, label in LegacyStatus.choices),
        (VOIDED, _("已作废")),
    ]


@dataclass(frozen=True)
class Shown:
    """How an old certificate is shown on a day: the registry's status (valid, invalid, cancelled), voided by
    its round's deadline, or exchanged for an e-certificate."""

    status: str
    label: str
    reason: str = ""
    ecertificate: str | None = None  # the number it was exchanged for


def way_forward() -> str:
    return _("需参加培训机构组织的职业培训并通过考核，取得新的电子证书（由培训机构上报，无需换证）")


def round_of(issuer: str, policies: list[Policy]) -> Policy | None:
    """The round an old certificate belongs to: the policy naming its issuer."""
    return next((p for p in policies if issuer in p.issuers), None)


def status_shown(*, issuer: str, status: str, exchanged: bool, policies: list[Policy], on: date) -> str:
    """The one decision: exchanged; voided once its round closed without it; else the registry's status."""
    if exchanged:
        return EXCHANGED
    policy = round_of(issuer, policies)
    return VOIDED if policy is not None and window(policy, on) == "closed" else status


def legacy_shown(certificates, *, on: date) -> dict[int, Shown]:
    """Each old certificate's status as shown on `on` (two queries for any number of certificates)."""
    certificates = list(certificates)
    policies = region_policies(on)
    exchanged = dict(
        ECertificate.objects.filter(legacy__in=certificates, issued_on__lte=on).values_list(
            "legacy_id", "number"
        )
    )
    shown = {}
    for cert in certificates:
        status = status_shown(
            issuer=cert.issuer, status=cert.status, exchanged=cert.pk in exchanged, policies=policies, on=on
        )
        if status == EXCHANGED:
            shown[cert.pk] = Shown(status, _("已换发电子证书"), ecertificate=exchanged[cert.pk])
        elif (policy := round_of(cert.issuer, policies)) and status == VOIDED:
            reason = _("未在 %(day)s 前换发电子证书") % {"day": policy.exchange_closes}
            shown[cert.pk] = Shown(status, _("已作废"), reason)
        else:
            shown[cert.pk] = Shown(status, str(cert.get_status_display()))
    return shown


def learning_guard(records: list, on: date) -> list[str | None]:
    """For learning's `learning_guards`: a record may be learned for while an e-certificate of it is valid, or
    while its old certificate can still be exchanged; otherwise the reason and the way forward."""
    saved = [r.pk for r in records if r.pk]
    newest: dict[int, ECertificate] = {}
    for ecert in ECertificate.objects.filter(record__in=saved, issued_on__lte=on).order_by("issued_on", "pk"):
        newest[ecert.record_id] = ecert
    legacies = [r.legacy for r in records if r.legacy_id]
    shown = legacy_shown(legacies, on=on) if legacies else {}
    return [_refusal(r, newest.get(r.pk) if r.pk else None, shown, on) for r in records]


def _refusal(record, ecert: ECertificate | None, shown: dict[int, Shown], on: date) -> str | None:
    if ecert is not None:
        if ecert.status == ECertificate.Status.VALID or ecert.status_since > on:  # valid on that day
            return None
        if ecert.status == ECertificate.Status.LAPSED:
            return _("证书 %(no)s 已失效，继续教育学时不再计入。%(way)s") % {
                "no": ecert.number,
                "way": way_forward(),
            }
        return _("证书 %(no)s 已注销，不能继续学习。") % {"no": ecert.number}
    if record.legacy_id:
        found = shown[record.legacy_id]
        if found.status == VOIDED:
            return _("原证书 %(no)s 已作废（%(reason)s），学时不再计入。%(way)s") % {
                "no": record.legacy.certificate_no,
                "reason": found.reason,
                "way": way_forward(),
            }
        return None  # the round is open (or not yet): learning leads to the exchange
    return _("取得电子证书后方可参加继续教育。%(way)s") % {"way": way_forward()}
