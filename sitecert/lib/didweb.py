"""did:web identifiers (W3C CCG did:web method): a DID from an https address and back.

`https://zjw.tj.gov.cn:8443/sitecert` ↔ `did:web:zjw.tj.gov.cn%3A8443:sitecert`: the port's colon is
percent-encoded, path segments are joined with ':'; the document lives at `/.well-known/did.json` when there
is no path, else at `<path>/did.json`."""

from functools import cache
from urllib.parse import quote, unquote, urlsplit


@cache  # one PUBLIC_URL per process: issuance names it in every credential and QR token it signs
def did_from_url(url: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValueError(f"no host in {url!r}")
    host = parts.hostname.lower()
    if parts.port:
        host += quote(f":{parts.port}", safe="")
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def document_url(did: str) -> str:
    """Where a did:web DID's document is fetched (always https, as the method says)."""
    if not did.startswith("did:web:"):
        raise ValueError(f"not a did:web DID: {did!r}")
    host, *segments = did[len("did:web:") :].split("#", 1)[0].split(":")
    path = "/".join(unquote(s) for s in segments)
    return f"https://{unquote(host)}/{path + '/did.json' if path else '.well-known/did.json'}"
