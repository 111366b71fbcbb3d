"""Shared by the rights matrix and the consent tests."""

from datetime import date

import pytest
from django.utils import timezone

from sitecert.certificates.exchange import certificates_issue
from sitecert.policies.selectors import policy_in_force


@pytest.fixture
def ecert(personas, keys, settings, tmp_path):
    """王芳's e-certificate for TJ2015000101, from the 2020 exchange."""
    settings.CERTIFICATE_PDF_DIR = tmp_path / "pdf"
    cert = personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    day = date(2020, 9, 1)
    return certificates_issue(
        legacy_ids=[cert.pk], policy=policy_in_force(on=day), as_of=day, now=timezone.now()
    )[0]
