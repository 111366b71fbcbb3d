"""The authority's admin: e-certificates (read-only, with cancellation), requests (approve or reject) and
signing keys (read-only)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sitecert import clock
from sitecert.adminkit import ReadOnlyAdmin, ReadOnlyInline
from sitecert.certificates.lifecycle import DECIDE, REVOKE, certificate_revoke, request_decide
from sitecert.certificates.models import CertificateRequest, CertificateVersion, ECertificate, SigningKey
from sitecert.errors import DomainError


class VersionInline(ReadOnlyInline):
    model = CertificateVersion
    fields = ["version", "cause", "name", "issued_on", "kid"]


@admin.register(ECertificate)
class ECertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "holder", "post", "issued_on", "status", "version"]
    list_filter = ["status", "post", "issued_on"]
    search_fields = ["number", "holder__name", "legacy__certificate_no"]
    inlines = [VersionInline]
    actions = ["revoke"]

    def has_revoke_permission(self, request):
        return request.user.has_perm(REVOKE)

    @admin.action(description=_("注销所选证书（主管部门决定）"), permissions=["revoke"])
    def revoke(self, request, queryset):
        for ecert in queryset:
            try:
                certificate_revoke(ecert=ecert, reason=_("主管部门注销"), by=request.user, now=clock.now())
            except DomainError as exc:
                messages.error(request, f"{ecert.number}: {exc.message}")


@admin.register(CertificateRequest)
class CertificateRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "certificate",
        "kind",
        "reason",
        "new_name",
        "requested_at",
        "state",
        "decided_by",
        "decide_link",
    ]
    list_filter = ["state", "kind"]
    search_fields = ["certificate__number"]
    actions = ["approve", "reject"]

    def has_decide_permission(self, request):
        return request.user.has_perm(DECIDE)

    @admin.display(description=_("审核"))
    def decide_link(self, obj):
        if obj.state != CertificateRequest.State.PENDING:
            return obj.decision_note
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:certificates_request_decide", args=[obj.pk]), _("审核")
        )

    def get_urls(self):
        decide = self.admin_site.admin_view(self.decide_view)
        return [path("<int:pk>/decide/", decide, name="certificates_request_decide"), *super().get_urls()]

    def decide_view(self, request, pk: int):
        """One request, its certificate and history, and the decision with a note the holder will read."""
        if not self.has_decide_permission(request):
            raise PermissionDenied
        item = get_object_or_404(CertificateRequest.objects.select_related("certificate__holder"), pk=pk)
        form = DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            approve = "_approve" in request.POST
            try:
                request_decide(
                    request=item,
                    approve=approve,
                    by=request.user,
                    now=clock.now(),
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已批准") if approve else _("已驳回"))
                return redirect("admin:certificates_certificaterequest_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("审核证书业务申请"),
            "item": item,
            "form": form,
            "history": item.certificate.versions.order_by("-version"),
            "opts": self.model._meta,
        }
        return render(request, "admin/certificates/decide.html", context)

    def _decide(self, request, queryset, approve: bool):
        for item in queryset:
            try:
                request_decide(request=item, approve=approve, by=request.user, now=clock.now())
            except DomainError as exc:
                messages.error(request, f"{item.certificate_id}: {exc.message}")

    @admin.action(description=_("批准所选申请"), permissions=["decide"])
    def approve(self, request, queryset):
        self._decide(request, queryset, True)

    @admin.action(description=_("驳回所选申请"), permissions=["decide"])
    def reject(self, request, queryset):
        self._decide(request, queryset, False)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("审核意见"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        if "_reject" in self.data and not self.cleaned_data.get("note", "").strip():
            self.add_error("note", _("驳回时请写明理由，持证人将看到"))
        return self.cleaned_data


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "created_at", "activates_at", "retired_at"]
