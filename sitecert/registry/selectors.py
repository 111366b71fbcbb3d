"""Reads of the registry: the public query (施工项目部管理人员信息查询)."""

from dataclasses import dataclass
from datetime import date

from sitecert.lib import idnumber
from sitecert.lib.textnorm import clean, clean_name
from sitecert.registry.models import LegacyCertificate


@dataclass(frozen=True)
class PublicCertificate:
    """What anyone may see of an old certificate: the ID number is masked."""

    certificate_no: str
    name: str
    id_number_masked: str
    post: str
    issued_on: date
    issuer: str
    status: str
    status_label: str

    @classmethod
    def of(cls, cert: LegacyCertificate) -> "PublicCertificate":
        return cls(
            certificate_no=cert.certificate_no,
            name=cert.holder.name,
            id_number_masked=idnumber.mask(cert.holder.id_number),
            post=str(cert.post),
            issued_on=cert.issued_on,
            issuer=cert.issuer,
            status=cert.status,
            status_label=str(cert.get_status_display()),
        )


def _public():
    return LegacyCertificate.objects.select_related("holder", "post")


def legacy_certificate_find(*, certificate_no: str) -> PublicCertificate | None:
    cert = _public().filter(certificate_no=clean(certificate_no)).first()
    return PublicCertificate.of(cert) if cert else None


def legacy_certificates_of(*, id_number: str, name: str) -> list[PublicCertificate]:
    """The certificates of the person with this ID number *and* name; a wrong name finds nothing."""
    try:
        number = idnumber.parse(clean(id_number)).value
    except idnumber.InvalidIdNumber:
        return []
    certs = _public().filter(holder__id_number=number, holder__name=clean_name(name))
    return [PublicCertificate.of(c) for c in certs.order_by("-issued_on", "certificate_no")]
