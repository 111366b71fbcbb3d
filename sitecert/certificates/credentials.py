"""The signed forms of an e-certificate version.

- The credential: a W3C Verifiable Credential 2.0 secured as a JWT (VC-JOSE-COSE, header typ "vc+jwt"),
  signed with Ed25519 (JWS alg "EdDSA"); any JOSE library verifies it against /.well-known/jwks.json.
- The QR token: a compact JWS of the few fields a print shows (typ "sc-qr+jwt"), small enough for a QR code
  that scans reliably from paper, so that a scanner with no network can still check the signature.
"""

import warnings
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet

from sitecert.certificates.keys import credential_key

# "EdDSA" (RFC 8037) rather than RFC 9864's "Ed25519": what JOSE libraries verify today (PyJWT, jose, go-jose).
ALGORITHMS = ["EdDSA"]
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)
VC_TYPE = "vc+jwt"
QR_TYPE = "sc-qr+jwt"


@dataclass(frozen=True)
class Printed:
    """What one version of a certificate says."""

    number: str
    version: int
    name: str
    id_masked: str
    post_code: str
    post_name: str
    issued_on: date
    version_on: date
    issuer: str
    replaces: str | None


def credential_sign(printed: Printed, *, kid: str) -> str:
    subject = {
        "type": "SiteProfessional",
        "name": printed.name,
        "idNumberMasked": printed.id_masked,
        "post": {"code": printed.post_code, "name": printed.post_name},
    }
    vc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"{settings.PUBLIC_URL}/verify/{printed.number}?v={printed.version}",
        "type": ["VerifiableCredential", "SiteProfessionalTrainingCertificate"],
        "name": "住房和城乡建设领域施工现场专业人员职业培训合格证",
        "issuer": {"id": settings.PUBLIC_URL, "name": printed.issuer},
        "validFrom": f"{printed.issued_on.isoformat()}T00:00:00+08:00",
        "credentialSubject": subject,
        "certificateNumber": printed.number,
        "certificateVersion": printed.version,
        "versionDate": printed.version_on.isoformat(),
        "replaces": printed.replaces,
        "credentialStatus": {
            "id": f"{settings.PUBLIC_URL}/api/v1/verify/{printed.number}",
            "type": "SitecertStatusLookup",
        },
    }
    header = {"alg": "EdDSA", "kid": kid, "typ": VC_TYPE, "cty": "vc"}
    return jwt.encode(header, vc, credential_key(kid), algorithms=ALGORITHMS)


def qr_sign(printed: Printed, *, kid: str) -> str:
    claims = {
        "n": printed.number,
        "v": printed.version,
        "nm": printed.name,
        "id": printed.id_masked,
        "p": printed.post_code,
        "d": printed.issued_on.isoformat(),
    }
    header = {"alg": "EdDSA", "kid": kid, "typ": QR_TYPE}
    return jwt.encode(header, claims, credential_key(kid), algorithms=ALGORITHMS)


def qr_content(token: str) -> str:
    """What the printed QR code holds: the verification address with the token."""
    return f"{settings.PUBLIC_URL}/verify/?t={token}"


def token_from(text: str) -> str:
    """The token in a scanned or pasted QR content (the address with ?t=…, or the bare token)."""
    text = text.strip()
    if "t=" in text:
        text = text.split("t=", 1)[1].split("&", 1)[0]
    return text


@dataclass(frozen=True)
class Checked:
    """A token's signature check: `claims` only when it is genuine."""

    genuine: bool
    kid: str | None = None
    kind: str | None = None  # "credential" or "qr"
    number: str | None = None
    version: int | None = None
    claims: dict | None = None
    reason: str = ""


MAX_TOKEN = 8000  # a credential is ~1.5 KB; anything far longer is refused before parsing


def token_check(token: str, *, keys: KeySet) -> Checked:
    """Verify a token's signature with the published keys only (no database): offline verification."""
    if len(token) > MAX_TOKEN:
        return Checked(False, reason="too long")
    try:
        decoded = jwt.decode(token, keys, algorithms=ALGORITHMS)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        return Checked(False, reason=type(exc).__name__)
    header, claims = decoded.header, decoded.claims
    if header.get("typ") == QR_TYPE:
        return Checked(True, header.get("kid"), "qr", claims.get("n"), claims.get("v"), claims)
    if header.get("typ") == VC_TYPE:
        number, version = claims.get("certificateNumber"), claims.get("certificateVersion")
        return Checked(True, header.get("kid"), "credential", number, version, claims)
    return Checked(False, reason="unknown typ")
