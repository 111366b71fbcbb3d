from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sitecert.lib.idnumber import mask
from sitecert.lib.textnorm import canonical_post


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


class Post(models.Model):
    """A post (岗位) of JGJ/T 250-2011, with its specialty where the post has several."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("岗位"), max_length=20)
    specialty = models.CharField(_("专业"), max_length=20, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        ordering = ["sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["name", "specialty"], name="post_name_specialty")]

    def __str__(self) -> str:
        return self.label(self.name, self.specialty)

    @staticmethod
    def label(name: str, specialty: str) -> str:
        """How a post is written: 施工员（土建施工）, or 安全员 for a post without specialties."""
        return f"{name}（{specialty}）" if specialty else name


class PostAlias(models.Model):
    """Another way registry files write a post; stored in canonical form (see lib.textnorm.canonical_post)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("岗位"))
    alias = models.CharField(_("别名"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("岗位别名")
        verbose_name_plural = _("岗位别名")

    def __str__(self) -> str:
        return self.alias

    def save(self, *args, **kwargs):
        self.alias = canonical_post(self.alias)
        super().save(*args, **kwargs)


class LegacyStatus(models.TextChoices):
    VALID = "valid", _("有效")
    INVALID = "invalid", _("无效")
    CANCELLED = "cancelled", _("注销")


class ImportBatch(models.Model):
    """One registry file imported: which file, by whom, when, and what it did."""

    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("导入人")
    )
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    total = models.PositiveIntegerField(_("数据行"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    duplicate = models.PositiveIntegerField(_("重复"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} @ {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    def counts(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in ("created", "updated", "unchanged", "duplicate", "rejected")}


class ImportRejection(models.Model):
    """A rejected row of a batch: the file's row number (header = 1), the column and why."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row_number = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=60)
    code = models.CharField(_("原因代码"), max_length=40)
    message = models.CharField(_("说明"), max_length=255)

    class Meta:
        verbose_name = _("拒绝行")
        verbose_name_plural = _("拒绝行")
        ordering = ["batch", "row_number", "id"]
        indexes = [models.Index(fields=["batch", "row_number"])]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.message}"


class LegacyCertificate(models.Model):
    """An old certificate (原证书) as the registry shows it; the certificate number is the key."""

    certificate_no = models.CharField(_("证书编号"), max_length=64, unique=True)
    holder = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        related_name="legacy_certificates",
        verbose_name=_("持证人"),
    )
    # Indexed by the (post, status) index below, which also serves the post alone.
    post = models.ForeignKey(Post, on_delete=models.PROTECT, db_index=False, verbose_name=_("岗位"))
    issued_on = models.DateField(_("发证日期"))
    issuer = models.CharField(_("发证机关"), max_length=100)
    status = models.CharField(_("证书状态"), max_length=10, choices=LegacyStatus.choices)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))
    last_batch = models.ForeignKey(
        ImportBatch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        # Batches are never deleted, and the import sets this to its own batch: neither an index nor a
        # per-row foreign-key check earns its cost on a million-row import.
        db_index=False,
        db_constraint=False,
        related_name="+",
        verbose_name=_("最近批次"),
    )

    class Meta:
        verbose_name = _("原证书")
        verbose_name_plural = _("原证书")
        indexes = [models.Index(fields=["post", "status"])]

    def __str__(self) -> str:
        return self.certificate_no


class LegacyCertificateChange(models.Model):
    """The values a certificate had before an import changed them (append-only history)."""

    certificate = models.ForeignKey(LegacyCertificate, on_delete=models.CASCADE, related_name="changes")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, verbose_name=_("导入批次"))
    changed_at = models.DateTimeField(_("变更时间"))
    holder = models.ForeignKey(Person, on_delete=models.PROTECT, verbose_name=_("原持证人"))
    post = models.ForeignKey(Post, on_delete=models.PROTECT, verbose_name=_("原岗位"))
    issued_on = models.DateField(_("原发证日期"))
    issuer = models.CharField(_("原发证机关"), max_length=100)
    status = models.CharField(_("原证书状态"), max_length=10, choices=LegacyStatus.choices)

    class Meta:
        verbose_name = _("原证书变更记录")
        verbose_name_plural = _("原证书变更记录")
        ordering = ["certificate", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} @ {timezone.localtime(self.changed_at):%Y-%m-%d %H:%M}"
