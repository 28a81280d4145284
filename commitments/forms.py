"""Forms of the commitments pages. They validate input; the services apply the rules."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from actionlines.access import member_team_ids
from actionlines.models import Activity, Organisation, Team
from commitments.lookups import LOOKUPS
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
from commitments.services import (
    EDITABLE_FIELDS,
    EDITABLE_M2M_FIELDS,
    commitment_date_errors,
    fulfilling_document_errors,
)
from tracker.access import allowed
from tracker.forms import DateField, VersionedModelForm
from tracker.widgets import FastSelect, FilterableCheckboxes

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


def _started(form, names) -> bool:
    """Whether the user began filling in a group of "not in the list: add it here" fields."""
    return any(form[name].value() or form[name].errors for name in names)


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


class NewBewindspersoonFields(forms.Form):
    """Fields to add a bewindspersoon on the spot, where a commitment needs one the tracker
    does not know yet (a new cabinet): no detour through the admin."""

    new_person_name = forms.CharField(label=_("Name"), required=False, max_length=200)
    new_person_function = forms.ChoiceField(
        label=_("Function"),
        required=False,
        choices=[("", _("Choose …")), *Bewindspersoon.Function.choices],
    )
    new_person_title = forms.CharField(
        label=_("Title as signed"),
        required=False,
        max_length=300,
        help_text=_('e.g. "De Minister van Justitie en Veiligheid"'),
    )
    new_person_ministry = forms.ModelChoiceField(
        label=_("Ministry"),
        required=False,
        queryset=Organisation.objects.filter(kind=Organisation.Kind.MINISTRY).order_by("name"),
        empty_label=_("Choose …"),
    )
    new_person_from = DateField(label=_("In office from"), required=False)
    new_person_until = DateField(label=_("In office until"), required=False)

    NEW_PERSON_FIELDS = {
        "new_person_name": "name",
        "new_person_function": "function",
        "new_person_title": "title",
        "new_person_ministry": "ministry",
        "new_person_from": "in_office_from",
        "new_person_until": "in_office_until",
    }
    NEW_PERSON_REQUIRED = (
        "new_person_name",
        "new_person_function",
        "new_person_title",
        "new_person_ministry",
    )

    @property
    def new_person_started(self) -> bool:
        """Whether the user began adding a bewindspersoon: the form shows those fields open."""
        return _started(self, self.NEW_PERSON_FIELDS)

    def clean_new_person(self, cleaned) -> dict | None:
        """The new bewindspersoon's fields, complete, or None when none were filled in."""
        values = {field: cleaned.get(name) for name, field in self.NEW_PERSON_FIELDS.items()}
        if not any(values.values()):
            return None
        for name in self.NEW_PERSON_REQUIRED:
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Needed to add the bewindspersoon."))
        start, end = values["in_office_from"], values["in_office_until"]
        if start and end and end < start:
            self.add_error("new_person_until", _("Leaving office comes after taking it."))
        known = Bewindspersoon.objects.filter(
            name__iexact=(values["name"] or "").strip(), ministry=values["ministry"]
        )
        if values["name"] and values["ministry"] and known.exists():
            self.add_error(
                "new_person_name", _("This bewindspersoon is known already: choose them above.")
            )
        if self.errors:
            return None
        values["name"] = values["name"].strip()
        return values


