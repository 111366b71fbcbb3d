"""A first certificate by training (职业培训取证, docs/rules.md, "After the round"): an approved institution
reports a passed vocational-training examination and whoever has no valid e-certificate of the post gets one —
a lapsed holder, a holder who missed the 2020 exchange, a new entrant who is not yet in the system at all."""

import random
from datetime import date

import pytest
from django.test import Client

from sitecert.audit.models import AuditEntry
from sitecert.certificates.models import ECertificate, Examination
from sitecert.certificates.training import ExamReport, training_certificate_issue, training_reports_import
from sitecert.certificates.verification import verify_number
from sitecert.duty.explanation import explain
from sitecert.errors import DomainError
from sitecert.lib.idnumber import build
from sitecert.people.services import api_token_create
from sitecert.registry import demo
from sitecert.registry.models import Person
from tests.conftest import write_table
from tests.duty.conftest import at

pytestmark = pytest.mark.django_db
TRAINED_ON = date(2023, 5, 10)


@pytest.fixture
def lapsed(exchanged, learn, run):
    learn(exchanged, {2021: (22, 10)})  # 32 of 64 hours in 2021–2022
    run(date(2023, 1, 1))
    return ECertificate.objects.get(pk=exchanged.pk)


def report(person_or_cert, **changes) -> ExamReport:
    person = getattr(person_or_cert, "holder", person_or_cert)
    fields = {
        "id_number": person.id_number,
        "name": person.name,
        "post": "施工员（土建施工）",
        "examined_on": date(2023, 5, 8),
        "score": 78,
    } | changes
    return ExamReport(**fields)


def train(personas, exam: ExamReport, today=TRAINED_ON):
    return training_certificate_issue(
        institution=personas.institution_admin.organisation,
        by=personas.institution_admin,
        report=exam,
        today=today,
        now=at(today),
    )


def test_a_lapsed_holder_gets_a_new_certificate_linked_to_the_lapsed_one(lapsed, personas, learn, run):
    new = train(personas, report(lapsed)).ecertificate
    assert (new.replaces, new.record, new.legacy, new.status) == (lapsed, lapsed.record, None, "valid")
    assert new.number != lapsed.number and new.number.startswith("TJ2023") and new.issued_on == TRAINED_ON
    assert (new.examination.score, new.examination.institution) == (
        78,
        personas.institution_admin.organisation,
    )
    entry = AuditEntry.objects.get(action="ecertificate.train")
    assert entry.data["replaces"] == lapsed.number and entry.data["score"] == 78
    shown = verify_number(new.number, today=TRAINED_ON)
    assert shown.outcome == "valid" and shown.fields["replaces"] == lapsed.number
    old = verify_number(lapsed.number, today=TRAINED_ON)
    assert old.outcome == "lapsed" and old.fields["replaced_by"] == new.number
    # The new certificate's duty starts the year after its issue, on the same training record.
    assert explain(certificate=new, as_of=date(2023, 12, 31)).state == "not_started"
    learn(new, {2024: (22, 10), 2025: (22, 10)})
    run(date(2026, 1, 1))
    assert ECertificate.objects.get(pk=new.pk).status == "valid"


def test_a_holder_who_missed_the_exchange_is_certified_on_the_void_certificates_record(
    personas, builder, keys
):
    new = train(personas, report(builder.holder)).ecertificate
    assert (new.legacy, new.replaces, new.record.legacy) == (None, None, builder)
    assert explain(certificate=new, as_of=date(2024, 1, 1)).state == "on_track"


def test_a_new_entrant_unknown_to_the_system_is_certified_and_sees_it_once_registered(personas, keys, sms):
    number = build("120116", date(1999, 8, 23), 45)
    exam = ExamReport(number, "马晓东", "安全员", date(2023, 5, 8), 91)
    new = train(personas, exam).ecertificate
    person = Person.objects.get(id_number=number)
    assert (new.holder, new.post.code, new.record.legacy) == (person, "safety", None)
    client = Client()
    client.post(
        "/accounts/register/",
        {
            "name": "马晓东",
            "id_number": number,
            "mobile": "13712340001",
            "password": "Tianjin-2023-Site",
            "password2": "Tianjin-2023-Site",
        },
    )
    code = sms[-1][1].split("验证码 ")[1][:6]
    client.post("/accounts/register/confirm/", {"code": code})
    home = client.get("/me/").content.decode()
    assert new.number in home and "安全员" in home


