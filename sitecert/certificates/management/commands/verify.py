import json
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from sitecert import clock
from sitecert.certificates.credentials import time_problem, token_check, token_from
from sitecert.certificates.keys import key_set
from sitecert.commandkit import SitecertCommand


class Command(SitecertCommand):
    help = "离线核验二维码令牌或凭证，只用公开密钥（JWKS）。Verify a token offline with the JWKS only."

    def add_arguments(self, parser):
        parser.add_argument("token", help="二维码内容或令牌 / QR content or token")
        parser.add_argument(
            "--jwks", help="JWKS 文件或地址（默认 PUBLIC_URL/.well-known/jwks.json）/ a JWKS file or URL"
        )

    def handle(self, *args, token: str, jwks: str | None, **options):
        source = jwks or f"{settings.PUBLIC_URL}/.well-known/jwks.json"
        try:
            if source.startswith(("http://", "https://")):
                with urllib.request.urlopen(source, timeout=10) as response:
                    document = json.load(response)
            else:
                document = json.loads(Path(source).read_text())
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取 JWKS / cannot read the JWKS: {exc}", returncode=2) from exc
        checked = token_check(token_from(token), keys=key_set(document).get)
        if not checked.genuine:
            self.stdout.write(json.dumps({"genuine": False, "reason": checked.reason}))
            raise CommandError("伪造或被篡改 / forged or altered", returncode=1)
        problem = time_problem(checked.claims or {}, at=clock.now())  # exp and nbf, as JWT libraries do
        out = {"genuine": True, "kid": checked.kid, "kind": checked.kind, "claims": checked.claims}
        if problem:
            self.stdout.write(json.dumps({**out, "time": problem}, ensure_ascii=False))
            raise CommandError(f"签名真实但不在有效期内 / genuine but {problem}", returncode=1)
        self.stdout.write(json.dumps(out, ensure_ascii=False))