class CommitmentForm(VersionedModelForm, NewBewindspersoonFields):
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
            "made_to": FilterableCheckboxes(filter_label=_("Filter the addressees")),
            "activities": FilterableCheckboxes(filter_label=_("Filter the activities")),
            # A thousand people: options joined as strings, not one template each.
            "owner": FastSelect,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        fields = self.fields
        fields["made_by"].queryset = Bewindspersoon.objects.select_related("ministry")
        # A bewindspersoon not known yet is added with the fields below it (clean_new_person).
        fields["made_by"].required = False
        fields["made_by"].empty_label = _("Choose …")
        # Thousands of debates and Kamerstukken: chosen by typing, not from a list.
        for name, lookup in (("debate", "debates"), ("source_document", "documents")):
            fields[name] = LOOKUPS[lookup].field(
                required=False, label=fields[name].label, help_text=fields[name].help_text
            )
        fields["made_to"].queryset = Addressee.objects.order_by("name")
        fields["activities"].queryset = Activity.objects.select_related("plan").order_by(
            "plan__title", "title"
        )
        fields["activities"].label_from_instance = lambda a: f"{a.plan.title}: {a.title}"
        fields["team"].queryset = _team_choices(user)
        fields["team"].required = not user.is_superuser
        fields["owner"].queryset = _owner_choices(user)
        fields["owner"].label_from_instance = _user_label
        fields["owner"].empty_label = _("Nobody yet")
        fields["debate"].help_text = _("The debate where it was made, or else the document.")
        if self.instance.pk and self.instance.due_date is not None:
            # A deadline moves only through a request that a manager approves.
            del fields["due_date"]

    def clean_register_number(self):
        return self.cleaned_data["register_number"].strip().upper()

    def clean(self):
        cleaned = super().clean()
        self.new_person = self.clean_new_person(cleaned)
        if self.new_person and cleaned.get("made_by"):
            self.add_error("made_by", _("Choose a known bewindspersoon or add a new one."))
        elif not (self.new_person_started or cleaned.get("made_by") or "made_by" in self.errors):
            self.add_error("made_by", _("Choose the bewindspersoon, or add them below if unknown."))
        debate, document = cleaned.get("debate"), cleaned.get("source_document")
        if not debate and not document:
            self.add_error(
                "debate", _("Say where the commitment was made: a debate or a document.")
            )
        made_on, due_date = cleaned.get("made_on"), cleaned.get("due_date")
        dates_changed = {"made_on", "debate", "made_by"} & set(self.changed_data)
        if made_on and (not self.instance.pk or dates_changed):
            # The service holds the same rules; asking them here puts each error at its field.
            candidate = Commitment(
                made_on=made_on,
                debate=debate,
                made_by=cleaned.get("made_by") or self._unsaved_new_person(),
                made_on_reason=cleaned.get("made_on_reason", ""),
            )
            errors = commitment_date_errors(commitment=candidate, today=timezone.localdate())
            for name, message in errors.items():
                if name not in self.errors:
                    self.add_error(name, message)
        if made_on and due_date and due_date < made_on:
            self.add_error("due_date", _("The due date lies before the day it was made."))
        return cleaned

    def _unsaved_new_person(self):
        return Bewindspersoon(**self.new_person) if self.new_person else None

    def service_fields(self) -> tuple[dict, dict]:
        """The cleaned data split into plain fields and many-to-many fields."""
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version" and name not in self.NEW_PERSON_FIELDS
        }
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
        return _started(self, self.NEW_DOCUMENT_FIELDS)

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
        if values["new_document_date"] and values["new_document_date"] > timezone.localdate():
            self.add_error(
                "new_document_date",
                _("A Kamerstuk that reached the Kamer is not dated in the future."),
            )
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
    open_part = forms.CharField(
        label=_("Still open"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the commitment is partially fulfilled: what is still open."),
    )
    evidence_document = LOOKUPS["documents"].field(
        label=_("Kamerstuk"),
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
        "open_part",
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
        self.initial.setdefault("open_part", commitment.open_part)
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
            status == CommitmentStatus.PARTIALLY_FULFILLED
            and not cleaned.get("open_part", "").strip()
        ):
            self.add_error("open_part", _("Say which part of the commitment is still open."))
        if status in STATUSES_NEEDING_EVIDENCE:
            self._check_document_date()
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

    def _check_document_date(self):
        document = self.cleaned_data.get("evidence_document")
        field, document_date = (
            ("evidence_document", document.date)
            if document
            else ("new_document_date", (self.new_document or {}).get("date"))
        )
        if document_date is None or field in self.errors:
            return
        problem = fulfilling_document_errors(
            commitment=self.commitment, document_date=document_date, today=timezone.localdate()
        )
        if problem:
            self.add_error(field, problem)


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
        if value <= timezone.localdate():
            raise ValidationError(_("A new due date lies after today."))
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
    """Register or edit a debate; a committee the tracker does not know yet is added with it."""

    date = DateField(label=_("Date"))
    new_committee_name = forms.CharField(
        label=_("Name of the committee"),
        required=False,
        max_length=200,
        help_text=_('e.g. "vaste commissie voor Justitie en Veiligheid"'),
    )
    new_committee_abbreviation = forms.CharField(
        label=_("Abbreviation"), required=False, max_length=30, help_text=_('e.g. "J&V"')
    )

    class Meta:
        model = Debate
        fields = ["kind", "title", "date", "chamber", "committee", "activity_number", "report"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = Committee.objects.order_by("name")
        self.fields["report"].queryset = ParliamentaryDocument.objects.filter(
            kind=ParliamentaryDocument.Kind.VERSLAG
        ).order_by("-date")

    @property
    def new_committee_started(self) -> bool:
        return _started(self, ("new_committee_name", "new_committee_abbreviation"))

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("new_committee_name", "").strip()
        self.new_committee = None
        if cleaned.get("new_committee_abbreviation") and not name:
            self.add_error("new_committee_name", _("Needed to add the committee."))
        elif name and cleaned.get("committee"):
            self.add_error("committee", _("Choose a known committee or add a new one."))
        elif name and Committee.objects.filter(name__iexact=name).exists():
            self.add_error(
                "new_committee_name", _("This committee is known already: choose it above.")
            )
        elif name:
            self.new_committee = {
                "name": name,
                "abbreviation": cleaned.get("new_committee_abbreviation", "").strip(),
                "chamber": cleaned.get("chamber") or Committee._meta.get_field("chamber").default,
            }
        return cleaned

    def clean_activity_number(self):
        value = self.cleaned_data["activity_number"].strip().upper()
        if value and not ACTIVITY_NUMBER.match(value):
            raise ValidationError(_('An activity number looks like "2024A05766".'))
        return value


def _legend(commitment) -> str:
    # Whole words only: the legend names the commitment the choice is about.
    return f"{commitment.reference}: {Truncator(commitment.text).words(30)}"


class LetterSentForm(VersionedForm, NewDocumentFields):
    """Record that a follow-up letter went to the Kamer, and what it fulfilled.

    Only the commitments the user may change get an outcome to choose; the others the letter
    answers stay as they are, for their own team to record. No outcome is chosen in advance:
    whether the letter fulfilled a commitment wholly, in part or not at all is the official's
    statement to the Kamer.
    """

    OUTCOMES = [
        ("fulfilled", _("fulfilled")),
        ("partially_fulfilled", _("partially fulfilled")),
        ("unchanged", _("not answered: leave as it is")),
    ]

    document = LOOKUPS["documents"].field(
        label=_("Kamerstuk"),
        required=False,
        help_text=_("The Kamerstuk the letter became, if it is registered already."),
    )
    sent_on = DateField(
        label=_("Sent on"),
        required=False,
        help_text=_("The day the letter went to the Kamer; empty for the Kamerstuk's date."),
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
                label=_legend(commitment),
                choices=self.OUTCOMES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose what the letter did for this commitment.")},
            )
            self.fields[f"open_part_{commitment.pk}"] = forms.CharField(
                label=_("Still open (%(reference)s)") % {"reference": commitment.reference},
                required=False,
                max_length=5000,
                initial=commitment.open_part,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("When the letter answers it in part: what is still open."),
            )

    def clean(self):
        cleaned = super().clean()
        self.new_document = self.clean_new_document(cleaned)
        if not cleaned.get("document") and not self.new_document and not self.errors:
            self.add_error("document", _("Choose the Kamerstuk or register it below."))
        if cleaned.get("document") and self.new_document:
            self.add_error("document", _("Choose a registered Kamerstuk or register a new one."))
        sent_on = cleaned.get("sent_on")
        if sent_on and sent_on > timezone.localdate():
            self.add_error("sent_on", _("A letter cannot be sent in the future."))
        for commitment in self.open_commitments:
            outcome = cleaned.get(f"outcome_{commitment.pk}")
            part = cleaned.get(f"open_part_{commitment.pk}", "").strip()
            if outcome == CommitmentStatus.PARTIALLY_FULFILLED and not part:
                self.add_error(
                    f"open_part_{commitment.pk}",
                    _("Say which part of the commitment is still open."),
                )
        return cleaned

    def outcomes(self) -> dict[int, str]:
        return {
            commitment.pk: self.cleaned_data[f"outcome_{commitment.pk}"]
            for commitment in self.open_commitments
            if self.cleaned_data.get(f"outcome_{commitment.pk}") != "unchanged"
        }

    def open_parts(self) -> dict[int, str]:
        return {
            commitment.pk: self.cleaned_data.get(f"open_part_{commitment.pk}", "")
            for commitment in self.open_commitments
        }

    def outcome_fields(self):
        return [
            (self[f"outcome_{commitment.pk}"], self[f"open_part_{commitment.pk}"])
            for commitment in self.open_commitments
        ]


class LetterPostponeForm(VersionedForm):
    """Move a letter to a later planned date, with the reason."""

    planned_date = DateField(label=_("New planned date"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the letter is late; kept with the letter."),
    )

    def __init__(self, *args, letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter = letter
        self.initial.setdefault("version", letter.version)

    def clean_planned_date(self):
        value = self.cleaned_data["planned_date"]
        if value <= timezone.localdate():
            raise ValidationError(_("A new planned date lies after today."))
        return value


class LetterCancelForm(VersionedForm):
    """Cancel a letter; its open commitments move to another letter or stay open."""

    cancellation_reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the letter will not be written; kept with the letter."),
    )
    move_to = forms.ModelChoiceField(
        label=_("Move its open commitments to"),
        queryset=FollowUpLetter.objects.none(),
        required=False,
        empty_label=_("No letter: they stay open"),
        help_text=_("Another letter still to be sent, or none."),
    )

    def __init__(self, *args, letter, other_letters, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter = letter
        self.initial.setdefault("version", letter.version)
        self.fields["move_to"].queryset = (
            other_letters.exclude(pk=letter.pk)
            .exclude(status__in=FollowUpLetter.CLOSED_STATUSES)
            .order_by("planned_date", "title")
        )


class FollowUpLetterForm(VersionedModelForm):
    """Plan a follow-up letter and the commitments it is to answer: those the user may change.

    Commitments of other teams that are on the letter already are kept by the service.
    """

    planned_date = DateField(label=_("Planned date"))

    class Meta:
        model = FollowUpLetter
        fields = ["title", "planned_date", "drafter", "team", "commitments"]
        widgets = {"commitments": FilterableCheckboxes(filter_label=_("Filter the commitments"))}

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
