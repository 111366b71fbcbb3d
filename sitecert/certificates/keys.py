"""Signing keys. Each key set is an Ed25519 key (credentials, QR tokens and status lists, JWS "EdDSA") and a
P-256 key with an X.509 certificate (the PDF's electronic seal, which PDF readers check). Private halves
are PEM files in settings.SIGNING_KEY_DIR (0600), never in the repository or the database; public halves
are SigningKey rows, published as a JWKS and as the issuer's did:web document, retired keys included so
that old prints keep verifying.

Key ids: a key is named by its RFC 7638 thumbprint; a JWS names it by the DID URL `<issuer DID>#<thumbprint>`
(tokens signed before DIDs carry the bare thumbprint). Lookups go by the thumbprint, so both forms verify.

Rotation is staged: a new key is published at once and signs from `activates_at` (KEY_PUBLISH_LEAD later),
so that a verifier caching the JWKS or the DID document for their max-age has it before its first use.
"""

import datetime as dt
import json
import os
from functools import cache, lru_cache
from pathlib import Path
from threading import Lock

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cachetools import TTLCache, cached
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from joserfc.jwk import OKPKey
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from sitecert.audit.services import Event, audit_append
from sitecert.cachekit import LOCAL_TTL
from sitecert.certificates.models import SigningKey
from sitecert.errors import DomainError
from sitecert.lib.didweb import did_from_url

PEM = serialization.Encoding.PEM
PKCS8 = serialization.PrivateFormat.PKCS8
JWKS_CACHE = "certificates:jwks"
# Every verification needs the published keys: each process also keeps them a few seconds (a Redis call and
# a parse less per scan). Keys are only ever added, and a kid unknown here re-reads the database, so this
# copy never calls a genuine token forged.
_published: TTLCache = TTLCache(maxsize=1, ttl=LOCAL_TTL)


def _key_dir() -> Path:
    return Path(settings.SIGNING_KEY_DIR)


def _write_private(path: Path, key) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(PEM, PKCS8, serialization.NoEncryption()))


def _seal_certificate(key: ec.EllipticCurvePrivateKey, *, kid: str, now: dt.datetime) -> str:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"sitecert 电子签章 {kid[:8]}"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.SEAL_ORGANISATION),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        ]
    )
    usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * 30))
        .add_extension(usage, critical=True)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(PEM).decode()


def issuer_did() -> str:
    """The issuer's DID: did:web of PUBLIC_URL (its document is served at /.well-known/did.json)."""
    return did_from_url(settings.PUBLIC_URL)


def kid_url(thumbprint: str) -> str:
    """What a JWS header names a key by: a DID URL into the issuer's DID document."""
    return f"{issuer_did()}#{thumbprint}"


def thumbprint_of(kid: str) -> str:
    """The key's thumbprint from a JWS kid: a DID URL's fragment, or a bare thumbprint (older tokens)."""
    return kid.rsplit("#", 1)[-1]


def key_generate(*, now: dt.datetime, actor: str, activates_at: dt.datetime | None = None) -> SigningKey:
    """A new key set, published now; it signs from `activates_at` (now by default) as the newest active key."""
    signing = ed25519.Ed25519PrivateKey.generate()
    jwk = OKPKey.import_key(
        signing.public_key().public_bytes(PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    kid = jwk.thumbprint()  # RFC 7638: the key's own fingerprint, stable and unique
    public = {**jwk.as_dict(private=False), "kid": kid, "alg": "EdDSA", "use": "sig"}
    seal = ec.generate_private_key(ec.SECP256R1())
    _write_private(_key_dir() / f"{kid}.ed25519.pem", signing)
    _write_private(_key_dir() / f"{kid}.seal.pem", seal)
    with transaction.atomic():
        row = SigningKey.objects.create(
            kid=kid,
            public_jwk=public,
            seal_certificate=_seal_certificate(seal, kid=kid, now=now),
            created_at=now,
            activates_at=activates_at or now,
        )
        data = {"kid": kid, "activates_at": row.activates_at.isoformat()}
        audit_append(events=[Event(actor, "key.generate", f"key:{kid}", data)], at=now)
        transaction.on_commit(_keys_changed)
    _keys_changed()
    return row


def _keys_changed() -> None:
    django_cache.delete(JWKS_CACHE)
    forget_keys()


def forget_keys() -> None:
    """Drop this process's copy of the key set (a new key here; tests, whose databases come and go), under the
    lock its readers take: a TTLCache changed by one thread while another reads it raises KeyError there."""
    _published_keys.cache_clear()


def key_rotate(*, now: dt.datetime, actor: str, lead: dt.timedelta | None = None) -> SigningKey:
    """A new key, published now and signing from now + `lead` (settings.KEY_PUBLISH_LEAD seconds by default;
    zero for an emergency, when the old key must stop at once). The keys it replaces retire from signing at
    that moment and stay published for verification."""
    if lead is None:
        lead = dt.timedelta(seconds=settings.KEY_PUBLISH_LEAD)
    with transaction.atomic():
        old = list(SigningKey.objects.select_for_update().filter(retired_at__isnull=True))
        row = key_generate(now=now, actor=actor, activates_at=now + lead)
        SigningKey.objects.filter(pk__in=[k.pk for k in old]).update(retired_at=row.activates_at)
        data = {"retired": [k.kid for k in old], "activates_at": row.activates_at.isoformat()}
        audit_append(events=[Event(actor, "key.rotate", f"key:{row.kid}", data)], at=now)
    return row


def active_key(*, now: dt.datetime) -> SigningKey:
    """The key that signs at `now`: the newest one activated and not retired by then."""
    key = (
        SigningKey.objects.filter(activates_at__lte=now)
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gt=now))
        .order_by("-activates_at", "-created_at")
        .first()
    )
    if key is None or not (_key_dir() / f"{key.kid}.ed25519.pem").exists():
        raise DomainError(
            _("签名密钥未配置，请先运行 sitecert keys generate"), code="no_signing_key", status=503
        )
    return key


