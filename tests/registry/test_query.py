"""The public query (施工项目部管理人员信息查询): page and API, masking, misses, rate limits."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from sitecert.registry.models import LegacyCertificate
from tests.registry.helpers import import_rows, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(tmp_path, person):
    """王芳-like holder with two certificates, plus an unrelated person."""
    p = person()
    import_rows(
        tmp_path,
        [
            row("TJ2015001", p, post="施工员(土建)"),
            row("TJ2016002", p, post="资料员", status="注销"),
            row("TJ2017003", person()),
        ],
    )
    return p


def masked(number: str) -> str:
    return number[:6] + "********" + number[-4:]


def test_the_page_finds_a_certificate_by_number_with_the_id_number_masked(client, holder, in_round):
    name, number = holder
    page = client.get("/query/", {"mode": "number", "certificate_no": " ＴＪ2015001 "})
    text = page.content.decode()
    assert page.status_code == 200
    for shown in (
        "TJ2015001",
        name,
        masked(number),
        "施工员（土建施工）",
        "2015-03-06",
        "天津市住房和城乡建设委员会",
        "有效",
    ):
        assert shown in text
    assert number not in text


def test_the_page_finds_all_certificates_of_a_person_by_id_number_and_name(client, holder, in_round):
    name, number = holder
    text = client.post(
        "/query/", {"mode": "person", "id_number": number.lower(), "name": name}
    ).content.decode()
    assert "TJ2015001" in text and "TJ2016002" in text and "TJ2017003" not in text
    assert "注销" in text and number not in text


def test_a_wrong_name_reads_exactly_like_an_unknown_id_number(client, holder, person):
    _name, number = holder
    wrong_name = client.post(
        "/query/", {"mode": "person", "id_number": number, "name": "张冠李"}
    ).content.decode()
    unknown = client.post(
        "/query/", {"mode": "person", "id_number": person()[1], "name": "张冠李"}
    ).content.decode()
    assert "未查询到符合条件的证书" in wrong_name
    assert wrong_name.split("</form>")[-1] == unknown.split("</form>")[-1]


def test_the_id_number_never_appears_in_the_address_or_the_answer(client, holder):
    name, number = holder
    page = client.post("/query/", {"mode": "person", "id_number": number, "name": name})
    assert "TJ2015001" in page.content.decode() and number not in page.content.decode()
    assert 'method="post"' in client.get("/query/", {"mode": "person"}).content.decode()


def test_the_form_says_what_is_wrong_with_the_id_number(client):
    page = client.post("/query/", {"mode": "person", "id_number": "120101199003071234", "name": "王芳"})
    assert "身份证号校验位不正确" in page.content.decode()


def test_the_page_is_chinese_first_and_english_on_request(client, holder, in_round):
    assert "施工项目部管理人员信息查询" in client.get("/query/").content.decode()
    english = client.get(
        "/query/", {"certificate_no": "TJ2015001"}, headers={"accept-language": "en"}
    ).content.decode()
    assert "Certificate number" in english and "Valid" in english


def test_the_api_returns_one_certificate_by_number(client, holder, in_round):
    name, number = holder
    body = client.get("/api/v1/registry/certificates/TJ2016002").json()
    assert body == {
        "certificate_no": "TJ2016002",
        "name": name,
        "id_number_masked": masked(number),
        "post": "资料员",
        "issued_on": "2015-03-06",
        "issuer": "天津市住房和城乡建设委员会",
        "status": "cancelled",
        "status_label": "注销",
        "status_reason": "",
        "ecertificate": None,
    }


def test_an_unexchanged_old_certificate_is_valid_on_the_deadline_and_void_from_the_next_day(
    client, holder, drive_clock
):
    for day, status, label in ((date(2020, 12, 31), "valid", "有效"), (date(2021, 1, 1), "voided", "已作废")):
        drive_clock(datetime.combine(day, time(9), tzinfo=ZoneInfo("Asia/Shanghai")))
        body = client.get("/api/v1/registry/certificates/TJ2015001").json()
        assert (body["status"], body["status_label"]) == (status, label)
        page = client.get("/query/", {"certificate_no": "TJ2015001"}).content.decode()
        assert f'class="status-{status}">{label}' in page
    assert (
        body["status_reason"] == "未在 2020-12-31 前换发电子证书" and "未在 2020-12-31 前换发电子证书" in page
    )
    cancelled = client.get("/api/v1/registry/certificates/TJ2016002").json()
    assert cancelled["status"] == "voided"  # whatever the registry says
    assert LegacyCertificate.objects.get(certificate_no="TJ2015001").status == "valid"  # derived, not written


def test_the_api_looks_up_by_id_number_and_name(client, holder):
    name, number = holder
    body = client.get("/api/v1/registry/lookup", {"id_number": number, "name": name}).json()
    assert sorted(c["certificate_no"] for c in body["results"]) == ["TJ2015001", "TJ2016002"]


def test_api_misses_and_bad_parameters_use_the_one_error_shape(client, holder):
    _name, number = holder
    miss = client.get("/api/v1/registry/lookup", {"id_number": number, "name": "别人"})
    assert miss.status_code == 404 and miss.json() == {"message": "未查询到符合条件的证书", "details": None}
    assert client.get("/api/v1/registry/certificates/NOPE").json()["message"] == "未查询到符合条件的证书"
    bad = client.get("/api/v1/registry/lookup", {"id_number": number})
    assert bad.status_code == 422 and bad.json()["message"] == "请求参数有误"
    assert "name" in str(bad.json()["details"])


@override_settings(REGISTRY_QUERY_RATE="3/m")
def test_each_client_address_is_rate_limited_across_page_and_api(client, holder):
    for _ in range(2):
        assert client.get("/api/v1/registry/certificates/TJ2015001").status_code == 200
    assert client.get("/query/", {"certificate_no": "TJ2015001"}).status_code == 200
    page = client.get("/query/", {"certificate_no": "TJ2015001"})
    assert page.status_code == 429 and "查询过于频繁" in page.content.decode()
    api = client.get("/api/v1/registry/certificates/TJ2015001")
    assert api.status_code == 429 and api.json()["message"] == "查询过于频繁，请稍后再试"
    other = client.get("/api/v1/registry/certificates/TJ2015001", REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


def test_the_openapi_document_describes_the_registry_endpoints(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/registry/certificates/{certificate_no}", "/api/v1/registry/lookup"} <= set(doc["paths"])
    assert client.get("/api/v1/docs").status_code == 200
