"""Accounts: holders' registration, mobile confirmation, password reset; organisations and their staff;
API tokens. Plain functions that the pages, the API, the admin and the commands all call."""

import contextlib
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Lock
from typing import cast

from cachetools import TTLCache
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sitecert import sqlkit
from sitecert.cachekit import LOCAL_TTL
from sitecert.errors import DomainError
from sitecert.lib import idnumber, uscc
from sitecert.lib.textnorm import clean, clean_name, name_problem
from sitecert.people.backends import MOBILE, find_account
from sitecert.people.models import ApiToken, OneTimeCode, Organisation, User, mask_mobile
from sitecert.people.sms import RESEND_SECONDS, code_send
from sitecert.registry.models import Person
from sitecert.sqlkit import Compiled
from sitecert.throttle import RateLimited

MAX_CODE_ATTEMPTS = 5


def _password(password: str, user: User | None = None) -> None:
    """Django's validators; with `user`, also how much the password resembles the account's details."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="weak_password", field="password") from exc


def parse_id_number(text: str, field: str = "id_number") -> str:
    try:
        return idnumber.parse(clean(text)).value
    except idnumber.InvalidIdNumber as exc:
        if exc.code == "check":
            message = _("身份证号校验位不正确，请核对后重新输入")
        elif exc.code == "birth_date":
            message = _("身份证号中的出生日期不是真实日期")
        else:
            message = _("身份证号应为18位（最后一位可为X）")
        raise DomainError(message, code=f"id_{exc.code}", field=field) from exc


def parse_name(text: str) -> str:
    name = clean_name(text)
    if name_problem(name):
        raise DomainError(_("请输入2至40个字的姓名，不含数字"), code="name", field="name")
    return name


def parse_mobile(text: str) -> str:
    mobile = clean(text)
    if not MOBILE.fullmatch(mobile):
        raise DomainError(_("手机号应为以1开头的11位数字"), code="mobile", field="mobile")
    return mobile


def _claim_mobile(mobile: str, user: User | None = None) -> None:
    """A confirmed number belongs to one account; an unconfirmed claim on it lapses."""
    others = User.objects.filter(mobile=mobile).exclude(pk=getattr(user, "pk", None))
    if others.filter(mobile_confirmed_at__isnull=False).exists():
        raise DomainError(_("该手机号已被其他账号使用"), code="mobile_taken", field="mobile", status=409)
    others.update(mobile=None)


# One-time codes ------------------------------------------------------------------------------------


def _code_digest(user: User, purpose: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{user.pk}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


def one_time_code_send(*, user: User, purpose: str, mobile: str, now: datetime) -> None:
    last = user.one_time_codes.filter(purpose=purpose).order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < RESEND_SECONDS:
        wait = RESEND_SECONDS - int((now - last.created_at).total_seconds())
        raise RateLimited(wait, _("验证码已发送，请%(n)d秒后再获取") % {"n": wait})
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.ONE_TIME_CODE_MINUTES
    with transaction.atomic():
        OneTimeCode.objects.create(
            user=user,
            purpose=purpose,
            mobile=mobile,
            digest=_code_digest(user, purpose, code),
            created_at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
        code_send(
            mobile,
            _("【施工现场专业人员证书服务】验证码 %(code)s，%(m)d分钟内有效。请勿告诉他人。")
            % {"code": code, "m": minutes},
            now=now,
        )


def one_time_code_check(*, user: User, purpose: str, code: str, now: datetime) -> OneTimeCode:
    """The latest code of that purpose, if `code` is it, unexpired, unused and not guessed at too often."""
    with transaction.atomic():  # the attempt is counted even when the code is wrong
        latest = (
            OneTimeCode.objects.select_for_update()
            .filter(user=user, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if latest is None or latest.expires_at < now or latest.attempts >= MAX_CODE_ATTEMPTS:
            raise _code_expired()
        latest.attempts += 1
        right = hmac.compare_digest(latest.digest, _code_digest(user, purpose, clean(code)))
        latest.used_at = now if right else None
        latest.save(update_fields=["attempts", "used_at"])
    if not right:
        raise _code_wrong()
    return latest


def _code_expired() -> DomainError:
    return DomainError(_("验证码已失效，请重新获取"), code="code_expired", field="code")


def _code_wrong() -> DomainError:
    return DomainError(_("验证码不正确"), code="code_wrong", field="code")


# Tickets: what a client holds between asking for a code and giving it back. A ticket names an account,
# or none when the SMS told the person why there is nothing to confirm (registration) or there is no such
# account (reset); both answer the same, wrong code by wrong code, until they expire.

TICKET_SALT = "sitecert.people.ticket"


@dataclass(frozen=True)
class Ticket:
    user: User | None
    purpose: str
    mobile_masked: str
    value: str


def ticket_issue(*, user: User | None, purpose: str, mobile: str, now: datetime) -> Ticket:
    value = signing.dumps(
        {"u": user.pk if user else None, "p": purpose, "m": mask_mobile(mobile), "at": now.timestamp()},
        salt=TICKET_SALT,
    )
    return Ticket(user, purpose, mask_mobile(mobile), value)


def ticket_read(value: str, *, purpose: str, now: datetime) -> Ticket:
    """The ticket's account (or None); DomainError "code expired" for a forged, foreign or stale one."""
    try:
        data = signing.loads(value, salt=TICKET_SALT)
    except signing.BadSignature as exc:
        raise _code_expired() from exc
    age = now.timestamp() - float(data.get("at", 0))
    if data.get("p") != purpose or age > 2 * settings.ONE_TIME_CODE_MINUTES * 60:
        raise _code_expired()
    user = User.objects.filter(pk=data["u"]).first() if data.get("u") else None
    return Ticket(user, purpose, data.get("m", ""), value)


