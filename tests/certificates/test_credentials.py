"""The signed certificate: its QR code read back from the printed PDF and verified by a JOSE library other
than sitecert's, against the JWKS fetched over HTTP; tampered tokens reported as forged; the PDF's seal."""

import base64
import io
import json
import shutil
import subprocess
from datetime import timedelta

import jwt as pyjwt
import pytest
from django.test import Client
from joserfc import jwt as jose_jwt
from joserfc.jwk import OKPKey
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from sitecert import throttle
from sitecert.certificates.credentials import token_from
from sitecert.certificates.exchange import certificates_issue
from sitecert.certificates.keys import key_generate, key_rotate, kid_url
from sitecert.certificates.models import SigningKey
from sitecert.certificates.pdf import certificate_pdf
from sitecert.certificates.verification import verify_token
from sitecert.policies.selectors import policy_in_force
from tests.certificates.conftest import IN_WINDOW, NOW

TOOLS = all(shutil.which(t) for t in ("pdftoppm", "zbarimg"))


def issue(cert):
    return certificates_issue(
        legacy_ids=[cert.pk], policy=policy_in_force(on=IN_WINDOW), as_of=IN_WINDOW, now=NOW
    )[0]


def qr_of(pdf: bytes, tmp_path) -> str:
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", tmp_path / "c.pdf", tmp_path / "c"], check=True
    )
    out = subprocess.run(
        ["zbarimg", "--raw", "-q", tmp_path / "c.png"], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


@pytest.mark.skipif(not TOOLS, reason="poppler-utils and zbar-tools are installed by `make test`")
@pytest.mark.django_db(transaction=True)
def test_the_printed_qr_verifies_with_pyjwt_against_the_jwks_over_http(
    post_catalogue, live_server, settings, tmp_path
):
    from tests.personas import make_personas

    settings.SIGNING_KEY_DIR, settings.CERTIFICATE_PDF_DIR = tmp_path / "keys", tmp_path / "pdf"
    key_generate(now=NOW, actor="test")
    cert = make_personas().holder.person.legacy_certificates.get(certificate_no="TJ2015000101")
    ecert = issue(cert)
    scanned = qr_of(certificate_pdf(ecert=ecert, now=NOW), tmp_path)
    assert scanned.startswith(f"{settings.PUBLIC_URL}/verify/?t=")
    token = token_from(scanned)
    keys = pyjwt.PyJWKClient(f"{live_server.url}/.well-known/jwks.json")
    claims = pyjwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["EdDSA"])
    assert (claims["n"], claims["v"], claims["nm"], claims["p"]) == (ecert.number, 1, "王芳", "builder-civil")
    assert claims["idm"] == "120104********1224"
    credential = ecert.versions.get().credential
    assert pyjwt.get_unverified_header(credential)["typ"] == "vc+jwt"
    vc = pyjwt.decode(credential, keys.get_signing_key_from_jwt(credential).key, algorithms=["EdDSA"])
    assert vc["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert vc["credentialSubject"]["name"] == "王芳" and vc["certificateNumber"] == ecert.number
    assert vc["replaces"] == "TJ2015000101" and vc["issuer"]["name"] == "天津市住房和城乡建设委员会"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def changed_claim(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(unb64(payload))
    claims["nm"] = "张伟"
    return ".".join([header, b64(json.dumps(claims).encode()), signature])


def wrong_key(token: str) -> str:
    header = json.loads(unb64(token.split(".")[0]))
    claims = json.loads(unb64(token.split(".")[1]))
    stranger = OKPKey.generate_key("Ed25519")
    return jose_jwt.encode(header, claims, stranger, algorithms=["EdDSA"])


def other_algorithm(token: str) -> str:
    """HS256 keyed with the public key: the classic algorithm-confusion forgery."""
    header = json.loads(unb64(token.split(".")[0]))
    claims = json.loads(unb64(token.split(".")[1]))
    public = SigningKey.objects.get(kid=header["kid"].rsplit("#", 1)[-1]).public_jwk["x"]
    return pyjwt.encode(claims, public.encode() * 2, algorithm="HS256", headers={"kid": header["kid"]})


def alg_none(token: str) -> str:
    claims = unb64(token.split(".")[1])
    return ".".join([b64(json.dumps({"alg": "none", "typ": "sc-qr+jwt"}).encode()), b64(claims), ""])


@pytest.fixture
def issued(builder, keys):
    return issue(builder)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [changed_claim, wrong_key, lambda t: t[:-12], lambda t: t.rsplit(".", 1)[0], other_algorithm, alg_none],
    ids=["changed-claim", "wrong-key", "truncated", "no-signature", "other-algorithm", "alg-none"],
)
def test_tampered_tokens_are_reported_as_forged_never_as_not_found(issued, tamper):
    token = tamper(issued.versions.get().qr_token)
    assert verify_token(token, today=IN_WINDOW).outcome == "forged"
    body = Client().get("/api/v1/verify", {"token": token}).json()
    assert body["outcome"] == "forged" and body["signature"]["valid"] is False
    page = Client().get("/verify/", {"t": token})
    assert page.status_code == 200 and "签名校验失败" in page.content.decode()


@pytest.mark.django_db
def test_a_genuine_token_verifies_with_its_live_status_and_masked_fields(issued):
    token = issued.versions.get().qr_token
    body = Client().get("/api/v1/verify", {"token": token}).json()
    assert body["outcome"] == "valid" and body["signature"] == {
        "valid": True,
        "kid": kid_url(issued.versions.get().kid),  # what the token names: a DID URL into did.json
        "algorithm": "EdDSA",
    }
    assert body["certificate"]["id_number_masked"] == "120104********1224"
    assert "120104198805171224" not in json.dumps(body)


@pytest.mark.django_db
def test_a_rotated_key_is_published_at_once_signs_after_the_lead_and_old_prints_still_verify(
    issued, personas, settings
):
    from sitecert.certificates.lifecycle import version_new

    old = issued.versions.get()
    new_key = key_rotate(now=NOW, actor="test")
    lead = timedelta(seconds=settings.KEY_PUBLISH_LEAD)
    assert new_key.activates_at == NOW + lead
    jwks = Client().get("/.well-known/jwks.json").json()
    assert {k["kid"] for k in jwks["keys"]} == {old.kid, new_key.kid, kid_url(old.kid), kid_url(new_key.kid)}
    assert verify_token(old.qr_token, today=IN_WINDOW).outcome == "valid"

    meanwhile = version_new(ecert=issued, cause="reissue", by=personas.inspector, now=NOW + lead / 2)
    assert meanwhile.kid == old.kid  # published, not yet signing: every cache has time to fetch it
    reissued = version_new(ecert=issued, cause="reissue", by=personas.inspector, now=NOW + lead)
    assert reissued.kid == new_key.kid != old.kid
    assert pyjwt.get_unverified_header(reissued.qr_token)["kid"] == kid_url(new_key.kid)
    assert verify_token(reissued.qr_token, today=IN_WINDOW).outcome == "valid"
    assert verify_token(old.qr_token, today=IN_WINDOW).outcome == "superseded"


@pytest.mark.django_db
def test_the_pdf_seal_is_valid_and_any_edit_breaks_it(issued, settings, tmp_path):
    settings.CERTIFICATE_PDF_DIR = tmp_path
    pdf = certificate_pdf(ecert=issued, now=NOW)
    seal = SigningKey.objects.get().seal_certificate
    from asn1crypto import pem, x509

    root = x509.Certificate.load(pem.unarmor(seal.encode())[2])
    context = ValidationContext(trust_roots=[root])
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted and status.docmdp_ok
    at = pdf.index(b"stream") + 40
    edited = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1 :]
    broken = validate_pdf_signature(PdfFileReader(io.BytesIO(edited)).embedded_signatures[0], context)
    assert not broken.intact
    assert certificate_pdf(ecert=issued, now=NOW) == pdf  # rendered once, then served from the cache


