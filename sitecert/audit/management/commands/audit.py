import json

from django.core.management.base import CommandError

from sitecert.audit.models import AuditEntry
from sitecert.audit.services import audit_verify
from sitecert.commandkit import SitecertCommand


class Command(SitecertCommand):
    help = "审计日志：verify 校验哈希链。Audit log: verify the hash chain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action: str, **options):
        problems = audit_verify()
        for problem in problems:
            self.stderr.write(problem)
        self.stdout.write(json.dumps({"entries": AuditEntry.objects.count(), "problems": len(problems)}))
        if problems:
            raise CommandError("审计日志被改动 / the audit log was altered", returncode=1)
