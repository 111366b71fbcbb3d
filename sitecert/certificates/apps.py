from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "sitecert.certificates"
    verbose_name = _("电子证书")

    def ready(self):
        from django.db.models.signals import post_migrate

        from sitecert.certificates import groups

        post_migrate.connect(groups.authority_groups_sync, sender=self, dispatch_uid="authority-groups")
