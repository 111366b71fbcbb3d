import datetime as dt
import json

from django.core.management.base import CommandError
from django.utils.timezone import localtime

from sitecert import clock
from sitecert.certificates.keys import key_generate, key_rotate
from sitecert.certificates.models import SigningKey
from sitecert.commandkit import SitecertCommand


class Command(SitecertCommand):
    help = "签名密钥：generate 生成、rotate 轮换、list 列出。Signing keys: generate, rotate or list."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["generate", "rotate", "list"])
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="已有可用密钥时不生成 / generate only when none is active",
        )
        parser.add_argument(
            "--lead",
            type=int,
            help="rotate：新密钥公布多少秒后开始签名（默认 KEY_PUBLISH_LEAD；0 为紧急轮换，旧密钥立即停用）"
            " / rotate: seconds between publishing the new key and its first signature (0: at once)",
        )

    def handle(self, *args, action: str, if_missing: bool, lead: int | None, **options):
        now = clock.now()
        if action == "list":
            for key in SigningKey.objects.order_by("created_at"):
                if key.retired_at and key.retired_at <= now:
                    state = f"retired {localtime(key.retired_at):%Y-%m-%d %H:%M}"
                elif key.activates_at > now:
                    state = f"published, signs from {localtime(key.activates_at):%Y-%m-%d %H:%M}"
                else:
                    state = "active" + (
                        f" until {localtime(key.retired_at):%Y-%m-%d %H:%M}" if key.retired_at else ""
                    )
                self.stdout.write(f"{key.kid}  {localtime(key.created_at):%Y-%m-%d}  {state}")
            return
        active = SigningKey.objects.filter(retired_at__isnull=True).exists()
        if action == "generate" and active:
            if if_missing:
                self.stdout.write("已有可用签名密钥 / an active key exists")
                return
            raise CommandError("已有可用签名密钥；更换请用 rotate / an active key exists: use rotate")
        try:
            if action == "rotate":
                delay = None if lead is None else dt.timedelta(seconds=lead)
                key = key_rotate(now=now, actor="command", lead=delay)
            else:
                key = key_generate(now=now, actor="command")
        except FileExistsError as exc:
            raise CommandError(f"密钥文件已存在 / key file exists: {exc.filename}") from exc
        out = {"kid": key.kid, "action": action, "activates_at": key.activates_at.isoformat()}
        self.stdout.write(json.dumps(out))
