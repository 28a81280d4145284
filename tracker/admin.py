"""The admin as one more way in: its saves go through the same rules and history as the pages.

`AuditedAdmin` replaces the admin's own saves and deletes with `tracker.audit.record_save` and
`record_delete`, asks the access rules per record for change and delete, and gives the form of
a versioned record a hidden version, so an admin's save cannot silently overwrite what
somebody saved after the admin opened the page.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from tracker.access import allowed
from tracker.audit import is_versioned, permission_name, record_delete, record_save
from tracker.concurrency import ConcurrentUpdateError
from tracker.models import DataLoad, SourceRecord

STALE_MESSAGE = _(
    "Somebody else saved this record after you opened it. Nothing of yours is lost: your "
    "input is below. Open the record again in another tab to see what changed, then save."
)


class VersionedAdminForm(forms.ModelForm):
    """Carries the record's version as it was when the admin page opened."""

    # Not "version": the admin names its form's fields after the model's, and the model's own
    # version is not editable.
    record_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("record_version", self.instance.version)

    def clean(self):
        cleaned = super().clean()
        opened_at = cleaned.get("record_version")
        if self.instance.pk and opened_at is not None:
            current = (
                type(self.instance)
                ._default_manager.filter(pk=self.instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            if current is not None and current != opened_at:
                raise forms.ValidationError(STALE_MESSAGE, code="stale")
        return cleaned


def is_record_id(value) -> bool:
    """Whether a value from a URL or a form can be one of the tracker's ids (64-bit integers)."""
    text = str(value)
    # 2**63 has 19 digits; a longer string is no id, and int() would refuse a huge one.
    return text.isascii() and text.isdigit() and len(text) <= 19 and int(text) < 2**63


class SafeAutocompleteMixin:
    # An invalid form is shown again with what was typed; the admin's widget looks those
    # values up unchecked, and a value that cannot be an id would raise instead of showing.
    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if v == "" or is_record_id(v)], attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except OverflowError as error:
            # A date-hierarchy year beyond any date (`?created_at__year=9223372036854775808`):
            # Django refuses a year it cannot parse, not one too large for a date. Refused the
            # same way, the admin shows the list unfiltered with its "?e=1" note.
            raise IncorrectLookupParameters(error) from error


class SafeInputAdmin:
    """Ids from the URL or a form that cannot be ids answer like ids that do not exist, and a
    list filter no date can hold like a filter the admin does not know."""

    def get_changelist(self, request, **kwargs):
        return SafeChangeList

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelect:
            field.widget.__class__ = SafeAutocompleteSelect
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and type(field.widget) is AutocompleteSelectMultiple:
            field.widget.__class__ = SafeAutocompleteSelectMultiple
        return field

    def get_object(self, request, object_id, from_field=None):
        # An empty `_to_field` in the URL means the primary key, not a field named "".
        return super().get_object(request, object_id, from_field or None)

    def response_action(self, request, queryset):
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_record_id(value) for value in selected):
            self.message_user(request, _("No such records."), messages.WARNING)
            return None
        return super().response_action(request, queryset)


class LabelledChanges(HistoricalRecordContextHelper):
    """A version's changes in the interface's words: a choice by its label ("in behandeling",
    not "in_progress"), a yes/no in words, an empty value as a dash."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices and not isinstance(value, list | tuple):
            return dict(field.flatchoices).get(value, value)
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if value is None or value == "":
            return "—"
        return super().prepare_delta_change_value(change, value)


class AuditedAdmin(SafeInputAdmin, SimpleHistoryAdmin):
    """A model admin whose every write is checked, versioned and recorded with its actor."""

    def get_historical_record_context_helper(self, request, historical_record):
        return LabelledChanges(self.model, historical_record)

    def history_view(self, request, object_id, extra_context=None):
        if not is_record_id(object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if is_versioned(self.model) and "form" not in kwargs:
            form = self.form
            if not issubclass(form, VersionedAdminForm):
                form = type(form.__name__, (VersionedAdminForm, form), {})
            kwargs["form"] = form
        return super().get_form(request, obj, change=change, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ConcurrentUpdateError:
            # A colleague saved in the moment between the form's check and the save; the
            # admin's transaction has undone this save. Show the record as it is now.
            self.message_user(request, STALE_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not (is_record_id(object_id) and is_record_id(version_id)):
            raise Http404
        # Reverting writes an old state back as it was, past the services' rules (evidence for
        # a fulfilled status, the original due date, who may decide): history is read here.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or allowed(request.user, permission_name(obj, "change"), obj)
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or allowed(request.user, permission_name(obj, "delete"), obj)
        )

    def save_model(self, request, obj, form, change):
        # The claim in record_save closes the race left between the form's clean and here.
        record_save(
            actor=request.user,
            record=obj,
            expected_version=form.cleaned_data.get("record_version"),
            validate=False,  # the admin form has validated the record already
        )

    def delete_model(self, request, obj):
        record_delete(actor=request.user, record=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_delete(actor=request.user, record=obj)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            record_save(actor=request.user, record=obj, expected_version=None, validate=False)
        for obj in formset.deleted_objects:
            record_delete(actor=request.user, record=obj)
        formset.save_m2m()


class ReadOnlyAdmin(SafeInputAdmin, admin.ModelAdmin):
    """A record of what happened: read here, never written."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataLoad)
class DataLoadAdmin(ReadOnlyAdmin):
    list_display = ["source", "loaded_at", "actor", "created", "updated", "unchanged"]
    list_filter = ["source"]
    list_select_related = ["actor"]


@admin.register(SourceRecord)
class SourceRecordAdmin(ReadOnlyAdmin):
    list_display = ["source", "key", "content_type", "object_id", "load"]
    list_filter = ["source", "content_type"]
    search_fields = ["key"]
    list_select_related = ["content_type", "load"]


# Django's own admins of users and groups, with the same care for ids that cannot be ids.
admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class TrackerUserAdmin(SafeInputAdmin, UserAdmin):
    pass


@admin.register(Group)
class TrackerGroupAdmin(SafeInputAdmin, GroupAdmin):
    pass


# django-axes registers its own admins (login attempts and logs, with a date hierarchy) before
# this module runs: the same safe input for them.
for _model, _axes_admin in list(admin.site._registry.items()):
    if _model._meta.app_label == "axes" and not isinstance(_axes_admin, SafeInputAdmin):
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(type(_axes_admin).__name__, (SafeInputAdmin, type(_axes_admin)), {})
        )
