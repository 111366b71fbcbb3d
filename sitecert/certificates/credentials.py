"""The signed forms of an e-certificate version.

- The credential: a W3C Verifiable Credential 2.0 secured as a JWT (VC-JOSE-COSE, header typ "vc+jwt"),
  signed with Ed25519 (JWS alg "EdDSA"). Its terms are the W3C v2 context's and sitecert's own published
  context (contexts/v1.jsonld, served at /contexts/sitecert/v1), so that a JSON-LD processor drops none.
  The JWT claims repeat what the credential says (iss = issuer, sub = subject, jti = id, nbf = validFrom,
  exp = validUntil), so that a JOSE library checks them as it would any JWT. Two Bitstring Status List
  entries (revocation, suspension) point at the lists published under /status/.
- The QR token: a compact JWS of the few fields a print shows (typ "sc-qr+jwt"), small enough for a QR code
  that scans reliably from paper, so that a scanner with no network can still check the signature.
Both name their key by a DID URL into the issuer's did:web document.
"""

import base64
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey

from sitecert.certificates.keys import credential_key, issuer_did, kid_url

# "EdDSA" (RFC 8037) rather than RFC 9864's "Ed25519": what JOSE libraries verify today (PyJWT, jose, go-jose).
ALGORITHMS = ["EdDSA"]
warnings.filterwarnings("ignore", message="EdDSA is deprecated", category=SecurityWarning)
VC_TYPE = "vc+jwt"
QR_TYPE = "sc-qr+jwt"
VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CONTEXT_PATH = "/contexts/sitecert/v1"
PURPOSES = ("revocation", "suspension")
# Dates on a certificate are Beijing dates: a certificate issued on 2020-09-01 is valid from its midnight there.
TZ = ZoneInfo("Asia/Shanghai")


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
    status_slot: tuple[int, int] | None = None  # (status list, index)
    valid_until: date | None = None  # no certificate has one yet: validity ends by status, not by date


def context_url() -> str:
    return f"{settings.PUBLIC_URL}{CONTEXT_PATH}"


def status_list_url(list_id: int, purpose: str) -> str:
    return f"{settings.PUBLIC_URL}/status/{list_id}/{purpose}"


def credential_id(number: str, version: int) -> str:
    return f"{settings.PUBLIC_URL}/verify/{number}?v={version}"


def subject_id(number: str) -> str:
    """The holder as this certificate's subject: no ID number, not linkable across their certificates."""
    return f"{settings.PUBLIC_URL}/verify/{number}#holder"


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(0), TZ)


def credential_sign(printed: Printed, *, kid: str, now: datetime) -> str:
    valid_from = _moment(printed.issued_on)
    subject = {
        "id": subject_id(printed.number),
        "type": "SiteProfessional",
        "name": printed.name,
        "idNumberMasked": printed.id_masked,
        "post": {"code": printed.post_code, "name": printed.post_name},
    }
    issuer = issuer_did()
    vc: dict = {
        "@context": [VC_CONTEXT, context_url()],
        "id": credential_id(printed.number, printed.version),
        "type": ["VerifiableCredential", "SiteProfessionalTrainingCertificate"],
        "name": "住房和城乡建设领域施工现场专业人员职业培训合格证",
        "issuer": {"id": issuer, "name": printed.issuer},
        "validFrom": valid_from.isoformat(),
        "credentialSubject": subject,
        "certificateNumber": printed.number,
        "certificateVersion": printed.version,
        "versionDate": printed.version_on.isoformat(),
    }
    if printed.replaces:
        vc["replaces"] = printed.replaces
    if printed.status_slot:
        list_id, index = printed.status_slot
        vc["credentialStatus"] = [
            {
                "id": f"{status_list_url(list_id, purpose)}#{index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(index),
                "statusListCredential": status_list_url(list_id, purpose),
            }
            for purpose in PURPOSES
        ]
    vc |= {"iss": issuer, "sub": subject["id"], "jti": vc["id"], "iat": int(now.timestamp())}
    vc["nbf"] = int(valid_from.timestamp())
    if printed.valid_until:
        vc["validUntil"] = _moment(printed.valid_until).isoformat()
        vc["exp"] = int(_moment(printed.valid_until).timestamp())
    header = {"alg": "EdDSA", "kid": kid_url(kid), "typ": VC_TYPE, "cty": "vc"}
    return jwt.encode(header, vc, credential_key(kid), algorithms=ALGORITHMS)


def qr_sign(printed: Printed, *, kid: str) -> str:
    claims: dict = {
        "n": printed.number,
        "v": printed.version,
        "nm": printed.name,
        "idm": printed.id_masked,  # the ID number, masked ("id" would read as a JWT or JSON-LD identifier)
        "p": printed.post_code,
        "d": printed.issued_on.isoformat(),
    }
    if printed.status_slot:  # an offline scanner finds the slot in <PUBLIC_URL>/status/<list>/<purpose>
        claims["st"] = list(printed.status_slot)
    if printed.valid_until:
        claims["exp"] = int(_moment(printed.valid_until).timestamp())
    header = {"alg": "EdDSA", "kid": kid_url(kid), "typ": QR_TYPE}
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


MAX_TOKEN = 8000  # a credential is ~2 KB; anything far longer is refused before parsing


def _header(token: str) -> dict:
    part = token.split(".", 1)[0]
    header = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    if not isinstance(header, dict) or not isinstance(header.get("kid"), str):
        raise ValueError("no kid")
    return header


def token_check(token: str, *, keys: Callable[[str], OKPKey | None]) -> Checked:
    """Verify a token's signature with the published key its kid names (`keys` looks it up by kid, either
    form): no database needed, so this is also offline verification. Time claims are `time_problem`'s."""
    if len(token) > MAX_TOKEN:
        return Checked(False, reason="too long")
    try:
        key = keys(_header(token)["kid"])
        if key is None:
            return Checked(False, reason="unknown key")
        decoded = jwt.decode(token, key, algorithms=ALGORITHMS)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        return Checked(False, reason=type(exc).__name__)
    header, claims = decoded.header, decoded.claims
    if header.get("typ") == QR_TYPE:
        return Checked(True, header.get("kid"), "qr", claims.get("n"), claims.get("v"), claims)
    if header.get("typ") == VC_TYPE:
        number, version = claims.get("certificateNumber"), claims.get("certificateVersion")
        return Checked(True, header.get("kid"), "credential", number, version, claims)
    return Checked(False, reason="unknown typ")


def time_problem(claims: dict, *, at: datetime) -> str | None:
    """ "expired" or "not_yet_valid" as JWT libraries judge exp and nbf (RFC 7519, no leeway), else None."""
    now = at.timestamp()
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if isinstance(exp, int | float) and now >= exp:
        return "expired"
    if isinstance(nbf, int | float) and now < nbf:
        return "not_yet_valid"
    return None
