from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "sitecert.certificates"
    verbose_name = _("电子证书")

    def ready(self):
        from django.db.models.signals import post_migrate

        from sitecert.certificates import exchange, groups, voiding
        from sitecert.learning import hooks

        hooks.progress_recorded.connect(exchange.on_progress, dispatch_uid="exchange-on-progress")
        if exchange.records_by_ecertificate not in hooks.record_finders:  # ready() may run twice in tests
            hooks.record_finders.append(exchange.records_by_ecertificate)
            hooks.learning_guards.append(voiding.learning_guard)
        post_migrate.connect(groups.authority_groups_sync, sender=self, dispatch_uid="authority-groups")
