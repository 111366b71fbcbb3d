"""The yearly duty of each e-certificate as last evaluated, and the reminders sent about it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Duty(models.Model):
    """One e-certificate's yearly duty as `sitecert evaluate-duty` last found it: what dashboards,
    forecasts and reminders read without adding up millions of hour records again."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("尚未起算")
        ON_TRACK = "on_track", _("正常")
        BEHIND = "behind", _("学时落后")
        LAPSED = "lapsed", _("已失效")

    # Derived rows, written only by the evaluation from the certificates it reads: no foreign-key constraint
    # in the database, whose per-row check at commit cost a region's first evaluation more than the rest.
    certificate = models.OneToOneField(
        "certificates.ECertificate",
        primary_key=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="duty",
        verbose_name=_("电子证书"),
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices)
    # The window in progress (for a lapsed certificate: the window it failed).
    window_starts = models.DateField(_("周期开始"))
    window_ends = models.DateField(_("周期截止"))
    window_hours = models.DecimalField(_("周期内已完成学时"), max_digits=7, decimal_places=1)
    window_short = models.DecimalField(_("周期内还需学时"), max_digits=7, decimal_places=1, default=0)
    in_post = models.BooleanField(_("周期内有在岗记录"))
    # The year in progress.
    year_starts = models.DateField(_("年度开始"))
    year_ends = models.DateField(_("年度截止"))
    year_hours = models.DecimalField(_("本年度学时"), max_digits=7, decimal_places=1)
    year_professional = models.DecimalField(_("本年度专业岗位知识学时"), max_digits=7, decimal_places=1)
    year_short = models.DecimalField(_("本年度还需学时"), max_digits=7, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("持续教育义务")
        verbose_name_plural = _("持续教育义务")
        indexes = [models.Index(fields=["state", "window_ends"])]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.state}"


class Reminder(models.Model):
    """A reminder sent for one certificate at one point before a year or window ends: recorded before it
    is sent, unique per point, so a second run (or a racing one) never sends it again."""

    class Period(models.TextChoices):
        YEAR = "year", _("年度")
        WINDOW = "window", _("周期")

    certificate = models.ForeignKey(
        "certificates.ECertificate",
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("电子证书"),
    )
    period = models.CharField(_("期间"), max_length=8, choices=Period.choices)
    period_ends = models.DateField(_("截止日期"))
    days_before = models.PositiveSmallIntegerField(_("提前天数"))
    hours_short = models.DecimalField(_("差额学时"), max_digits=7, decimal_places=1)
    sent_on = models.DateField(_("发送日期"))
    run = models.CharField(max_length=32, db_index=True)  # which run recorded it (that run sends it)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "period", "period_ends", "days_before"], name="reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.period} {self.period_ends} -{self.days_before}d"


class DutyChange(models.Model):
    """A change of a certificate's duty state recorded by one evaluation run (why it lapsed, when it fell
    behind or caught up). The run's audit entry carries a digest over its changes, so an edited, added or
    deleted change breaks `sitecert audit verify`."""

    run = models.CharField(max_length=32, db_index=True)
    certificate = models.ForeignKey(
        "certificates.ECertificate",
        on_delete=models.CASCADE,
        db_constraint=False,  # written by the evaluation from the certificates it reads; see Duty
        related_name="duty_changes",
        verbose_name=_("电子证书"),
    )
    as_of = models.DateField(_("评估日期"))
    before = models.CharField(_("原状态"), max_length=12, choices=Duty.State.choices, blank=True)
    after = models.CharField(_("新状态"), max_length=12, choices=Duty.State.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    window_hours = models.DecimalField(_("周期内学时"), max_digits=7, decimal_places=1)

    class Meta:
        verbose_name = _("义务状态变化")
        verbose_name_plural = _("义务状态变化")
        ordering = ["-as_of", "certificate"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.before}→{self.after} {self.as_of}"
