"""Commitments to parliament and everything around them.

A *toezegging* is a commitment a minister or state secretary (a *bewindspersoon*) makes to the
Kamer, usually in a committee debate or in a letter. It is fulfilled when the Kamer receives the
result in writing: a *Kamerbrief*, which once published is a numbered *Kamerstuk*. Many
commitments promise an answer "in the next *voortgangsbrief*" (progress letter); those letters
are tracked as follow-up letters.

Rules that must hold whatever the interface are written as database constraints here; the
rules that need more than one row live in `services.py`.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actionlines.models import (
    Activity,
    NaturalKeyManager,
    Organisation,
    Plan,
    Team,
    version_field,
)
from commitments.search import folded_together
from tracker.audit import AuditedManager


class Chamber(models.TextChoices):
    TWEEDE_KAMER = "tk", _("Tweede Kamer")
    EERSTE_KAMER = "ek", _("Eerste Kamer")


class Bewindspersoon(models.Model):
    """A *bewindspersoon*: a minister or state secretary, with a function and a ministry."""

    class Function(models.TextChoices):
        MINISTER = "minister", _("minister")
        STAATSSECRETARIS = "staatssecretaris", _("state secretary")
        MINISTER_PRESIDENT = "minister-president", _("prime minister")
        MINISTER_WITHOUT_PORTFOLIO = "minister-zonder-portefeuille", _("minister without portfolio")

    name = models.CharField(_("name"), max_length=200)
    function = models.CharField(_("function"), max_length=40, choices=Function.choices)
    title = models.CharField(
        _("title"),
        max_length=300,
        help_text=_('As it is signed, e.g. "De Minister van Veiligheid en Justitie".'),
    )
    ministry = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="bewindspersonen",
        limit_choices_to={"kind": Organisation.Kind.MINISTRY},
        verbose_name=_("ministry"),
    )
    in_office_from = models.DateField(_("in office from"), null=True, blank=True)
    in_office_until = models.DateField(_("in office until"), null=True, blank=True)
    default_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default team"),
        help_text=_("The team a commitment of theirs from the Kamer's register goes to."),
    )
    version = version_field()

    objects = NaturalKeyManager("name", "ministry__name")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("bewindspersoon")
        verbose_name_plural = _("bewindspersonen")
        constraints = [
            models.UniqueConstraint(fields=["name", "ministry"], name="bewindspersoon_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_function_display()})"

    def natural_key(self):
        return (self.name, self.ministry.name)

    natural_key.dependencies = ["actionlines.organisation"]


class Committee(models.Model):
    """A parliamentary committee, e.g. the *vaste commissie voor Veiligheid en Justitie*."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    chamber = models.CharField(
        _("chamber"), max_length=2, choices=Chamber.choices, default=Chamber.TWEEDE_KAMER
    )
    default_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default team"),
        help_text=_(
            "The team a commitment made in this committee's debates goes to when it comes from "
            "the Kamer's register and its bewindspersoon has no default team."
        ),
    )
    version = version_field()

    objects = NaturalKeyManager("name")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("committee")
        verbose_name_plural = _("committees")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class ParliamentaryDocument(models.Model):
    """A parliamentary document; once numbered, a *Kamerstuk*.

    A Kamerstuk is cited by its dossier number and *volgnummer*: "Kamerstuk 31 015, nr. 121".
    A letter that is known before its number is (or never gets one) has no volgnummer.
    """

    class Kind(models.TextChoices):
        KAMERBRIEF = "kamerbrief", _("letter to parliament")
        VERSLAG = "verslag", _("report of a debate")
        MOTIE = "motie", _("motion")
        NOTA = "nota", _("memorandum")
        OTHER = "other", _("other")

    chamber = models.CharField(
        _("chamber"), max_length=2, choices=Chamber.choices, default=Chamber.TWEEDE_KAMER
    )
    dossier_number = models.CharField(
        _("dossier number"), max_length=20, help_text=_('As cited, e.g. "31 015".')
    )
    volgnummer = models.PositiveIntegerField(_("volgnummer"), null=True, blank=True)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    url = models.URLField(_("link"), blank=True, max_length=500)
    document_number = models.CharField(
        _("document number"),
        max_length=20,
        blank=True,
        help_text=_('The Tweede Kamer\'s number for the document, e.g. "2018D55046".'),
    )
    presents_plan = models.ForeignKey(
        Plan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presented_in_documents",
        verbose_name=_("presents plan"),
    )
    version = version_field()

    objects = NaturalKeyManager("dossier_number", "volgnummer", "date")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "dossier_number", "volgnummer"]
        verbose_name = _("parliamentary document")
        verbose_name_plural = _("parliamentary documents")
        constraints = [
            models.UniqueConstraint(
                fields=["chamber", "dossier_number", "volgnummer"],
                condition=Q(volgnummer__isnull=False),
                name="document_unique_kamerstuk",
            ),
            models.UniqueConstraint(
                fields=["document_number"],
                condition=~Q(document_number=""),
                name="document_unique_number",
            ),
        ]

    def __str__(self):
        return self.citation

    def natural_key(self):
        return (self.dossier_number, self.volgnummer, self.date.isoformat())

    @property
    def citation(self):
        if self.volgnummer is not None:
            prefix = _("Kamerstuk") if self.chamber == Chamber.TWEEDE_KAMER else _("Kamerstuk EK")
            return f"{prefix} {self.dossier_number}, nr. {self.volgnummer}"
        return _("%(kind)s of %(date)s (%(dossier)s)") % {
            "kind": self.get_kind_display().capitalize(),
            "date": date_format(self.date, "j F Y"),
            "dossier": self.dossier_number,
        }


