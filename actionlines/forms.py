from django import forms
from django.utils.translation import gettext_lazy as _

from actionlines.models import Activity


class ActivityProgressForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=Activity.Status.choices, widget=forms.RadioSelect
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, activity, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.update(
            {"status": activity.status, "progress": activity.progress, "version": activity.version}
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Activity.Status.COMPLETED and cleaned.get("progress") != 100:
            self.add_error("progress", _("A completed activity is at 100%."))
        return cleaned
