"""Reissue, change of details and cancellation of e-certificates (docs/rules.md, rule 4.2), and the audit log."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sitecert.audit.models import AuditEntry
from sitecert.audit.services import audit_verify
from sitecert.certificates.exchange import certificates_issue
from sitecert.certificates.lifecycle import certificate_revoke, request_create, request_decide
from sitecert.certificates.models import CertificateRequest, ECertificate
from sitecert.certificates.verification import verify_number, verify_token
from sitecert.errors import DomainError
from sitecert.policies.selectors import policy_in_force
from tests.certificates.conftest import IN_WINDOW, NOW

pytestmark = pytest.mark.django_db
LATER = IN_WINDOW.replace(month=10)


@pytest.fixture
def issued(builder, keys):
    return certificates_issue(
        legacy_ids=[builder.pk], policy=policy_in_force(on=IN_WINDOW), as_of=IN_WINDOW, now=NOW
    )[0]


def test_a_reissue_keeps_the_number_and_old_prints_verify_as_superseded(issued, personas):
    first = issued.versions.get().qr_token
    asked = request_create(ecert=issued, kind="reissue", reason="原打印件遗失", by=personas.holder, now=NOW)
    request_decide(request=asked, approve=True, by=personas.inspector, now=NOW)
    issued.refresh_from_db()
    assert issued.version == 2 and issued.versions.count() == 2
    old = verify_token(first, today=LATER)
    assert (old.outcome, old.version, old.current_version) == ("superseded", 1, 2)
    assert "已被第 2 版取代" in old.message
    assert verify_token(issued.versions.get(version=2).qr_token, today=LATER).outcome == "valid"


def test_a_change_of_name_approved_by_the_authority_prints_the_new_name(issued, personas):
    asked = request_create(
        ecert=issued, kind="change", reason="户籍姓名变更", new_name="王 芳菲", by=personas.holder, now=NOW
    )
    assert CertificateRequest.objects.get().state == "pending"
    assert verify_number(issued.number, today=LATER).fields["name"] == "王芳"  # nothing changes until decided
    request_decide(request=asked, approve=True, by=personas.inspector, now=NOW)
    result = verify_number(issued.number, today=LATER)
    assert (result.fields["name"], result.current_version) == ("王芳菲", 2)
    change = AuditEntry.objects.get(action="ecertificate.change")
    assert change.data["name"] == {"from": "王芳", "to": "王芳菲"}


def test_a_rejected_request_changes_nothing(issued, personas):
    asked = request_create(ecert=issued, kind="cancel", reason="不再从事该岗位", by=personas.holder, now=NOW)
    request_decide(request=asked, approve=False, by=personas.inspector, now=NOW, note="请由单位出具证明")
    issued.refresh_from_db()
    assert (issued.status, issued.version) == ("valid", 1)


def test_cancellation_on_request_shows_as_revoked_from_that_day(issued, personas):
    asked = request_create(ecert=issued, kind="cancel", reason="本人申请注销", by=personas.holder, now=NOW)
    request_decide(request=asked, approve=True, by=personas.inspector, now=NOW)
    result = verify_token(issued.versions.get().qr_token, today=LATER)
    assert result.outcome == "revoked" and "注销" in result.message and result.signature_valid
    body = Client().get(f"/api/v1/verify/{issued.number}").json()
    assert body["outcome"] == "revoked"


def test_the_authority_may_cancel_directly_and_nobody_else(issued, personas):
    with pytest.raises(DomainError):
        certificate_revoke(ecert=issued, reason="x", by=personas.employer_admin, now=NOW)
    certificate_revoke(ecert=issued, reason="以欺骗手段取得", by=personas.inspector, now=NOW)
    with pytest.raises(DomainError, match="已注销"):
        certificate_revoke(ecert=issued, reason="again", by=personas.inspector, now=NOW)


@pytest.mark.parametrize(
    ("who", "kind", "extra", "message"),
    [
        ("other_holder", "reissue", {}, "只能为本人的证书提出申请"),
        ("holder", "change", {"new_name": "王芳"}, "变更后姓名与现姓名相同"),
        ("holder", "change", {"new_name": "王2"}, "姓名应为2至40个字符"),
    ],
)
def test_requests_are_checked(issued, personas, who, kind, extra, message):
    with pytest.raises(DomainError, match=message):
        request_create(ecert=issued, kind=kind, reason="理由", by=getattr(personas, who), now=NOW, **extra)


def test_one_pending_request_of_a_kind_at_a_time(issued, personas):
    request_create(ecert=issued, kind="reissue", reason="遗失", by=personas.holder, now=NOW)
    with pytest.raises(DomainError, match="已有一份同类申请"):
        request_create(ecert=issued, kind="reissue", reason="遗失", by=personas.holder, now=NOW)


def test_the_api_files_a_request_for_the_holder_only(issued, personas):
    client = Client()
    client.force_login(personas.holder)
    url = f"/api/v1/certificates/{issued.number}/requests"
    made = client.post(url, {"kind": "reissue", "reason": "遗失"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["state"] == "pending"
    bad = client.post(url, {"kind": "renew", "reason": "x"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["details"]["field"] == "kind"
    client.force_login(personas.other_holder)
    assert (
        client.post(url, {"kind": "reissue", "reason": "x"}, content_type="application/json").status_code
        == 404
    )


def test_the_audit_chain_detects_an_edited_a_deleted_and_a_truncated_entry(issued, personas):
    for kind in ("reissue", "cancel"):
        asked = request_create(ecert=issued, kind=kind, reason="理由", by=personas.holder, now=NOW)
        request_decide(request=asked, approve=True, by=personas.inspector, now=NOW)
    assert audit_verify() == [] and AuditEntry.objects.count() >= 7
    call_command("audit", "verify")
    second = AuditEntry.objects.get(seq=2)
    AuditEntry.objects.filter(seq=2).update(data={**second.data, "legacy": "TJ2099999999"})
    assert audit_verify() == ["#2 altered (its hash does not match its content)"]
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    AuditEntry.objects.filter(seq=2).update(data=second.data)
    AuditEntry.objects.filter(seq=3).delete()
    assert any("missing" in p for p in audit_verify())
    last = AuditEntry.objects.order_by("-seq").first()
    AuditEntry.objects.filter(seq__gte=3).delete()
    assert any(f"#{last.seq} was written" in p for p in audit_verify())


def policy_admin_form(user):
    """The authority's client, the shipped policy's admin change address and the form's current values."""
    from sitecert.policies.models import Policy

    client = Client()
    client.force_login(user)
    url = f"/admin/policies/policy/{Policy.objects.get(code='tianjin-2020').pk}/change/"
    form = client.get(url).context["adminform"].form
    skip = ("version", "created_at", "created_by")
    return client, url, {k: v for k, v in form.initial.items() if v is not None and k not in skip}