class Debate(models.Model):
    """A debate where commitments are made: an *algemeen overleg* (AO), a *commissiedebat*…

    The Tweede Kamer numbers each of its activities (e.g. `2024A05766`); the register of
    commitments refers to debates by that number.
    """

    class Kind(models.TextChoices):
        AO = "ao", _("algemeen overleg")
        COMMISSIEDEBAT = "commissiedebat", _("commissiedebat")
        PLENAIR = "plenair", _("plenary debate")
        WETGEVINGSOVERLEG = "wetgevingsoverleg", _("wetgevingsoverleg")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    chamber = models.CharField(
        _("chamber"), max_length=2, choices=Chamber.choices, default=Chamber.TWEEDE_KAMER
    )
    committee = models.ForeignKey(
        Committee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="debates",
        verbose_name=_("committee"),
    )
    activity_number = models.CharField(
        _("activity number"),
        max_length=20,
        blank=True,
        help_text=_('The Tweede Kamer\'s number for the debate, e.g. "2024A05766".'),
    )
    report = models.ForeignKey(
        ParliamentaryDocument,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_debates",
        verbose_name=_("report"),
    )
    version = version_field()

    objects = NaturalKeyManager("date", "title")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = _("debate")
        verbose_name_plural = _("debates")
        constraints = [
            models.UniqueConstraint(
                fields=["activity_number"],
                condition=~Q(activity_number=""),
                name="debate_unique_activity_number",
            ),
            models.UniqueConstraint(fields=["date", "title"], name="debate_unique_date_title"),
        ]

    def __str__(self):
        return f"{self.title} ({date_format(self.date, 'j F Y')})"

    def natural_key(self):
        return (self.date.isoformat(), self.title)


