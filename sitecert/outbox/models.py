"""Messages to send (SMS, e-mail), written in the transaction that decided to send them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One SMS or e-mail. Its key says what it is for (a code, an issuance, a reminder), so that whatever
    runs twice writes it once; the worker delivers it after the commit, retries with back-off, and after the
    last try records it as dead with the error (the dead letters the authority watches)."""

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")

    channel = models.CharField(_("渠道"), max_length=5, choices=Channel.choices)
    to = models.CharField(_("收件人"), max_length=254)
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    body = models.TextField(_("内容"))
    key = models.CharField(_("用途标识"), max_length=120, unique=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    dead_at = models.DateTimeField(_("放弃时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        ordering = ["-created_at"]
        indexes = [
            # The sweep's question: what is neither sent nor given up, oldest first.
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True, dead_at__isnull=True),
                name="outbox_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.key}"