def ticket_check(*, ticket: Ticket, code: str, now: datetime) -> User:
    """The ticket's account when `code` is its latest code. A ticket without an account answers as an
    account would: "wrong" five times, then "expired" (counted in the cache), "expired" after the
    code's lifetime."""
    if ticket.user is not None:
        one_time_code_check(user=ticket.user, purpose=ticket.purpose, code=code, now=now)
        return ticket.user
    key = "ticket-tries:" + hashlib.sha256(ticket.value.encode()).hexdigest()
    data = signing.loads(ticket.value, salt=TICKET_SALT)
    tries = cache.get(key, 0)
    if tries >= MAX_CODE_ATTEMPTS or now.timestamp() - data["at"] > settings.ONE_TIME_CODE_MINUTES * 60:
        raise _code_expired()
    cache.set(key, tries + 1, 2 * settings.ONE_TIME_CODE_MINUTES * 60)
    raise _code_wrong()


# Holders ---------------------------------------------------------------------------------------------

NOTICES = {
    "name_mismatch": _lazy(
        "【施工现场专业人员证书服务】您提交的姓名与该身份证号的登记信息不一致，未能注册；如姓名已变更，请携身份证件联系主管部门。"
    ),
    "already_registered": _lazy(
        "【施工现场专业人员证书服务】该身份证号已注册，未能重复注册。如忘记密码，请通过“找回密码”用登记的手机号重设。"
    ),
    "mobile_taken": _lazy(
        "【施工现场专业人员证书服务】该手机号已被其他账号使用，未能注册；请换用其他手机号。"
    ),
}


def holder_register(*, name: str, id_number: str, mobile: str, password: str, now: datetime) -> Ticket:
    """Start a holder's registration: an inactive account and a code sent to the mobile number.

    The answer is the same whatever the registry and the accounts hold (a ticket for the code's step):
    the public query tells no more. Why a registration cannot go on (a registered ID number, a name that
    is not the one on record, a mobile number of another account) is said by SMS to the number given,
    which the SMS layer's budget limits like a code. One account per ID number; an unfinished registration
    of the same ID number is taken over.
    """
    number, name, mobile = parse_id_number(id_number), parse_name(name), parse_mobile(mobile)
    _password(password, User(username=number, first_name=name, mobile=mobile))
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(id_number=number).first()
        user = User.objects.filter(person=person).first() if person else None
        if person and person.name != name:
            refusal = "name_mismatch"
        elif user and user.is_active:
            refusal = "already_registered"
        elif _mobile_taken(mobile, user):
            refusal = "mobile_taken"
        else:
            refusal = None
        if refusal is None:
            User.objects.filter(mobile=mobile).exclude(pk=getattr(user, "pk", None)).update(mobile=None)
            person = person or Person.objects.create(id_number=number, name=name)
            user = user or User(username=number, person=person, is_active=False)
            user.first_name, user.mobile = name, mobile
            user.set_password(password)
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError as exc:  # the same ID number registering twice at the same moment
                raise DomainError(_("该身份证号已注册"), code="already_registered", status=409) from exc
            one_time_code_send(user=user, purpose=OneTimeCode.Purpose.REGISTER, mobile=mobile, now=now)
            return ticket_issue(user=user, purpose=OneTimeCode.Purpose.REGISTER, mobile=mobile, now=now)
    make_password(password)  # the same hashing time as a registration that goes on
    code_send(mobile, str(NOTICES[refusal]), now=now)
    return ticket_issue(user=None, purpose=OneTimeCode.Purpose.REGISTER, mobile=mobile, now=now)


