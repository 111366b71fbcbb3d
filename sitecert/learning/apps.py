from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "sitecert.learning"
    verbose_name = _("继续教育")
