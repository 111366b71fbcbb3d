"""E-certificates and their versions, lifecycle requests and signing keys."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SigningKey(models.Model):
    """A signing key pair's public half and id. The private halves live in files outside the repository
    and the database (settings.SIGNING_KEY_DIR): an Ed25519 key for credentials and a P-256 key whose
    self-issued X.509 certificate seals the PDFs. Retired keys stay published so old prints verify."""

    kid = models.CharField(_("密钥标识"), max_length=64, unique=True)
    public_jwk = models.JSONField(_("公钥 (JWK)"))
    seal_certificate = models.TextField(_("电子签章证书 (PEM)"))
    created_at = models.DateTimeField(_("创建时间"))
    # Published from created_at, signs from activates_at: verifiers' caches learn a key before it is used.
    activates_at = models.DateTimeField(_("启用时间"))
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    seal_chain = models.TextField(
        _("电子签章证书链 (PEM)"), blank=True, help_text=_("主管部门 CA 签发签章证书时，其中间证书与根证书")
    )

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.kid


class StatusList(models.Model):
    """One W3C Bitstring Status List: `size` slots, handed out in a keyed random order (lib/bitstring.py).
    Each certificate version holds one slot; the list is published twice, as its revocation and its
    suspension bitstring, both read from the certificates' live status (certificates/status.py)."""

    size = models.PositiveIntegerField(_("容量"))
    allocated = models.PositiveIntegerField(_("已分配"), default=0)
    seed = models.CharField(max_length=64)  # random, never published: keys the order of the slots
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("状态列表")
        verbose_name_plural = _("状态列表")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(allocated__lte=models.F("size")), name="status_list_room"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.allocated}/{self.size}"


class NumberSequence(models.Model):
    """The last serial used for one prefix and year; issuing locks it, so numbers never repeat."""

    key = models.CharField(max_length=12, unique=True)  # prefix + year, e.g. "TJ2020"
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Examination(models.Model):
    """A passed vocational-training examination (职业培训考核) for a post, reported by an approved training
    institution: what a certificate by training is issued on. The same report again is the same row."""

    institution = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("培训机构")
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="examinations", verbose_name=_("人员")
    )
    post = models.ForeignKey("registry.Post", on_delete=models.PROTECT, verbose_name=_("岗位"))
    examined_on = models.DateField(_("考核日期"))
    score = models.PositiveSmallIntegerField(_("成绩"))
    reported_at = models.DateTimeField(_("上报时间"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上报人")
    )

    class Meta:
        verbose_name = _("职业培训考核")
        verbose_name_plural = _("职业培训考核")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "person", "post", "examined_on"], name="examination_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.post} {self.examined_on}"


class ECertificate(models.Model):
    """The electronic certificate (职业培训合格证): one number for its life, a new version for each print
    that changes (reissue, change of details)."""

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        LAPSED = "lapsed", _("已失效（需重新取证）")
        REVOKED = "revoked", _("已注销")

    number = models.CharField(_("证书编号"), max_length=20, unique=True)
    holder = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="ecertificates", verbose_name=_("持证人")
    )
    post = models.ForeignKey("registry.Post", on_delete=models.PROTECT, verbose_name=_("岗位"))
    legacy = models.OneToOneField(
        "registry.LegacyCertificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ecertificate",
        verbose_name=_("换发的原证书"),
    )  # unique: an old certificate is exchanged exactly once
    record = models.ForeignKey(
        "learning.TrainingRecord",
        on_delete=models.PROTECT,
        related_name="ecertificates",
        verbose_name=_("培训档案"),
        help_text=_("学时记录所在的培训档案：换发的证书沿用原证书的档案，重新取证的证书沿用失效证书的档案"),
    )  # hours and enrolments stay on the record a post's training began with
    examination = models.OneToOneField(
        Examination,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ecertificate",
        verbose_name=_("职业培训考核"),
    )  # unique: an examination issues one certificate, however often it is reported
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("取代的失效证书"),
    )  # unique: a lapsed certificate is replaced by one new certificate at most
    policy = models.ForeignKey("policies.Policy", on_delete=models.PROTECT, verbose_name=_("政策"))
    issuer = models.CharField(_("发证机关"), max_length=100)
    issued_on = models.DateField(_("发证日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.VALID)
    status_since = models.DateField(_("状态起始日期"))
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("电子证书")
        verbose_name_plural = _("电子证书")
        permissions = [("revoke_ecertificate", _("可注销电子证书"))]
        ordering = ["-issued_on", "number"]
        indexes = [models.Index(fields=["post", "status"])]

    def __str__(self) -> str:
        return self.number


class CertificateVersion(models.Model):
    """One print of a certificate: what it says and the signed credential and QR token that prove it."""

    class Cause(models.TextChoices):
        ISSUE = "issue", _("换发")
        REISSUE = "reissue", _("补发")
        CHANGE = "change", _("信息变更")

    certificate = models.ForeignKey(
        ECertificate, on_delete=models.PROTECT, related_name="versions", verbose_name=_("电子证书")
    )
    version = models.PositiveIntegerField(_("版本"))
    cause = models.CharField(_("原因"), max_length=10, choices=Cause.choices)
    name = models.CharField(_("姓名"), max_length=40)
    issued_on = models.DateField(_("本版日期"))
    kid = models.CharField(_("密钥标识"), max_length=64)
    credential = models.TextField(_("可验证凭证 (VC-JWT)"))
    qr_token = models.TextField(_("二维码令牌"))
    # The version's slot in the status lists (empty for versions signed before status lists existed).
    status_list = models.ForeignKey(
        StatusList, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # indexed by the unique slot constraint below, which starts with it
    status_index = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("证书版本")
        verbose_name_plural = _("证书版本")
        ordering = ["certificate", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["certificate", "version"], name="version_unique"),
            models.UniqueConstraint(fields=["status_list", "status_index"], name="status_slot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} v{self.version}"


class CertificateRequest(models.Model):
    """A holder's (or the authority's) request to reissue, change or cancel an e-certificate, and its decision."""

    class Kind(models.TextChoices):
        REISSUE = "reissue", _("补发")
        CHANGE = "change", _("信息变更")
        CANCEL = "cancel", _("注销")

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    certificate = models.ForeignKey(
        ECertificate, on_delete=models.PROTECT, related_name="requests", verbose_name=_("电子证书")
    )
    kind = models.CharField(_("申请类型"), max_length=10, choices=Kind.choices)
    reason = models.CharField(_("申请理由"), max_length=200)
    new_name = models.CharField(_("变更后姓名"), max_length=40, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人")
    )
    requested_at = models.DateTimeField(_("申请时间"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("证书业务申请")
        verbose_name_plural = _("证书业务申请")
        permissions = [("decide_certificaterequest", _("可审核证书业务申请"))]
        ordering = ["-requested_at"]
        constraints = [
            # One open request of a kind per certificate: a second click does not file a second request.
            models.UniqueConstraint(
                fields=["certificate", "kind"],
                condition=models.Q(state="pending"),
                name="one_pending_request_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.kind} {self.state}"
