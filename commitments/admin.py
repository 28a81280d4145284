from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from commitments import services
from commitments.models import (
    STATUSES_NEEDING_EVIDENCE,
    Addressee,
    Bewindspersoon,
    Commitment,
    CommitmentRelation,
    Committee,
    DeadlineChange,
    Debate,
    EmailPreference,
    FollowUpLetter,
    LetterPostponement,
    LinkChange,
    Notification,
    ParliamentaryDocument,
    ProgressUpdate,
    ReminderScan,
)
from tracker.admin import AuditedAdmin, SafeInputAdmin, VersionedAdminForm


@admin.register(Bewindspersoon)
class BewindspersoonAdmin(AuditedAdmin):
    list_display = ["name", "function", "ministry", "in_office_from", "in_office_until"]
    list_filter = ["function", "ministry"]
    search_fields = ["name", "title"]
    autocomplete_fields = ["ministry", "default_team"]
    list_select_related = ["ministry"]


@admin.register(Committee)
class CommitteeAdmin(AuditedAdmin):
    list_display = ["name", "abbreviation", "chamber", "default_team"]
    list_filter = ["chamber"]
    search_fields = ["name", "abbreviation"]
    autocomplete_fields = ["default_team"]


@admin.register(Addressee)
class AddresseeAdmin(AuditedAdmin):
    list_display = ["name", "kind", "party"]
    list_filter = ["kind"]
    search_fields = ["name", "party"]


@admin.register(ParliamentaryDocument)
class ParliamentaryDocumentAdmin(AuditedAdmin):
    list_display = ["citation", "date", "kind", "title"]
    list_filter = ["kind", "chamber"]
    search_fields = ["dossier_number", "title", "document_number"]
    autocomplete_fields = ["presents_plan"]
    date_hierarchy = "date"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Debate)
class DebateAdmin(AuditedAdmin):
    list_display = ["title", "kind", "date", "committee", "activity_number"]
    list_filter = ["kind", "chamber", "committee"]
    search_fields = ["title", "activity_number"]
    autocomplete_fields = ["committee", "report"]
    list_select_related = ["committee"]
    date_hierarchy = "date"


class CommitmentAdminForm(VersionedAdminForm):
    class Meta:
        model = Commitment
        exclude = []  # noqa: DJ006 - the admin decides the fields; this form adds a rule

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status", self.instance.status)
        documents = cleaned.get("fulfilling_documents")
        if status in STATUSES_NEEDING_EVIDENCE and not documents:
            raise ValidationError(
                {
                    "fulfilling_documents": _(
                        "A fulfilled commitment needs the Kamerstuk that fulfilled it."
                    )
                }
            )
        return cleaned


class CommitmentRelationInline(admin.TabularInline):
    model = CommitmentRelation
    fk_name = "from_commitment"
    extra = 0
    autocomplete_fields = ["to_commitment"]


