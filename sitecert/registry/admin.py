from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sitecert import clock
from sitecert.adminkit import ReadOnlyAdmin, ReadOnlyInline
from sitecert.registry.forms import RegistryUploadForm
from sitecert.registry.importing import batch_rejections, registry_import
from sitecert.registry.models import ImportBatch, LegacyCertificate, LegacyCertificateChange, Post, PostAlias
from sitecert.uploads import FileRefused, report_write, upload_on_disk

REGISTRY_UPLOAD_MAX_BYTES = 512 << 20  # a registry of a million rows is about 150 MB of CSV


class PostAliasInline(admin.TabularInline):
    model = PostAlias
    extra = 1


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "specialty", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    inlines = [PostAliasInline]


class ChangeInline(ReadOnlyInline):
    model = LegacyCertificateChange
    fields = ["changed_at", "batch", "holder", "post", "issued_on", "issuer", "status"]


@admin.register(LegacyCertificate)
class LegacyCertificateAdmin(ReadOnlyAdmin):
    list_display = ["certificate_no", "holder", "post", "issued_on", "issuer", "status", "exchange_link"]
    list_filter = ["status", "post", "issuer", "issued_on"]
    search_fields = ["=certificate_no", "=holder__id_number", "holder__name"]
    list_select_related = ["holder", "post"]
    show_full_result_count = False
    inlines = [ChangeInline]

    @admin.display(description=gettext_lazy("换发电子证书"))
    def exchange_link(self, obj):
        url = reverse("legacy-exchange", args=[obj.certificate_no])
        return format_html('<a href="{}">{}</a>', url, _("换证进度"))


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "started_at", "imported_by", "total", *ImportBatch().counts(), "report_link"]
    readonly_fields = ["file_name", "sha256", "imported_by", "started_at", "finished_at", "total"]
    readonly_fields += [*ImportBatch().counts(), "report_link"]

    def has_add_permission(self, request):
        return request.user.has_perm("registry.add_importbatch")

    @admin.display(description=gettext_lazy("拒绝报告"))
    def report_link(self, batch):
        if not batch.rejected:
            return "—"
        url = reverse("admin:registry_importbatch_report", args=[batch.pk])
        return format_html('<a href="{}">{}</a>', url, _("下载 CSV"))

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        name = "registry_importbatch_report"
        return [path("<int:pk>/report/", report, name=name), *super().get_urls()]

    def report_view(self, request, pk):
        batch = get_object_or_404(ImportBatch, pk=pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="rejections-{batch.pk}.csv"'
        response.write("\ufeff")  # BOM, so that Excel reads UTF-8
        report_write(batch_rejections(batch), response)
        return response

    def add_view(self, request, form_url="", extra_context=None):
        """Upload a registry file; the import runs through the same service as the command."""
        if not self.has_add_permission(request):
            return redirect("admin:registry_importbatch_changelist")
        form = RegistryUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with upload_on_disk(upload, max_bytes=REGISTRY_UPLOAD_MAX_BYTES) as target:
                    result = registry_import(
                        path=target,
                        file_name=upload.name,
                        today=clock.today(),
                        now=clock.now(),
                        imported_by=request.user,
                        dry_run=form.cleaned_data["dry_run"],
                    )
            except FileRefused as exc:
                form.add_error("file", exc.message)
            else:
                for note in result.notes[:20]:
                    messages.info(request, note)
                counts = result.describe()
                if result.dry_run:
                    messages.info(request, _("试运行完成（未写入）：%(counts)s") % {"counts": counts})
                else:
                    messages.success(request, _("导入完成：%(counts)s") % {"counts": counts})
                    return redirect("admin:registry_importbatch_change", result.batch.pk)
        context = {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta}
        context["title"] = _("导入原证书库文件")
        return render(request, "admin/registry/importbatch/upload.html", context)
