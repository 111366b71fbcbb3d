from datetime import date

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from sitecert import clock
from sitecert.portals.selectors import public_certificates
from sitecert.registry.selectors import legacy_certificate_find, legacy_certificates_of
from sitecert.throttle import check_rate

router = Router(tags=["registry 原证书查询"])


class PublicCertificateOut(Schema):
    certificate_no: str
    name: str
    id_number_masked: str
    post: str
    issued_on: date
    issuer: str
    status: (
        str  # valid, invalid, cancelled (the registry's); voided (its round closed unexchanged); exchanged
    )
    status_label: str
    status_reason: str
    ecertificate: str | None


class LookupOut(Schema):
    results: list[PublicCertificateOut]


class ErrorOut(Schema):
    message: str
    details: object = None


def _throttle(request):
    check_rate(request, group="registry-query", rate_setting="REGISTRY_QUERY_RATE")


def _throttle_person(request):
    """One budget for every ID-number-and-name question, wherever it is asked (docs/security.md)."""
    check_rate(request, group="id-name", rate_setting="ID_NAME_RATE")


def _miss() -> Http404:
    return Http404(_("未查询到符合条件的证书"))


@router.get(
    "/certificates/{certificate_no}",
    response={200: PublicCertificateOut, 404: ErrorOut, 429: ErrorOut},
    summary="按证书编号查询原证书 / Look up an old certificate by number",
    auth=None,
)
def certificate(request, certificate_no: str):
    _throttle(request)
    if found := legacy_certificate_find(certificate_no=certificate_no):
        return public_certificates([found], on=clock.today())[0]
    raise _miss()


@router.get(
    "/lookup",
    response={200: LookupOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="按身份证号和姓名查询原证书 / Look up old certificates by ID number and name",
    auth=None,
)
def lookup(request, id_number: str, name: str):
    _throttle_person(request)
    if found := legacy_certificates_of(id_number=id_number, name=name):
        return {"results": public_certificates(found, on=clock.today())}
    raise _miss()
