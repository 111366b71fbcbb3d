"""The numbers of each region's rules, versioned (docs/rules.md, "Policies are data")."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Policy(models.Model):
    """The numbers of one region's rules for one period.

    Rows are versioned: an edit in the admin saves a new version of the same (region, code), and the newest
    version is the one in force, so every earlier reading of the rules stays on record."""

    class WindowStart(models.TextChoices):
        CALENDAR = "calendar", _("自发证次年1月1日起按自然年计")
        ISSUE_DATE = "issue_date", _("自发证之日起计")

    region = models.SlugField(_("地区"), max_length=40)
    code = models.SlugField(_("政策代码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1)
    title = models.CharField(_("名称"), max_length=200)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    # The exchange round (换证).
    exchange_opens = models.DateField(_("换证开始日期"))
    exchange_closes = models.DateField(_("换证截止日期"))
    issued_since = models.DateField(_("原证书最早发证日期"))
    issuers = models.JSONField(_("原证书发证机关"), help_text=_('列表，如 ["天津市城乡建设委员会"]'))
    exchange_hours = models.PositiveSmallIntegerField(_("换证学时"))
    exchange_professional_hours = models.PositiveSmallIntegerField(_("换证专业岗位知识学时"))
    assessment_required = models.BooleanField(_("须通过考核"), default=True)
    share_general_hours = models.BooleanField(
        _("通用知识学时可用于多本证书"), default=False, help_text=_("天津2020年通知：否，每本证书分别学习")
    )
    # The e-certificate.
    issuing_authority = models.CharField(_("电子证书发证机关"), max_length=100)
    number_prefix = models.CharField(_("证书编号前缀"), max_length=4)
    # The yearly duty after the exchange.
    yearly_hours = models.PositiveSmallIntegerField(_("每年学时"))
    yearly_professional_hours = models.PositiveSmallIntegerField(_("每年专业岗位知识学时"))
    window_years = models.PositiveSmallIntegerField(_("考核周期（年）"))
    window_hours = models.PositiveSmallIntegerField(_("周期内学时"))
    window_start = models.CharField(
        _("周期起算"), max_length=12, choices=WindowStart.choices, default=WindowStart.CALENDAR
    )
    # Learning and assessment.
    daily_cap_minutes = models.PositiveSmallIntegerField(_("每日学习时长上限（分钟）"))
    pass_mark = models.PositiveSmallIntegerField(_("考核合格分"))
    questions = models.PositiveSmallIntegerField(_("每卷题数"))
    minutes = models.PositiveSmallIntegerField(_("考试时长（分钟）"))
    attempts_per_period = models.PositiveSmallIntegerField(_("周期内考试次数"))
    period_days = models.PositiveSmallIntegerField(_("考试次数周期（天）"))
    course_retake_years = models.PositiveSmallIntegerField(
        _("课程可再次计入学时的间隔（年）"),
        default=1,
        help_text=_("同一课程学完后，满该年数可再次学习并计入学时（1：每年可再学一次）"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.CharField(_("创建人"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("政策")
        verbose_name_plural = _("政策")
        ordering = ["region", "-effective_from", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code", "version"], name="policy_region_code_version"),
            models.CheckConstraint(
                condition=models.Q(exchange_closes__gte=models.F("exchange_opens")),
                name="policy_window_order",
            ),
            models.CheckConstraint(
                condition=models.Q(exchange_professional_hours__lte=models.F("exchange_hours"))
                & models.Q(yearly_professional_hours__lte=models.F("yearly_hours")),
                name="policy_professional_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def clean(self):
        """What the admin form checks before a version is saved, field by field."""
        errors = {}
        issuers = self.issuers
        if not (
            isinstance(issuers, list) and issuers and all(isinstance(i, str) and i.strip() for i in issuers)
        ):
            errors["issuers"] = _("至少填写一个发证机关名称（每行一个），如 天津市城乡建设委员会")
        if not (
            self.number_prefix.isascii() and self.number_prefix.isalpha() and self.number_prefix.isupper()
        ):
            errors["number_prefix"] = _("证书编号前缀应为大写英文字母，如 TJ")
        if self.exchange_opens and self.exchange_closes and self.exchange_closes < self.exchange_opens:
            errors["exchange_closes"] = _("换证截止日期不能早于开始日期")
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            errors["effective_to"] = _("失效日期不能早于生效日期")
        for part, total in (
            ("exchange_professional_hours", "exchange_hours"),
            ("yearly_professional_hours", "yearly_hours"),
        ):
            if (getattr(self, part) or 0) > (getattr(self, total) or 0):
                errors[part] = _("专业岗位知识学时不能多于总学时")
        if errors:
            raise ValidationError(errors)
