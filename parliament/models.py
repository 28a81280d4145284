"""What the tracker reads from the Kamer: debate reports and the register of commitments.

The Kamer publishes the report (*verslag*) of every debate as VLOS XML. At the end of a
committee debate the chair reads out the commitments (*toezeggingen*) made; the tracker reads
them back as *proposals*. A proposal is not a commitment: it becomes one only when an official
of the owning team (or policy staff) accepts it, or is linked to one that is registered
already, or is rejected with a reason. The report itself is kept as the source.

Since 2021 the Kamer's griffie also keeps the *register* of commitments (open data, OData
entity `Toezegging`). Each record the sync has read is a `RegisterEntry`: the Kamer's raw
values beside the commitment they belong to, so the two can be compared at any time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actionlines.models import Team, version_field
from commitments.models import Bewindspersoon, Commitment, Debate
from tracker.audit import AuditedManager


def report_upload_path(instance, filename):
    return f"debate-reports/{instance.sha256[:2]}/{instance.sha256}.xml"


class ImportedReport(models.Model):
    """A VLOS report as it was uploaded, once per content: the same file twice adds nothing."""

    debate = models.ForeignKey(
        Debate, on_delete=models.PROTECT, related_name="imported_reports", verbose_name=_("debate")
    )
    file = models.FileField(_("file"), upload_to=report_upload_path, max_length=300)
    file_name = models.CharField(_("file name"), max_length=300)
    sha256 = models.CharField(_("checksum"), max_length=64, unique=True)
    is_interim = models.BooleanField(
        _("interim publication"),
        default=False,
        help_text=_("An uncorrected publication, possibly cut off before the end of the debate."),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("imported debate report")
        verbose_name_plural = _("imported debate reports")

    def __str__(self):
        return self.file_name


class RegisterEntry(models.Model):
    """One record of the Kamer's register of commitments, as the griffie wrote it.

    The values are kept raw (status, dates and names as written) beside the tracker's own, and
    they are also the base of the next sync: a field of the commitment that still says what the
    register said last time was not changed by a person, so the register's news may replace it.
    """

    register_id = models.UUIDField(_("register id"), unique=True)
    number = models.CharField(_("register number"), max_length=40, blank=True, db_index=True)
    ministry = models.CharField(_("ministry as written"), max_length=200, db_index=True)
    commitment = models.OneToOneField(
        Commitment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="register_entry",
        verbose_name=_("commitment"),
    )
    text = models.TextField(_("text as written"))
    status = models.CharField(_("status as written"), max_length=40)
    # The tracker's status that the register's implies; empty for a spelling nobody knows.
    mapped_status = models.CharField(_("status in the tracker's terms"), max_length=20, blank=True)
    name = models.CharField(_("bewindspersoon as written"), max_length=200, blank=True)
    function = models.CharField(_("function as written"), max_length=300, blank=True)
    activity_number = models.CharField(_("activity number"), max_length=20, blank=True)
    fulfilment_date = models.CharField(
        _("DatumNakoming as written"),
        max_length=40,
        blank=True,
        help_text=_('Kept raw: "0001-01-01T00:00:00Z" has been seen where it is empty.'),
    )
    letter_count = models.PositiveSmallIntegerField(_("fulfilling letters"), default=0)
    registered_at = models.DateTimeField(_("registered by the griffie"), null=True, blank=True)
    changed_at = models.DateTimeField(_("changed in the register"))
    withdrawn = models.BooleanField(
        _("withdrawn from the register"),
        default=False,
        help_text=_("The Kamer withdrew the record; the commitment stays here."),
    )
    # The whole record with what it links to, as read: the source of the export, of the
    # relations and of the addressees.
    data = models.JSONField(_("record as read"), default=dict)
    relations_resolved = models.BooleanField(default=False)
    synced_at = models.DateTimeField(_("last read"), auto_now=True)

    objects = AuditedManager()
    history = HistoricalRecords(excluded_fields=["synced_at", "data"])

    class Meta:
        ordering = ["number"]
        verbose_name = _("register record")
        verbose_name_plural = _("register records")
        indexes = [
            # The pass at the end of every sync that links the relations it could not yet.
            models.Index(
                fields=["id"],
                condition=Q(relations_resolved=False),
                name="register_relations_pending",
            ),
        ]

    def __str__(self):
        return self.number or str(self.register_id)


class RegisterCursor(models.Model):
    """How far the sync has read one ministry's records from one register service.

    `changed_up_to` is the highest `GewijzigdOp` of a run that completed: a run that stops
    half-way stores nothing here, so the next one reads the same records again.
    """

    service = models.CharField(_("service root"), max_length=300)
    ministry = models.CharField(_("ministry"), max_length=200)
    changed_up_to = models.DateTimeField(_("changed up to"), null=True, blank=True)
    completed_at = models.DateTimeField(_("last completed run"), null=True, blank=True)
    summary = models.JSONField(_("summary of the last completed run"), default=dict)

    objects = AuditedManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("register sync position")
        verbose_name_plural = _("register sync positions")
        constraints = [
            models.UniqueConstraint(fields=["service", "ministry"], name="register_cursor_unique"),
        ]

    def __str__(self):
        return f"{self.ministry} @ {self.service}"


class RegisterNote(models.Model):
    """An official kept the ministry's value where the register says otherwise, and why.

    The note answers one difference as the register states it now (`theirs`): when the
    register changes again, the difference shows again.
    """

    class Kind(models.TextChoices):
        STATUS = "status", _("status")
        LETTER_OURS = "letter_ours", _("letter not yet linked by the griffie")
        LETTER_THEIRS = "letter_theirs", _("letter only in the register")
        TEXT = "text", _("text")
        UNREGISTERED = "unregistered", _("not in the register")
        WITHDRAWN = "withdrawn", _("withdrawn from the register")

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="register_notes",
        verbose_name=_("commitment"),
    )
    kind = models.CharField(_("difference"), max_length=20, choices=Kind.choices)
    theirs = models.TextField(_("the register's value"), blank=True)
    # For a difference that is no single value (a letter on one side, a withdrawal): the
    # register record as it was when the note was made. A later change shows it again.
    register_changed_at = models.DateTimeField(
        _("register record changed at"), null=True, blank=True
    )
    note = models.TextField(_("note"))
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("noted by"),
    )
    noted_at = models.DateTimeField(_("noted at"), auto_now_add=True)

    objects = AuditedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-noted_at"]
        verbose_name = _("note on a difference with the register")
        verbose_name_plural = _("notes on differences with the register")
        indexes = [models.Index(fields=["commitment", "kind"], name="register_note_lookup")]

    def __str__(self):
        return f"{self.commitment}: {self.get_kind_display()}"


class Proposal(models.Model):
    """A commitment waiting for an official's decision: captured from a debate report, or a
    register record that may be one the tracker holds already (to link, or to keep apart)."""

    class State(models.TextChoices):
        OPEN = "open", _("to review")
        ACCEPTED = "accepted", _("accepted")
        LINKED = "linked", _("linked to a registered commitment")
        REJECTED = "rejected", _("rejected")

    report = models.ForeignKey(
        ImportedReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("debate report"),
    )
    register_entry = models.ForeignKey(
        RegisterEntry,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("register record"),
    )
    debate = models.ForeignKey(
        Debate, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("debate")
    )
    position = models.PositiveSmallIntegerField(_("position in the report"))
    text = models.TextField(_("text"))
    # As the report names them, and the bewindspersoon they were matched to, if any.
    speaker_name = models.CharField(_("bewindspersoon as read"), max_length=200, blank=True)
    speaker_function = models.CharField(_("function as read"), max_length=300, blank=True)
    made_by = models.ForeignKey(
        Bewindspersoon,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("made by"),
    )
    # [{"name": "Veltman", "party": "VVD"}], as read.
    made_to = models.JSONField(_("made to"), default=list, blank=True)
    deadline_wording = models.CharField(_("deadline as worded"), max_length=300, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("team"),
    )
    possible_duplicate = models.ForeignKey(
        Commitment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("possible duplicate of"),
    )
    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("commitment"),
        help_text=_("The commitment it was accepted as, or linked to."),
    )
    rejection_reason = models.TextField(_("reason for rejecting"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    version = version_field()

    objects = AuditedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["debate", "position"]
        verbose_name = _("captured commitment")
        verbose_name_plural = _("captured commitments")
        indexes = [
            # The review inbox and the menu's count: open proposals, per debate.
            models.Index(fields=["state", "debate"], name="proposal_inbox"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["report", "position"], name="proposal_unique_position"),
            # A proposal comes from a debate report or from the register, never both.
            models.CheckConstraint(
                condition=(Q(report__isnull=False) & Q(register_entry__isnull=True))
                | (Q(report__isnull=True) & Q(register_entry__isnull=False)),
                name="proposal_has_one_source",
            ),
            # One open question per register record: a second sync asks nothing new.
            models.UniqueConstraint(
                fields=["register_entry"],
                condition=Q(state="open"),
                name="proposal_one_open_per_register_record",
            ),
            # Accepted or linked means there is a commitment; rejected means there is a reason.
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "linked"]) | Q(commitment__isnull=False),
                name="proposal_decided_has_commitment",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(rejection_reason=""),
                name="proposal_rejected_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.debate}: {self.text[:60]}"

    def get_absolute_url(self):
        return reverse("parliament:proposal_review", args=[self.pk])

    @property
    def source_name(self) -> str:
        if self.register_entry_id:
            return _("Kamer's register, %(number)s") % {"number": self.register_entry.number}
        return self.report.file_name
