"""The commands an operator runs: keys, the bulk exchange as of a date, and the eligibility API."""

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from sitecert.certificates.models import ECertificate, SigningKey

pytestmark = pytest.mark.django_db


def last_json(capsys) -> dict:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_keys_are_generated_once_and_rotated_keeping_the_old_published(settings, tmp_path, capsys):
    settings.SIGNING_KEY_DIR = tmp_path / "keys"
    call_command("keys", "generate")
    first = last_json(capsys)["kid"]
    call_command("keys", "generate", if_missing=True)
    with pytest.raises(CommandError, match="rotate"):
        call_command("keys", "generate")
    call_command("keys", "rotate")
    second = last_json(capsys)["kid"]
    assert SigningKey.objects.get(kid=first).retired_at and not SigningKey.objects.get(kid=second).retired_at
    assert len(list((tmp_path / "keys").iterdir())) == 4


def test_the_exchange_command_replays_a_day_and_has_nothing_to_do_after_the_deadline(
    builder, report, keys, settings, tmp_path, capsys
):
    settings.SIGNING_KEY_DIR = tmp_path / "none"  # no key while the hours arrive: nothing issued
    report(builder, "professional", 22, score=80)
    report(builder, "general", 10)
    assert not ECertificate.objects.exists()
    with pytest.raises(CommandError) as refused:  # a real refusal stops a chained nightly job
        call_command("exchange", as_of=date(2020, 12, 31))
    assert refused.value.returncode == 2
    settings.SIGNING_KEY_DIR = tmp_path / "keys"  # the key set the fixture made
    call_command("exchange", as_of=date(2020, 12, 31))
    assert last_json(capsys) == {"as_of": "2020-12-31", "candidates": 1, "issued": 1, "closed": False}
    # Issue 17: once the round has closed, every night is "nothing to do" (exit 0, the reason printed),
    # so that `exchange && evaluate-duty && …` goes on.
    call_command("exchange", as_of=date(2021, 1, 1))
    out = capsys.readouterr().out
    assert "截止" in out and "nothing to do" in out
    assert json.loads(out.strip().splitlines()[-1]) == {
        "as_of": "2021-01-01",
        "candidates": 0,
        "issued": 0,
        "closed": True,
    }


def test_eligibility_is_explained_over_the_api_as_of_a_date_to_those_who_may_see_it(
    builder, report, personas
):
    report(builder, "professional", 16)
    url = f"/api/v1/certificates/legacy/{builder.certificate_no}/eligibility"
    client = Client()
    for who in ("holder", "employer_admin", "inspector"):
        client.force_login(getattr(personas, who))
        body = client.get(url, {"as_of": "2020-09-01"}).json()
        assert body["state"] == "in_progress" and "还差专业岗位知识 6 学时" in body["missing"]
    assert client.get(url, {"as_of": "2021-01-01"}).json()["state"] == "closed"
    assert client.get(url, {"as_of": "2020-13-01"}).status_code == 422
    for who in ("other_holder", "other_employer_admin", "institution_admin"):
        client.force_login(getattr(personas, who))
        assert client.get(url).status_code == 404
