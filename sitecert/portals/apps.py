from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalsConfig(AppConfig):
    name = "sitecert.portals"
    verbose_name = _("门户")

    def ready(self):
        from sitecert.portals import checks  # noqa: F401  (registers the deployment checks)
