"""E-certificates over HTTP: public verification (rate-limited), eligibility explained, a certificate's
credential and PDF for those who may see it, and the holder's lifecycle requests."""

from datetime import date

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from sitecert import clock
from sitecert.api.common import AUTH, ErrorOut, answered
from sitecert.certificates import lifecycle
from sitecert.certificates.eligibility import explain
from sitecert.certificates.exchange import replaced_number
from sitecert.certificates.training import ExamReport, training_certificate_issue
from sitecert.certificates.verification import verify_number, verify_person, verify_token
from sitecert.errors import DomainError
from sitecert.learning.models import hours_text
from sitecert.portals.access import ecertificate_for, legacy_certificate_for
from sitecert.portals.files import ecertificate_pdf
from sitecert.portals.forms import PersonQueryForm
from sitecert.throttle import check_rate

router = Router(tags=["certificates 电子证书"])


class SignatureOut(Schema):
    valid: bool | None
    kid: str | None
    algorithm: str


class VerificationOut(Schema):
    outcome: str
    message: str
    number: str
    version: int | None
    current_version: int | None
    signature: SignatureOut
    certificate: dict


def _throttle(request):
    check_rate(request, group="verify", rate_setting="VERIFY_RATE")


@router.get(
    "/verify",
    auth=None,
    response={200: VerificationOut, 429: ErrorOut},
    summary="核验二维码令牌或凭证 / Verify a scanned QR token or a credential",
)
def verify_by_token(request, token: str):
    _throttle(request)
    return answered(request, verify_token(token, today=clock.today(), now=clock.now()).as_json())


class PersonIn(Schema):
    id_number: str
    name: str


class PersonResultsOut(Schema):
    results: list[VerificationOut]


# Before /verify/{number}: the first matching route wins.
@router.post(
    "/verify/person",
    auth=None,
    response={200: PersonResultsOut, 422: ErrorOut, 429: ErrorOut},
    summary="按身份证号和姓名核验电子证书 / Verify the e-certificates of a person by ID number and name",
)
def verify_by_person(request, payload: PersonIn):
    """POST, so that ID numbers stay out of addresses and logs; a miss is an empty list either way. It
    shares one budget with every other ID-number-and-name question (the registry lookup, the pages)."""
    check_rate(request, group="id-name", rate_setting="ID_NAME_RATE")
    form = PersonQueryForm({"id_number": payload.id_number, "name": payload.name})
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise DomainError(str(errors[0]), code="invalid", field=field, status=422)
    found = verify_person(**form.cleaned_data, today=clock.today(), now=clock.now())
    return {"results": [v.as_json() for v in found]}


@router.get(
    "/verify/{number}",
    auth=None,
    response={200: VerificationOut, 429: ErrorOut},
    summary="按证书编号核验 / Verify by certificate number",
)
def verify_by_number(request, number: str):
    _throttle(request)
    return answered(request, verify_number(number, today=clock.today(), now=clock.now()).as_json())


class CheckOut(Schema):
    code: str
    ok: bool
    message: str


class EligibilityOut(Schema):
    certificate_no: str
    as_of: date
    policy: str
    state: str
    eligible: bool
    professional_hours: str
    total_hours: str
    ecertificate: str | None
    checks: list[CheckOut]
    missing: list[str]


class AsOf(Schema):
    as_of: date | None = None


@router.get(
    "/certificates/legacy/{number}/eligibility",
    auth=AUTH,
    response={200: EligibilityOut, 404: ErrorOut},
    summary="原证书换证条件（可指定日期）/ Exchange eligibility of an old certificate, as of a date",
)
def eligibility(request, number: str, query: Query[AsOf]):
    cert = legacy_certificate_for(request.user, number)
    result = explain(certificate=cert, as_of=query.as_of or clock.today())
    return {
        "certificate_no": cert.certificate_no,
        "as_of": result.as_of,
        "policy": str(result.policy),
        "state": result.state,
        "eligible": result.eligible,
        "professional_hours": hours_text(result.professional_hours),
        "total_hours": hours_text(result.total_hours),
        "ecertificate": result.ecertificate.number if result.ecertificate else None,
        "checks": [vars(c) for c in result.checks],
        "missing": result.missing,
    }


