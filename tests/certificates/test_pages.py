"""The holder, the employer and the authority see the exchange explained and the e-certificate; the public
verification page; nobody else sees a person's certificate."""

from datetime import date

import pytest
from django.test import Client

from sitecert import clock
from tests.certificates.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    clock.set_now(NOW)
    yield
    clock.set_now(None)


def test_the_holder_home_says_what_is_missing_for_the_exchange(client, personas, builder, report):
    report(builder, "professional", 16)
    client.force_login(personas.holder)
    page = client.get("/me/").content.decode()
    assert "还差专业岗位知识 6 学时" in page and "证书状态为注销，需重新参加职业培训取证" in page


def test_the_ecertificate_page_pdf_and_requests(client, personas, builder, report, keys, settings, tmp_path):
    settings.CERTIFICATE_PDF_DIR = tmp_path
    report(builder, "professional", 22, score=90)
    report(builder, "general", 10)
    number = builder.ecertificate.number
    client.force_login(personas.holder)
    home = client.get("/me/").content.decode()
    assert (
        number in home and f'href="/learn/record/{builder.training_record.pk}/"' in home
    )  # the duty goes on
    page = client.get(f"/certificates/{number}/").content.decode()
    assert "住房和城乡建设领域施工现场专业人员职业培训合格证" in page and "120104********1224" in page
    pdf = client.get(f"/certificates/{number}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and b"/ByteRange" in pdf.content
    refused = client.post(
        f"/certificates/{number}/", {"kind": "change", "reason": "户籍变更", "new_name": "王2"}
    )
    assert "姓名应为2至40个字符" in refused.content.decode()
    done = client.post(f"/certificates/{number}/", {"kind": "reissue", "reason": "遗失"}, follow=True)
    assert "已提交申请" in done.content.decode() and "待审核" in done.content.decode()
    client.force_login(personas.employer_admin)
    assert client.get(f"/certificates/{number}/pdf").status_code == 200
    employer_page = client.get(f"/certificates/{number}/").content.decode()
    assert "提交申请" not in employer_page and "遗失" not in employer_page
    for who in ("other_holder", "other_employer_admin", "institution_admin"):
        client.force_login(getattr(personas, who))
        assert client.get(f"/certificates/{number}/").status_code == 404
        assert client.get(f"/certificates/{number}/pdf").status_code == 404
        assert client.get(f"/certificates/legacy/{builder.certificate_no}/").status_code == 404


def test_the_public_verification_page_by_number_and_by_pasted_qr(personas, builder, report, keys):
    report(builder, "professional", 22, score=90)
    report(builder, "general", 10)
    ecert = builder.ecertificate
    anyone = Client()
    page = anyone.get("/verify/", {"q": ecert.number.lower()}).content.decode()
    assert "证书有效" in page and "王芳" in page and "120104********1224" in page
    assert "120104198805171224" not in page
    token = ecert.versions.get().qr_token
    scanned = anyone.get("/verify/", {"q": f"http://127.0.0.1:8000/verify/?t={token}"}).content.decode()
    assert "证书有效" in scanned and "有效（密钥" in scanned
    typo = ecert.number[:-1] + ("0" if ecert.number[-1] != "0" else "1")
    missing = anyone.get("/verify/", {"q": typo})
    assert missing.status_code == 404 and "未找到该证书编号" in missing.content.decode()


def test_verification_is_rate_limited(personas, settings):
    settings.VERIFY_RATE = "3/m"
    anyone = Client()
    codes = [anyone.get("/api/v1/verify/TJ20200000001X").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert anyone.get("/verify/", {"q": "TJ20200000001X"}).status_code == 429


def test_the_authority_home_counts_ecertificates_and_pending_requests(
    client, personas, builder, report, keys
):
    from sitecert.certificates.lifecycle import request_create

    report(builder, "professional", 22, score=90)
    report(builder, "general", 10)
    request_create(ecert=builder.ecertificate, kind="reissue", reason="遗失", by=personas.holder, now=NOW)
    client.force_login(personas.inspector)
    page = client.get("/authority/").content.decode()
    block = page[page.index('id="ecertificates"') :]
    assert "<dt>已换发</dt><dd>1</dd>" in block and "<dt>有效</dt><dd>1</dd>" in block
    assert '?state__exact=pending">1</a>' in block


def test_the_employer_follows_a_staff_members_exchange_from_the_staff_list(client, personas, builder, report):
    report(builder, "professional", 16)
    client.force_login(personas.employer_admin)
    staff = client.get("/org/").content.decode()
    assert f'href="/certificates/legacy/{builder.certificate_no}/"' in staff
    page = client.get(f"/certificates/legacy/{builder.certificate_no}/").content.decode()
    assert "还差专业岗位知识 6 学时" in page and "王芳" in page


def test_the_staff_list_and_its_export_say_how_far_each_certificate_is_from_its_ecertificate(
    client, personas, builder, report, keys
):
    import io

    from openpyxl import load_workbook

    from tests.personas import certificate

    safety = certificate(personas.holder.person, "TJ2017000301", post="builder-civil")
    report(builder, "professional", 22, score=90)
    report(builder, "general", 10)
    report(safety, "professional", 16)
    client.force_login(personas.employer_admin)
    page = client.get("/org/").content.decode()
    number = builder.ecertificate.number
    assert f'href="/certificates/{number}/"' in page and "还差专业岗位知识 6 学时" in page
    sheet = load_workbook(io.BytesIO(client.get("/org/staff.xlsx").content)).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    wang = dict(zip(header, next(r for r in rows if r[0] == "王芳"), strict=True))
    assert wang["电子证书编号"] == number
    assert wang["换证情况"].startswith("还差专业岗位知识 6 学时")
    assert "120104198805171224" not in str(rows)


def test_anyone_verifies_a_persons_ecertificates_by_id_number_and_name(personas, builder, report, keys):
    report(builder, "professional", 22, score=90)
    report(builder, "general", 10)
    wang = personas.holder.person
    anyone = Client()
    found = anyone.post(
        "/api/v1/verify/person",
        {"id_number": wang.id_number.lower(), "name": " 王 芳"},
        content_type="application/json",
    ).json()
    assert [r["number"] for r in found["results"]] == [builder.ecertificate.number]
    assert found["results"][0]["outcome"] == "valid" and "120104198805171224" not in str(found)
    wrong_name = anyone.post(
        "/api/v1/verify/person",
        {"id_number": wang.id_number, "name": "王方"},
        content_type="application/json",
    )
    unknown = anyone.post(
        "/api/v1/verify/person",
        {"id_number": "11010519491231002X", "name": "王芳"},
        content_type="application/json",
    )
    assert wrong_name.json() == unknown.json() == {"results": []}
    bad = anyone.post(
        "/api/v1/verify/person",
        {"id_number": "120104198805171225", "name": "王芳"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["details"]["field"] == "id_number"
    page = anyone.post("/verify/", {"id_number": wang.id_number, "name": "王芳"})
    text = page.content.decode()
    assert "证书有效" in text and builder.ecertificate.number in text and wang.id_number not in text
    miss = anyone.post("/verify/", {"id_number": wang.id_number, "name": "王方"}).content.decode()
    assert "未查询到符合条件的电子证书" in miss
    invalid = anyone.post("/verify/", {"id_number": "120104198805171225", "name": "王芳"})
    assert invalid.status_code == 400 and "身份证号校验位不正确" in invalid.content.decode()


def test_the_authority_replays_a_day_on_the_exchange_page_and_reaches_it_from_the_admin(
    client, personas, builder, report
):
    report(builder, "professional", 16, on=date(2020, 10, 8))
    client.force_login(personas.inspector)
    listing = client.get("/admin/registry/legacycertificate/").content.decode()
    assert f'href="/certificates/legacy/{builder.certificate_no}/"' in listing
    before = client.get(
        f"/certificates/legacy/{builder.certificate_no}/", {"as_of": "2020-10-07"}
    ).content.decode()
    after = client.get(
        f"/certificates/legacy/{builder.certificate_no}/", {"as_of": "2020-10-08"}
    ).content.decode()
    assert "还差专业岗位知识 22 学时" in before and "还差专业岗位知识 6 学时" in after
    wrong = client.get(
        f"/certificates/legacy/{builder.certificate_no}/", {"as_of": "2020-13-01"}
    ).content.decode()
    assert "日期应为 YYYY-MM-DD" in wrong
    client.force_login(personas.holder)  # only the authority replays; others see today
    mine = client.get(
        f"/certificates/legacy/{builder.certificate_no}/", {"as_of": "2020-10-07"}
    ).content.decode()
    assert "判断日期 2020-09-01" in mine


@pytest.mark.parametrize("change", ["disputed", "ended"])
def test_an_employer_no_longer_sees_a_person_who_disputes_the_listing_or_has_left(
    client, personas, builder, change
):
    from sitecert.people.models import RosterEntry

    client.force_login(personas.employer_admin)
    url = f"/certificates/legacy/{builder.certificate_no}/"
    assert client.get(url).status_code == 200
    if change == "disputed":
        RosterEntry.objects.filter(pk=personas.entry.pk).update(
            status="disputed", dispute_reason="不是本单位职工"
        )
    else:
        RosterEntry.objects.filter(pk=personas.entry.pk).update(ended_on=date(2020, 8, 31))
    assert client.get(url).status_code == 404
    if change == "disputed":  # the staff list keeps the row and its dispute, not the certificates
        staff = client.get("/org/").content.decode()
        assert "不是本单位职工" in staff and builder.certificate_no not in staff


def test_a_cancelled_ecertificate_shows_why_and_offers_no_requests(client, personas, builder, report, keys):
    from sitecert.certificates.lifecycle import certificate_revoke

    report(builder, "professional", 22, score=90)
    report(builder, "general", 10)
    certificate_revoke(ecert=builder.ecertificate, reason="以欺骗手段取得", by=personas.inspector, now=NOW)
    client.force_login(personas.holder)
    page = client.get(f"/certificates/{builder.ecertificate.number}/").content.decode()
    assert "已注销" in page and "以欺骗手段取得" in page and "提交申请" not in page
