"""The continuing-education library: courses and their units, enrolments for one certificate each,
the time a learner really spent (learning sessions and their heartbeats), and the hours earned."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

# Class hours come in tenths (one decimal place). SQL adds them up as whole tenths, so that sums are exact on
# every engine (SQLite adds decimals as floats) and thresholds compare without a tolerance.
TENTHS = "CAST(ROUND({} * 10) AS INTEGER)"


def tenths(field: str = "hours") -> models.Func:
    """`TENTHS` as an ORM expression over a field of hours."""
    return models.Func(
        models.F(field), template=TENTHS.format("%(expressions)s"), output_field=models.IntegerField()
    )


def hours_text(value: Decimal) -> str:
    """Hours as people write them: 32, 9.5 (never 32.0)."""
    return f"{value.normalize():f}"


class Category(models.TextChoices):
    PROFESSIONAL = "professional", _("专业岗位知识")
    GENERAL = "general", _("通用知识")


class Course(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已审核")
        WITHDRAWN = "withdrawn", _("已下架")

    institution = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, related_name="courses", verbose_name=_("培训机构")
    )
    code = models.SlugField(_("课程代码"), max_length=40, unique=True)
    title = models.CharField(_("课程名称"), max_length=120)
    class_hours = models.PositiveSmallIntegerField(_("学时"))
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    posts = models.ManyToManyField("registry.Post", blank=True, verbose_name=_("适用岗位"))
    summary = models.TextField(_("简介"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Unit(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("图文")
        DOCUMENT = "document", _("文档")
        VIDEO = "video", _("视频")

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="units", verbose_name=_("课程"))
    order = models.PositiveSmallIntegerField(_("顺序"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("单元名称"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    video_url = models.URLField(_("视频地址"), blank=True)
    captions_url = models.URLField(
        _("字幕地址（WebVTT）"), blank=True, help_text=_("视频的字幕文件（.vtt），供听障学员和静音观看")
    )
    required_seconds = models.PositiveIntegerField(_("要求学习时长（秒）"))

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["course", "order"]
        constraints = [models.UniqueConstraint(fields=["course", "order"], name="unit_order_unique")]

    def __str__(self) -> str:
        return self.title


class TrainingRecord(models.Model):
    """One person's continuing education for one post (个人培训档案): the hours, enrolments and assessments a
    certificate lives on. A record begins with an old certificate (one each: whoever holds several learns for
    each separately) or, for a first certificate by training, with the person and the post alone; the
    e-certificates issued on it (by exchange, after retraining) continue it."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="training_records", verbose_name=_("人员")
    )
    post = models.ForeignKey("registry.Post", on_delete=models.PROTECT, verbose_name=_("岗位"))
    legacy = models.OneToOneField(
        "registry.LegacyCertificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_record",
        verbose_name=_("原证书"),
    )
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("培训档案")
        verbose_name_plural = _("培训档案")
        constraints = [
            # Without an old certificate, a person has one record per post.
            models.UniqueConstraint(
                fields=["person", "post"], condition=models.Q(legacy__isnull=True), name="record_per_post"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.post} {self.legacy_id or ''}"


class Enrolment(models.Model):
    """A holder learns a course for one training record (one certificate), in one year: the hours count toward
    that record only, and a course may be taken again in a later year (see services.enrolment_create)."""

    user = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="enrolments")
    record = models.ForeignKey(
        TrainingRecord, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("培训档案")
    )
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("课程")
    )
    year = models.PositiveSmallIntegerField(_("学习年度"))
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("选课")
        verbose_name_plural = _("选课")
        constraints = [
            models.UniqueConstraint(fields=["record", "course", "year"], name="enrolment_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} · {self.course} · {self.year}"


class UnitProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT)
    credited_seconds = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)  # where the learner resumes (seconds into a video)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "unit"], name="progress_unique")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.credited_seconds}s"