@pytest.mark.django_db
def test_offline_verification_needs_only_the_jwks(issued, tmp_path, capsys):
    from django.core.management import CommandError, call_command

    jwks = tmp_path / "jwks.json"
    jwks.write_text(Client().get("/.well-known/jwks.json").content.decode())
    token = issued.versions.get().qr_token
    call_command("verify", f"http://example.invalid/verify/?t={token}", jwks=str(jwks))
    out = json.loads(capsys.readouterr().out)
    assert out["genuine"] and out["claims"]["n"] == issued.number
    with pytest.raises(CommandError, match="forged"):
        call_command("verify", changed_claim(token), jwks=str(jwks))


@pytest.mark.django_db
def test_the_jwks_holds_no_private_key_and_the_key_files_are_private(issued, settings):
    keys = Client().get("/.well-known/jwks.json").json()["keys"]
    assert keys and all("d" not in k and k["kty"] == "OKP" and k["crv"] == "Ed25519" for k in keys)
    files = sorted(settings.SIGNING_KEY_DIR.iterdir())
    assert len(files) == 2 and all(f.stat().st_mode & 0o077 == 0 for f in files)


@pytest.mark.django_db
def test_a_pasted_credential_verifies_like_its_qr_token_and_an_oversized_one_is_refused(issued):
    credential = issued.versions.get().credential
    body = Client().get("/api/v1/verify", {"token": credential}).json()
    assert (body["outcome"], body["number"], body["version"]) == ("valid", issued.number, 1)
    assert verify_token(credential + "A" * 9000, today=IN_WINDOW).outcome == "forged"