def _load_private(kid: str, kind: str):
    data = (_key_dir() / f"{kid}.{kind}.pem").read_bytes()
    return serialization.load_pem_private_key(data, password=None)


@cache
def credential_key(kid: str) -> OKPKey:
    """The private Ed25519 key as a JOSE key, for signing."""
    pem = _load_private(kid, "ed25519").private_bytes(PEM, PKCS8, serialization.NoEncryption())
    return OKPKey.import_key(pem, {"kid": kid})


@cache
def seal_signer(kid: str, certificate_pem: str, chain_pem: str = "") -> SimpleSigner:
    """pyHanko's signer for the PDF seal of this key set (with the CA chain, when there is one, embedded)."""
    key = _load_private(kid, "seal").private_bytes(
        serialization.Encoding.DER, PKCS8, serialization.NoEncryption()
    )
    cert, *chain = [_asn1(c) for c in x509.load_pem_x509_certificates((certificate_pem + chain_pem).encode())]
    return SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs([cert, *chain]),
    )


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def seal_certificate_install(
    *, kid: str, certificate_pem: str, chain_pem: str, now: dt.datetime, actor: str
) -> SigningKey:
    """The authority's CA has certified a seal key: its certificate replaces the self-issued one (same public
    key, checked) and the chain is published and embedded in the PDFs sealed from now on."""
    row = SigningKey.objects.get(kid=kid)
    new = x509.load_pem_x509_certificate(certificate_pem.encode())
    private = _load_private(kid, "seal")
    if new.public_key() != private.public_key():
        raise DomainError(_("证书的公钥与该签章密钥不符"), code="seal_key_mismatch")
    if chain_pem.strip():
        x509.load_pem_x509_certificates(chain_pem.encode())  # refuses a malformed chain before it is stored
    with transaction.atomic():
        row.seal_certificate, row.seal_chain = certificate_pem, chain_pem
        row.save(update_fields=["seal_certificate", "seal_chain"])
        data = {"kid": kid, "subject": new.subject.rfc4514_string(), "issuer": new.issuer.rfc4514_string()}
        audit_append(events=[Event(actor, "key.seal_certificate", f"key:{kid}", data)], at=now)
    return row


def jwks() -> dict:
    """Every published public key, newest first, each under its DID URL (what tokens name now) and its bare
    thumbprint (what tokens signed before carry), so that a JWKS client matching `kid` exactly finds both.
    Cached briefly: every verification reads it (an unknown kid re-reads the database, see known_key)."""
    document = django_cache.get(JWKS_CACHE)
    if document is None:
        document = jwks_fresh()
    return document


def jwks_fresh() -> dict:
    keys = [k.public_jwk for k in SigningKey.objects.order_by("-created_at")]
    document = {"keys": [{**k, "kid": kid_url(k["kid"])} for k in keys] + keys}
    django_cache.set(JWKS_CACHE, document, 60)
    return document


def did_document() -> dict:
    """The issuer's DID document (did:web): every key, retired ones too, as a JsonWebKey verification
    method that may assert credentials."""
    did = issuer_did()
    methods = [
        {
            "id": kid_url(k.kid),
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": {f: k.public_jwk[f] for f in ("kty", "crv", "x", "alg") if f in k.public_jwk},
        }
        for k in SigningKey.objects.order_by("-created_at")
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1.1", "https://www.w3.org/ns/cid/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }


class PublishedKeys:
    """Public keys by thumbprint, from a JWKS document (either kid form)."""

    def __init__(self, document: dict):
        self.by_thumbprint = {}
        for entry in document.get("keys", []):
            key = OKPKey.import_key({f: v for f, v in entry.items() if f != "kid"})
            self.by_thumbprint[key.thumbprint()] = key

    def get(self, kid: str) -> OKPKey | None:
        return self.by_thumbprint.get(thumbprint_of(kid))


def key_set(document: dict) -> PublishedKeys:
    return _key_set(json.dumps(document, sort_keys=True))


@lru_cache(maxsize=8)
def _key_set(document: str) -> PublishedKeys:
    return PublishedKeys(json.loads(document))


@cached(_published, lock=Lock())
def _published_keys() -> PublishedKeys:
    return key_set(jwks())


def known_key(kid: str) -> OKPKey | None:
    """The published key a token names. A kid this process has not seen yet (a key made a moment ago in
    another process) re-reads the database before the token is called forged."""
    found = _published_keys().get(kid)
    if found is None:
        found = key_set(jwks_fresh()).get(kid)
        if found is not None:
            forget_keys()  # this process's copy is behind; a kid nobody published leaves it alone
    return found
