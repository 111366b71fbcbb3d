"""The append-only audit log and the head row its appenders queue on (see services.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditHead(models.Model):
    """The chain's last sequence number and hash: appenders lock this one row, so entries never fork."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class AuditEntry(models.Model):
    """An append-only log entry; `hash` covers the entry and the previous entry's hash (see audit.py)."""

    seq = models.PositiveBigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"))
    actor = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=40)
    subject = models.CharField(_("对象"), max_length=60, db_index=True)
    data = models.JSONField(_("内容"))
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject}"