def registration_resend(*, ticket: Ticket, now: datetime) -> None:
    """Send the code again. A registration that cannot go on sends nothing more, and answers as a code
    would: "wait" within the minute after its SMS, nothing after."""
    if ticket.user is not None:
        user = ticket.user
        one_time_code_send(user=user, purpose=OneTimeCode.Purpose.REGISTER, mobile=user.mobile, now=now)
        return
    issued = signing.loads(ticket.value, salt=TICKET_SALT)["at"]
    if (elapsed := now.timestamp() - issued) < RESEND_SECONDS:
        wait = RESEND_SECONDS - int(elapsed)
        raise RateLimited(wait, _("验证码已发送，请%(n)d秒后再获取") % {"n": wait})


def _mobile_taken(mobile: str, user: User | None) -> bool:
    others = User.objects.filter(mobile=mobile).exclude(pk=getattr(user, "pk", None))
    return others.filter(mobile_confirmed_at__isnull=False).exists()


def account_confirm_mobile(*, ticket: Ticket, code: str, now: datetime) -> User:
    """Finish a registration: the code proves the mobile number; the account becomes active."""
    user = ticket_check(ticket=ticket, code=code, now=now)
    user.is_active, user.mobile_confirmed_at = True, now
    user.save(update_fields=["is_active", "mobile_confirmed_at"])
    return user


def password_reset_start(*, identifier: str, now: datetime) -> Ticket:
    """Send a reset code to the account's confirmed mobile. The answer (a ticket) is the same for an
    account that does not exist, one that cannot reset, and a request within the minute or over the
    SMS budget: nothing tells them apart but the SMS on the account's own phone."""
    user = find_account(identifier)
    if user is None or not user.is_active or not user.mobile_confirmed_at:
        return ticket_issue(user=None, purpose=OneTimeCode.Purpose.RESET, mobile="", now=now)
    # Too soon or over the SMS budget: the code sent before still works; saying so would tell that the
    # account exists.
    with contextlib.suppress(RateLimited):
        one_time_code_send(user=user, purpose=OneTimeCode.Purpose.RESET, mobile=user.mobile, now=now)
    return ticket_issue(user=user, purpose=OneTimeCode.Purpose.RESET, mobile="", now=now)


def password_reset_finish(*, ticket: Ticket, code: str, password: str, now: datetime) -> User:
    """The code first (a missing account answers as a real one would), then the new password: its
    similarity to the account's own details is judged only once the code has proved the phone."""
    _password(password)
    user = ticket.user
    if user is None:
        ticket_check(ticket=ticket, code=code, now=now)
        raise _code_wrong()  # not reached: a ticket without an account never passes
    spent = one_time_code_check(user=user, purpose=OneTimeCode.Purpose.RESET, code=code, now=now)
    try:
        _password(password, user)
    except DomainError:
        OneTimeCode.objects.filter(pk=spent.pk).update(used_at=None)  # the code stays good for a better one
        raise
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


# Organisations ---------------------------------------------------------------------------------------


def parse_uscc(text: str) -> str:
    try:
        return uscc.parse(clean(text))
    except uscc.InvalidUscc as exc:
        if exc.code == "check":
            message = _("统一社会信用代码校验位不正确，请核对营业执照")
        else:
            message = _("统一社会信用代码应为18位数字或大写字母")
        raise DomainError(message, code=f"uscc_{exc.code}", field="uscc") from exc


def organisation_register(
    *, kind: str, name: str, uscc_code: str, admin_name: str, mobile: str, password: str, now: datetime
) -> User:
    """An organisation, pending the authority's approval, and its first administrator (inactive until
    the mobile number is confirmed)."""
    code, mobile = parse_uscc(uscc_code), parse_mobile(mobile)
    name = clean(name)
    if not 2 <= len(name) <= 100:
        raise DomainError(_("请填写单位全称"), code="org_name", field="name")
    with transaction.atomic():
        if Organisation.objects.filter(uscc=code).exists():
            raise DomainError(
                _("该统一社会信用代码已注册；请联系本单位管理员添加账号"),
                code="org_exists",
                field="uscc",
                status=409,
            )
        _claim_mobile(mobile)
        org = Organisation.objects.create(kind=kind, name=name, uscc=code)
        user = User(
            username=mobile,
            mobile=mobile,
            first_name=parse_name(admin_name),
            organisation=org,
            is_org_admin=True,
        )
        user.is_active = False
        _password(password, user)
        user.set_password(password)
        user.save()
        one_time_code_send(user=user, purpose=OneTimeCode.Purpose.REGISTER, mobile=mobile, now=now)
    return user


