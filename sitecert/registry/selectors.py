"""Reads of the registry for the public query (施工项目部管理人员信息查询)."""

from sitecert.lib import idnumber
from sitecert.lib.textnorm import clean, clean_name
from sitecert.registry.models import LegacyCertificate


def _public():
    return LegacyCertificate.objects.select_related("holder", "post")


def legacy_certificate_find(*, certificate_no: str) -> LegacyCertificate | None:
    return _public().filter(certificate_no=clean(certificate_no)).first()


def legacy_certificates_of(*, id_number: str, name: str) -> list[LegacyCertificate]:
    """The certificates of the person with this ID number *and* name; a wrong name finds nothing."""
    try:
        number = idnumber.parse(clean(id_number)).value
    except idnumber.InvalidIdNumber:
        return []
    certs = _public().filter(holder__id_number=number, holder__name=clean_name(name))
    return list(certs.order_by("-issued_on", "certificate_no"))
