from django.contrib import admin

from sitecert.people.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "created_at"]
    search_fields = ["=id_number", "name"]
    readonly_fields = ["created_at", "updated_at"]