class LearningSession(models.Model):
    """One open unit on one device. Time is credited only between accepted heartbeats of an active session."""

    class State(models.TextChoices):
        ACTIVE = "active", _("学习中")
        AWAITING_PRESENCE = "presence", _("等待确认在场")
        PAUSED = "paused", _("已暂停")
        CLOSED = "closed", _("已结束")

    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="learning_sessions")
    progress = models.ForeignKey(UnitProgress, on_delete=models.CASCADE, related_name="sessions")
    device = models.CharField(max_length=64)
    token = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    paused_reason = models.CharField(max_length=20, blank=True)
    opened_at = models.DateTimeField()
    last_beat_at = models.DateTimeField()
    last_seq = models.PositiveIntegerField(default=0)
    credited_since_presence = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["user", "state"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.device} {self.state}"


class DailyCredit(models.Model):
    """Seconds credited to a person on one day (local time), for the policy's daily cap."""

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE)
    day = models.DateField()
    seconds = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="daily_credit_unique")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.day}: {self.seconds}s"


class HourEntry(models.Model):
    """Class hours earned on one training record: an online course completed, or an institution's report."""

    class Source(models.TextChoices):
        ONLINE = "online", _("在线学习")
        REPORT = "report", _("机构上报")

    record = models.ForeignKey(
        TrainingRecord, on_delete=models.PROTECT, related_name="hour_entries", verbose_name=_("培训档案")
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, verbose_name=_("课程"))
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    hours = models.DecimalField(_("学时"), max_digits=5, decimal_places=1)
    completed_on = models.DateField(_("完成日期"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    institution = models.ForeignKey(
        "people.Organisation", on_delete=models.PROTECT, verbose_name=_("培训机构")
    )
    assessment_score = models.PositiveSmallIntegerField(
        _("考核成绩"), null=True, blank=True
    )  # reported offline
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("学时记录")
        verbose_name_plural = _("学时记录")
        constraints = [
            models.UniqueConstraint(fields=["record", "course", "completed_on"], name="hour_entry_unique"),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="hour_entry_positive"),
        ]
        indexes = [models.Index(fields=["record", "completed_on"], name="hour_entry_record_day")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.hours}h {self.category}"


class QuestionBank(models.Model):
    """The questions of one post's assessment (考核), or of general knowledge when `post` is empty."""

    post = models.OneToOneField(
        "registry.Post",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="question_bank",
        verbose_name=_("岗位"),
    )
    title = models.CharField(_("题库名称"), max_length=80)

    class Meta:
        verbose_name = _("题库")
        verbose_name_plural = _("题库")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("单选题")
        MULTIPLE = "multiple", _("多选题")
        TRUE_FALSE = "truefalse", _("判断题")

    bank = models.ForeignKey(
        QuestionBank, on_delete=models.CASCADE, related_name="questions", verbose_name=_("题库")
    )
    kind = models.CharField(_("题型"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("题干"))
    options = models.JSONField(_("选项"))  # ["…", "…"]
    answer = models.JSONField(_("答案"))  # indices into options, e.g. [0, 2]
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")

    def __str__(self) -> str:
        return self.text[:40]


class AssessmentAttempt(models.Model):
    """One sitting: its own paper (questions drawn, options shuffled), a deadline, a grade from the server."""

    user = models.ForeignKey("people.User", on_delete=models.PROTECT, related_name="assessment_attempts")
    record = models.ForeignKey(
        TrainingRecord,
        on_delete=models.PROTECT,
        related_name="assessment_attempts",
        verbose_name=_("培训档案"),
    )
    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, verbose_name=_("题库"))
    paper = models.JSONField()  # [{"question": id, "order": [shown position -> option index]}]
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("得分"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), default=False)

    class Meta:
        verbose_name = _("考核记录")
        verbose_name_plural = _("考核记录")
        indexes = [models.Index(fields=["record", "started_at"], name="attempt_record_started")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.score}"
