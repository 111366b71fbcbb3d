from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from sitecert.lib.idnumber import mask


class Person(models.Model):
    """A natural person; the resident ID number (GB 11643, 18 characters) is the identity."""

    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=40)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            # The full GB 11643 check is the services' job; a cheap guard here (a REGEXP would call
            # into Python for every row SQLite writes).
            models.CheckConstraint(condition=Exact(Length("id_number"), 18), name="person_id_number_length")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id_number})"

    @property
    def masked_id_number(self) -> str:
        return mask(self.id_number)
