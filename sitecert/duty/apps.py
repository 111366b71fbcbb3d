from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "sitecert.duty"
    verbose_name = _("持证义务")

    def ready(self):
        from sitecert.audit import services as audit
        from sitecert.duty.nightly import digest_check

        audit.CHECKS["duty.evaluate"] = digest_check