def test_the_same_report_again_returns_the_same_certificate(lapsed, personas):
    first = train(personas, report(lapsed))
    again = train(personas, report(lapsed))
    assert first.created and not again.created and first.ecertificate == again.ecertificate
    assert ECertificate.objects.filter(replaces=lapsed).count() == 1 and Examination.objects.count() == 1


def test_the_holder_is_told_by_sms(lapsed, personas, sms, django_capture_on_commit_callbacks):
    personas.holder.mobile_confirmed_at = at(TRAINED_ON)
    personas.holder.save()
    with django_capture_on_commit_callbacks(execute=True):
        new = train(personas, report(lapsed)).ecertificate
    assert sms == [
        (
            "13602200001",
            f"【施工现场专业人员证书服务】您的施工员（土建施工）职业培训合格证已签发，编号 {new.number}。登录后可下载打印，扫码可核验。",
        )
    ]


@pytest.mark.parametrize(
    ("changes", "field", "code", "message"),
    [
        ({"score": 55}, "score", "not_passed", "成绩 55 未达到合格分 60"),
        ({"name": "王芬"}, "name", "person_mismatch", "身份证号与姓名和系统登记的不一致"),
        ({"id_number": "120104198805171220"}, "id_number", "id_number", "身份证号不正确"),
        ({"post": "测量员"}, "post", "post_unknown", "岗位无法识别"),
        ({"post": "资料员"}, "post", "not_approved", "本机构未获批组织资料员的职业培训考核"),
        ({"examined_on": date(2023, 6, 1)}, "examined_on", "date_future", "考核日期不能晚于今天"),
    ],
)
def test_a_refusal_names_the_field_and_issues_nothing(lapsed, personas, changes, field, code, message):
    with pytest.raises(DomainError) as caught:
        train(personas, report(lapsed, **changes))
    assert (caught.value.field, caught.value.code) == (field, code) and message in caught.value.message
    assert not ECertificate.objects.filter(replaces=lapsed).exists() and not Examination.objects.exists()


def test_a_valid_certificate_of_the_post_refuses_another(exchanged, personas):
    with pytest.raises(DomainError) as caught:
        train(personas, report(exchanged, examined_on=date(2021, 5, 8)), today=date(2021, 5, 10))
    assert (caught.value.code, caught.value.status) == ("valid_exists", 409)
    assert exchanged.number in caught.value.message and not Examination.objects.exists()


def test_only_an_approved_institution_may_report(lapsed, personas):
    with pytest.raises(DomainError) as caught:
        training_certificate_issue(
            institution=personas.employer_admin.organisation,
            by=personas.employer_admin,
            report=report(lapsed),
            today=TRAINED_ON,
            now=at(TRAINED_ON),
        )
    assert caught.value.status == 403


def test_a_file_of_results_issues_each_good_row_and_reports_the_rest(personas, builder, keys, tmp_path):
    rng = random.Random(2023)
    newcomers = [(demo.person_name(rng), demo.id_number(rng)) for _ in range(3)]
    header = ("身份证号", "姓名", "岗位", "专业", "考核日期", "成绩")
    rows = [
        (newcomers[0][1], newcomers[0][0], "施工员", "土建", "2023-05-08", "88"),
        (newcomers[1][1], newcomers[1][0], "安全员", "", "2023/5/8", "59"),  # under the pass mark
        (newcomers[2][1], newcomers[2][0], "材料员", "", "2023-05-08", "90"),  # not approved for the post
        (
            builder.holder.id_number,
            builder.holder.name,
            "施工员（土建施工）",
            "",
            "2023-05-08",
            "75",
        ),  # missed 2020
        (newcomers[0][1], newcomers[0][0], "施工员", "土建", "2023-05-08", "88"),  # the first row again
    ]
    path = write_table(tmp_path / "exam", header, rows, "csv-gb18030")
    result = training_reports_import(
        institution=personas.institution_admin.organisation,
        by=personas.institution_admin,
        path=path,
        file_name=path.name,
        today=TRAINED_ON,
        now=at(TRAINED_ON),
    )
    assert (result.created, result.unchanged, result.rejected) == (2, 1, 2)
    assert [(r.row, r.column, r.code) for r in result.rejections] == [
        (3, "成绩", "not_passed"),
        (4, "岗位", "not_approved"),
    ]
    assert ECertificate.objects.filter(examination__isnull=False).count() == 2


