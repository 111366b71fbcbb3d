from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "sitecert.certificates"
    verbose_name = _("电子证书")

    def ready(self):
        from sitecert.certificates import policies

        policies.connect_signals()
