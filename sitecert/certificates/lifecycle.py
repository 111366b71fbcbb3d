"""The e-certificate services that replace the old certificate's (docs/rules.md, rule 4.2): reissue (补发: a new
print, same number, version + 1), change of details (信息变更: a new name from the resident registry, new
version) and cancellation (注销). Each is a request and a decision; each effect is audited."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sitecert.audit.services import Event, audit_append
from sitecert.certificates.exchange import version_sign
from sitecert.certificates.models import CertificateRequest, CertificateVersion, ECertificate
from sitecert.errors import DomainError
from sitecert.lib.textnorm import clean_name, name_problem
from sitecert.people.models import User

Kind = CertificateRequest.Kind
State = CertificateRequest.State
# Who may decide and cancel: Django permissions, given to the authority's reviewers (superusers have them).
DECIDE = "certificates.decide_certificaterequest"
REVOKE = "certificates.revoke_ecertificate"


def request_create(
    *, ecert: ECertificate, kind: str, reason: str, by: User, now: datetime, new_name: str = ""
) -> CertificateRequest:
    """A holder asks for a reissue, a change of name or a cancellation of their own valid certificate."""
    if ecert.holder_id != by.person_id:
        raise DomainError(_("只能为本人的证书提出申请"), code="forbidden", status=404)
    if ecert.status != ECertificate.Status.VALID:
        raise DomainError(
            _("证书当前状态为%(s)s，不能办理") % {"s": ecert.get_status_display()}, code="not_valid"
        )
    if not reason.strip():
        raise DomainError(_("请填写申请理由"), code="required", field="reason")
    if kind == Kind.CHANGE:
        new_name = clean_name(new_name)
        if name_problem(new_name):
            raise DomainError(_("姓名应为2至40个字符，不含数字"), code="name", field="new_name")
        if new_name == ecert.holder.name:
            raise DomainError(_("变更后姓名与现姓名相同"), code="same_name", field="new_name")
    if ecert.requests.filter(kind=kind, state=State.PENDING).exists():
        raise DomainError(_("已有一份同类申请正在审核"), code="pending", status=409)
    with transaction.atomic():
        request = CertificateRequest.objects.create(
            certificate=ecert,
            kind=kind,
            reason=reason.strip()[:200],
            new_name=new_name if kind == Kind.CHANGE else "",
            requested_by=by,
            requested_at=now,
        )
        audit_append(
            events=[
                Event(by.username, f"request.{kind}", f"ecertificate:{ecert.number}", {"request": request.pk})
            ],
            at=now,
        )
    return request


def request_decide(
    *, request: CertificateRequest, approve: bool, by: User, now: datetime, note: str = ""
) -> CertificateRequest:
    """The authority decides; an approval takes effect at once (a new version, or the cancellation)."""
    if not by.has_perm(DECIDE):
        raise DomainError(_("仅主管部门有审核权限的人员可以审核"), code="forbidden", status=403)
    with transaction.atomic():
        request = (
            CertificateRequest.objects.select_for_update(of=("self",))
            .select_related("certificate")
            .get(pk=request.pk)
        )
        if request.state != State.PENDING:
            raise DomainError(_("该申请已审核"), code="decided", status=409)
        request.state = State.APPROVED if approve else State.REJECTED
        request.decided_by, request.decided_at, request.decision_note = by, now, note[:200]
        request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        subject = f"ecertificate:{request.certificate.number}"
        data = {
            "request": request.pk,
            "kind": request.kind,
            "approved": approve,
            "note": request.decision_note,
        }
        audit_append(events=[Event(by.username, "request.decide", subject, data)], at=now)
        if approve:
            _apply(request, by=by, now=now)
    return request


def _apply(request: CertificateRequest, *, by: User, now: datetime) -> None:
    if request.kind == Kind.CANCEL:
        certificate_revoke(ecert=request.certificate, reason=request.reason, by=by, now=now)
    elif request.kind == Kind.REISSUE:
        version_new(ecert=request.certificate, cause=CertificateVersion.Cause.REISSUE, by=by, now=now)
    else:
        version_new(
            ecert=request.certificate,
            cause=CertificateVersion.Cause.CHANGE,
            by=by,
            now=now,
            name=request.new_name,
        )


def version_new(
    *, ecert: ECertificate, cause: str, by: User, now: datetime, name: str | None = None
) -> CertificateVersion:
    """Version + 1 of the same number; prints of earlier versions verify as superseded from now on."""
    with transaction.atomic():
        ecert = (
            ECertificate.objects.select_for_update(of=("self",))
            .select_related("holder", "post", "legacy")
            .get(pk=ecert.pk)
        )
        current = ecert.versions.get(version=ecert.version)
        name = name or current.name
        if name != ecert.holder.name:  # the resident registry's name is the person's name everywhere
            ecert.holder.name = name
            ecert.holder.save(update_fields=["name"])
        ecert.version += 1
        ecert.save(update_fields=["version"])
        version = version_sign(ecert, cause=cause, name=name, on=timezone.localdate(now), now=now)
        version.save()
        data = {"version": ecert.version, "cause": cause, "kid": version.kid}
        if name != current.name:
            data["name"] = {"from": current.name, "to": name}
        audit_append(
            events=[Event(by.username, f"ecertificate.{cause}", f"ecertificate:{ecert.number}", data)], at=now
        )
    return version


def certificate_revoke(*, ecert: ECertificate, reason: str, by: User, now: datetime) -> ECertificate:
    """Cancellation (注销), on the holder's approved request or by the authority itself."""
    if not by.has_perm(REVOKE):
        raise DomainError(_("仅主管部门有注销权限的人员可以注销证书"), code="forbidden", status=403)
    with transaction.atomic():
        ecert = ECertificate.objects.select_for_update().get(pk=ecert.pk)
        if ecert.status == ECertificate.Status.REVOKED:
            raise DomainError(_("证书已注销"), code="revoked", status=409)
        ecert.status, ecert.status_since = ECertificate.Status.REVOKED, timezone.localdate(now)
        ecert.status_reason = reason[:200]
        ecert.save(update_fields=["status", "status_since", "status_reason"])
        data = {"reason": ecert.status_reason}
        audit_append(
            events=[Event(by.username, "ecertificate.revoke", f"ecertificate:{ecert.number}", data)], at=now
        )
    return ecert
