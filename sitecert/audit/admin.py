from django.contrib import admin

from sitecert.adminkit import ReadOnlyAdmin
from sitecert.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor", "action", "subject"]
    list_filter = ["action"]
    search_fields = ["subject", "actor"]