def organisation_decide(
    *, organisation: Organisation, by: User, approve: bool, now: datetime
) -> Organisation:
    organisation.status = Organisation.Status.ACTIVE if approve else Organisation.Status.REJECTED
    organisation.decided_at, organisation.decided_by = now, by
    organisation.save(update_fields=["status", "decided_at", "decided_by"])
    return organisation


def staff_add(
    *, organisation: Organisation, by: User, name: str, mobile: str, password: str, now: datetime
) -> User:
    """An administrator adds a colleague; they log in with their mobile number."""
    if by.organisation_id != organisation.pk or not by.is_org_admin:
        raise DomainError(_("只有本单位管理员可以添加账号"), code="forbidden", status=403)
    mobile = parse_mobile(mobile)
    with transaction.atomic():
        _claim_mobile(mobile)
        user = User(username=mobile, mobile=mobile, first_name=parse_name(name), organisation=organisation)
        user.mobile_confirmed_at = now  # vouched for by the administrator
        _password(password, user)
        user.set_password(password)
        user.save()
    return user


# API tokens ------------------------------------------------------------------------------------------


def api_token_create(
    *, user: User, name: str, organisation: Organisation | None = None
) -> tuple[ApiToken, str]:
    """A new token; the secret is returned once and only its digest is kept."""
    if organisation is not None:
        if user.organisation_id != organisation.pk or not user.is_org_admin:
            raise DomainError(_("只有本单位管理员可以管理 API 令牌"), code="forbidden", status=403)
        live = organisation.api_tokens.filter(revoked_at__isnull=True).count()
        if live >= settings.API_TOKEN_MAX_PER_ORG:
            raise DomainError(_("有效令牌已达上限，请先撤销不用的令牌"), code="too_many_tokens")
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        name=clean(name)[:60] or "API",
        user=user,
        organisation=organisation,
        digest=ApiToken.digest_of(secret),
        hint=secret[-4:],
    )
    return token, secret


def api_token_revoke(*, token: ApiToken, by: User, now: datetime) -> None:
    allowed = token.user_id == by.pk or (
        token.organisation_id and token.organisation_id == by.organisation_id and by.is_org_admin
    )
    if not allowed:
        raise DomainError(_("无权撤销该令牌"), code="forbidden", status=403)
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])


# Every API request with a bearer token asks this: compiled once (sqlkit), the token and its user in one row.
_LIVE_TOKEN = Compiled(
    lambda digest: (
        ApiToken.objects.filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .values_list(*sqlkit.columns(ApiToken), *sqlkit.columns(User, via="user"))
        .order_by()[:1]
    )
)


# A rush's requests are mostly learners' beats, each learner with one token: each process keeps a token's row
# for a few seconds (about 0.5 ms of a beat's CPU). A revocation, a deactivation or any other save of a token or
# a user clears this process's copies at once (signals), every other process's within LOCAL_TTL.
_tokens: TTLCache = TTLCache(maxsize=20_000, ttl=LOCAL_TTL)
_tokens_lock = Lock()


TOKEN_USE_MARKED_EVERY = timedelta(minutes=5)  # how stale a token's `last_used_at` may be


def api_token_authenticate(secret: str, *, now: datetime) -> ApiToken | None:
    if not secret.startswith(ApiToken.PREFIX):
        return None
    digest = ApiToken.digest_of(secret)
    with _tokens_lock:
        row = _tokens.get(digest)
    if row is None:
        found = _LIVE_TOKEN.rows(digest=digest)
        if not found:
            return None
        row = found[0]
        with _tokens_lock:
            _tokens[digest] = row
    split = len(ApiToken._meta.concrete_fields)
    # fresh instances from the kept row: requests share no object
    token = cast(ApiToken, sqlkit.instance(ApiToken, row[:split]))
    token.user = cast(User, sqlkit.instance(User, row[split:]))
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_MARKED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        with _tokens_lock:  # this token's kept row is stale now; every other token's is not
            _tokens.pop(digest, None)
    return token


def forget_tokens(**kwargs) -> None:
    """Drop this process's copies of tokens (connected to every save of a token or a user)."""
    with _tokens_lock:
        _tokens.clear()
