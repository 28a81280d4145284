from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from actionlines.models import (
    ActionLine,
    Activity,
    ActivityUpdate,
    Organisation,
    Place,
    Plan,
    Profile,
    Team,
)
from tracker.admin import AuditedAdmin, SafeInputAdmin


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "abbreviation", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "abbreviation"]


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ["name", "organisation", "parent", "member_count"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation", "parent", "managers", "members"]
    list_select_related = ["organisation", "parent"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, team):
        return team.member_count


@admin.register(Profile)
class ProfileAdmin(SafeInputAdmin, admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Place)
class PlaceAdmin(AuditedAdmin):
    list_display = ["country", "city"]
    search_fields = ["country", "city"]


class ActionLineInline(admin.TabularInline):
    model = ActionLine
    extra = 0


@admin.register(Plan)
class PlanAdmin(AuditedAdmin):
    list_display = ["title", "ministry", "adopted_on", "period_start", "period_end", "predecessor"]
    list_filter = ["ministry"]
    search_fields = ["title", "summary"]
    autocomplete_fields = ["ministry", "predecessor"]
    list_select_related = ["ministry", "predecessor"]
    date_hierarchy = "adopted_on"
    inlines = [ActionLineInline]


@admin.register(ActionLine)
class ActionLineAdmin(AuditedAdmin):
    list_display = ["__str__", "plan"]
    list_filter = ["plan"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["plan"]
    list_select_related = ["plan"]


class ActivityUpdateInline(admin.TabularInline):
    model = ActivityUpdate
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "status_before", "status_after", "progress_after", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # Updates are recorded through the progress form, which keeps before/after right.
        return False


@admin.register(Activity)
class ActivityAdmin(AuditedAdmin):
    list_display = [
        "title",
        "action_line",
        "kind",
        "status",
        "progress",
        "lead_organisation",
        "team",
        "owner",
        "end_date",
    ]
    list_filter = ["plan", "action_line", "kind", "status", "lead_organisation", "team"]
    search_fields = ["title", "description"]
    autocomplete_fields = [
        "plan",
        "action_line",
        "lead_organisation",
        "partner_organisations",
        "places",
        "owner",
        "team",
    ]
    list_select_related = ["action_line", "lead_organisation", "team", "owner"]
    inlines = [ActivityUpdateInline]


@admin.register(ActivityUpdate)
class ActivityUpdateAdmin(SafeInputAdmin, admin.ModelAdmin):
    list_display = ["activity", "created_at", "author", "status_after", "progress_after"]
    list_filter = ["status_after", "activity__plan"]
    search_fields = ["note", "activity__title"]
    list_select_related = ["activity", "author"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The record of progress is a log: it is not rewritten afterwards.
        return False
