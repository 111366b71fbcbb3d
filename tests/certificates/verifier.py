"""A verifier elsewhere, written from the standards rather than from sitecert's code: it knows only what
sitecert publishes (the JWKS or the did:web document, the status lists, the two JSON-LD contexts) and reads
them with PyJWT, pyld, gzip and base64. Requests go to the app through Django's test client."""

import base64
import gzip
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jwt as pyjwt
from django.conf import settings
from django.test import Client
from pyld import jsonld

VC_V2 = "https://www.w3.org/ns/credentials/v2"
V2_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "contexts" / "credentials-v2.jsonld"
ABSOLUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# What a relative IRI resolves against: anything under it was undefined (jsonld.js safe mode refuses it).
BASE = "https://relative.invalid/"


def fetch(url: str, client: Client | None = None):
    """GET a published URL of this deployment (PUBLIC_URL's host is the test client's app)."""
    assert url.startswith(settings.PUBLIC_URL), url
    response = (client or Client()).get(url[len(settings.PUBLIC_URL) :] or "/")
    assert response.status_code == 200, (url, response.status_code)
    return response


def signing_key(token: str, client: Client | None = None):
    """The JWKS key whose kid is the token's (exact match, as JWKS clients do)."""
    kid = pyjwt.get_unverified_header(token)["kid"]
    jwks = fetch(f"{settings.PUBLIC_URL}/.well-known/jwks.json", client).json()
    return pyjwt.PyJWKSet.from_dict(jwks)[kid].key


def did_key(token: str, client: Client | None = None):
    """did:web resolution (the method's rules): the kid's DID → https://host[:port]/.well-known/did.json or
    …/path/did.json; the verification method whose id is the kid. Tests serve http where the method says
    https (PUBLIC_URL is http in development)."""
    kid = pyjwt.get_unverified_header(token)["kid"]
    did, _fragment = kid.split("#", 1)
    host, *path = did.removeprefix("did:web:").split(":")
    where = "/".join(unquote(p) for p in path)
    url = f"https://{unquote(host)}/" + (f"{where}/did.json" if where else ".well-known/did.json")
    scheme = urlsplit(settings.PUBLIC_URL).scheme
    document = fetch(url.replace("https://", f"{scheme}://", 1), client).json()
    assert document["id"] == did and kid in document["assertionMethod"]
    method = next(m for m in document["verificationMethod"] if m["id"] == kid)
    assert method["type"] == "JsonWebKey" and method["controller"] == did
    return pyjwt.PyJWK(method["publicKeyJwk"], algorithm="EdDSA").key


def status_bit(entry: dict, client: Client | None = None) -> bool:
    """Bitstring Status List v1.0, section 3.2: the list credential verified, its purpose matched, the
    encodedList (multibase 'u', base64url without padding, GZIP) expanded, at least 131,072 entries, the
    entry's bit read with index 0 the left-most bit."""
    token = fetch(entry["statusListCredential"], client).content.decode()
    listed = pyjwt.decode(
        token,
        signing_key(token, client),
        algorithms=["EdDSA"],
        options={"require": ["iss", "iat", "exp"]},
    )
    assert "BitstringStatusListCredential" in listed["type"] and listed["id"] == entry["statusListCredential"]
    subject = listed["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == entry["statusPurpose"]
    encoded = subject["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(bits) * 8 >= 131_072
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entries(token: str) -> list[dict]:
    """The credential's status entries; a QR token's slot ("st") names the same lists by their address."""
    claims = pyjwt.decode(token, options={"verify_signature": False})
    if "credentialStatus" in claims:
        return claims["credentialStatus"]
    list_id, index = claims["st"]
    return [
        {
            "statusPurpose": purpose,
            "statusListIndex": str(index),
            "statusListCredential": f"{settings.PUBLIC_URL}/status/{list_id}/{purpose}",
        }
        for purpose in ("revocation", "suspension")
    ]


def verdict(token: str, client: Client | None = None) -> str:
    """forged, expired, not_yet_valid, revoked, suspended or valid: from the JWKS and the status lists only."""
    try:
        pyjwt.decode(token, signing_key(token, client), algorithms=["EdDSA"], options={"verify_aud": False})
    except pyjwt.ExpiredSignatureError:
        return "expired"
    except pyjwt.ImmatureSignatureError:
        return "not_yet_valid"
    except (pyjwt.InvalidTokenError, KeyError):
        return "forged"
    bits = {e["statusPurpose"]: status_bit(e, client) for e in entries(token)}
    if bits["revocation"]:
        return "revoked"
    return "suspended" if bits["suspension"] else "valid"


# sitecert's verdicts as a status-list verifier can tell them: lapsed and superseded are both suspensions.
AS_STATUS_LIST = {"lapsed": "suspended", "superseded": "suspended"}


def contexts(client: Client | None = None) -> dict[str, dict]:
    """The only documents the JSON-LD loader serves: the W3C v2 context (a fixture) and sitecert's own,
    as the app serves it."""
    own = fetch(f"{settings.PUBLIC_URL}/contexts/sitecert/v1", client)
    assert own["Content-Type"] == "application/ld+json"
    return {VC_V2: json.loads(V2_FILE.read_text()), f"{settings.PUBLIC_URL}/contexts/sitecert/v1": own.json()}


def expansion_losses(document: dict, served: dict[str, dict]) -> list[str]:
    """Expand as a JSON-LD processor (pyld) with no network; what it drops or leaves undefined: properties
    dropped, keys or types not expanded to absolute IRIs, and values that did not reach the expansion."""

    def loader(url, options=None):
        if url not in served:
            raise jsonld.JsonLdError(f"no network: {url}", "jsonld.LoadDocumentError")
        return {"contextUrl": None, "documentUrl": url, "document": served[url]}

    dropped: list = []
    options = {"documentLoader": loader, "base": BASE}
    expanded = jsonld.expand(document, options, on_property_dropped=dropped.append)
    losses = [f"dropped {p}" for p in dropped]

    def defined(iri: str) -> bool:
        return bool(ABSOLUTE.match(iri)) and not iri.startswith(BASE)

    def walk(node):
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "@type":
                    types = value if isinstance(value, list) else [value]
                    losses.extend(f"type {t}" for t in types if not defined(t))
                elif not key.startswith("@") and not defined(key):
                    losses.append(f"key {key}")
                walk(value)

    walk(expanded)
    given, kept = _leaves({k: v for k, v in document.items() if k != "@context"}), _expanded_leaves(expanded)
    if given != kept:
        losses.append(f"{given} values given, {kept} expanded")
    return losses


def _leaves(node) -> int:
    if isinstance(node, dict):
        return sum(_leaves(v) for v in node.values())
    if isinstance(node, list):
        return sum(_leaves(v) for v in node)
    return 0 if node is None else 1


def _expanded_leaves(node) -> int:
    if isinstance(node, list):
        return sum(_expanded_leaves(v) for v in node)
    if not isinstance(node, dict):
        return 0
    count = ("@value" in node) + ("@id" in node)
    count += len(node["@type"]) if isinstance(node.get("@type"), list) else 0
    return count + sum(_expanded_leaves(v) for k, v in node.items() if not k.startswith("@"))
