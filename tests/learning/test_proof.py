"""Proof of hours: a PDF in Chinese with an embedded CJK font, whose QR code a real decoder reads back."""

import shutil
import subprocess
from datetime import date

import pytest
from django.utils import timezone

from sitecert.learning.models import HourEntry
from sitecert.learning.proof import proof_token
from sitecert.learning.records import record_for_legacy
from tests.personas import course

pytestmark = pytest.mark.django_db
TOOLS = ("pdftoppm", "pdffonts", "pdftotext", "zbarimg")


@pytest.fixture
def hours(personas):
    if missing := [t for t in TOOLS if not shutil.which(t)]:
        pytest.fail(f"{missing} missing: `make test` installs poppler-utils and zbar-tools")
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    safety = course(
        personas.institution_admin.organisation,
        "XT-01",
        "建筑施工安全检查标准",
        hours=12,
        approve_by=personas.inspector,
    )
    record = record_for_legacy(cert, now=timezone.now())
    HourEntry.objects.create(
        record=record,
        course=safety,
        category="professional",
        hours=12,
        completed_on=date(2020, 10, 9),
        source="report",
        institution=safety.institution,
        assessment_score=88,
    )
    return record


def test_the_pdf_speaks_chinese_embeds_its_font_and_carries_a_readable_qr_code(
    client, personas, hours, tmp_path
):
    client.force_login(personas.holder)
    response = client.get(f"/learn/record/{hours.pk}/proof/2020.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "proof.pdf"
    pdf.write_bytes(response.content)
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout
    cjk = next(line for line in fonts.splitlines() if "WenQuanYi" in line)
    assert cjk.split()[-5:-2] == ["yes", "yes", "yes"]  # embedded, as a subset, with a Unicode map
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
    assert "继续教育学时证明" in text and "建筑施工安全检查标准" in text and "专业岗位知识 12.0 学时" in text
    assert hours.person.id_number not in text and hours.person.masked_id_number in text
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", pdf, tmp_path / "page"], check=True)
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", tmp_path / "page.png"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert decoded.startswith("http://testserver/verify/hours/")
    page = client.get(decoded.removeprefix("http://testserver")).content.decode()
    assert "TJ2015000101" in page and "专业岗位知识 12" in page and "88 · 通过" in page


def test_a_tampered_token_is_reported_as_forged(client, personas, hours):
    token = proof_token(record=hours, number="TJ2015000101", year=2020)
    response = client.get(f"/verify/hours/{token[:-2]}xx/")
    assert response.status_code == 404 and "已被篡改" in response.content.decode()


def test_only_the_holder_downloads_their_proof(client, personas, hours):
    client.force_login(personas.other_holder)
    assert client.get(f"/learn/record/{hours.pk}/proof/2020.pdf").status_code == 404
