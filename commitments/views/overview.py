"""The overview of open commitments for the Kamer: a page with its pick form, and the same
overview as a Word document (commitments/overview.py reads and writes it)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commitments import overview
from commitments.models import Bewindspersoon, Committee
from tracker.forms import DateField

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class KamerOverviewForm(forms.Form):
    """Whose overview (a bewindspersoon or a committee) and on which day; sent by GET, so the
    page is a link that can be shared."""

    bewindspersoon = forms.ModelChoiceField(
        Bewindspersoon.objects.order_by("name"),
        required=False,
        empty_label=_("Choose …"),
        label=_("Bewindspersoon"),
    )
    committee = forms.ModelChoiceField(
        Committee.objects.order_by("name"),
        required=False,
        empty_label=_("Choose …"),
        label=_("Committee"),
    )
    as_of = DateField(label=_("Reference date"), help_text=_("The overview as it stood that day."))

    def clean_as_of(self):
        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError(_("The reference date cannot be in the future."))
        return as_of

    def clean(self):
        cleaned = super().clean()
        bewindspersoon, committee = cleaned.get("bewindspersoon"), cleaned.get("committee")
        if bewindspersoon is None and committee is None and "bewindspersoon" not in self.errors:
            self.add_error("bewindspersoon", _("Choose a bewindspersoon or a committee."))
        elif bewindspersoon is not None and committee is not None:
            self.add_error(
                "committee", _("Choose a bewindspersoon or a committee, not both at once.")
            )
        return cleaned


def _overview(request):
    """The form, and the overview once the form is filled in correctly."""
    if not request.GET:
        return KamerOverviewForm(initial={"as_of": timezone.localdate()}), None
    form = KamerOverviewForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, overview.kamer_overview(
        user=request.user,
        as_of=form.cleaned_data["as_of"],
        bewindspersoon=form.cleaned_data["bewindspersoon"],
        committee=form.cleaned_data["committee"],
    )


@login_required
def kamer_overview(request):
    """Only the commitments the user may read; policy staff read them all."""
    form, result = _overview(request)
    return render(
        request,
        "commitments/kamer_overview.html",
        {"form": form, "overview": result, "columns": overview.overview_columns()},
    )


@login_required
def kamer_overview_docx(request):
    form, result = _overview(request)
    if result is None:
        # Nothing to write without a valid choice: the page says what is missing.
        response = kamer_overview(request)
        response.status_code = 400
        return response
    response = HttpResponse(overview.overview_docx(result), content_type=DOCX_TYPE)
    name = f"overzicht-openstaande-toezeggingen-{result.as_of:%Y-%m-%d}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
