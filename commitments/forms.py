"""Forms of the commitments pages. They validate input; the services apply the rules."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actionlines.access import member_team_ids
from actionlines.models import Activity, Team
from commitments.models import (
    OPEN_STATUSES,
    STATUSES_NEEDING_EVIDENCE,
    Addressee,
    Bewindspersoon,
    Commitment,
    CommitmentStatus,
    Committee,
    Debate,
    FollowUpLetter,
    ParliamentaryDocument,
)
from commitments.services import EDITABLE_FIELDS, EDITABLE_M2M_FIELDS
from tracker.access import allowed
from tracker.forms import DateField, VersionedModelForm

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
DOSSIER_NUMBER = re.compile(r"^(\d{2}) ?(\d{3})((?:-[A-Z0-9]{1,6})*)$")
ACTIVITY_NUMBER = re.compile(r"^\d{4}A\d{5}$")


def normalise_dossier_number(value: str) -> str:
    """'31015' and '31 015' are the same dossier; it is cited with a space: '31 015'."""
    match = DOSSIER_NUMBER.match(value.strip().upper())
    if not match:
        raise ValidationError(
            _('A dossier number looks like "31 015" or "36 600-VI".'), code="dossier"
        )
    return f"{match.group(1)} {match.group(2)}{match.group(3)}"


class VersionedForm(forms.Form):
    """Carries the version a record had when the form was opened, to detect a concurrent save."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _team_choices(user):
    teams = Team.objects.order_by("name")
    return teams if user.is_superuser else teams.filter(pk__in=member_team_ids(user))


def _owner_choices(user):
    users = get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name")
    if user.is_superuser:
        return users.filter(Q(teams__isnull=False) | Q(pk=user.pk)).distinct()
    return users.filter(Q(teams__in=member_team_ids(user)) | Q(pk=user.pk)).distinct()


def _user_label(user):
    return user.get_full_name() or user.username