@pytest.mark.django_db
def test_the_pdf_is_chinese_even_when_an_english_page_asks_first(issued, settings, tmp_path, personas):
    """The print is an official document and the file is cached per version: its language is fixed."""
    settings.CERTIFICATE_PDF_DIR = tmp_path
    client = Client(headers={"accept-language": "en"})
    client.force_login(personas.holder)
    client.cookies["django_language"] = "en"
    assert (
        "Verify an e-certificate"
        in Client(headers={"accept-language": "en"}).get("/verify/").content.decode()
    )
    pdf = client.get(f"/certificates/{issued.number}/pdf").content
    (tmp_path / "c.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", tmp_path / "c.pdf", "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "职业培训合格证" in text and "发证机关" in text and "Issuer" not in text


@pytest.mark.django_db
def test_with_redis_down_verification_still_answers_from_the_database(issued, settings, tmp_path):
    """The rush bench stopped Redis for 30 s and every verification was a 500. A refused connection now is an
    empty cache: the answer comes from the database. The verification budget is still kept, by each process
    alone (throttle.Tally), until Redis is back; the other budgets fail open."""
    settings.CACHES = {
        "default": {
            "BACKEND": "sitecert.cachekit.TolerantRedisCache",
            "LOCATION": f"unix://{tmp_path}/redis.sock",  # nothing listens: what clients see of a stopped Redis
        }
    }
    settings.VERIFY_RATE = "2/m"
    token = issued.versions.get().qr_token
    answers = [Client().get("/api/v1/verify", {"token": token}) for _ in range(4)]
    for _ in range(2):
        throttle.TALLIED["verify"].sync()  # as its thread does every 0.1 s: Redis does not answer
        answers.append(Client().get("/api/v1/verify", {"token": token}))
    assert [a.status_code for a in answers] == [200] * 2 + [429] * 4
    assert {a.json()["outcome"] for a in answers[:2]} == {"valid"}
    from django.core.cache import cache

    assert cache.get("k", "miss") == "miss" and cache.add("k", 1) is False
    with pytest.raises(ValueError):
        cache.incr("k")


@pytest.mark.django_db
def test_tokens_naming_unknown_keys_never_make_a_genuine_token_forged_in_another_thread(issued, monkeypatch):
    """A gthread worker: gate scans verify in some threads while anyone sends tokens naming a kid nobody
    published. The process's copy of the key set is a TTLCache: when each such token cleared it (without the
    readers' lock), a reader in another thread got a KeyError, which token_check turns into "forged" for a
    genuine print. Now an unknown kid leaves the copy alone, and clearing it takes the lock."""
    import sys
    import threading
    import time

    from sitecert.certificates import keys
    from sitecert.certificates.credentials import token_check

    genuine = issued.versions.get().qr_token
    document = keys.jwks()  # the database and the cache out of the way: only the process's copy is raced
    monkeypatch.setattr(keys, "jwks", lambda: document)
    monkeypatch.setattr(keys, "jwks_fresh", lambda: document)
    header = b64(json.dumps({"alg": "EdDSA", "typ": "sc-qr+jwt", "kid": "did:web:x#nope"}).encode())
    unknown = ".".join([header, *genuine.split(".")[1:]])
    assert token_check(genuine, keys=keys.known_key).genuine
    assert not token_check(unknown, keys=keys.known_key).genuine

    forged, stop = [], time.monotonic() + 3
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)

    def scan():
        while time.monotonic() < stop and not forged:
            checked = token_check(genuine, keys=keys.known_key)
            if not checked.genuine:
                forged.append(checked.reason)

    def spray():
        while time.monotonic() < stop and not forged:
            token_check(unknown, keys=keys.known_key)

    threads = [threading.Thread(target=scan) for _ in range(4)]
    threads += [threading.Thread(target=spray) for _ in range(2)]
    try:
        [t.start() for t in threads]
        [t.join() for t in threads]
    finally:
        sys.setswitchinterval(previous)
    assert forged == []
