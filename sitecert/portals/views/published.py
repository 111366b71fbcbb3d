"""What sitecert publishes for verifiers anywhere: its JSON-LD context, the issuer's did:web document, the
status lists and the PDF seal's certificates. All public and readable from any origin (CORS, see
PublicCors), with Cache-Control as long as each may be stale: the context never changes (a new version
gets a new address), keys are published KEY_PUBLISH_LEAD before they sign, a status list is as stale as
STATUS_LIST_MAX_AGE allows."""

import hashlib
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from sitecert import clock
from sitecert.certificates.credentials import PURPOSES
from sitecert.certificates.keys import did_document
from sitecert.certificates.models import SigningKey, StatusList
from sitecert.certificates.status import status_list_credential
from sitecert.errors import DomainError

CONTEXT_V1 = Path(__file__).resolve().parents[2] / "certificates" / "contexts" / "v1.jsonld"
KEYS_MAX_AGE = 300  # the JWKS's and the DID document's; KEY_PUBLISH_LEAD must exceed it
# Paths any origin may read (and, for /api/v1/verify/person, POST to): verification is public by design.
CORS_PREFIXES = ("/api/v1/verify", "/status/", "/contexts/", "/.well-known/", "/did.json", "/seal/")


def _public(response: HttpResponse, max_age: int) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=max_age)
    return response


@require_GET
def context_v1(request):
    """/contexts/sitecert/v1: the JSON-LD context defining every term and type of sitecert's credentials."""
    response = HttpResponse(CONTEXT_V1.read_bytes(), content_type="application/ld+json")
    return _public(response, 86400)


@require_GET
def did_json(request):
    """The issuer's DID document (did:web): /.well-known/did.json, or <path>/did.json when PUBLIC_URL has a
    path."""
    return _public(JsonResponse(did_document(), content_type="application/did+json"), KEYS_MAX_AGE)


@require_GET
def status_list(request, list_id: int, purpose: str):
    """/status/<list>/<revocation|suspension>: the signed BitstringStatusListCredential (VC-JWT). The signed
    text is kept for a few seconds so that a burst of verifiers costs one query; a change shows within
    that plus STATUS_LIST_MAX_AGE."""
    if purpose not in PURPOSES:
        raise Http404
    key = f"certificates:status:{list_id}:{purpose}"
    token = cache.get(key)
    if token is None:
        status_list = get_object_or_404(StatusList, pk=list_id)
        try:
            token = status_list_credential(status_list=status_list, purpose=purpose, now=clock.now())
        except DomainError as exc:  # no signing key on this server: say so, as the API does
            return JsonResponse({"message": exc.message, "details": {"code": exc.code}}, status=exc.status)
        cache.set(key, token, settings.STATUS_LIST_CACHE_SECONDS)
    return _public(HttpResponse(token, content_type="application/vc+jwt"), settings.STATUS_LIST_MAX_AGE)


def _certificates(key: SigningKey) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates((key.seal_certificate + key.seal_chain).encode())


@require_GET
def seal_page(request):
    """/seal/: every seal certificate with its fingerprints, to compare with the one a PDF reader shows."""
    seals = []
    for key in SigningKey.objects.order_by("-created_at"):
        cert, *chain = _certificates(key)
        seals.append(
            {
                "key": key,
                "subject": cert.subject.rfc4514_string(),
                "issuer": cert.issuer.rfc4514_string(),
                "not_after": cert.not_valid_after_utc.date(),
                "sha256": hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest().upper(),
                "chain": len(chain),
            }
        )
    return _public(render(request, "certificates/seal.html", {"seals": seals}), KEYS_MAX_AGE)


@require_GET
def seal_certificate(request, kid: str, form: str):
    """/seal/<kid>.pem (the certificate and its chain) or /seal/<kid>.cer (the certificate alone, DER: what
    PDF readers import as a trusted certificate)."""
    if form not in ("pem", "cer"):
        raise Http404
    key = get_object_or_404(SigningKey, kid=kid)
    if form == "pem":
        body, kind = (key.seal_certificate + key.seal_chain).encode(), "application/pem-certificate-chain"
    else:
        body, kind = _certificates(key)[0].public_bytes(Encoding.DER), "application/pkix-cert"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="sitecert-seal-{kid[:16]}.{form}"'
    return _public(response, KEYS_MAX_AGE)


class PublicCors:
    """Lets a verifier's page on any other site read what sitecert publishes and ask the verification API:
    `Access-Control-Allow-Origin: *` (never with credentials, so no one's session is used) and answers to
    preflights. Rate limits apply as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        public = request.path_info.startswith(CORS_PREFIXES)
        if public and request.method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in request.META:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Content-Type"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        if public:
            response["Access-Control-Allow-Origin"] = "*"
        return response
