"""Forms of the review: uploading reports, and accepting or rejecting what was captured."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from actionlines.access import member_team_ids
from actionlines.models import Activity, Organisation, Team
from commitments.access import reads_everything
from commitments.models import Bewindspersoon, Commitment, FollowUpLetter
from commitments.selectors import letters_changeable_by
from parliament.models import RegisterNote
from parliament.services import proposal_reference
from tracker.forms import DateField


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: a day's reports dropped at once."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".xml,text/xml"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class ReportUploadForm(forms.Form):
    reports = MultipleFileField(
        label=_("Debate reports (VLOS XML)"),
        help_text=_("One or more reports as the Kamer publishes them (XML)."),
    )


def reviewer_teams(user):
    teams = Team.objects.order_by("name")
    if user.is_superuser or reads_everything(user):
        return teams
    return teams.filter(pk__in=member_team_ids(user))


class ProposalReviewForm(forms.Form):
    """What the reviewer may correct before accepting: text, bewindspersoon, team, deadline."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reference = forms.CharField(
        label=_("Reference"),
        max_length=40,
        help_text=_("The ministry's own reference, unique."),
    )
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 5}))
    made_by = forms.ModelChoiceField(
        label=_("Made by"),
        queryset=Bewindspersoon.objects.select_related("ministry"),
        empty_label=_("Choose …"),
        required=False,
    )
    # A bewindspersoon the tracker does not know yet is registered from the report's name and
    # function, in the ministry the reviewer names.
    new_bewindspersoon_ministry = forms.ModelChoiceField(
        label=_("Or register the bewindspersoon as read, in ministry"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).order_by("name"),
        required=False,
        empty_label=_("Choose …"),
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=Team.objects.none(), required=False, empty_label=_("Choose …")
    )
    deadline_wording = forms.CharField(
        label=_("Deadline as worded"), max_length=200, required=False
    )
    due_date = DateField(label=_("Due date"), required=False)
    activities = forms.ModelMultipleChoiceField(
        label=_("Related activities"),
        queryset=Activity.objects.select_related("plan").order_by("plan__title", "title"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    letters = forms.ModelMultipleChoiceField(
        label=_("Follow-up letters that are to answer it"),
        queryset=FollowUpLetter.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, proposal, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.fields["team"].queryset = reviewer_teams(user)
        self.fields["letters"].queryset = letters_changeable_by(user).exclude(
            status=FollowUpLetter.Status.SENT
        )
        self.fields["activities"].label_from_instance = lambda a: f"{a.plan.title}: {a.title}"
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, teams__in=self.fields["team"].queryset)
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.initial.update(
            {
                "version": proposal.version,
                "reference": proposal_reference(proposal),
                "text": proposal.text,
                "made_by": proposal.made_by_id,
                "team": proposal.team_id,
                "deadline_wording": proposal.deadline_wording,
                "due_date": proposal.due_date,
            }
        )

    def clean(self):
        cleaned = super().clean()
        made_by, ministry = cleaned.get("made_by"), cleaned.get("new_bewindspersoon_ministry")
        if made_by and ministry:
            self.add_error(
                "new_bewindspersoon_ministry",
                _("Choose a known bewindspersoon or register a new one, not both."),
            )
        elif not made_by and not ministry:
            self.add_error("made_by", _("Say which bewindspersoon made the commitment."))
        elif ministry and not self.proposal.speaker_name:
            self.add_error(
                "new_bewindspersoon_ministry",
                _("The report names no bewindspersoon for this one: choose a known one."),
            )
        return cleaned

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip()
        if Commitment.objects.filter(reference=reference).exists():
            raise forms.ValidationError(_("A commitment with this reference exists already."))
        return reference


class ProposalRejectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("Why this is not a commitment to register"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ProposalLinkForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    commitment = forms.ModelChoiceField(
        label=_("The registered commitment it is"), queryset=Commitment.objects.none()
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = candidates
        self.fields["commitment"].label_from_instance = lambda c: f"{c.reference}: {c.text[:90]}"


class AcceptAllForm(forms.Form):
    """Accept a debate's captured commitments as read, into one team."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = reviewer_teams(user)


class ProposalKeepApartForm(forms.Form):
    """A register record that only resembles a commitment of ours becomes one of its own."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DifferenceForm(forms.Form):
    """One answer to one difference with the register: take theirs, keep ours, or link."""

    ACTIONS = ("accept", "keep", "link")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=RegisterNote.Kind.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("Why ours stays"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    number = forms.CharField(
        label=_("Register number"),
        required=False,
        max_length=40,
        help_text=_('As the Kamer\'s register writes it, e.g. "TZ202412-116".'),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "keep" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the ministry's value stays."))
        if data.get("action") == "link" and not (data.get("number") or "").strip():
            self.add_error("number", _("Give the register number to link."))
        return data
