"""The nightly run's lapses reach the published status lists in the same transaction: the lists are read
from the certificates' status, which the run's set-based UPDATE changes (no second write, no per-row work)."""

from datetime import date

import pytest
from django.test import Client

from sitecert.certificates.models import ECertificate
from tests.certificates import verifier
from tests.certificates.test_interop import claims_of

pytestmark = pytest.mark.django_db
FULL = (22, 10)


def test_a_lapse_by_the_nightly_run_flips_the_suspension_bit_and_agrees_with_the_api(
    exchanged, colleague, learn, run, settings
):
    settings.STATUS_LIST_CACHE_SECONDS = 0
    learn(exchanged, {2021: FULL})  # short of 64 in 2021–2022: lapses on 2023-01-01
    learn(colleague, {2021: FULL, 2022: FULL})
    tokens = {e.number: e.versions.get().credential for e in (exchanged, colleague)}
    for token in tokens.values():
        assert verifier.verdict(token) == "valid"
    run(date(2023, 1, 1))
    assert ECertificate.objects.get(pk=exchanged.pk).status == "lapsed"
    lapsed, kept = tokens[exchanged.number], tokens[colleague.number]
    bits = {e["statusPurpose"]: verifier.status_bit(e) for e in claims_of(lapsed)["credentialStatus"]}
    assert bits == {"revocation": False, "suspension": True}
    assert Client().get("/api/v1/verify", {"token": lapsed}).json()["outcome"] == "lapsed"
    assert verifier.verdict(lapsed) == "suspended"
    assert verifier.verdict(kept) == "valid"
