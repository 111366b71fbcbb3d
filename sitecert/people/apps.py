from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "sitecert.people"
    verbose_name = _("人员")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from sitecert.people.models import ApiToken, User
        from sitecert.people.services import forget_tokens

        for model in (ApiToken, User):
            for signal in (post_save, post_delete):
                signal.connect(forget_tokens, sender=model, dispatch_uid=f"forget-tokens-{model.__name__}")
