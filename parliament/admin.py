from django.contrib import admin

from parliament.models import (
    ImportedReport,
    Proposal,
    RegisterCursor,
    RegisterEntry,
    RegisterNote,
)
from tracker.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(ImportedReport)
class ImportedReportAdmin(ReadOnlyAdmin):
    """The reports as they were uploaded: the source of what was captured from them."""

    list_display = ["file_name", "debate", "imported_by", "imported_at", "is_interim"]
    search_fields = ["file_name", "debate__title", "debate__activity_number"]
    list_select_related = ["debate", "imported_by"]


@admin.register(Proposal)
class ProposalAdmin(AuditedAdmin):
    list_display = ["debate", "position", "state", "made_by", "team", "commitment"]
    list_filter = ["state"]
    search_fields = ["text", "debate__title", "debate__activity_number"]
    list_select_related = ["debate", "made_by", "team", "commitment"]
    autocomplete_fields = ["made_by", "team", "commitment", "possible_duplicate"]
    readonly_fields = [
        "report",
        "register_entry",
        "debate",
        "position",
        "decided_by",
        "decided_at",
    ]

    def has_add_permission(self, request):
        # A proposal comes from a debate report or the register, never from a form.
        return False


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdmin):
    """The register's records as the griffie wrote them; only the register sync writes them."""

    list_display = ["number", "ministry", "status", "commitment", "changed_at", "withdrawn"]
    list_filter = ["withdrawn", "status", "ministry"]
    search_fields = ["number", "text", "activity_number"]
    list_select_related = ["commitment"]


@admin.register(RegisterCursor)
class RegisterCursorAdmin(ReadOnlyAdmin):
    list_display = ["ministry", "service", "changed_up_to", "completed_at"]


@admin.register(RegisterNote)
class RegisterNoteAdmin(ReadOnlyAdmin):
    list_display = ["commitment", "kind", "noted_by", "noted_at"]
    list_filter = ["kind"]
    search_fields = ["commitment__reference", "note"]
    list_select_related = ["commitment", "noted_by"]
