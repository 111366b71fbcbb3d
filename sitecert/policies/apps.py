from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "sitecert.policies"
    verbose_name = _("政策")

    def ready(self):
        from sitecert.policies import selectors

        selectors.connect_signals()
