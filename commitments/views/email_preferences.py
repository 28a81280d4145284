"""A user's choice of how the tracker e-mails them about events: at once, daily, or not."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from actionlines.access import is_manager
from commitments.events import email_preference_set, event_mail_choice
from commitments.models import EmailPreference


class EmailPreferenceForm(forms.Form):
    event_mail = forms.ChoiceField(
        label=gettext_lazy("E-mail about events that need you"),
        choices=EmailPreference.EventMail.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Events are a deadline-change request to decide, the decision on a request, and a "
            "commitment given to you."
        ),
    )


@login_required
def email_preferences(request):
    form = EmailPreferenceForm(
        request.POST or None, initial={"event_mail": event_mail_choice(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        email_preference_set(
            user=request.user, actor=request.user, event_mail=form.cleaned_data["event_mail"]
        )
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("commitments:email_preferences")
    return render(
        request,
        "commitments/email_preferences.html",
        {"form": form, "is_manager": is_manager(request.user)},
    )
