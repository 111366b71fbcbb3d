"""sitecert's credentials checked by a verifier that follows the standards, not sitecert's README
(tests/certificates/verifier.py): JSON-LD expansion with no term dropped, JWT claims a JOSE library
requires, keys found through did:web, status from the Bitstring Status Lists, CORS for browser verifiers."""

import itertools
import json
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import jwt as pyjwt
import pytest
from django.test import Client
from joserfc import jwt as jose_jwt

from sitecert.certificates.credentials import credential_id, subject_id
from sitecert.certificates.keys import credential_key, issuer_did, kid_url
from sitecert.certificates.lifecycle import certificate_revoke, version_new
from sitecert.certificates.models import SigningKey
from sitecert.certificates.verification import verify_token
from tests.certificates import verifier
from tests.certificates.conftest import IN_WINDOW, NOW, TZ
from tests.certificates.test_credentials import issue

pytestmark = pytest.mark.django_db
REQUIRED = ["iss", "sub", "jti", "iat", "nbf"]


@pytest.fixture
def issued(builder, keys):
    return issue(builder)


def claims_of(token: str) -> dict:
    return pyjwt.decode(token, options={"verify_signature": False})


def test_the_credential_expands_in_json_ld_with_no_term_or_type_dropped(issued):
    credential = claims_of(issued.versions.get().credential)
    served = verifier.contexts()
    assert verifier.expansion_losses(credential, served) == []
    # The check itself catches what a processor in safe mode refuses: an undefined term, a relative type.
    assert verifier.expansion_losses({**credential, "colour": "red"}, served)
    assert verifier.expansion_losses({**credential, "type": [*credential["type"], "Unknown"]}, served)
    subject = {**credential["credentialSubject"], "post": {"code": "safety", "grade": "A"}}
    assert verifier.expansion_losses({**credential, "credentialSubject": subject}, served)


def test_the_published_context_is_protected_and_shipped_in_the_package(client):
    from sitecert.portals.views.published import CONTEXT_V1

    response = client.get("/contexts/sitecert/v1")
    assert response.json() == json.loads(CONTEXT_V1.read_text())
    assert response.json()["@context"]["@protected"] is True
    assert response["Access-Control-Allow-Origin"] == "*" and "max-age=86400" in response["Cache-Control"]


def test_a_jose_library_verifies_the_credential_with_an_expected_issuer_and_required_claims(issued):
    version = issued.versions.get()
    token = version.credential
    claims = pyjwt.decode(
        token,
        verifier.signing_key(token),
        algorithms=["EdDSA"],
        issuer=issuer_did(),
        options={"require": REQUIRED},
    )
    assert claims["iss"] == claims["issuer"]["id"] == "did:web:127.0.0.1%3A8000"
    assert claims["jti"] == claims["id"] == credential_id(issued.number, 1)
    assert claims["sub"] == claims["credentialSubject"]["id"] == subject_id(issued.number)
    assert claims["nbf"] == datetime.fromisoformat(claims["validFrom"]).timestamp()
    assert claims["validFrom"] == "2020-09-01T00:00:00+08:00" and claims["iat"] == int(NOW.timestamp())
    assert "exp" not in claims and "validUntil" not in claims  # an e-certificate ends by status, not by date
    assert claims["credentialSubject"]["name"] == "王芳" and claims["replaces"] == "TJ2015000101"
    qr = pyjwt.decode(version.qr_token, verifier.signing_key(version.qr_token), algorithms=["EdDSA"])
    assert qr["idm"] == "120104********1224" and "id" not in qr
    assert len(version.qr_token) < 420  # still a QR code that scans from paper


def test_the_key_is_found_from_the_issuer_did_alone(issued):
    token = issued.versions.get().credential
    assert pyjwt.get_unverified_header(token)["kid"] == kid_url(issued.versions.get().kid)
    claims = pyjwt.decode(token, verifier.did_key(token), algorithms=["EdDSA"], issuer=issuer_did())
    assert claims["certificateNumber"] == issued.number


def test_the_did_document_lists_retired_keys_and_follows_public_url(issued, settings):
    from sitecert.certificates.keys import key_rotate

    new = key_rotate(now=NOW, actor="test", lead=timedelta(0))
    document = Client().get("/.well-known/did.json").json()
    assert {m["id"] for m in document["verificationMethod"]} == {
        kid_url(issued.versions.get().kid),
        kid_url(new.kid),
    }
    assert all("d" not in m["publicKeyJwk"] for m in document["verificationMethod"])
    settings.PUBLIC_URL = "https://zjw.tj.gov.cn:8443/sitecert"
    document = Client().get("/did.json").json()
    assert document["id"] == "did:web:zjw.tj.gov.cn%3A8443:sitecert"


def signed(claims: dict, *, kid: str, typ: str = "vc+jwt", kid_form: str | None = None) -> str:
    """A token signed with sitecert's own private key, as an older or future sitecert might have."""
    header = {"alg": "EdDSA", "kid": kid_form or kid_url(kid), "typ": typ}
    return jose_jwt.encode(header, claims, credential_key(kid), algorithms=["EdDSA"])


