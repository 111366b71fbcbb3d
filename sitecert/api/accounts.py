"""Accounts and rosters over the API: registration, login for a token, "my certificates", the roster.

Authentication: a bearer token (`Authorization: Bearer sc_…`, personal or an organisation's), or the web
session (with its CSRF token) for pages that call the API.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from sitecert import clock
from sitecert.api.common import AUTH, ErrorOut
from sitecert.lib.idnumber import mask
from sitecert.lib.textnorm import clean
from sitecert.people import roster, services
from sitecert.people.models import Organisation, RosterEntry
from sitecert.portals import logins
from sitecert.portals.selectors import holder_certificates
from sitecert.registry.models import Post
from sitecert.throttle import RateLimited, check_rate

router = Router(tags=["accounts 账号与在岗人员"])


class RegisterIn(Schema):
    name: str
    id_number: str
    mobile: str
    password: str


class RegisterOut(Schema):
    ticket: str  # give it back with the SMS code to /accounts/confirm
    mobile_masked: str
    next: str


class ConfirmIn(Schema):
    ticket: str
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
    status: str  # listed, disputed (by the holder)
    consent: str  # pending (the holder has not confirmed), holder, authority


class RosterEndIn(Schema):
    ended_on: date


def _roster_out(entry: RosterEntry) -> dict:
    return {
        "id": entry.pk,
        "name": entry.person.name,
        "id_number_masked": mask(entry.person.id_number),
        "post": entry.post.code,
        "started_on": entry.started_on,
        "ended_on": entry.ended_on,
        "status": entry.status,
        "consent": entry.consent,
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
    response={201: RegisterOut, 400: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="个人用户注册（发送短信验证码）/ Register a holder",
)
def register(request, payload: RegisterIn):
    """The same answer whatever the registry and the accounts hold: why a registration cannot go on is
    said by SMS to the number given (docs/security.md). Limited per address, per ID number and, in the
    SMS layer, per mobile number (429 with Retry-After)."""
    check_rate(request, group="register", rate_setting="REGISTER_RATE")
    check_rate(
        request, group="register-id", rate_setting="REGISTER_ID_RATE", key=clean(payload.id_number).upper()
    )
    ticket = services.holder_register(**payload.dict(), now=clock.now())
    body = {"ticket": ticket.value, "mobile_masked": ticket.mobile_masked, "next": "/api/v1/accounts/confirm"}
    return Status(201, body)


@router.post(
    "/accounts/confirm",
    response={200: dict, 400: ErrorOut},
    auth=None,
    summary="确认手机号，启用账号 / Confirm the mobile number",
)
def confirm(request, payload: ConfirmIn):
    ticket = services.ticket_read(payload.ticket, purpose="register", now=clock.now())
    services.account_confirm_mobile(ticket=ticket, code=payload.code, now=clock.now())
    return {"message": _("账号已启用")}


@router.post(
    "/auth/token",
    response={201: TokenOut, 401: ErrorOut, 429: ErrorOut},
    auth=None,
    summary="登录，取得 API 令牌 / Log in for a personal API token",
)
def token(request, payload: TokenIn):
    """Paused like the login page: per account and address, per address, and slowed per account."""
    if wait := logins.account_wait(request, payload.username, now=clock.now()):
        raise RateLimited(wait, _("该账号近期登录失败次数较多，请%(n)d秒后再试") % {"n": wait})
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        raise RateLimited(int(settings.AXES_COOLOFF_TIME * 3600), _("登录失败次数过多，请15分钟后再试"))
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
    return _roster_out(_roster_entry(org, entry_id))


def _roster_entry(org: Organisation, entry_id: int) -> RosterEntry:
    found = RosterEntry.objects.select_related("person", "post").filter(pk=entry_id, employer=org).first()
    if found is None:
        raise Http404(_("未找到该在岗人员记录"))
    return found


@router.post(
    "/roster/{entry_id}/end",
    response={200: RosterOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=AUTH,
    summary="记录离职（截止日期）/ End an employment",
)
def roster_end(request, entry_id: int, payload: RosterEndIn):
    """From the day after `ended_on` the entry opens nothing more of the person to the employer."""
    org = _employer(request)
    entry = roster.roster_entry_end(
        entry=_roster_entry(org, entry_id), by=request.user, ended_on=payload.ended_on, today=clock.today()
    )
    return _roster_out(entry)
