"""What anyone learns from a certificate number or a scanned QR token: the live status as of today, the
fields with the ID number masked, and whether the signature checks with which key. A token that does not
verify is reported as forged, never as "not found"."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F
from django.utils.translation import gettext as _

from sitecert.certificates.credentials import ALGORITHMS, Checked, token_check, token_from
from sitecert.certificates.keys import jwks, key_set
from sitecert.certificates.models import CertificateVersion, ECertificate
from sitecert.certificates.numbers import number_clean, number_valid
from sitecert.lib.idnumber import mask


@dataclass
class Verification:
    outcome: str  # valid, lapsed, revoked, superseded, forged, not_found
    message: str
    number: str = ""
    version: int | None = None  # the version presented (a token's), else the current one
    current_version: int | None = None
    signature_valid: bool | None = None  # None: nothing to check (a number typed in)
    kid: str | None = None
    fields: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "outcome": self.outcome,
            "message": self.message,
            "number": self.number,
            "version": self.version,
            "current_version": self.current_version,
            "signature": {"valid": self.signature_valid, "kid": self.kid, "algorithm": ALGORITHMS[0]},
            "certificate": self.fields,
        }


def _current(number: str) -> CertificateVersion | None:
    """The certificate's current version with the certificate, holder and post: one query."""
    return (
        CertificateVersion.objects.select_related(
            "certificate__holder", "certificate__post", "certificate__legacy"
        )
        .filter(certificate__number=number, version=F("certificate__version"))
        .first()
    )


def _fields(ecert: ECertificate, current: CertificateVersion) -> dict:
    return {
        "name": current.name,
        "id_number_masked": mask(ecert.holder.id_number),
        "post": str(ecert.post),
        "issued_on": ecert.issued_on.isoformat(),
        "issuer": ecert.issuer,
        "replaces": ecert.legacy.certificate_no if ecert.legacy_id else None,
        "status": ecert.status,
        "status_label": str(ecert.get_status_display()),
        "status_since": ecert.status_since.isoformat(),
    }


def _status(ecert: ECertificate, *, presented: int, today: date) -> tuple[str, str]:
    if ecert.status != ECertificate.Status.VALID and ecert.status_since <= today:
        if ecert.status == ECertificate.Status.REVOKED:
            return "revoked", _("该证书已于 %(day)s 注销") % {"day": ecert.status_since}
        return "lapsed", _("该证书已于 %(day)s 失效，持证人需重新取证") % {"day": ecert.status_since}
    if presented < ecert.version:
        return "superseded", _("此为第 %(old)d 版，已被第 %(new)d 版取代，请以最新版本为准") % {
            "old": presented,
            "new": ecert.version,
        }
    return "valid", _("证书有效")


def verify_number(text: str, *, today: date) -> Verification:
    """A number typed or read from a print: the live record (its current version's signature checked)."""
    number = number_clean(text)
    current = _current(number) if number_valid(number) else None
    if current is None:
        return Verification("not_found", _("未找到该证书编号，请核对后重试"), number=number)
    ecert = current.certificate
    checked = token_check(current.credential, keys=key_set(jwks()))
    outcome, message = _status(ecert, presented=ecert.version, today=today)
    return Verification(
        outcome,
        message,
        ecert.number,
        ecert.version,
        ecert.version,
        checked.genuine,
        checked.kid,
        _fields(ecert, current),
    )


def verify_token(text: str, *, today: date) -> Verification:
    """A scanned QR content or a pasted credential: the signature first, then the live record."""
    checked: Checked = token_check(token_from(text), keys=key_set(jwks()))
    if not checked.genuine:
        return Verification(
            "forged", _("签名校验失败：该证书内容不是本系统签发的，或已被篡改"), signature_valid=False
        )
    current = _current(checked.number or "")
    if current is None:
        return Verification(
            "not_found",
            _("签名有效，但系统中没有该证书记录，请联系主管部门"),
            checked.number,
            signature_valid=True,
        )
    ecert = current.certificate
    outcome, message = _status(ecert, presented=checked.version or 0, today=today)
    fields = _fields(ecert, current)
    return Verification(
        outcome, message, ecert.number, checked.version, ecert.version, True, checked.kid, fields
    )
