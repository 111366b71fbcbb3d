"""The JavaScript verifier of docs/certificates.md, run as a verifier elsewhere would run it: Node with jose
from npm (the version tests/certificates/js/package-lock.json pins), the documented code
(tests/certificates/js/verify.mjs, which the doc shows verbatim), against a real sitecert server whose
PUBLIC_URL is where it listens. Node knows only the server's address and DID: keys from its JWKS, status
from its status lists."""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.utils import timezone
from joserfc import jwt as jose_jwt
from joserfc.jwk import OKPKey

from sitecert.certificates.keys import issuer_did, key_generate, kid_url
from sitecert.certificates.lifecycle import certificate_revoke
from sitecert.certificates.models import ECertificate
from tests.certificates.test_interop import claims_of, signed
from tests.certificates.test_rotation_servers import free_port, issue, server, verify
from tests.certificates.verifier import AS_STATUS_LIST

JS = Path(__file__).resolve().parent / "js"
DOC = Path(__file__).resolve().parents[2] / "docs" / "certificates.md"
# Reads [[kind, token], …] on stdin, prints one JSON list of verdicts (one Node start for many tokens); a
# token the verifier could not judge (it threw) is "error: " and what was thrown.
DRIVER = """
import { verdict, qrVerdict } from "./verify.mjs";
let input = "";
for await (const chunk of process.stdin) input += chunk;
const verdicts = [];
for (const [kind, token] of JSON.parse(input)) {
  try {
    verdicts.push(await (kind === "qr" ? qrVerdict(token) : verdict(token)));
  } catch (e) {
    verdicts.push(`error: ${e.message}`);
  }
}
console.log(JSON.stringify(verdicts));
"""