def test_an_admin_edit_of_a_policy_is_a_new_version_and_the_newest_rules(personas):
    from sitecert.policies.models import Policy

    client, url, data = policy_admin_form(personas.inspector)
    data.update(
        issuers="天津市城乡建设委员会\n天津市住房和城乡建设委员会",
        exchange_closes="2021-03-31",
        effective_from="2020-07-16",
    )
    data.pop("share_general_hours", None)  # unticked: the shipped policy does not share general hours
    response = client.post(url, {k: v for k, v in data.items() if v != ""} | {"assessment_required": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(
        Policy.objects.filter(code="tianjin-2020").values_list("version", flat=True).order_by("version")
    ) == [1, 2]
    assert (
        policy_in_force(on=IN_WINDOW).version == 2
        and str(policy_in_force(on=IN_WINDOW).exchange_closes) == "2021-03-31"
    )
    assert AuditEntry.objects.filter(action="policy.save", subject="policy:tianjin-2020").exists()
    assert policy_in_force(on=IN_WINDOW).issuers == ["天津市城乡建设委员会", "天津市住房和城乡建设委员会"]


def test_the_authority_decides_requests_in_the_admin(issued, personas):
    asked = request_create(ecert=issued, kind="reissue", reason="遗失", by=personas.holder, now=NOW)
    client = Client()
    client.force_login(personas.inspector)
    client.post(
        "/admin/certificates/certificaterequest/",
        {"action": "approve", "_selected_action": [asked.pk]},
    )
    issued.refresh_from_db()
    assert issued.version == 2 and CertificateRequest.objects.get().state == "approved"


def test_a_rejection_needs_a_note_that_the_holder_then_reads(issued, personas):
    asked = request_create(ecert=issued, kind="cancel", reason="不再从事", by=personas.holder, now=NOW)
    authority = Client()
    authority.force_login(personas.inspector)
    url = f"/admin/certificates/certificaterequest/{asked.pk}/decide/"
    refused = authority.post(url, {"note": " ", "_reject": "1"})
    assert "驳回时请写明理由" in refused.content.decode()
    assert CertificateRequest.objects.get().state == "pending"
    authority.post(url, {"note": "请由用人单位出具离职证明", "_reject": "1"})
    assert CertificateRequest.objects.get().decision_note == "请由用人单位出具离职证明"
    holder = Client()
    holder.force_login(personas.holder)
    page = holder.get(f"/certificates/{issued.number}/").content.decode()
    assert "已驳回" in page and "请由用人单位出具离职证明" in page
    assert Client().get(url).status_code == 302  # the admin's own login first


def test_a_status_shows_from_the_day_it_takes_effect(issued):
    """The verification reads the status with its date: a lapse recorded ahead shows from that day on."""
    from datetime import date

    ECertificate.objects.filter(pk=issued.pk).update(status="lapsed", status_since=date(2023, 1, 1))
    assert verify_number(issued.number, today=date(2022, 12, 31)).outcome == "valid"
    lapsed = verify_number(issued.number, today=date(2023, 1, 1))
    assert lapsed.outcome == "lapsed" and "2023-01-01 失效" in lapsed.message


def test_an_earlier_policy_version_is_kept_as_the_record_and_not_edited(personas):
    from sitecert.policies.models import Policy

    first = Policy.objects.get(code="tianjin-2020", version=1)
    second = Policy.objects.create(
        **{
            f.name: getattr(first, f.name)
            for f in Policy._meta.fields
            if f.name not in ("id", "version", "created_at")
        },
        version=2,
    )
    client = Client()
    client.force_login(personas.inspector)
    old = client.get(f"/admin/policies/policy/{first.pk}/change/").content.decode()
    new = client.get(f"/admin/policies/policy/{second.pk}/change/").content.decode()
    assert 'name="_save"' not in old and 'name="_save"' in new


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("issuers", " \n ", "至少填写一个发证机关名称（每行一个）"),
        ("number_prefix", "tj", "证书编号前缀应为大写英文字母"),
        ("exchange_closes", "2020-07-01", "换证截止日期不能早于开始日期"),
        ("exchange_professional_hours", "40", "专业岗位知识学时不能多于总学时"),
    ],
)
def test_a_bad_policy_edit_is_refused_at_its_field_and_saves_no_version(personas, field, value, message):
    from sitecert.policies.models import Policy

    client, url, data = policy_admin_form(personas.inspector)
    data.update(issuers="天津市城乡建设委员会", assessment_required="on")
    data[field] = value
    data.pop("share_general_hours", None)
    response = client.post(url, data)
    assert response.status_code == 200 and message in str(response.context["adminform"].form.errors[field])
    assert Policy.objects.filter(code="tianjin-2020").count() == 1


