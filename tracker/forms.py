"""Form plumbing shared by the apps: the renderer, the date input every form uses, and the
version every form of a shared record carries."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext as _


class TrackerFormRenderer(TemplatesSetting):
    """Renders each field in the project's field template (label, help, errors, widget).

    Django links the help text and the errors to the widget with aria-describedby and marks
    invalid widgets with aria-invalid; the template adds the layout around it.
    """

    field_template_name = "forms/field.html"


class DateInput(forms.DateInput):
    """A native date picker; the value travels as ISO 8601 whatever the interface language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# Dates typed by hand in Dutch notation are accepted too.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y"]


class DateField(forms.DateField):
    widget = DateInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(**kwargs)


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, at the field it names where possible."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the version its record had when the form was opened.

    The service refuses the save when the record moved on since (tracker.concurrency); the
    view then shows the form again with what the user typed, at the current version.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)

    @property
    def expected_version(self) -> int | None:
        """The version the form was opened at; a form without one (a new record) claims none."""
        return self.cleaned_data.get("version") if self.instance.pk else None


def report_conflict(request) -> None:
    messages.error(
        request,
        _(
            "Somebody else saved this record after you opened the form. Nothing of yours is "
            "lost: your input is below. Check the current state on the page, then save again."
        ),
    )


def rebind_at_current_version(form: forms.BaseForm, **kwargs) -> forms.BaseForm:
    """The user's input again, now carrying the record's current version, so that a second
    save (after they checked what changed) goes through."""
    current = type(form.instance)._default_manager.get(pk=form.instance.pk)
    data = form.data.copy()
    data["version"] = current.version
    rebound = type(form)(data, instance=current, **kwargs)
    rebound.is_valid()
    return rebound
