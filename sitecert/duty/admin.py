from django.contrib import admin

from sitecert.adminkit import ReadOnlyAdmin
from sitecert.duty.models import Duty, DutyChange, Reminder


@admin.register(Duty)
class DutyAdmin(ReadOnlyAdmin):
    list_display = [
        "certificate",
        "state",
        "window_starts",
        "window_ends",
        "window_hours",
        "in_post",
        "year_hours",
    ]
    list_filter = ["state", "in_post", "window_ends"]
    search_fields = ["certificate__number"]
    list_select_related = ["certificate"]


@admin.register(DutyChange)
class DutyChangeAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "certificate", "before", "after", "reason", "window_hours"]
    list_filter = ["after", "as_of"]
    search_fields = ["certificate__number", "run"]
    list_select_related = ["certificate"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["sent_on", "certificate", "period", "period_ends", "days_before", "hours_short"]
    list_filter = ["period", "days_before", "sent_on"]
    search_fields = ["certificate__number"]
    list_select_related = ["certificate"]
