import csv
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from sitecert import clock
from sitecert.certificates.models import ECertificate
from sitecert.commandkit import SitecertCommand
from sitecert.demo.seed import PASSWORD, demo_accounts_seed
from sitecert.registry import demo
from sitecert.registry.importing import registry_import

DEMO_ADMIN = ("admin", PASSWORD)


class Command(SitecertCommand):
    help = "生成演示数据（可重复运行）。Create the demo data; running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=3000)

    def handle(self, *args, people: int, **options):
        # The demo tells today's story, whatever day DEMO_TODAY shows the pages on.
        now = clock.real_now()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "demo-registry.csv"
            with path.open("w", encoding="gb18030", newline="") as f:
                writer = csv.writer(f)
                writer.writerow(demo.HEADER)
                writer.writerows(demo.registry_rows(people))
            result = registry_import(path=path, today=now.date(), now=now)
        self.stdout.write(f"原证书库演示数据：{result.describe()}")
        if settings.DEBUG:
            self._demo_admin()
            for who, login in demo_accounts_seed(now=now, today=now.date()):
                self.stdout.write(f"  {who}: {login} / {PASSWORD}")
            if sample := ECertificate.objects.order_by("number").first():
                self.stdout.write(
                    f"电子证书核验 / verify an e-certificate: {settings.PUBLIC_URL}/verify/{sample.number}"
                )

    def _demo_admin(self):
        username, password = DEMO_ADMIN
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(password)
            user.save()
        self.stdout.write("演示账号 / demo logins (http://127.0.0.1:8000/accounts/login/):")