class Addressee(models.Model):
    """Whom a commitment was made to (*toegezegd aan*): a member, party, committee or chamber."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("member of parliament")
        PARTY = "party", _("parliamentary party")
        COMMITTEE = "committee", _("committee")
        CHAMBER = "chamber", _("chamber")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    party = models.CharField(_("party"), max_length=100, blank=True)

    objects = NaturalKeyManager("name")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")

    def __str__(self):
        return f"{self.name} ({self.party})" if self.party else self.name

    def natural_key(self):
        return (self.name,)


class CommitmentStatus(models.TextChoices):
    """The tracker's statuses, and how they map to the Tweede Kamer register's values."""

    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    FULFILLED = "fulfilled", _("fulfilled")
    PARTIALLY_FULFILLED = "partially_fulfilled", _("partially fulfilled")
    LAPSED = "lapsed", _("lapsed")


# "In progress" is the ministry's own nuance; the register only knows it as still open.
STATUS_TO_REGISTER = {
    CommitmentStatus.OPEN: "Openstaand",
    CommitmentStatus.IN_PROGRESS: "Openstaand",
    CommitmentStatus.FULFILLED: "Voldaan",
    CommitmentStatus.PARTIALLY_FULFILLED: "Deels Voldaan",
    CommitmentStatus.LAPSED: "Vervallen",
}
# Newer register records say "Afgedaan" / "Deels Afgedaan" where older ones say "Voldaan" /
# "Deels Voldaan"; both read as fulfilled, and both still need the fulfilling letter here.
# Keys are lower case: the feed has been seen to spell "Deels voldaan" as well.
STATUS_FROM_REGISTER = {
    "openstaand": CommitmentStatus.OPEN,
    "voldaan": CommitmentStatus.FULFILLED,
    "afgedaan": CommitmentStatus.FULFILLED,
    "deels voldaan": CommitmentStatus.PARTIALLY_FULFILLED,
    "deels afgedaan": CommitmentStatus.PARTIALLY_FULFILLED,
    "vervallen": CommitmentStatus.LAPSED,
}


def status_from_register(value: str) -> str | None:
    """The tracker's status for the register's, whatever its spelling; None if unknown."""
    return STATUS_FROM_REGISTER.get(" ".join((value or "").split()).lower())


# Statuses in which a commitment still asks for work; "overdue" is one of these past its date.
# Partially fulfilled is among them: the Eerste Kamer's half-yearly rappel asks for the
# "openstaande en deels voldane" commitments, so the open part stays on My work, in the overdue
# counts, the reminders and the digests until it is fulfilled or lapses.
OPEN_STATUSES = (
    CommitmentStatus.OPEN,
    CommitmentStatus.IN_PROGRESS,
    CommitmentStatus.PARTIALLY_FULFILLED,
)
# The statuses the Kamer's register calls "Openstaand": nothing has been answered yet. Comparing
# with the register, a partially fulfilled commitment is not the same as an open one.
UNANSWERED_STATUSES = (CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)
# Statuses the Kamer accepts only with the letter that fulfilled them.
STATUSES_NEEDING_EVIDENCE = (
    CommitmentStatus.FULFILLED,
    CommitmentStatus.PARTIALLY_FULFILLED,
)


class Commitment(models.Model):
    """A *toezegging*: what a bewindspersoon promised the Kamer, by when, and its state.

    `original_due_date` is the first due date and is never overwritten (a database trigger
    refuses it); `due_date` moves only when a manager approves a `DeadlineChange`. Whether a
    commitment is overdue is derived from the date, never stored.
    """

    Status = CommitmentStatus

    reference = models.CharField(
        _("reference"),
        max_length=40,
        unique=True,
        help_text=_("The ministry's own reference, unique."),
    )
    register_number = models.CharField(
        _("register number"),
        max_length=40,
        blank=True,
        help_text=_('Number in the Kamer\'s register of commitments, e.g. "TZ202412-116".'),
    )
    text = models.TextField(_("text"))
    # The reference and the text as the list's search compares them, without accents, in
    # capitals (commitments.search): written by the database on every insert and update, so
    # a search reads it rather than fold each row. Its trigram index: migration 0015.
    search_text = models.GeneratedField(
        expression=folded_together("reference", "text"),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("search text"),
    )
    chamber = models.CharField(
        _("chamber"), max_length=2, choices=Chamber.choices, default=Chamber.TWEEDE_KAMER
    )
    made_by = models.ForeignKey(
        Bewindspersoon,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("made by"),
    )
    debate = models.ForeignKey(
        Debate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("made in debate"),
    )
    source_document = models.ForeignKey(
        ParliamentaryDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments_made",
        verbose_name=_("made in document"),
    )
    made_on = models.DateField(_("made on"))
    made_to = models.ManyToManyField(
        Addressee, blank=True, related_name="commitments", verbose_name=_("made to")
    )
    deadline_wording = models.CharField(
        _("deadline as worded"),
        max_length=200,
        blank=True,
        help_text=_('The deadline in the minister\'s words, e.g. "dit najaar".'),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    original_due_date = models.DateField(_("original due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    fulfilled_on = models.DateField(_("fulfilled on"), null=True, blank=True)
    open_part = models.TextField(
        _("still open"),
        blank=True,
        help_text=_("What a partially fulfilled commitment still has to answer."),
    )
    made_on_reason = models.CharField(
        _("why not on the day of the debate"),
        max_length=500,
        blank=True,
        help_text=_(
            "A commitment made in a debate is made on the debate's date; say why it was not, "
            "e.g. made in a letter after the debate."
        ),
    )
    fulfilling_documents = models.ManyToManyField(
        ParliamentaryDocument,
        blank=True,
        related_name="fulfilled_commitments",
        verbose_name=_("fulfilling documents"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_commitments",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("team"),
    )
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="commitments", verbose_name=_("related activities")
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_(
            "Shown in the public register with its text, bewindspersoon, deadline, status and "
            "fulfilling letter; never its team, owner or notes. A new commitment of a plan that "
            "is public by default starts public."
        ),
    )
    related = models.ManyToManyField(
        "self",
        through="CommitmentRelation",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name=_("related commitments"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = version_field()

    objects = NaturalKeyManager("reference")
    # The search text follows the reference and the text, which the history keeps.
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    class Meta:
        ordering = ["due_date", "reference"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        permissions = [
            ("view_all_commitments", _("Can read every team's commitments")),
            ("export_commitments", _("Can export commitments")),
        ]
        indexes = [
            # The overdue scan, the reminder scan and the "open + overdue" list:
            # WHERE status IN (open, in_progress, partially_fulfilled) AND due_date < / = today,
            # ordered by due date; and the list sorted by status, read one status at a time in
            # (due date, reference) order (commitments.keyset), its ids from the index alone.
            models.Index(
                fields=["status", "due_date", "reference"],
                name="commitment_status_due_ref",
                include=["id"],
            ),
            # The list ordered by due date without a status filter, and due-date ranges. The id
            # rides along so a page's ids come from an index-only scan, however deep the page.
            models.Index(
                fields=["due_date", "reference"], name="commitment_due_ref", include=["id"]
            ),
            # Filters that reach commitments through a link table (action line, activity)
            # probe them by id, test the status and sort the matches by due date; with those
            # columns in the index the probes never visit the table.
            # Served by `?action_line=…&status=…` and `?activity=…`.
            models.Index(
                fields=["id"],
                include=["status", "due_date", "reference"],
                name="commitment_id_status",
            ),
            # "My work" and the team filter: a team's commitments by due date.
            models.Index(fields=["team", "due_date"], name="commitment_team_due"),
            # "My work" for the owner, by due date.
            models.Index(fields=["owner", "due_date"], name="commitment_owner_due"),
            # The list ordered by the date the commitment was made, and made-on ranges.
            models.Index(fields=["made_on"], name="commitment_made_on"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(debate__isnull=False) | Q(source_document__isnull=False),
                name="commitment_made_in_debate_or_document",
            ),
            models.UniqueConstraint(
                fields=["register_number"],
                condition=~Q(register_number=""),
                name="commitment_unique_register_number",
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(original_due_date__isnull=False),
                name="commitment_due_date_has_original",
            ),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("commitments:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The team and owner as loaded: a change of either must also refresh what the old
        # team's and owner's dashboards show (commitments.dashboard_cache).
        instance._loaded_team_and_owner = (
            instance.__dict__.get("team_id"),
            instance.__dict__.get("owner_id"),
        )
        return instance

    def natural_key(self):
        return (self.reference,)

    @property
    def register_status(self):
        return STATUS_TO_REGISTER[self.status]

    @property
    def made_in(self):
        return self.debate or self.source_document

    def is_overdue(self, today):
        return self.status in OPEN_STATUSES and self.due_date is not None and self.due_date < today

    def days_overdue(self, today):
        return (today - self.due_date).days if self.is_overdue(today) else 0


class CommitmentRelation(models.Model):
    """How one commitment relates to another, as the register records it."""

    class Kind(models.TextChoices):
        REPEATS = "repeats", _("repeats")  # IsHerhalingVan
        SUPPLEMENTS = "supplements", _("supplements")  # IsAanvullingOp
        MODIFIES = "modifies", _("modifies")  # IsWijzigingVan

    from_commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="relations_from"
    )
    to_commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="relations_to"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("relation between commitments")
        verbose_name_plural = _("relations between commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["from_commitment", "to_commitment", "kind"], name="relation_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_commitment=F("to_commitment")), name="relation_not_to_itself"
            ),
        ]

    def __str__(self):
        return f"{self.from_commitment} {self.get_kind_display()} {self.to_commitment}"


class FollowUpLetter(models.Model):
    """A letter the ministry must write to fulfil commitments, often a *voortgangsbrief*.

    A *voortgangsbrief* (or *voortgangsrapportage*) is the periodic progress letter to the
    Kamer. Once sent, the letter is a parliamentary document, recorded in `sent_as`, and
    `sent_on` is the day it went out. A letter can be postponed (each move of its planned date
    is a `LetterPostponement`) or cancelled with a reason; its open commitments then move to
    another letter or stay open without one.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        DRAFTING = "drafting", _("drafting")
        SENT = "sent", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    # A letter in one of these is no longer to be written: no reminder, no to-do, never late.
    CLOSED_STATUSES = (Status.SENT, Status.CANCELLED)

    title = models.CharField(_("title"), max_length=300, unique=True)
    planned_date = models.DateField(_("planned date"))
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafted_letters",
        verbose_name=_("drafter"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_letters",
        verbose_name=_("team"),
    )
    commitments = models.ManyToManyField(
        Commitment,
        blank=True,
        related_name="follow_up_letters",
        verbose_name=_("commitments to fulfil"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    sent_as = models.ForeignKey(
        ParliamentaryDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up_letters",
        verbose_name=_("sent as"),
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    cancellation_reason = models.TextField(_("reason for cancelling"), blank=True)
    version = version_field()

    objects = NaturalKeyManager("title")
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_date", "title"]
        verbose_name = _("follow-up letter")
        verbose_name_plural = _("follow-up letters")
        indexes = [
            # The letter-reminder scan and the dashboard: letters not yet sent, by planned date.
            models.Index(fields=["status", "planned_date"], name="letter_status_planned"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="sent") & Q(sent_as__isnull=False))
                | (~Q(status="sent") & Q(sent_as__isnull=True)),
                name="letter_sent_iff_document",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancellation_reason=""),
                name="letter_cancelled_has_reason",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("commitments:letter_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def still_open_count(self) -> int:
        """How many of its commitments still wait for an answer.

        The pages annotate `open_count` (counting what the reader may read); the letter page
        prefetches its commitments; anything else counts them here.
        """
        annotated = self.__dict__.get("open_count")
        if annotated is not None:
            return annotated
        return sum(1 for c in self.commitments.all() if c.status in OPEN_STATUSES)

    @property
    def is_late(self) -> bool:
        """Past its planned date while still to be written and with something to answer: the
        one reading of "te laat" that the letter list, the letter page and My work share."""
        return (
            not self.is_closed
            and self.planned_date < timezone.localdate()
            and self.still_open_count > 0
        )

    def natural_key(self):
        return (self.title,)


class LetterPostponement(models.Model):
    """A move of a follow-up letter's planned date, with the reason the Kamer may be told."""

    letter = models.ForeignKey(
        FollowUpLetter,
        on_delete=models.CASCADE,
        related_name="postponements",
        verbose_name=_("follow-up letter"),
    )
    planned_date_before = models.DateField(_("planned date before"))
    planned_date_after = models.DateField(_("new planned date"))
    reason = models.TextField(_("reason"))
    postponed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("postponed by"),
    )
    postponed_at = models.DateTimeField(_("postponed at"), auto_now_add=True)

    class Meta:
        ordering = ["-postponed_at", "-id"]
        verbose_name = _("postponement of a letter")
        verbose_name_plural = _("postponements of letters")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_date_after__gt=F("planned_date_before")),
                name="letter_postponement_later",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="letter_postponement_reason"),
        ]

    def __str__(self):
        return f"{self.letter}: {self.planned_date_before} → {self.planned_date_after}"