@pytest.fixture(scope="session")
def node_verifier() -> Path:
    """A directory holding verify.mjs and jose installed by `npm ci` from the committed lock file. It is
    named by the lock's hash and kept in SITECERT_VAR_DIR, so npm (and the registry) is asked once per lock."""
    node, npm = shutil.which("node"), shutil.which("npm")
    assert node and npm, (
        "Node and npm are Debian packages (nodejs, npm): `make system-packages DEBS='nodejs npm'`"
    )
    manifest = [(JS / name).read_bytes() for name in ("package.json", "package-lock.json")]
    where = Path(django_settings.VAR_DIR) / "js" / hashlib.sha256(b"\0".join(manifest)).hexdigest()[:16]
    if not (where / "node_modules" / "jose" / "package.json").exists():
        building = where.with_name(where.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(JS / name, building / name)
        installed = subprocess.run(
            [npm, "ci", "--prefix", str(building), "--ignore-scripts", "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert installed.returncode == 0, installed.stderr
        shutil.rmtree(where, ignore_errors=True)
        building.rename(where)  # whole or not at all: an interrupted install is redone
    shutil.copy(JS / "verify.mjs", where / "verify.mjs")  # the file under test, fresh on every run
    return where


def node_verdicts(where: Path, site: str, tokens: list[tuple[str, str]]) -> list[str]:
    result = subprocess.run(
        ["node", "--input-type=module", "--eval", DRIVER],
        cwd=where,
        input=json.dumps(tokens),
        env={**os.environ, "SITE": site, "ISSUER": issuer_did()},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def tampered(token: str, old: str, new: str) -> str:
    """The token with one character of its payload changed (a forger's edit), header and signature kept."""
    header, payload, signature = token.split(".")
    text = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
    assert text.count(old) >= 1 and len(old) == len(new) == 1
    edited = base64.urlsafe_b64encode(text.replace(old, new, 1).encode()).rstrip(b"=").decode()
    return f"{header}.{edited}.{signature}"


def test_the_documented_javascript_is_the_tested_file():
    """docs/certificates.md shows verify.mjs as it is: what the reader copies is what runs here."""
    blocks = re.findall(r"```js\n(.*?)```", DOC.read_text(), flags=re.S)
    assert (JS / "verify.mjs").read_text() in blocks


@pytest.mark.django_db(transaction=True)
def test_node_with_jose_tells_valid_forged_expired_revoked_and_suspended_as_the_server_does(
    post_catalogue, settings, tmp_path, node_verifier
):
    from tests.personas import make_personas

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings.PUBLIC_URL = base  # the credentials name the server's DID and status lists
    settings.SIGNING_KEY_DIR = tmp_path / "keys"
    key_generate(now=timezone.now(), actor="test")
    personas = make_personas()
    inspector = personas.inspector
    inspector.user_permissions.add(Permission.objects.get(codename="revoke_ecertificate"))
    inspector = type(inspector).objects.get(pk=inspector.pk)
    wang = issue(personas.holder.person.legacy_certificates.get(certificate_no="TJ2015000101"))
    li = issue(personas.other_holder.person.legacy_certificates.get(certificate_no="TJ2014000201"))
    wang_v, li_v = wang.versions.get(), li.versions.get()
    assert claims_of(wang_v.credential)["credentialSubject"]["name"] == "王芳"
    assert claims_of(li_v.credential)["issuer"]["id"] == issuer_did() == f"did:web:127.0.0.1%3A{port}"

    # Past its exp, before its nbf: signed with the server's own key, as a certificate with an end date
    # or a clock ahead of the verifier's would be.
    now = int(timezone.now().timestamp())
    expired = signed({**claims_of(wang_v.credential), "exp": now - 60}, kid=wang_v.kid)
    early = signed({**claims_of(wang_v.credential), "nbf": now + 3600}, kid=wang_v.kid)
    forged = tampered(wang_v.credential, "芳", "芬")  # 王芳 → 王芬, the signature kept
    stranger = OKPKey.generate_key("Ed25519")  # a key the site never published, under a kid it did
    header = {"alg": "EdDSA", "kid": kid_url(wang_v.kid), "typ": "vc+jwt"}
    unpublished = jose_jwt.encode(header, claims_of(wang_v.credential), stranger, algorithms=["EdDSA"])

    with server(settings, port, PUBLIC_URL=base, STATUS_LIST_MAX_AGE="1", STATUS_LIST_CACHE_SECONDS="0"):

        def agree(expected: dict[tuple[str, str], str]):
            """Node's verdicts are the expected ones, and the server's live API says the same."""
            tokens = list(expected)
            assert dict(zip(tokens, node_verdicts(node_verifier, base, tokens), strict=True)) == expected
            for (_kind, token), outcome in expected.items():
                api = verify(base, token)["outcome"]
                assert AS_STATUS_LIST.get(api, api) == outcome, (api, outcome)

        agree(
            {
                ("credential", wang_v.credential): "valid",
                ("qr", wang_v.qr_token): "valid",
                ("credential", li_v.credential): "valid",
                ("qr", li_v.qr_token): "valid",
                ("credential", forged): "forged",
                ("credential", expired): "expired",
                ("credential", early): "not_yet_valid",
                ("credential", unpublished): "forged",
            }
        )
        certificate_revoke(ecert=wang, reason="本人申请注销", by=inspector, now=timezone.now())
        # The yearly-duty run lapses certificates with one set-based UPDATE (duty/nightly.py), as here.
        ECertificate.objects.filter(pk=li.pk).update(
            status=ECertificate.Status.LAPSED, status_since=timezone.localdate() - timedelta(days=1)
        )
        agree(
            {
                ("credential", wang_v.credential): "revoked",
                ("qr", wang_v.qr_token): "revoked",
                ("credential", li_v.credential): "suspended",
                ("qr", li_v.qr_token): "suspended",
                ("credential", forged): "forged",
            }
        )
    # The server is gone: the verifier cannot tell, and says so, rather than calling the certificate forged.
    (offline,) = node_verdicts(node_verifier, base, [("credential", li_v.credential)])
    assert offline.startswith("error: "), offline
