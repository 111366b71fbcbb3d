"""Two regions in one database: each region's certificates follow their own region's policy, in the exchange
and in the yearly duty, even where both regions' authorities chose the same policy code."""

from datetime import date

import pytest

from sitecert.certificates.eligibility import explain
from sitecert.certificates.models import ECertificate
from sitecert.lib.idnumber import build
from sitecert.people.models import RosterEntry
from sitecert.policies.models import Policy
from sitecert.policies.selectors import policy_in_force
from sitecert.registry.models import Person
from tests.personas import certificate

pytestmark = pytest.mark.django_db
HEBEI_ISSUER = "河北省住房和城乡建设厅"


@pytest.fixture
def hebei():
    """Hebei's round: lower numbers than Tianjin's, its own issuer and prefix, and (by chance) Tianjin's code."""
    tianjin = Policy.objects.get(region="tianjin", code="tianjin-2020", version=1)
    fields = {f.name: getattr(tianjin, f.name) for f in Policy._meta.concrete_fields if f.name != "id"}
    fields |= {
        "region": "hebei",
        "title": "河北省施工现场专业人员换证（2020年）",
        "issuers": [HEBEI_ISSUER],
        "issuing_authority": HEBEI_ISSUER,
        "number_prefix": "HE",
        "exchange_hours": 24,
        "exchange_professional_hours": 16,
        "yearly_hours": 24,
        "yearly_professional_hours": 16,
        "window_hours": 48,
    }
    return Policy.objects.create(**fields)


@pytest.fixture
def hebei_builder(personas, hebei):
    """赵磊's builder-civil certificate issued in Hebei, and his employer's roster entry for it."""
    zhao = Person.objects.create(id_number=build("130102", date(1986, 7, 19), 31), name="赵磊")
    legacy = certificate(zhao, "HB2016000401", "builder-civil")
    legacy.issuer = HEBEI_ISSUER
    legacy.save()
    RosterEntry.objects.create(
        employer=personas.entry.employer, person=zhao, post=legacy.post, started_on=date(2018, 1, 1)
    )
    return legacy


def test_each_region_has_its_own_policy_in_force(hebei):
    day = date(2020, 9, 1)
    assert policy_in_force(on=day).region == "tianjin"
    assert policy_in_force(on=day, region="hebei") == hebei


def test_the_same_hours_exchange_a_hebei_certificate_but_not_a_tianjin_one(
    builder, hebei_builder, report, keys
):
    for cert in (builder, hebei_builder):
        report(cert, "professional", 16, score=80)
        report(cert, "general", 8)
    issued = ECertificate.objects.get(legacy=hebei_builder)
    assert issued.number.startswith("HE2020") and issued.policy.region == "hebei"
    assert issued.issuer == HEBEI_ISSUER
    tianjin = explain(certificate=builder, as_of=date(2020, 9, 1))
    assert tianjin.state == "in_progress" and tianjin.policy.region == "tianjin"
    assert "还差专业岗位知识 6 学时" in tianjin.missing
    assert not ECertificate.objects.filter(legacy=builder).exists()


def test_in_the_yearly_duty_each_certificate_keeps_its_own_regions_newest_rules(
    builder, hebei, hebei_builder, report, keys, learn, run
):
    for cert, (professional, general) in ((builder, (22, 10)), (hebei_builder, (16, 8))):
        report(cert, "professional", professional, score=80)
        report(cert, "general", general)
    tianjin_cert, hebei_cert = (ECertificate.objects.get(legacy=c) for c in (builder, hebei_builder))
    # Hebei edits its rules (a new version of its code): a Tianjin certificate must not follow them.
    Policy.objects.create(
        **{f.name: getattr(hebei, f.name) for f in Policy._meta.concrete_fields if f.name != "id"}
        | {"version": 2, "window_hours": 40}
    )
    for cert in (tianjin_cert, hebei_cert):
        learn(cert, {2021: (16, 9), 2022: (16, 9)})  # 25 a year, 50 in the window 2021–2022
    run(date(2023, 1, 2))
    tianjin_cert.refresh_from_db()
    hebei_cert.refresh_from_db()
    assert tianjin_cert.status == ECertificate.Status.LAPSED  # Tianjin: 50 < 64
    assert tianjin_cert.status_reason == "2021–2022 周期学时不足 64"
    assert hebei_cert.status == ECertificate.Status.VALID  # Hebei: 50 ≥ 40 (its version 2)
    assert hebei_cert.duty.state == "on_track"
