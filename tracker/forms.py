"""Form plumbing shared by the apps: the renderer, the date input every form uses, and the
version every form of a shared record carries."""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker.concurrency import display_value
from tracker.widgets import LookupInput


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


DJANGO_BLANK_LABEL = "---------"


def name_empty_choices(form: forms.BaseForm) -> None:
    """Say in words what the empty choice of a select means, instead of Django's "---------":
    "Kies …" where a choice is required, "Geen" where none is a valid answer."""
    for field in form.fields.values():
        label = _("Choose …") if field.required else _("None")
        if getattr(field, "empty_label", None) == DJANGO_BLANK_LABEL:
            field.empty_label = label
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            choices = list(field.choices)
            if any(value == "" and text == DJANGO_BLANK_LABEL for value, text in choices):
                field.choices = [
                    (value, label if value == "" and text == DJANGO_BLANK_LABEL else text)
                    for value, text in choices
                ]


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
        name_empty_choices(self)

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


def conflict_rows(form: forms.BaseForm, changes, model) -> list[dict]:
    """Each field somebody else changed (`tracker.concurrency.changes_since`), beside what
    this user typed into it, so that they can merge the two field by field."""
    typed_values = getattr(form, "cleaned_data", {})
    rows = []
    for change in changes:
        typed = None
        if change.field in form.fields:
            value = typed_values.get(change.field, form[change.field].value())
            typed = display_value(model._meta.get_field(change.field), getattr(value, "pk", value))
        rows.append(
            {
                "change": change,
                "typed": "—" if typed is None else typed,
                "differs": typed is not None and typed != change.now,
            }
        )
    return rows


def rebind_at_current_version(form: forms.BaseForm, **kwargs) -> forms.BaseForm:
    """The user's input again, now carrying the record's current version, so that a second
    save (after they checked what changed) goes through."""
    current = type(form.instance)._default_manager.get(pk=form.instance.pk)
    data = form.data.copy()
    data["version"] = current.version
    rebound = type(form)(data, instance=current, **kwargs)
    rebound.is_valid()
    return rebound


# How many records a lookup suggests at most.
LOOKUP_LIMIT = 10
# A suggestion ends in the record's id, so that picking it finds that record again exactly.
_ID_SUFFIX = re.compile(r"\[id (\d+)\]\s*$")


def lookup_label(record, text: str) -> str:
    """The text a lookup box shows for a record: `text`, then its id."""
    return f"{text} [id {record.pk}]"


class LookupField(forms.ModelChoiceField):
    """One record of thousands (a Kamerstuk, a debate), chosen by typing: see `LookupInput`.

    `search(queryset, text)` narrows the queryset to the records the typed text fits, best
    first; `describe(record)` is what the box shows (`lookup_label`). Typed text that fits one
    record takes it; text that fits several is refused with those records as suggestions.
    """

    widget = LookupInput
    default_error_messages = {
        "none": gettext_lazy("Nothing fits “%(text)s”: type part of the title or the number."),
        "several": gettext_lazy("More than one fits “%(text)s”: pick one from the list."),
    }

    def __init__(self, queryset, *, search, describe, lookup_url, **kwargs):
        super().__init__(queryset, **kwargs)
        self.search, self.record_label = search, describe
        self.widget.lookup_url = lookup_url

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            value = self.queryset.filter(pk=value).first()
        if isinstance(value, self.queryset.model):
            return self.record_label(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            return value
        text = str(value).strip()
        match = _ID_SUFFIX.search(text)
        if match:
            record = self.queryset.filter(pk=int(match[1])).first()
            if record is not None:
                return record
            text = text[: match.start()].strip()
        found = list(self.search(self.queryset, text)[: LOOKUP_LIMIT + 1]) if text else []
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValidationError(self.error_messages["none"], code="none", params={"text": text})
        self.widget.suggestions = [self.record_label(record) for record in found[:LOOKUP_LIMIT]]
        raise ValidationError(self.error_messages["several"], code="several", params={"text": text})
