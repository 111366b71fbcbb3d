from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "sitecert.outbox"
    verbose_name = _("待发消息")
