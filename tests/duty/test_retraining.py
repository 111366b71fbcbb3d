"""After a lapse the way back is a new certificate: an institution reports a passed vocational-training
examination for the post, and a new e-certificate is issued that names the lapsed one (docs/rules.md, rule 4.1)."""

from datetime import date

import pytest
from django.test import Client

from sitecert.audit.models import AuditEntry
from sitecert.certificates.models import ECertificate
from sitecert.certificates.retraining import Examination, retraining_record
from sitecert.certificates.verification import verify_number
from sitecert.duty.explanation import explain
from sitecert.errors import DomainError
from sitecert.people.services import api_token_create
from tests.duty.conftest import at

pytestmark = pytest.mark.django_db
RETRAINED_ON = date(2023, 5, 10)


@pytest.fixture
def lapsed(exchanged, learn, run):
    learn(exchanged, {2021: (22, 10)})  # 32 of 64 hours in 2021–2022
    run(date(2023, 1, 1))
    return ECertificate.objects.get(pk=exchanged.pk)


def exam(cert, **changes) -> Examination:
    fields = {
        "id_number": cert.holder.id_number,
        "name": cert.holder.name,
        "post": "施工员（土建施工）",
        "examined_on": date(2023, 5, 8),
        "score": 78,
    } | changes
    return Examination(**fields)


def retrain(personas, examination, today=RETRAINED_ON):
    return retraining_record(
        institution=personas.institution_admin.organisation,
        by=personas.institution_admin,
        exam=examination,
        today=today,
        now=at(today),
    )


def test_a_passed_examination_issues_a_new_certificate_linked_to_the_lapsed_one(lapsed, personas, learn, run):
    new = retrain(personas, exam(lapsed))
    assert (new.replaces, new.record, new.legacy, new.status) == (lapsed, lapsed.record, None, "valid")
    assert new.number != lapsed.number and new.number.startswith("TJ2023") and new.issued_on == RETRAINED_ON
    assert new.versions.get().cause == "issue"
    entry = AuditEntry.objects.get(action="ecertificate.retrain")
    assert entry.data["replaces"] == lapsed.number and entry.data["score"] == 78
    shown = verify_number(new.number, today=RETRAINED_ON)
    assert shown.outcome == "valid" and shown.fields["replaces"] == lapsed.number
    old = verify_number(lapsed.number, today=RETRAINED_ON)
    assert old.outcome == "lapsed" and old.fields["replaced_by"] == new.number
    # The new certificate's duty starts the year after its issue, on the same training record.
    assert explain(certificate=new, as_of=date(2023, 12, 31)).state == "not_started"
    learn(new, {2024: (22, 10), 2025: (22, 10)})
    run(date(2026, 1, 1))
    assert ECertificate.objects.get(pk=new.pk).status == "valid"


def test_the_same_report_again_returns_the_same_certificate(lapsed, personas):
    first = retrain(personas, exam(lapsed))
    again = retrain(personas, exam(lapsed))
    assert first == again and ECertificate.objects.filter(replaces=lapsed).count() == 1


def test_the_holder_is_told_by_sms(lapsed, personas, sms, django_capture_on_commit_callbacks):
    personas.holder.mobile_confirmed_at = at(RETRAINED_ON)
    personas.holder.save()
    with django_capture_on_commit_callbacks(execute=True):
        new = retrain(personas, exam(lapsed))
    assert sms == [
        (
            "13602200001",
            f"【施工现场专业人员证书服务】您的施工员（土建施工）职业培训合格证已签发，编号 {new.number}。登录后可下载打印，扫码可核验。",
        )
    ]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"score": 55}, "score", "not_passed"),
        ({"name": "王芬"}, "name", "person_unknown"),
        ({"id_number": "120104198805171220"}, "id_number", "id_number"),
        ({"post": "安全员"}, "post", "nothing_lapsed"),
        ({"post": "测量员"}, "post", "post_unknown"),
        ({"examined_on": date(2023, 6, 1)}, "examined_on", "date_future"),
    ],
)
def test_a_refusal_names_the_field(lapsed, personas, changes, field, code):
    with pytest.raises(DomainError) as caught:
        retrain(personas, exam(lapsed, **changes))
    assert (caught.value.field, caught.value.code) == (field, code)
    assert not ECertificate.objects.filter(replaces=lapsed).exists()


def test_a_valid_certificate_cannot_be_retrained(exchanged, personas):
    with pytest.raises(DomainError) as caught:
        retrain(personas, exam(exchanged))
    assert caught.value.code == "nothing_lapsed"


def test_only_an_institution_may_report(lapsed, personas):
    with pytest.raises(DomainError) as caught:
        retraining_record(
            institution=personas.employer_admin.organisation,
            by=personas.employer_admin,
            exam=exam(lapsed),
            today=RETRAINED_ON,
            now=at(RETRAINED_ON),
        )
    assert caught.value.status == 403


def test_the_institution_page_and_the_api(lapsed, personas, settings):
    from sitecert import clock

    clock.set_now(at(RETRAINED_ON))
    try:
        page = Client()
        page.force_login(personas.institution_admin)
        form = {"id_number": lapsed.holder.id_number, "name": "王芳", "examined_on": "2023-05-08"}
        post_id = lapsed.post_id
        refused = page.post("/org/retraining/", form | {"post": post_id, "score": 40})
        assert "成绩 40 未达到合格分 60" in refused.content.decode()
        done = page.post("/org/retraining/", form | {"post": post_id, "score": 80}, follow=True)
        new = ECertificate.objects.get(replaces=lapsed)
        assert f"已签发新的电子证书 {new.number}（取代已失效的 {lapsed.number}）" in done.content.decode()
        _t, secret = api_token_create(
            user=personas.institution_admin,
            organisation=personas.institution_admin.organisation,
            name="考试系统",
        )
        body = {"id_number": lapsed.holder.id_number, "name": "王芳", "post": "builder-civil"}
        body |= {"examined_on": "2023-05-08", "score": 80}
        api = Client().post(
            "/api/v1/learning/retraining",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert api.status_code == 200 and api.json()["number"] == new.number
        bad = Client().post(
            "/api/v1/learning/retraining",
            body | {"name": "王芬"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert bad.status_code == 400 and bad.json()["details"] == {"code": "person_unknown", "field": "name"}
    finally:
        clock.set_now(None)


def test_the_holders_home_follows_the_new_certificate_and_its_duty(lapsed, personas):
    from sitecert import clock

    new = retrain(personas, exam(lapsed))
    clock.set_now(at(RETRAINED_ON))
    try:
        home = Client()
        home.force_login(personas.holder)
        page = home.get("/me/").content.decode()
    finally:
        clock.set_now(None)
    assert new.number in page and lapsed.number not in page
    assert "继续教育自 2024-01-01 起计算" in page