def test_a_token_past_its_exp_is_not_valid_to_sitecert_as_to_jose_libraries(issued):
    version = issued.versions.get()
    claims = claims_of(version.qr_token)
    at = NOW + timedelta(days=30)
    expired = signed(
        {**claims, "exp": int((at - timedelta(seconds=1)).timestamp())}, kid=version.kid, typ="sc-qr+jwt"
    )
    early = signed(
        {**claims, "nbf": int((at + timedelta(hours=1)).timestamp())}, kid=version.kid, typ="sc-qr+jwt"
    )
    assert verify_token(expired, today=at.date(), now=at).outcome == "expired"
    assert verify_token(early, today=at.date(), now=at).outcome == "not_yet_valid"
    assert verify_token(version.qr_token, today=at.date(), now=at).outcome == "valid"
    with pytest.raises(pyjwt.ExpiredSignatureError):
        pyjwt.decode(expired, verifier.signing_key(expired), algorithms=["EdDSA"])
    assert Client().get("/api/v1/verify", {"token": expired}).json()["outcome"] == "expired"


def test_a_token_signed_with_a_bare_thumbprint_kid_still_verifies(issued):
    """Prints made before key ids became DID URLs carry the thumbprint alone; the JWKS lists it too."""
    version = issued.versions.get()
    old = signed(claims_of(version.qr_token), kid=version.kid, typ="sc-qr+jwt", kid_form=version.kid)
    assert verify_token(old, today=IN_WINDOW).outcome == "valid"
    assert pyjwt.decode(old, verifier.signing_key(old), algorithms=["EdDSA"])["n"] == issued.number


def test_an_unknown_kid_is_read_from_the_database_before_a_token_is_called_forged(issued, settings, tmp_path):
    """Another process rotated a moment ago: this one's cached JWKS does not know the key yet."""
    from django.core.cache import cache

    from sitecert.certificates.keys import JWKS_CACHE, jwks, key_rotate

    stale = jwks()
    new = key_rotate(now=NOW, actor="other process", lead=timedelta(0))
    cache.set(JWKS_CACHE, stale, 60)  # as this process still holds it
    token = signed(claims_of(issued.versions.get().qr_token), kid=new.kid, typ="sc-qr+jwt")
    assert verify_token(token, today=IN_WINDOW).outcome == "valid"
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert verify_token(forged, today=IN_WINDOW).outcome == "forged"


@pytest.fixture
def inspector_with_revoke(personas):
    from django.contrib.auth.models import Permission

    user = personas.inspector
    user.user_permissions.add(Permission.objects.get(codename="revoke_ecertificate"))
    user.user_permissions.add(Permission.objects.get(codename="decide_certificaterequest"))
    return type(user).objects.get(pk=user.pk)


def test_status_lists_flip_on_reissue_and_revocation_and_agree_with_the_api(
    issued, inspector_with_revoke, settings
):
    settings.STATUS_LIST_CACHE_SECONDS = 0  # each fetch reads the list again (the bound: views/published.py)
    first = issued.versions.get()
    entries = {e["statusPurpose"]: e for e in claims_of(first.credential)["credentialStatus"]}
    assert set(entries) == {"revocation", "suspension"}
    assert entries["revocation"]["statusListIndex"] == str(first.status_index)
    assert not verifier.status_bit(entries["revocation"]) and not verifier.status_bit(entries["suspension"])

    def agree(token: str, expected: str):
        api = Client().get("/api/v1/verify", {"token": token}).json()["outcome"]
        assert api == expected
        assert verifier.verdict(token) == verifier.AS_STATUS_LIST.get(api, api)

    agree(first.credential, "valid")
    second = version_new(ecert=issued, cause="reissue", by=inspector_with_revoke, now=NOW + timedelta(days=1))
    assert verifier.status_bit(entries["suspension"])  # superseded by the reissue
    assert not verifier.status_bit(entries["revocation"])
    agree(first.credential, "superseded")
    agree(first.qr_token, "superseded")
    agree(second.credential, "valid")
    agree(second.qr_token, "valid")
    certificate_revoke(
        ecert=issued, reason="本人申请注销", by=inspector_with_revoke, now=NOW + timedelta(days=2)
    )
    for token in (first.credential, second.credential, second.qr_token):
        agree(token, "revoked")


def test_status_lists_are_signed_cached_briefly_and_readable_from_any_origin(issued, settings):
    entry = claims_of(issued.versions.get().credential)["credentialStatus"][0]
    response = Client().get(urlsplit(entry["statusListCredential"]).path)
    assert response["Content-Type"] == "application/vc+jwt" and response["Access-Control-Allow-Origin"] == "*"
    assert f"max-age={settings.STATUS_LIST_MAX_AGE}" in response["Cache-Control"]
    listed = claims_of(response.content.decode())
    assert listed["credentialSubject"]["ttl"] == settings.STATUS_LIST_MAX_AGE * 1000
    assert verifier.expansion_losses(listed, verifier.contexts()) == []
    assert Client().get("/status/1/refresh").status_code == 404
    assert Client().get("/status/999/revocation").status_code == 404


