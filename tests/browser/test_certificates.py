"""A holder's e-certificate on a phone, and anyone checking a print by opening its QR address."""

import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from sitecert import clock
from sitecert.certificates.credentials import qr_content
from sitecert.certificates.exchange import certificates_issue
from sitecert.policies.selectors import policy_in_force
from tests.browser.conftest import HELP, SCREENSHOTS, audit, log_in, shoot
from tests.personas import make_personas

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def issued(page, keys, settings, live_server, tmp_path):
    settings.PUBLIC_URL = live_server.url  # the printed QR code points at this server
    settings.CERTIFICATE_PDF_DIR = tmp_path / "pdf"
    personas = make_personas()
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    day = date(2020, 9, 1)
    clock.set_now(datetime(2020, 9, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    yield (
        personas,
        certificates_issue(legacy_ids=[cert.pk], policy=policy_in_force(on=day), as_of=day, now=clock.now())[
            0
        ],
    )
    clock.set_now(None)


def test_the_holder_sees_the_ecertificate_and_a_scan_shows_it_valid(page, issued, tmp_path):
    personas, ecert = issued
    log_in(page, personas.holder.username)
    page.wait_for_url("**/me/")
    page.click(f"text={ecert.number}")
    page.wait_for_url(f"**/certificates/{ecert.number}/")
    audit(page)
    text = page.inner_text("main")
    assert "住房和城乡建设领域施工现场专业人员职业培训合格证" in text and "120104********1224" in text
    shown = tmp_path / "shown-qr.png"
    page.locator("figure.qr svg").screenshot(path=str(shown))  # what a gate's scanner sees on the phone
    scanned = subprocess.run(["zbarimg", "--raw", "-q", shown], capture_output=True, text=True, check=True)
    assert scanned.stdout.strip() == qr_content(ecert.versions.get().qr_token)
    with page.expect_download() as download:
        page.click("text=下载 PDF（带电子签章）")
    assert download.value.suggested_filename == f"{ecert.number}-v1.pdf"
    shoot(page, HELP / "holder-5-ecertificate.png", SCREENSHOTS / "ecertificate.png")
    page.context.clear_cookies()
    page.goto(qr_content(ecert.versions.get().qr_token))
    verdict = page.inner_text(".verdict")
    assert "证书有效" in verdict and "王芳" in verdict and "有效（密钥" in verdict
    shoot(page, SCREENSHOTS / "verify.png")
    header, payload, signature = ecert.versions.get().qr_token.split(".")
    page.goto(qr_content(f"{header}.{payload}.{signature[::-1]}"))
    assert "签名校验失败" in page.inner_text(".verdict")