def test_the_institution_page_and_the_api(lapsed, personas, drive_clock):
    drive_clock(at(TRAINED_ON))
    page = Client()
    page.force_login(personas.institution_admin)
    form = {"id_number": lapsed.holder.id_number, "name": "王芳", "examined_on": "2023-05-08", "single": "1"}
    refused = page.post("/org/training/", form | {"post": lapsed.post_id, "score": 40})
    assert "成绩 40 未达到合格分 60" in refused.content.decode()
    done = page.post("/org/training/", form | {"post": lapsed.post_id, "score": 80}, follow=True)
    new = ECertificate.objects.get(replaces=lapsed)
    assert f"已签发电子证书 {new.number}" in done.content.decode()
    _t, secret = api_token_create(
        user=personas.institution_admin, organisation=personas.institution_admin.organisation, name="考试系统"
    )
    headers = {"Authorization": f"Bearer {secret}"}
    body = {"id_number": lapsed.holder.id_number, "name": "王芳", "post": "builder-civil"}
    body |= {"examined_on": "2023-05-08", "score": 80}
    api = Client().post(
        "/api/v1/certificates/training", body, content_type="application/json", headers=headers
    )
    assert api.status_code == 200 and api.json() == {
        "number": new.number,
        "replaces": lapsed.number,
        "issued_on": "2023-05-10",
        "created": False,
    }
    former = Client().post(
        "/api/v1/learning/retraining", body, content_type="application/json", headers=headers
    )
    assert former.status_code == 200 and former.json()["number"] == new.number
    bad = Client().post(
        "/api/v1/certificates/training",
        body | {"name": "王芬"},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 400 and bad.json()["details"] == {"code": "person_mismatch", "field": "name"}


def test_the_holders_home_follows_the_new_certificate_and_its_duty(lapsed, personas, drive_clock):
    new = train(personas, report(lapsed)).ecertificate
    drive_clock(at(TRAINED_ON))
    home = Client()
    home.force_login(personas.holder)
    page = home.get("/me/").content.decode()
    assert new.number in page and "继续教育自 2024-01-01 起计算" in page


# Generated people and the outcome the rules give each (the exchange's hidden-case style), on both engines.
KINDS = ("new_entrant", "missed_exchange", "lapsed", "valid")


def test_generated_people_get_exactly_the_certificates_the_rules_give_them(personas, builder, lapsed, keys):
    rng = random.Random(1118)
    expected, exams = {}, []
    for n in range(24):
        kind = KINDS[n % 4]
        name, number = demo.person_name(rng), demo.id_number(rng, born=date(1980 + n % 15, 1 + n % 12, 3))
        if kind != "new_entrant":
            person = Person.objects.create(id_number=number, name=name)
            legacy = demo_certificate(person, f"TJ2016{n:06d}")
            if kind in ("lapsed", "valid"):
                ecert = issue(legacy)
                if kind == "lapsed":
                    ECertificate.objects.filter(pk=ecert.pk).update(
                        status="lapsed", status_since=date(2023, 1, 1)
                    )
        exams.append(ExamReport(number, name, "builder-civil", date(2023, 5, 8), 60 + n))
        expected[number] = "refused" if kind == "valid" else "issued"
    outcomes = {}
    for exam in exams * 2:  # every report twice: the second changes nothing
        try:
            outcomes[exam.id_number] = "issued" if train(personas, exam).ecertificate else "?"
        except DomainError as exc:
            outcomes[exam.id_number] = "refused" if exc.code == "valid_exists" else exc.code
    assert outcomes == expected
    for number, outcome in expected.items():
        valid = ECertificate.objects.filter(
            holder__id_number=number, post__code="builder-civil", status="valid"
        )
        assert valid.count() == 1, (number, outcome)  # one valid certificate of the post, whatever the path


def demo_certificate(person, number):
    from tests.personas import certificate

    return certificate(person, number, "builder-civil")


def issue(legacy):
    from sitecert.certificates.exchange import certificates_issue
    from sitecert.policies.selectors import policy_in_force

    day = date(2020, 10, 9)
    return certificates_issue(legacy_ids=[legacy.pk], policy=policy_in_force(on=day), as_of=day, now=at(day))[
        0
    ]