def test_slots_are_random_within_a_list_unique_and_a_full_list_opens_the_next(db):
    from sitecert.certificates.models import StatusList
    from sitecert.certificates.status import slots_allocate

    slots = slots_allocate(count=2000, now=NOW)
    indexes = [i for _, i in slots]
    assert len({lid for lid, _ in slots}) == 1 and len(set(indexes)) == 2000
    assert max(indexes) > 120_000 and min(indexes) < 10_000  # spread over the list, not issued in order
    assert sum(a < b for a, b in itertools.pairwise(indexes)) < 1100  # no order to read recency from
    StatusList.objects.update(allocated=131_072 - 5)
    more = slots_allocate(count=10, now=NOW)
    assert [lid for lid, _ in more].count(slots[0][0]) == 5 and StatusList.objects.count() == 2


def test_the_verification_api_answers_browsers_on_other_sites(issued):
    client = Client()
    token = issued.versions.get().qr_token
    assert client.get("/api/v1/verify", {"token": token})["Access-Control-Allow-Origin"] == "*"
    assert client.get(f"/api/v1/verify/{issued.number}")["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/verify/person",
        headers={"origin": "https://verifier.example", "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 204 and "POST" in preflight["Access-Control-Allow-Methods"]
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/accounts/login/")  # the portals stay same-origin


def test_the_verification_api_keeps_its_rate_limit_with_cors(issued, settings):
    settings.VERIFY_RATE = "2/m"
    client = Client()
    codes = [client.get(f"/api/v1/verify/{issued.number}") for _ in range(3)]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert codes[-1]["Access-Control-Allow-Origin"] == "*"  # a browser verifier can read the refusal


def test_a_pdf_rendered_after_a_rotation_is_sealed_with_the_current_key_published_on_the_seal_page(
    issued, settings, tmp_path
):
    import hashlib
    import io
    import shutil

    from pyhanko.pdf_utils.reader import PdfFileReader

    from sitecert.certificates.keys import key_rotate
    from sitecert.certificates.pdf import certificate_pdf

    def signer_der(pdf: bytes) -> bytes:
        return PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0].signer_cert.dump()

    settings.CERTIFICATE_PDF_DIR = tmp_path / "pdf"
    old_key = SigningKey.objects.get()
    before = certificate_pdf(ecert=issued, now=NOW)
    new_key = key_rotate(now=NOW, actor="test", lead=timedelta(0))
    shutil.rmtree(tmp_path / "pdf")  # the cache is safe to clear
    after = certificate_pdf(ecert=issued, now=NOW + timedelta(minutes=1))
    assert signer_der(before) != signer_der(after)
    assert signer_der(after) == Client().get(f"/seal/{new_key.kid}.cer").content
    assert Client().get(f"/seal/{old_key.kid}.cer").content == signer_der(before)  # old prints keep theirs
    page = Client().get("/seal/").content.decode()
    assert hashlib.sha256(signer_der(after)).hexdigest().upper() in page
    assert "/seal/" in Client().get("/verify/").content.decode()  # the verification page points at it
    pem = Client().get(f"/seal/{new_key.kid}.pem")
    assert pem["Content-Type"] == "application/pem-certificate-chain" and b"BEGIN CERTIFICATE" in pem.content


def test_a_seal_certified_by_the_authority_ca_is_published_with_its_chain_and_trusted_through_the_root(
    issued, settings, tmp_path
):
    import io

    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from sitecert.certificates.keys import seal_certificate_install
    from sitecert.certificates.pdf import certificate_pdf
    from sitecert.errors import DomainError

    key = SigningKey.objects.get()
    seal_public = x509.load_pem_x509_certificate(key.seal_certificate.encode()).public_key()
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "天津市住房和城乡建设委员会 CA")])
    start = datetime(2020, 1, 1, tzinfo=TZ)

    def certificate(subject, public, *, ca: bool):
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=365 * 20))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if not ca:
            usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
            builder = builder.add_extension(usage, critical=True)
        return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()

    root = certificate(ca_name, ca_key.public_key(), ca=True)
    seal_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sitecert 电子签章")])
    with pytest.raises(DomainError):  # a certificate for another key is refused
        other = ec.generate_private_key(ec.SECP256R1()).public_key()
        seal_certificate_install(
            kid=key.kid,
            certificate_pem=certificate(seal_name, other, ca=False),
            chain_pem=root,
            now=NOW,
            actor="t",
        )
    seal_certificate_install(
        kid=key.kid,
        certificate_pem=certificate(seal_name, seal_public, ca=False),
        chain_pem=root,
        now=NOW,
        actor="t",
    )
    assert Client().get(f"/seal/{key.kid}.pem").content.count(b"BEGIN CERTIFICATE") == 2
    settings.CERTIFICATE_PDF_DIR = tmp_path
    pdf = certificate_pdf(ecert=issued, now=NOW)
    trust = ValidationContext(trust_roots=[asn1_x509.Certificate.load(asn1_pem.unarmor(root.encode())[2])])
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], trust)
    assert status.intact and status.valid and status.trusted