def test_deciding_and_cancelling_need_their_own_permissions_not_just_staff(issued, personas):
    from django.contrib.auth.models import Permission

    from tests.personas import account

    clerk = account("authority-clerk", is_staff=True)  # the authority's staff, allowed to look only
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_certificaterequest", "view_ecertificate"])
    )
    asked = request_create(ecert=issued, kind="reissue", reason="遗失", by=personas.holder, now=NOW)
    with pytest.raises(DomainError, match="审核权限"):
        request_decide(request=asked, approve=True, by=clerk, now=NOW)
    with pytest.raises(DomainError, match="注销权限"):
        certificate_revoke(ecert=issued, reason="x", by=clerk, now=NOW)
    client = Client()
    client.force_login(clerk)
    assert client.get(f"/admin/certificates/certificaterequest/{asked.pk}/decide/").status_code == 403
    client.post(
        "/admin/certificates/certificaterequest/", {"action": "approve", "_selected_action": [asked.pk]}
    )
    assert CertificateRequest.objects.get().state == "pending"
    clerk.user_permissions.add(Permission.objects.get(codename="decide_certificaterequest"))
    clerk = type(clerk).objects.get(pk=clerk.pk)  # permissions are cached on the instance
    client.force_login(clerk)
    client.post(f"/admin/certificates/certificaterequest/{asked.pk}/decide/", {"note": "", "_approve": "1"})
    assert CertificateRequest.objects.get().state == "approved"


def test_the_shipped_authority_roles_let_reviewers_decide_and_inspectors_only_look(issued, personas):
    from django.contrib.auth.models import Group

    from tests.personas import account

    reviewer = account("authority-reviewer", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="主管部门审核员"))
    looker = account("authority-inspector", is_staff=True)
    looker.groups.add(Group.objects.get(name="主管部门查询员"))
    asked = request_create(ecert=issued, kind="reissue", reason="遗失", by=personas.holder, now=NOW)
    client = Client()
    client.force_login(looker)
    assert client.get("/admin/certificates/certificaterequest/").status_code == 200
    assert client.get(f"/admin/certificates/certificaterequest/{asked.pk}/decide/").status_code == 403
    assert client.get("/admin/policies/policy/").status_code == 403
    client.force_login(reviewer)
    client.post(f"/admin/certificates/certificaterequest/{asked.pk}/decide/", {"note": "", "_approve": "1"})
    client.post("/admin/certificates/ecertificate/", {"action": "revoke", "_selected_action": [issued.pk]})
    issued.refresh_from_db()
    assert (CertificateRequest.objects.get().state, issued.version, issued.status) == (
        "approved",
        2,
        "revoked",
    )
