"""Accounts and rosters over the API: registration, login for a token, "my certificates", the roster.

Authentication: a bearer token (`Authorization: Bearer sc_…`, personal or an organisation's), or the web
session (with its CSRF token) for pages that call the API.
"""

from datetime import date

from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from sitecert import clock
from sitecert.api.common import AUTH, ErrorOut
from sitecert.lib.idnumber import mask
from sitecert.people import roster, services
from sitecert.people.models import Organisation, RosterEntry, User
from sitecert.portals.selectors import holder_certificates
from sitecert.registry.models import Post

router = Router(tags=["accounts 账号与在岗人员"])


class RegisterIn(Schema):
    name: str
    id_number: str
    mobile: str
    password: str


class RegisterOut(Schema):
    account_id: int
    mobile_masked: str
    next: str


class ConfirmIn(Schema):
    account_id: int
    code: str


class TokenIn(Schema):
    username: str
    password: str
    name: str = "API"


class TokenOut(Schema):
    token: str
    kind: str


class CertificateOut(Schema):
    certificate_no: str
    post: str
    issued_on: date
    issuer: str
    status: str
    status_label: str
    next_step: str
    exchange_state: str  # exchanged, eligible, in_progress, closed (voided: closed)
    missing: list[str]
    ecertificate: str | None


class RosterIn(Schema):
    id_number: str
    name: str
    post: str
    started_on: date
    ended_on: date | None = None


class RosterOut(Schema):
    id: int
    name: str
    id_number_masked: str
    post: str
    started_on: date
    ended_on: date | None
    status: str


def _roster_out(entry: RosterEntry) -> dict:
    return {
        "id": entry.pk,
        "name": entry.person.name,
        "id_number_masked": mask(entry.person.id_number),
        "post": entry.post.code,
        "started_on": entry.started_on,
        "ended_on": entry.ended_on,
        "status": entry.status,
    }


def _employer(request) -> Organisation:
    org = request.user.organisation
    if org is None or org.kind != Organisation.Kind.EMPLOYER or not org.is_active:
        raise HttpError(403, _("只有已审核的用人单位可以访问在岗人员"))
    token = getattr(request, "api_token", None)
    if token is not None and token.organisation_id not in (None, org.pk):
        raise HttpError(403, _("令牌不属于本单位"))
    return org


@router.post(
    "/accounts/register",
    response={201: RegisterOut, 400: ErrorOut, 409: ErrorOut},
    auth=None,
    summary="个人用户注册（发送短信验证码）/ Register a holder",
)
def register(request, payload: RegisterIn):
    user = services.holder_register(**payload.dict(), now=clock.now())
    body = {
        "account_id": user.pk,
        "mobile_masked": user.masked_mobile,
        "next": "/api/v1/accounts/confirm",
    }
    return Status(201, body)


@router.post(
    "/accounts/confirm",
    response={200: dict, 400: ErrorOut},
    auth=None,
    summary="确认手机号，启用账号 / Confirm the mobile number",
)
def confirm(request, payload: ConfirmIn):
    user = User.objects.filter(pk=payload.account_id, is_active=False).first()
    if user is None:
        raise HttpError(400, _("验证码已失效，请重新获取"))
    services.account_confirm_mobile(user=user, code=payload.code, now=clock.now())
    return {"message": _("账号已启用")}


@router.post(
    "/auth/token",
    response={201: TokenOut, 401: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="登录，取得 API 令牌 / Log in for a personal API token",
)
def token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise HttpError(429, _("登录失败次数过多，请15分钟后再试"))
    if user is None:
        raise HttpError(401, _("账号或密码不正确"))
    _token, secret = services.api_token_create(user=user, name=payload.name)
    return Status(201, {"token": secret, "kind": "holder" if user.is_holder else "organisation"})


@router.get(
    "/me/certificates",
    response={200: list[CertificateOut], 403: ErrorOut},
    auth=AUTH,
    summary="本人的原证书 / My old certificates",
)
def my_certificates(request):
    if not request.user.is_holder:
        raise HttpError(403, _("仅限个人用户"))
    return [
        {
            "certificate_no": item.certificate.certificate_no,
            "post": str(item.certificate.post),
            "issued_on": item.certificate.issued_on,
            "issuer": item.certificate.issuer,
            "status": item.shown.status,
            "status_label": item.shown.label,
            "next_step": item.next_step,
            "exchange_state": item.exchange.state if item.exchange else "closed",
            "missing": item.exchange.blocking if item.exchange else [item.shown.reason],
            "ecertificate": item.shown.ecertificate,
        }
        for item in holder_certificates(person=request.user.person, as_of=clock.today())
        if item.certificate is not None
    ]


@router.get(
    "/roster",
    response={200: list[RosterOut], 403: ErrorOut},
    auth=AUTH,
    summary="本单位在岗人员 / The employer's roster",
)
def roster_list(request):
    org = _employer(request)
    return [_roster_out(e) for e in org.roster.select_related("person", "post").order_by("pk")]


@router.post(
    "/roster",
    response={201: RosterOut, 400: ErrorOut, 403: ErrorOut},
    auth=AUTH,
    summary="添加在岗人员 / Add a person to the roster",
)
def roster_add(request, payload: RosterIn):
    org = _employer(request)
    post = Post.objects.filter(code=payload.post, is_active=True).first()
    if post is None:
        raise HttpError(400, _("未知岗位代码“%(code)s”") % {"code": payload.post})
    entry = roster.roster_entry_add(
        employer=org,
        by=request.user,
        id_number=payload.id_number,
        name=payload.name,
        post=post,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        today=clock.today(),
    )
    return Status(201, _roster_out(entry))


@router.get(
    "/roster/{entry_id}",
    response={200: RosterOut, 403: ErrorOut, 404: ErrorOut},
    auth=AUTH,
    summary="在岗人员记录 / One roster entry",
)
def roster_entry(request, entry_id: int):
    org = _employer(request)
    return _roster_out(
        get_object_or_404(RosterEntry.objects.select_related("person", "post"), pk=entry_id, employer=org)
    )
