from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "sitecert.registry"
    verbose_name = _("原证书库")
