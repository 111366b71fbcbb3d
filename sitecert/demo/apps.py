from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """`sitecert seed-demo`: every app's demo data, put together (a face: it may use every app)."""

    name = "sitecert.demo"
    verbose_name = _("演示数据")