def evidence_upload_path(instance, filename):
    return f"evidence/{instance.commitment_id}/{filename}"


class ProgressUpdate(models.Model):
    """A recorded step on a commitment: a note, a status change and its evidence.

    Every status change goes through one of these, so who changed what and when is on the
    record. Evidence is a Kamerstuk, a link, or an uploaded PDF.
    """

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="updates", verbose_name=_("commitment")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="progress_updates",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    status_before = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    status_after = models.CharField(max_length=20, choices=CommitmentStatus.choices)
    evidence_document = models.ForeignKey(
        ParliamentaryDocument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence: Kamerstuk"),
    )
    evidence_url = models.URLField(_("evidence: link"), blank=True, max_length=500)
    evidence_file = models.FileField(
        _("evidence: PDF"), upload_to=evidence_upload_path, blank=True, max_length=300
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        indexes = [
            # The commitment page's timeline: newest updates of one commitment.
            models.Index(fields=["commitment", "-created_at"], name="progress_timeline"),
        ]

    def __str__(self):
        return f"{self.commitment} @ {self.created_at:%Y-%m-%d}"

    @property
    def status_changed(self):
        return self.status_before != self.status_after

    @property
    def evidence_file_name(self) -> str:
        """The file's name as uploaded ("verslag.pdf"), without the storage folders."""
        return self.evidence_file.name.rsplit("/", 1)[-1] if self.evidence_file else ""


class LinkChange(models.Model):
    """A change to the records a commitment is linked to: to whom it was made, its activities.

    The audit history keeps the commitment's own fields; these links live in separate tables,
    so an edit records what it added and removed here, by name as it read at the time.
    """

    class Field(models.TextChoices):
        MADE_TO = "made_to", _("made to")
        ACTIVITIES = "activities", _("related activities")
        FULFILLING_DOCUMENTS = "fulfilling_documents", _("fulfilling documents")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="link_changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=30, choices=Field.choices)
    added = models.JSONField(default=list)
    removed = models.JSONField(default=list)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("change of links")
        verbose_name_plural = _("changes of links")
        indexes = [
            # The commitment page's timeline.
            models.Index(fields=["commitment", "-changed_at"], name="linkchange_timeline"),
        ]

    def __str__(self):
        return f"{self.commitment}: {self.field}"


class DeadlineChange(models.Model):
    """A request to move a commitment's due date, and a manager's decision on it.

    The Eerste Kamer's half-yearly *toezeggingenrappel* often ends in a new deadline; either way
    the change is an event of its own: from which date to which, why, who asked, who decided.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="deadline_changes",
        verbose_name=_("commitment"),
    )
    original_due_date = models.DateField(_("due date before"), null=True, blank=True)
    new_due_date = models.DateField(_("new due date"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="deadline_requests",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deadline_decisions",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    version = version_field()

    objects = AuditedManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("deadline change")
        verbose_name_plural = _("deadline changes")
        indexes = [
            # A manager's queue of open requests.
            models.Index(fields=["state", "requested_at"], name="deadlinechange_queue"),
        ]
        constraints = [
            # One open request per commitment: two would race for the same due date.
            models.UniqueConstraint(
                fields=["commitment"],
                condition=Q(state="requested"),
                name="deadlinechange_one_open_request",
            ),
            models.CheckConstraint(
                condition=Q(state="requested", decided_by__isnull=True, decided_at__isnull=True)
                | (
                    Q(state__in=["approved", "rejected"])
                    & Q(decided_by__isnull=False, decided_at__isnull=False)
                ),
                name="deadlinechange_decision_complete",
            ),
            # The four-eyes principle: nobody approves their own request.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="deadlinechange_not_self_decided",
            ),
            models.CheckConstraint(
                condition=Q(original_due_date__isnull=True)
                | ~Q(new_due_date=F("original_due_date")),
                name="deadlinechange_changes_date",
            ),
        ]

    def __str__(self):
        return f"{self.commitment}: {self.original_due_date} → {self.new_due_date}"


class Notification(models.Model):
    """One reminder e-mail: recorded once by the daily scan, then sent, retried or given up.

    The row exists before the e-mail leaves, and its unique key is the e-mail's identity: who
    gets it (`recipient`), what kind it is, what it is about (`subject`: all of the owner's
    commitments due, one follow-up letter, or the overdue digest) and for which `occasion` (the
    day of the scan that decided it; for the weekly digest the nominal digest day of the week).
    Whoever inserts the row first owns the e-mail; a second scan, a duplicated beat tick or a
    second worker hits the constraint and leaves it alone. Sending is claimed separately with a
    conditional UPDATE, so a worker that dies after claiming leaves a row the next scan finishes.
    """

    class Kind(models.TextChoices):
        OWNER_REMINDER = "owner_reminder", _("deadline reminder")
        LETTER_REMINDER = "letter_reminder", _("follow-up letter reminder")
        MANAGER_DIGEST = "manager_digest", _("overdue digest")
        # Events that need a person (`commitments.events`), and the daily summary of them.
        DEADLINE_REQUEST = "deadline_request", _("deadline-change request")
        DEADLINE_DECISION = "deadline_decision", _("deadline-change decision")
        NEW_OWNER = "new_owner", _("new owner")
        EVENT_SUMMARY = "event_summary", _("daily summary of events")

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        CLAIMED = "claimed", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        # Nothing was left to say when it was sent: the commitments were fulfilled meanwhile.
        SKIPPED = "skipped", _("skipped")
        # An event for someone who reads events once a day: the daily summary sends it.
        HELD = "held", _("waiting for the daily summary")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(
        _("about"),
        max_length=60,
        help_text=_('What the e-mail is about: "due", "letter-<id>" or "overdue".'),
    )
    occasion = models.DateField(_("occasion"))
    commitments = models.ManyToManyField(
        Commitment, blank=True, related_name="notifications", verbose_name=_("commitments")
    )
    letter = models.ForeignKey(
        FollowUpLetter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("follow-up letter"),
    )
    deadline_change = models.ForeignKey(
        DeadlineChange,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("deadline change"),
    )
    # The daily summary that carries this held event.
    summary = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("daily summary"),
    )
    state = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    subject_line = models.CharField(_("subject line"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The notifications page of one user, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_new"),
            # The scan's re-dispatch of unsent e-mails (pending, failed, stale claims) and the
            # admin's status filter, newest first.
            models.Index(fields=["state", "-created_at"], name="notification_state_new"),
        ]
        constraints = [
            # Each e-mail once: the claim of the daily scan is this insert. Its index also serves
            # the dry run's "already recorded?" lookup.
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject", "occasion"], name="notification_once"
            ),
            # An event is one e-mail whatever day it is recorded on: its subject names the
            # event itself (the request, the decision, the owner change at a version).
            models.UniqueConstraint(
                fields=["recipient", "kind", "subject"],
                condition=Q(kind__in=["deadline_request", "deadline_decision", "new_owner"]),
                name="notification_event_once",
            ),
            models.CheckConstraint(
                condition=Q(state="sent", sent_at__isnull=False) | ~Q(state="sent"),
                name="notification_sent_has_time",
            ),
            models.CheckConstraint(
                condition=Q(state="claimed", claimed_at__isnull=False) | ~Q(state="claimed"),
                name="notification_claim_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient} ({self.occasion})"


class ReminderScan(models.Model):
    """A day the reminder scan has covered, so a later scan knows which days it missed.

    A scan that runs late (the worker was down) covers the missed days too; `ran_on` is the day
    it actually ran, which differs from `day` for a catch-up.
    """

    day = models.DateField(_("day"), unique=True)
    ran_on = models.DateField(_("ran on"))
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)

    class Meta:
        # The unique index on `day` serves both the catch-up ("the last day covered before
        # today") and the start-up check ("did today's scan run?").
        ordering = ["-day"]
        verbose_name = _("reminder scan")
        verbose_name_plural = _("reminder scans")

    def __str__(self):
        return str(self.day)


class EmailPreference(models.Model):
    """How a user hears of the events that need them: a deadline-change request to decide, the
    decision on one's own request or commitment, a commitment given to one.

    At once (an e-mail per event), in one daily summary, or not by e-mail (the tracker's pages
    still show them). Only events: the deadline reminders and the managers' weekly overdue
    digest are not a choice. A user without a row gets events at once.
    """

    class EventMail(models.TextChoices):
        IMMEDIATE = "immediate", _("at once, an e-mail per event")
        DAILY = "daily", _("in one summary a day")
        OFF = "off", _("not by e-mail")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="email_preference",
        verbose_name=_("user"),
    )
    event_mail = models.CharField(
        _("e-mail about events"),
        max_length=10,
        choices=EventMail.choices,
        default=EventMail.IMMEDIATE,
    )
    updated_at = models.DateTimeField(_("preference changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preference changed by"),
    )

    class Meta:
        verbose_name = _("e-mail preference")
        verbose_name_plural = _("e-mail preferences")

    def __str__(self):
        return f"{self.user}: {self.get_event_mail_display()}"
