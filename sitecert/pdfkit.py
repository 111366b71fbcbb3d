"""What sitecert's PDFs share: the embedded CJK font (a subset of settings.CJK_FONT_PATH) and QR codes."""

from django.conf import settings
from reportlab.graphics import renderPDF, renderSVG
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


def qr_svg(text: str, *, size: float = 220, level: str = "M") -> str:
    """The QR code as an SVG document, for pages (a holder shows it on the phone at a site gate)."""
    svg = renderSVG.drawToString(_qr_drawing(text, size, level))
    return svg[svg.index("<svg") :]  # without the XML prolog, to sit inside HTML
