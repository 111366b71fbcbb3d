"""What sitecert's PDFs share: the embedded CJK font (a subset of settings.CJK_FONT_PATH) and QR codes."""

from functools import lru_cache

import segno
from django.conf import settings
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONT = "SitecertCJK"


def cjk_font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, settings.CJK_FONT_PATH, subfontIndex=0))  # embedded as a subset
    return FONT


def _qr_drawing(text: str, size: float, level: str) -> Drawing:
    widget = QrCodeWidget(text, barLevel=level)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def draw_qr(pdf: Canvas, text: str, *, x: float, y: float, size: float, level: str = "M") -> None:
    renderPDF.draw(_qr_drawing(text, size, level), pdf, x, y)


@lru_cache(maxsize=4096)  # a version's token never changes, and choosing its mask is most of the work
def qr_svg(text: str, *, level: str = "M") -> str:
    """The QR code as inline SVG, for pages (a holder shows it on the phone at a site gate): segno draws the
    dark modules as one path, a few KB in milliseconds, where reportlab's drawing was a rectangle per module
    (319 KB, 0.4 s of CPU per page view). Sized by the page's CSS through its viewBox."""
    return segno.make(text, error=level.lower(), micro=False).svg_inline(
        border=4, omitsize=True, light="#fff"
    )
