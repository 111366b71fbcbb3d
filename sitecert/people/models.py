import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


def mask_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else mobile


class Organisation(models.Model):
    """An employer (企业) or a training institution (培训机构), known by its unified social credit code."""

    class Kind(models.TextChoices):
        EMPLOYER = "employer", _("用人单位")
        INSTITUTION = "institution", _("培训机构")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACTIVE = "active", _("已启用")
        REJECTED = "rejected", _("未通过")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("单位名称"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    examination_posts = models.ManyToManyField(
        "registry.Post",
        blank=True,
        related_name="+",
        verbose_name=_("可组织职业培训考核的岗位"),
        help_text=_("主管部门批准本培训机构组织考核的岗位"),
    )
    decided_by = models.ForeignKey(
        "people.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def admits(self, user, kind: str) -> bool:
        """Whether `user` acts for this organisation, and it is approved and of that kind."""
        return user.organisation_id == self.pk and self.kind == kind and self.is_active


class User(AbstractUser):
    """An account. A holder's account belongs to a person (one account per ID number); an organisation's
    staff belong to their organisation; the authority's staff are `is_staff`."""

    mobile = models.CharField(_("手机号"), max_length=11, null=True, blank=True, unique=True)
    mobile_confirmed_at = models.DateTimeField(_("手机号确认时间"), null=True, blank=True)
    person = models.OneToOneField(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
        verbose_name=_("人员"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("单位"),
    )
    is_org_admin = models.BooleanField(_("单位管理员"), default=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    @property
    def is_holder(self) -> bool:
        return self.person_id is not None

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile or "")


class RosterQuerySet(models.QuerySet):
    def open_on(self, day):
        """The entries through which their employer sees the person's certificates, progress and duty on
        `day` (docs/security.md, "What an employer sees"): current, vouched for by the holder or the
        authority, and no entry of the same employer for the same person disputed. A dispute closes the
        whole link, whatever the entry and whenever it ended, until the holder lifts it."""
        disputed = RosterEntry.objects.filter(
            employer=models.OuterRef("employer"),
            person=models.OuterRef("person"),
            status=RosterEntry.Status.DISPUTED,
        )
        return (
            self.filter(status=RosterEntry.Status.CONFIRMED, started_on__lte=day)
            .exclude(consent=RosterEntry.Consent.PENDING)
            .filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=day))
            .filter(~models.Exists(disputed))
        )


class RosterEntry(models.Model):
    """An employer's statement that a person works (or worked) in a post, from one day to another.

    `status` is the holder's word against it (a dispute); `consent` who vouched for it. Both count
    separately: the yearly duty reads every listed entry (docs/duty.md), an employer sees more than the
    public verification only through entries that are vouched for and not disputed (`open_on`)."""

    class Status(models.TextChoices):
        CONFIRMED = "listed", _("在册")
        DISPUTED = "disputed", _("持证人有异议")

    class Consent(models.TextChoices):
        PENDING = "pending", _("待本人确认")
        HOLDER = "holder", _("本人已确认")
        AUTHORITY = "authority", _("主管部门已核实")

    employer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="roster", verbose_name=_("用人单位")
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="roster_entries", verbose_name=_("人员")
    )
    post = models.ForeignKey("registry.Post", on_delete=models.PROTECT, verbose_name=_("岗位"))
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("截止日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    dispute_reason = models.CharField(_("异议说明"), max_length=200, blank=True)
    consent = models.CharField(_("确认"), max_length=10, choices=Consent.choices, default=Consent.PENDING)
    consent_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )

    objects = RosterQuerySet.as_manager()

    class Meta:
        verbose_name = _("在岗人员")
        verbose_name_plural = _("在岗人员")
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "person", "post", "started_on"], name="roster_entry_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="roster_entry_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "post"]),
            models.Index(fields=["person", "post"]),  # "worked in the post during the window" (duty)
        ]

    def __str__(self) -> str:
        return f"{self.person.name} @ {self.employer.name}"

    @property
    def state_label(self) -> str:
        """The entry as the holder and the employer read it: the dispute first, then who vouched."""
        if self.status == self.Status.DISPUTED:
            return str(self.get_status_display())
        return str(self.get_consent_display())

    @property
    def vouched(self) -> bool:
        return self.consent != self.Consent.PENDING


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored; the token is shown once, when made."""

    PREFIX = "sc_"

    name = models.CharField(_("名称"), max_length=60)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("账号")
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("单位"),
    )
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("令牌尾号"), max_length=8)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} …{self.hint}"

    @classmethod
    def new_secret(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(secret: str) -> str:
        return _digest(secret)


class OneTimeCode(models.Model):
    """A code sent by SMS to prove a mobile number (registration, password reset). Stored hashed."""

    class Purpose(models.TextChoices):
        REGISTER = "register", _("注册")
        RESET = "reset", _("找回密码")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    mobile = models.CharField(max_length=11)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} {mask_mobile(self.mobile)}"


class SmsQuota(models.Model):
    """How many codes the SMS layer sent to one mobile number on one day, and when the hour began: its own
    count, kept in the database so that every process and every caller (registration, a resend, a
    password reset, an organisation) draws on the same budget (`sms.code_send`)."""

    mobile = models.CharField(max_length=11)
    day = models.DateField()
    codes = models.PositiveSmallIntegerField(default=0)
    hour_from = models.DateTimeField(null=True)
    hour_codes = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mobile", "day"], name="sms_quota_unique")]

    def __str__(self) -> str:
        return f"{mask_mobile(self.mobile)} {self.day}: {self.codes}"
