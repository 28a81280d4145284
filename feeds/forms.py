from django import forms
from django.utils.translation import gettext_lazy as _

from actionlines.models import Team


class FeedCreateForm(forms.Form):
    """Which feed to make: of the user's own work (no team) or of one team.

    Every team is a valid choice here: whether the user may follow it is the access rule's
    question (asked by the service), so a refusal answers 403 rather than "invalid choice".
    """

    team = forms.ModelChoiceField(
        queryset=Team.objects.all(), required=False, label=_("Team"), empty_label=None
    )
