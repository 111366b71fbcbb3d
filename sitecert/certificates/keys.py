"""Signing keys. Each key set is an Ed25519 key (credentials and QR tokens, JWS "EdDSA") and a P-256 key
with a self-issued X.509 certificate (the PDF's electronic seal, which PDF readers check). Private halves
are PEM files in settings.SIGNING_KEY_DIR (0600), never in the repository or the database; public halves
are SigningKey rows, published as a JWKS, retired keys included so that old prints keep verifying."""

import datetime as dt
import json
import os
from functools import cache, lru_cache
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.cache import cache as django_cache
from django.db import transaction
from django.utils.translation import gettext as _
from joserfc.jwk import KeySet, OKPKey
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from sitecert.audit.services import Event, audit_append
from sitecert.certificates.models import SigningKey
from sitecert.errors import DomainError

PEM = serialization.Encoding.PEM
PKCS8 = serialization.PrivateFormat.PKCS8
JWKS_CACHE = "certificates:jwks"


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


def key_generate(*, now: dt.datetime, actor: str) -> SigningKey:
    """A new key set; it signs from now on (the newest unretired key is the active one)."""
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
        )
        audit_append(events=[Event(actor, "key.generate", f"key:{kid}", {"kid": kid})], at=now)
        transaction.on_commit(lambda: django_cache.delete(JWKS_CACHE))
    django_cache.delete(JWKS_CACHE)
    return row


def key_rotate(*, now: dt.datetime, actor: str) -> SigningKey:
    """A new active key; the old ones are retired from signing but stay published for verification."""
    with transaction.atomic():
        old = list(SigningKey.objects.select_for_update().filter(retired_at__isnull=True))
        row = key_generate(now=now, actor=actor)
        SigningKey.objects.filter(pk__in=[k.pk for k in old]).update(retired_at=now)
        retired = [k.kid for k in old]
        audit_append(events=[Event(actor, "key.rotate", f"key:{row.kid}", {"retired": retired})], at=now)
    return row


def active_key() -> SigningKey:
    key = SigningKey.objects.filter(retired_at__isnull=True).order_by("-created_at").first()
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
def seal_signer(kid: str, certificate_pem: str) -> SimpleSigner:
    """pyHanko's signer for the PDF seal of this key set."""
    key = _load_private(kid, "seal").private_bytes(
        serialization.Encoding.DER, PKCS8, serialization.NoEncryption()
    )
    cert = asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(certificate_pem.encode()).public_bytes(serialization.Encoding.DER)
    )
    return SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs([cert]),
    )


def jwks() -> dict:
    """Every published public key, newest first (cached briefly: every verification reads it)."""
    document = django_cache.get(JWKS_CACHE)
    if document is None:
        document = {"keys": [k.public_jwk for k in SigningKey.objects.order_by("-created_at")]}
        django_cache.set(JWKS_CACHE, document, 60)
    return document


def key_set(document: dict) -> KeySet:
    return _key_set(json.dumps(document, sort_keys=True))


@lru_cache(maxsize=8)
def _key_set(document: str) -> KeySet:
    return KeySet.import_key_set(json.loads(document))
