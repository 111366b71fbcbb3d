"""Files the pages and the API hand out, made one way: an attachment with its name and type."""

from collections.abc import Callable
from datetime import datetime
from typing import IO

from django.http import HttpResponse

from sitecert.certificates.pdf import certificate_pdf

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def attachment(filename: str, content_type: str, content: bytes = b"") -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def written(filename: str, content_type: str, write: Callable[[IO], object]) -> HttpResponse:
    """An attachment that a writer (a workbook, a CSV report) fills in."""
    response = attachment(filename, content_type)
    write(response)
    return response


def ecertificate_pdf(ecert, *, now: datetime) -> HttpResponse:
    return attachment(f"{ecert.number}-v{ecert.version}.pdf", PDF, certificate_pdf(ecert=ecert, now=now))