class ProgressUpdateInline(admin.TabularInline):
    model = ProgressUpdate
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "status_before", "status_after", "note", "evidence_document"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class DeadlineChangeInline(admin.TabularInline):
    model = DeadlineChange
    extra = 0
    can_delete = False
    fields = ["original_due_date", "new_due_date", "state", "requested_by", "decided_by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Commitment)
class CommitmentAdmin(AuditedAdmin):
    form = CommitmentAdminForm
    list_display = [
        "reference",
        "short_text",
        "status",
        "due_date",
        "made_by",
        "made_on",
        "team",
        "owner",
    ]
    list_filter = [
        "status",
        "is_public",
        "chamber",
        "made_by",
        "team",
        "debate__committee",
        # The plan's structure, as on the list page; the changelist filters it with EXISTS.
        "activities__action_line",
    ]
    # Served by the trigram indexes of migration 0004 on PostgreSQL.
    search_fields = ["reference", "register_number", "text"]
    list_select_related = ["made_by", "team", "owner"]
    list_per_page = 50
    # With 100,000 commitments every COUNT(*) costs: do not count the whole table again on
    # each filtered page just to show "x of 100,000" (Django's advice for large tables).
    show_full_result_count = False
    # No date_hierarchy: its year links cost a DISTINCT DATE_TRUNC over every matching row on
    # each page (30 ms unfiltered on 100,000 commitments), more than the page itself.
    autocomplete_fields = [
        "made_by",
        "debate",
        "source_document",
        "made_to",
        "fulfilling_documents",
        "owner",
        "team",
        "activities",
    ]
    inlines = [CommitmentRelationInline, ProgressUpdateInline, DeadlineChangeInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["original_due_date", "created_at", "updated_at"]
        if obj is not None and obj.due_date is not None:
            # A deadline moves only through an approved deadline change.
            readonly.append("due_date")
        return readonly

    @admin.display(description=_("text"))
    def short_text(self, commitment):
        return commitment.text[:90] + ("…" if len(commitment.text) > 90 else "")

    def save_model(self, request, obj, form, change):
        if not change and obj.original_due_date is None:
            obj.original_due_date = obj.due_date
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        if change:
            # Through the service, so the timeline shows what links the admin changed.
            links = {
                name: form.cleaned_data[name]
                for name in ("made_to", "activities", "fulfilling_documents")
                if name in form.cleaned_data
            }
            services.commitment_set_links(
                commitment=form.instance, author=request.user, links=links
            )
        super().save_related(request, form, formsets, change)


@admin.register(FollowUpLetter)
class FollowUpLetterAdmin(AuditedAdmin):
    list_display = ["title", "planned_date", "status", "drafter", "team", "sent_as"]
    list_filter = ["status", "team"]
    search_fields = ["title"]
    autocomplete_fields = ["drafter", "team", "commitments", "sent_as"]
    list_select_related = ["drafter", "team", "sent_as"]
    date_hierarchy = "planned_date"


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(SafeInputAdmin, admin.ModelAdmin):
    list_display = ["commitment", "created_at", "author", "status_before", "status_after"]
    list_filter = ["status_after"]
    search_fields = ["note", "commitment__reference"]
    list_select_related = ["commitment", "author"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The record of progress is a log: it is not rewritten afterwards.
        return False


class DeadlineChangeAdminForm(forms.ModelForm):
    """A request filed in the admin: the service's checks, shown at the form's fields."""

    class Meta:
        model = DeadlineChange
        fields = ["commitment", "new_due_date", "reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("commitment") and cleaned.get("new_due_date"):
            try:
                services.deadline_change_check(
                    commitment=cleaned["commitment"],
                    new_due_date=cleaned["new_due_date"],
                    reason=cleaned.get("reason") or "",
                )
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(DeadlineChange)
class DeadlineChangeAdmin(AuditedAdmin):
    form = DeadlineChangeAdminForm
    list_display = [
        "commitment",
        "original_due_date",
        "new_due_date",
        "state",
        "requested_by",
        "requested_at",
        "decided_by",
    ]
    list_filter = ["state"]
    search_fields = ["commitment__reference", "reason"]
    list_select_related = ["commitment", "requested_by", "decided_by"]
    autocomplete_fields = ["commitment"]
    readonly_fields = [
        "original_due_date",
        "requested_by",
        "requested_at",
        "state",
        "decided_by",
        "decided_at",
        "decision_note",
    ]
    actions = ["approve", "reject"]

    def has_change_permission(self, request, obj=None):
        # Decisions go through the actions below, which apply the rules of the service.
        return False

    def save_model(self, request, obj, form, change):
        services.deadline_change_request(
            commitment=obj.commitment,
            requested_by=request.user,
            new_due_date=obj.new_due_date,
            reason=obj.reason,
        )

    def _decide(self, request, queryset, decide):
        for change in queryset:
            try:
                decide(change=change, decided_by=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request, f"{change}: {' '.join(_messages(error))}", messages.ERROR
                )
            else:
                self.message_user(request, f"{change}: {change.get_state_display()}")

    @admin.action(description=_("Approve the selected requests"))
    def approve(self, request, queryset):
        self._decide(request, queryset, services.deadline_change_approve)

    @admin.action(description=_("Reject the selected requests"))
    def reject(self, request, queryset):
        def reject(*, change, decided_by):
            return services.deadline_change_reject(
                change=change, decided_by=decided_by, note=str(_("Rejected in the admin."))
            )

        self._decide(request, queryset, reject)


def _messages(error):
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]


@admin.register(Notification)
class NotificationAdmin(SafeInputAdmin, admin.ModelAdmin):
    """Every reminder e-mail and what became of it; written by the reminder scan only."""

    list_display = [
        "created_at",
        "recipient",
        "kind",
        "occasion",
        "state",
        "attempts",
        "sent_at",
        "subject_line",
    ]
    list_filter = ["state", "kind", "occasion"]
    search_fields = [
        "recipient__username",
        "recipient__email",
        "subject_line",
        "commitments__reference",
        "letter__title",
    ]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "recipient",
        "kind",
        "subject",
        "occasion",
        "commitments",
        "letter",
        "state",
        "attempts",
        "last_error",
        "subject_line",
        "created_at",
        "claimed_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The record of what was sent is a log; a failed e-mail is retried by the next scan.
        return False


@admin.register(ReminderScan)
class ReminderScanAdmin(SafeInputAdmin, admin.ModelAdmin):
    list_display = ["day", "ran_on", "ran_at"]
    date_hierarchy = "day"
    readonly_fields = ["day", "ran_on", "ran_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LinkChange)
class LinkChangeAdmin(SafeInputAdmin, admin.ModelAdmin):
    """The record of changed links, written by the services; read here, never edited."""

    list_display = ["commitment", "field", "changed_at", "changed_by"]
    list_filter = ["field"]
    search_fields = ["commitment__reference"]
    list_select_related = ["commitment", "changed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(LetterPostponement)
class LetterPostponementAdmin(SafeInputAdmin, admin.ModelAdmin):
    """The moves of follow-up letters, written by the postpone service; read here, never edited."""

    list_display = ["letter", "planned_date_before", "planned_date_after", "postponed_by"]
    search_fields = ["letter__title", "reason"]
    list_select_related = ["letter", "postponed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EmailPreference)
class EmailPreferenceAdmin(SafeInputAdmin, admin.ModelAdmin):
    """Each user's choice for event e-mails; they make it themselves on their profile page."""

    list_display = ["user", "event_mail"]
    list_filter = ["event_mail"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
