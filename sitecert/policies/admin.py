"""Policies in the authority's admin: each edit is saved as the next version and audited."""

from django import forms
from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sitecert import clock
from sitecert.audit.services import Event, audit_append
from sitecert.policies.models import Policy


class LinesField(forms.Field):
    """A list of names edited one per line (the issuers in scope), not as JSON."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class PolicyForm(forms.ModelForm):
    issuers = LinesField(label=_("原证书发证机关"), required=False, help_text=_("每行一个发证机关名称"))

    class Meta:
        model = Policy
        fields = "__all__"  # noqa: DJ007 (every rule of the policy is edited; the admin shows the rest read-only)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ["title", "region", "code", "version", "effective_from", "exchange_closes", "created_at"]
    list_filter = ["region", "code"]
    readonly_fields = ["version", "created_at", "created_by"]

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        """Only the newest version is edited (into the next one); earlier versions are the record."""
        newer = (
            obj is not None
            and Policy.objects.filter(region=obj.region, code=obj.code, version__gt=obj.version).exists()
        )
        return not newer and super().has_change_permission(request, obj)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        """An edit never overwrites: it becomes the next version of the same policy code."""
        if change:
            obj.pk = None
            obj.version = (
                Policy.objects.filter(region=obj.region, code=obj.code).order_by("-version").first().version
                + 1
            )
        obj.created_by = request.user.username
        super().save_model(request, obj, form, False)
        data = {"version": obj.version, "changed": sorted(form.changed_data)}
        audit_append(
            events=[Event(request.user.username, "policy.save", f"policy:{obj.code}", data)],
            at=clock.now(),
        )
