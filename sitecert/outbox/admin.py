from django.contrib import admin

from sitecert.adminkit import ReadOnlyAdmin
from sitecert.outbox.models import Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """What was sent, what is pending, and the dead letters (given up after OUTBOX_MAX_ATTEMPTS) with their
    last error. Bodies are not listed: they hold one-time codes."""

    list_display = ["key", "channel", "created_at", "sent_at", "attempts", "dead_at", "last_error"]
    list_filter = [
        "channel",
        ("dead_at", admin.EmptyFieldListFilter),
        ("sent_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["key"]
    exclude = ["body"]