class VersionOut(Schema):
    version: int
    cause: str
    name: str
    issued_on: date
    kid: str
    credential: str


class ECertificateOut(Schema):
    number: str
    name: str
    post: str
    issued_on: date
    issuer: str
    status: str
    status_since: date
    version: int
    replaces: str | None
    versions: list[VersionOut]


class TrainingIn(Schema):
    id_number: str
    name: str
    post: str  # code (safety) or name (安全员, 施工员（土建）)
    examined_on: date
    score: int


class TrainingOut(Schema):
    number: str
    replaces: str | None  # the lapsed e-certificate it replaces, if any
    issued_on: date
    created: bool  # False: this examination was reported before and issued this certificate


# Before /certificates/{number}: Django tries the routes in order.
@router.post(
    "/certificates/training",
    response={200: TrainingOut, 201: TrainingOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut},
    auth=AUTH,
    summary="职业培训取证：培训机构上报考核合格 / A passed vocational-training examination issues an e-certificate",
)
def training_report(request, payload: TrainingIn):
    """For a person with no valid e-certificate of the post (a new entrant, a holder who missed the exchange,
    a lapsed holder): 201 with the new certificate, or 200 with the one this examination issued before. A
    refusal (400/403/409) names the field: id_number, name, post, examined_on or score; 409 when a valid
    e-certificate of the post exists; 403 when the institution is not approved for the post."""
    institution = request.user.organisation
    if institution is None:
        raise HttpError(403, _("只有已审核的培训机构可以上报职业培训考核"))
    report = ExamReport(**payload.dict())
    issued = training_certificate_issue(
        institution=institution, by=request.user, report=report, today=clock.today(), now=clock.now()
    )
    ecert = issued.ecertificate
    body = {
        "number": ecert.number,
        "replaces": ecert.replaces.number if ecert.replaces else None,
        "issued_on": ecert.issued_on,
        "created": issued.created,
    }
    return Status(201 if issued.created else 200, body)


@router.get(
    "/certificates/{number}",
    auth=AUTH,
    response={200: ECertificateOut, 404: ErrorOut},
    summary="电子证书及其可验证凭证 / An e-certificate with its verifiable credentials",
)
def certificate_detail(request, number: str):
    ecert = ecertificate_for(request.user, number)
    versions = list(ecert.versions.order_by("-version"))
    return {
        "number": ecert.number,
        "name": versions[0].name,
        "post": str(ecert.post),
        "issued_on": ecert.issued_on,
        "issuer": ecert.issuer,
        "status": ecert.status,
        "status_since": ecert.status_since,
        "version": ecert.version,
        "replaces": replaced_number(ecert),
        "versions": versions,
    }


@router.get(
    "/certificates/{number}/pdf",
    auth=AUTH,
    response={404: ErrorOut},
    summary="电子证书 PDF（带电子签章）/ The sealed PDF",
)
def certificate_pdf_download(request, number: str):
    return ecertificate_pdf(ecertificate_for(request.user, number), now=clock.now())


class RequestIn(Schema):
    kind: str
    reason: str
    new_name: str = ""


class RequestOut(Schema):
    id: int
    kind: str
    state: str
    reason: str
    new_name: str


@router.post(
    "/certificates/{number}/requests",
    auth=AUTH,
    response={201: RequestOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="申请补发、信息变更或注销 / Ask for a reissue, a change of name or a cancellation",
)
def request_create(request, number: str, payload: RequestIn):
    ecert = ecertificate_for(request.user, number)
    if payload.kind not in lifecycle.Kind.values:
        raise DomainError(_("申请类型应为 reissue、change 或 cancel"), code="kind", field="kind")
    made = lifecycle.request_create(
        ecert=ecert,
        kind=payload.kind,
        reason=payload.reason,
        new_name=payload.new_name,
        by=request.user,
        now=clock.now(),
    )
    return Status(201, made)