class CommitmentForm(VersionedModelForm):
    """Create or edit a toezegging. Status and due date move through their own forms."""

    made_on = DateField(label=_("Made on"))
    due_date = DateField(
        label=_("Due date"),
        required=False,
        help_text=_(
            "Leave empty to take the date the worded deadline stands for "
            '("dit najaar" is the start of the Christmas recess).'
        ),
    )

    class Meta:
        model = Commitment
        # What the service lets an official edit, and the first due date (see __init__).
        fields = [*EDITABLE_FIELDS, "due_date", *EDITABLE_M2M_FIELDS]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 5}),
            "made_to": forms.SelectMultiple(attrs={"size": 6}),
            "activities": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        fields = self.fields
        fields["made_by"].queryset = Bewindspersoon.objects.select_related("ministry")
        fields["debate"].queryset = Debate.objects.order_by("-date", "title")
        fields["source_document"].queryset = ParliamentaryDocument.objects.order_by("-date")
        fields["made_to"].queryset = Addressee.objects.order_by("name")
        fields["activities"].queryset = Activity.objects.select_related("plan").order_by(
            "plan__title", "title"
        )
        fields["activities"].label_from_instance = lambda a: f"{a.plan.title}: {a.title}"
        fields["team"].queryset = _team_choices(user)
        fields["team"].required = not user.is_superuser
        fields["owner"].queryset = _owner_choices(user)
        fields["owner"].label_from_instance = _user_label
        fields["debate"].help_text = _("The debate where it was made, or else the document.")
        if self.instance.pk and self.instance.due_date is not None:
            # A deadline moves only through a request that a manager approves.
            del fields["due_date"]

    def clean_register_number(self):
        return self.cleaned_data["register_number"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        debate, document = cleaned.get("debate"), cleaned.get("source_document")
        if not debate and not document:
            self.add_error(
                "debate", _("Say where the commitment was made: a debate or a document.")
            )
        made_on, due_date = cleaned.get("made_on"), cleaned.get("due_date")
        if made_on and made_on > timezone.localdate():
            self.add_error("made_on", _("A commitment cannot be made in the future."))
        if made_on and due_date and due_date < made_on:
            self.add_error("due_date", _("The due date lies before the day it was made."))
        return cleaned

    def service_fields(self) -> tuple[dict, dict]:
        """The cleaned data split into plain fields and many-to-many fields."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        m2m = {name: data.pop(name) for name in EDITABLE_M2M_FIELDS if name in data}
        return data, m2m


class NewDocumentFields(forms.Form):
    """Fields to register a Kamerstuk on the spot: the letter that was just sent."""

    new_document_dossier = forms.CharField(
        label=_("Dossier number"),
        required=False,
        max_length=20,
        help_text=_('e.g. "31 015"'),
    )
    new_document_volgnummer = forms.IntegerField(
        label=_("Volgnummer"), required=False, min_value=1, max_value=99999
    )
    new_document_date = DateField(label=_("Date of the letter"), required=False)
    new_document_title = forms.CharField(label=_("Title"), required=False, max_length=500)

    NEW_DOCUMENT_FIELDS = (
        "new_document_dossier",
        "new_document_volgnummer",
        "new_document_date",
        "new_document_title",
    )

    @property
    def new_document_started(self) -> bool:
        """Whether the user began registering a Kamerstuk: the form shows those fields open."""
        return any(self[name].value() or self[name].errors for name in self.NEW_DOCUMENT_FIELDS)

    def clean_new_document_dossier(self):
        value = self.cleaned_data["new_document_dossier"].strip()
        return normalise_dossier_number(value) if value else ""

    def clean_new_document(self, cleaned):
        """The new Kamerstuk's fields, complete, or None when none were filled in."""
        values = {name: cleaned.get(name) for name in self.NEW_DOCUMENT_FIELDS}
        if not any(values.values()):
            return None
        for name in ("new_document_dossier", "new_document_date", "new_document_title"):
            if not values[name] and name not in self.errors:
                self.add_error(name, _("Needed to register the Kamerstuk."))
        if self.errors:
            return None
        exists = ParliamentaryDocument.objects.filter(
            dossier_number=values["new_document_dossier"],
            volgnummer=values["new_document_volgnummer"],
        )
        if values["new_document_volgnummer"] and exists.exists():
            self.add_error(
                "new_document_volgnummer",
                _("This Kamerstuk is registered already: choose it from the list."),
            )
            return None
        return {
            "dossier_number": values["new_document_dossier"],
            "volgnummer": values["new_document_volgnummer"],
            "date": values["new_document_date"],
            "title": values["new_document_title"],
            "kind": ParliamentaryDocument.Kind.KAMERBRIEF,
        }


class ProgressForm(VersionedForm, NewDocumentFields):
    """Record progress: a note, the new status, and evidence."""

    status = forms.ChoiceField(
        label=_("Status"), choices=CommitmentStatus.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence_document = forms.ModelChoiceField(
        label=_("Kamerstuk"),
        queryset=ParliamentaryDocument.objects.order_by("-date", "-volgnummer"),
        required=False,
        help_text=_("The letter that fulfilled the commitment, if it is registered already."),
    )
    evidence_url = forms.URLField(
        label=_("Link"), required=False, max_length=500, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=_("PDF"),
        required=False,
        help_text=_("A PDF of at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    field_order = [
        "status",
        "note",
        "evidence_document",
        *NewDocumentFields.NEW_DOCUMENT_FIELDS,
        "evidence_url",
        "evidence_file",
        "version",
    ]

    def __init__(self, *args, commitment, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment = commitment
        self.initial.setdefault("status", commitment.status)
        self.initial.setdefault("version", commitment.version)

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return None
        if upload.size > MAX_EVIDENCE_BYTES:
            raise ValidationError(_("The PDF is larger than 10 MB."))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-" or not upload.name.lower().endswith(".pdf"):
            raise ValidationError(_("Only PDF files can be attached."))
        return upload

    def clean(self):
        cleaned = super().clean()
        self.new_document = self.clean_new_document(cleaned)
        status = cleaned.get("status")
        has_evidence = (
            cleaned.get("evidence_document")
            or self.new_document
            or self.commitment.fulfilling_documents.exists()
        )
        if status in STATUSES_NEEDING_EVIDENCE and not has_evidence and not self.errors:
            self.add_error(
                "evidence_document",
                _(
                    "A commitment is fulfilled only once the Kamer has the answer in writing: "
                    "choose the Kamerstuk that fulfils it, or register it below."
                ),
            )
        if cleaned.get("evidence_document") and self.new_document:
            self.add_error(
                "evidence_document", _("Choose a registered Kamerstuk or register a new one.")
            )
        if (
            status == self.commitment.status
            and not cleaned.get("note", "").strip()
            and not any(
                cleaned.get(name) for name in ("evidence_document", "evidence_url", "evidence_file")
            )
            and not self.new_document
            and not self.errors
        ):
            raise ValidationError(
                _("Nothing to record: write a note, change the status or add evidence.")
            )
        return cleaned


class DeadlineChangeRequestForm(forms.Form):
    new_due_date = DateField(label=_("New due date"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why the deadline should move; the manager decides on this."),
    )

    def __init__(self, *args, commitment, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment = commitment

    def clean_new_due_date(self):
        value = self.cleaned_data["new_due_date"]
        if value == self.commitment.due_date:
            raise ValidationError(_("This is already the due date."))
        if value < self.commitment.made_on:
            raise ValidationError(_("The due date lies before the day it was made."))
        return value


class DeadlineDecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(APPROVE, _("Approve")), (REJECT, _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject the request."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say why the request is rejected."))
        return cleaned


class DocumentForm(VersionedModelForm):
    date = DateField(label=_("Date"))
    url = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = ParliamentaryDocument
        fields = ["chamber", "dossier_number", "volgnummer", "date", "title", "kind", "url"]
        widgets = {"title": forms.Textarea(attrs={"rows": 2})}

    def clean_dossier_number(self):
        return normalise_dossier_number(self.cleaned_data["dossier_number"])

    def clean(self):
        cleaned = super().clean()
        number, dossier = cleaned.get("volgnummer"), cleaned.get("dossier_number")
        if number and dossier:
            duplicates = ParliamentaryDocument.objects.filter(
                chamber=cleaned.get("chamber"), dossier_number=dossier, volgnummer=number
            ).exclude(pk=self.instance.pk)
            if duplicates.exists():
                self.add_error("volgnummer", _("This Kamerstuk is registered already."))
        return cleaned


class DebateForm(VersionedModelForm):
    date = DateField(label=_("Date"))

    class Meta:
        model = Debate
        fields = ["kind", "title", "date", "chamber", "committee", "activity_number", "report"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Committee.objects.order_by("name")
        self.fields["report"].queryset = ParliamentaryDocument.objects.filter(
            kind=ParliamentaryDocument.Kind.VERSLAG
        ).order_by("-date")

    def clean_activity_number(self):
        value = self.cleaned_data["activity_number"].strip().upper()
        if value and not ACTIVITY_NUMBER.match(value):
            raise ValidationError(_('An activity number looks like "2024A05766".'))
        return value


class LetterSentForm(VersionedForm, NewDocumentFields):
    """Record that a follow-up letter went to the Kamer, and what it fulfilled.

    Only the commitments the user may change get an outcome to choose; the others the letter
    answers stay as they are, for their own team to record.
    """

    OUTCOMES = [
        ("fulfilled", _("fulfilled")),
        ("partially_fulfilled", _("partially fulfilled")),
        ("unchanged", _("leave as it is")),
    ]

    document = forms.ModelChoiceField(
        label=_("Kamerstuk"),
        queryset=ParliamentaryDocument.objects.order_by("-date", "-volgnummer"),
        required=False,
        help_text=_("The Kamerstuk the letter became, if it is registered already."),
    )
    # Without it (a script posting the form) the letter's row lock still keeps it once.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args, letter, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter = letter
        self.initial.setdefault("version", letter.version)
        self.open_commitments = [
            c
            for c in letter.commitments.all()
            if c.status in OPEN_STATUSES and allowed(user, "commitments.change_commitment", c)
        ]
        for commitment in self.open_commitments:
            self.fields[f"outcome_{commitment.pk}"] = forms.ChoiceField(
                label=f"{commitment.reference}: {commitment.text[:120]}",
                choices=self.OUTCOMES,
                initial="fulfilled",
                widget=forms.RadioSelect,
            )

    def clean(self):
        cleaned = super().clean()
        self.new_document = self.clean_new_document(cleaned)
        if not cleaned.get("document") and not self.new_document and not self.errors:
            self.add_error("document", _("Choose the Kamerstuk or register it below."))
        if cleaned.get("document") and self.new_document:
            self.add_error("document", _("Choose a registered Kamerstuk or register a new one."))
        return cleaned

    def outcomes(self) -> dict[int, str]:
        return {
            commitment.pk: self.cleaned_data[f"outcome_{commitment.pk}"]
            for commitment in self.open_commitments
            if self.cleaned_data.get(f"outcome_{commitment.pk}") != "unchanged"
        }

    def outcome_fields(self):
        return [self[f"outcome_{commitment.pk}"] for commitment in self.open_commitments]


class FollowUpLetterForm(VersionedModelForm):
    """Plan a follow-up letter and the commitments it is to answer: those the user may change.

    Commitments of other teams that are on the letter already are kept by the service.
    """

    planned_date = DateField(label=_("Planned date"))

    class Meta:
        model = FollowUpLetter
        fields = ["title", "planned_date", "drafter", "team", "commitments"]
        widgets = {"commitments": forms.SelectMultiple(attrs={"size": 8})}

    def __init__(self, *args, user, changeable_commitments, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.changeable_commitments = changeable_commitments
        self.fields["team"].queryset = _team_choices(user)
        self.fields["team"].required = not user.is_superuser
        self.fields["drafter"].queryset = _owner_choices(user)
        self.fields["drafter"].label_from_instance = _user_label
        choosable = Q(pk__in=changeable_commitments.filter(status__in=OPEN_STATUSES).values("pk"))
        if self.instance.pk:
            choosable |= Q(
                pk__in=changeable_commitments.filter(
                    pk__in=self.instance.commitments.values("pk")
                ).values("pk")
            )
        self.fields["commitments"].queryset = Commitment.objects.filter(choosable).order_by(
            "due_date", "reference"
        )
        self.fields["commitments"].label_from_instance = lambda c: f"{c.reference}: {c.text[:90]}"
