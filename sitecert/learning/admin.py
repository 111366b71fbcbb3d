from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from sitecert.errors import DomainError
from sitecert.learning.models import AssessmentAttempt, Course, HourEntry, Question, QuestionBank, Unit
from sitecert.learning.services import course_approve


class UnitInline(admin.StackedInline):
    model = Unit
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "institution", "category", "class_hours", "status"]
    list_filter = ["status", "category", "posts"]
    search_fields = ["code", "title", "institution__name"]
    filter_horizontal = ["posts"]
    inlines = [UnitInline]
    actions = ["approve"]

    @admin.action(description=_("审核通过，向学员开放"))
    def approve(self, request, queryset):
        for course in queryset:
            try:
                course_approve(course=course, by=request.user)
            except DomainError as exc:
                messages.error(request, f"{course.code}: {exc.message}")


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin):
    list_display = ["title", "post"]
    inlines = [QuestionInline]


@admin.register(HourEntry)
class HourEntryAdmin(admin.ModelAdmin):
    list_display = [
        "record",
        "course",
        "category",
        "hours",
        "completed_on",
        "source",
        "assessment_score",
    ]
    list_filter = ["source", "category", "completed_on"]
    search_fields = ["=record__legacy__certificate_no", "=record__person__id_number"]
    list_select_related = ["record", "course"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AssessmentAttempt)
class AssessmentAttemptAdmin(admin.ModelAdmin):
    list_display = ["record", "started_at", "submitted_at", "score", "passed"]
    list_filter = ["passed"]
    search_fields = ["=record__legacy__certificate_no", "=record__person__id_number"]
    readonly_fields = [f.name for f in AssessmentAttempt._meta.fields]

    def has_add_permission(self, request):
        return False
