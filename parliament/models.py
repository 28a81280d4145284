"""Debate reports the tracker has read, and the commitments captured from them.

The Kamer publishes the report (*verslag*) of every debate as VLOS XML. At the end of a
committee debate the chair reads out the commitments (*toezeggingen*) made; the tracker reads
them back as *proposals*. A proposal is not a commitment: it becomes one only when an official
of the owning team (or policy staff) accepts it, or is linked to one that is registered
already, or is rejected with a reason. The report itself is kept as the source.
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


class Proposal(models.Model):
    """A commitment as the chair read it out, waiting for an official to accept or reject it."""

    class State(models.TextChoices):
        OPEN = "open", _("to review")
        ACCEPTED = "accepted", _("accepted")
        LINKED = "linked", _("linked to a registered commitment")
        REJECTED = "rejected", _("rejected")

    report = models.ForeignKey(
        ImportedReport,
        on_delete=models.CASCADE,
        related_name="proposals",
        verbose_name=_("debate report"),
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
