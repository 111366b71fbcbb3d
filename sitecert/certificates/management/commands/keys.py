import json

from django.core.management.base import BaseCommand, CommandError

from sitecert import clock
from sitecert.certificates.keys import key_generate, key_rotate
from sitecert.certificates.models import SigningKey


class Command(BaseCommand):
    help = "签名密钥：generate 生成、rotate 轮换、list 列出。Signing keys: generate, rotate or list."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "rotate", "list"])
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="已有可用密钥时不生成 / generate only when none is active",
        )

    def handle(self, *args, action: str, if_missing: bool, **options):
        now = clock.now()
        if action == "list":
            for key in SigningKey.objects.order_by("created_at"):
                state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "active"
                self.stdout.write(f"{key.kid}  {key.created_at:%Y-%m-%d}  {state}")
            return
        active = SigningKey.objects.filter(retired_at__isnull=True).exists()
        if action == "generate" and active:
            if if_missing:
                self.stdout.write("已有可用签名密钥 / an active key exists")
                return
            raise CommandError("已有可用签名密钥；更换请用 rotate / an active key exists: use rotate")
        try:
            key = (key_rotate if action == "rotate" else key_generate)(now=now, actor="command")
        except FileExistsError as exc:
            raise CommandError(f"密钥文件已存在 / key file exists: {exc.filename}") from exc
        self.stdout.write(json.dumps({"kid": key.kid, "action": action}))
