from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from sitecert import clock
from sitecert.people.models import ApiToken, Organisation, RosterEntry, User
from sitecert.people.roster import roster_entries_vouch
from sitecert.people.services import organisation_decide
from sitecert.registry.models import Person


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "created_at"]
    search_fields = ["=id_number", "name"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(User)
class AccountAdmin(UserAdmin):
    list_display = [
        "username",
        "first_name",
        "masked_mobile",
        "organisation",
        "is_org_admin",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_active", "is_org_admin", "organisation__kind"]
    search_fields = ["=username", "=mobile", "first_name", "=person__id_number"]
    raw_id_fields = ["person", "organisation"]
    fieldsets = [
        *UserAdmin.fieldsets,
        (
            _("sitecert"),
            {"fields": ["mobile", "mobile_confirmed_at", "person", "organisation", "is_org_admin"]},
        ),
    ]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "uscc", "status", "created_at", "decided_at"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "=uscc"]
    readonly_fields = ["created_at", "decided_at", "decided_by"]
    filter_horizontal = ["examination_posts"]  # which posts an institution may examine (职业培训考核)
    actions = ["approve", "reject"]

    @admin.action(description=_("审核通过"))
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description=_("不予通过"))
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, approve: bool):
        for org in queryset:
            organisation_decide(organisation=org, by=request.user, approve=approve, now=clock.now())
        messages.success(request, _("已处理 %(n)d 个单位") % {"n": queryset.count()})


@admin.register(RosterEntry)
class RosterEntryAdmin(admin.ModelAdmin):
    list_display = ["person", "employer", "post", "started_on", "ended_on", "status", "consent"]
    list_filter = ["status", "consent", "post"]
    search_fields = ["=person__id_number", "person__name", "employer__name"]
    raw_id_fields = ["person", "employer", "created_by"]
    # Who vouched and the holder's dispute change only through the holder's page or the action below.
    readonly_fields = ["status", "dispute_reason", "consent", "consent_at"]
    actions = ["vouch"]

    @admin.action(description=_("主管部门核实（按本部门记录确认任职）"))
    def vouch(self, request, queryset):
        n = roster_entries_vouch(entries=queryset, by=request.user, now=clock.now())
        messages.success(request, _("已核实 %(n)d 条在岗记录") % {"n": n})


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "hint", "user", "organisation", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "hint", "user", "organisation", "created_at", "last_used_at", "digest"]

    def has_add_permission(self, request):
        return False
