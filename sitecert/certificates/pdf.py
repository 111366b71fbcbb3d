"""The printable e-certificate: A4, Chinese with an embedded CJK font subset, the QR code of its signed
token, sealed with a PAdES signature (pyHanko) that PDF readers show and that any edit breaks. Rendered
on demand, once per version and seal key (the file is a cache): the seal is always the key that signs at
the moment of rendering, never a retired one, so a cleared cache or a rotation re-seals with the current key."""

import io
import os
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from sitecert.certificates.credentials import qr_content
from sitecert.certificates.keys import active_key, seal_signer
from sitecert.certificates.models import CertificateVersion, ECertificate, SigningKey
from sitecert.lib.idnumber import mask
from sitecert.pdfkit import cjk_font, draw_qr

TITLE = "住房和城乡建设领域施工现场专业人员职业培训合格证"


def certificate_pdf(
    *, ecert: ECertificate, now: datetime, version: CertificateVersion | None = None
) -> bytes:
    """The sealed PDF of a version (the current one by default), from the cache or rendered now."""
    version = version or ecert.versions.get(version=ecert.version)
    key = active_key(now=now)
    path = Path(settings.CERTIFICATE_PDF_DIR) / f"{ecert.number}-v{version.version}-{key.kid[:16]}.pdf"
    if path.exists():
        return path.read_bytes()
    with translation.override("zh-hans"):  # the official document, whoever asks for it first
        data = seal(render(ecert=ecert, version=version), key=key)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:  # never a half-written file
        tmp.write(data)
    os.replace(tmp.name, path)
    return data


def render(*, ecert: ECertificate, version: CertificateVersion) -> bytes:
    font = cjk_font()
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(TITLE)
    pdf.setAuthor(ecert.issuer)
    width, height = A4
    pdf.setLineWidth(2)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setFont(font, 17)
    pdf.drawCentredString(width / 2, height - 40 * mm, TITLE)
    pdf.setFont(font, 12)
    rows = [
        (_("姓名"), version.name),
        (_("身份证号"), mask(ecert.holder.id_number)),
        (_("岗位"), str(ecert.post)),
        (_("证书编号"), ecert.number),
        (_("发证日期"), ecert.issued_on.isoformat()),
        (_("发证机关"), ecert.issuer),
        (_("版本"), _("第 %(v)d 版（%(day)s）") % {"v": version.version, "day": version.issued_on}),
    ]
    if ecert.legacy:
        rows.append((_("换发原证书"), ecert.legacy.certificate_no))
    y = height - 65 * mm
    for label, value in rows:
        pdf.drawString(30 * mm, y, f"{label}：")
        pdf.drawString(62 * mm, y, value)
        y -= 11 * mm
    draw_qr(pdf, qr_content(version.qr_token), x=width - 85 * mm, y=30 * mm, size=60 * mm)
    pdf.setFont(font, 9)
    pdf.drawString(25 * mm, 40 * mm, _("扫描二维码或访问核验页面输入证书编号核验真伪。"))
    pdf.drawString(25 * mm, 34 * mm, _("本证书附有电子签章；以系统在线记录为准。"))
    pdf.drawString(25 * mm, 28 * mm, f"{settings.PUBLIC_URL}/verify/")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def seal(data: bytes, *, key: SigningKey) -> bytes:
    """Certify the PDF (PAdES baseline, DocMDP: no changes allowed) with the key set's seal."""
    meta = signers.PdfSignatureMetadata(
        field_name="Seal",
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES,
        reason=_("电子证书签章"),
        location=settings.SEAL_ORGANISATION,
    )
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)),
        meta,
        signer=seal_signer(key.kid, key.seal_certificate, key.seal_chain),
    )
    return out.getvalue()
