"""The plan side of the tracker: who works on it (organisations, teams) and what it is.

A *plan van aanpak* (plan of action) is organised in *actielijnen* (action lines), each with
*activiteiten* (activities). This app knows nothing of commitments: `commitments` depends on it,
never the other way round.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from tracker.audit import AuditedQuerySet


def version_field():
    """Optimistic locking: every save through a service bumps it, so a form (or API call)
    that started from an older version is refused instead of overwriting the newer one."""
    return models.PositiveIntegerField(default=1, editable=False)


class NaturalKeyManager(models.Manager):
    """Looks rows up by the fields of their natural key, so a fixture finds what it loaded.

    `loaddata` (tracker's, see tracker/sources.py) finds an existing row by natural key and
    compares it with the fixture instead of adding a copy. Its querysets refuse bulk updates
    that would pass the audit history (tracker.audit.AuditedQuerySet).
    """

    def __init__(self, *fields):
        super().__init__()
        self.key_fields = fields

    def get_queryset(self):
        # No bulk update of domain records past the audit history (tracker.audit).
        return AuditedQuerySet(self.model, using=self._db)

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.key_fields, values, strict=True)))


class Organisation(models.Model):
    """A party in the plan: a ministry, the police, the public prosecutor, an NGO, Interpol…"""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("ministry")
        POLICE = "police", _("police")
        PROSECUTOR = "prosecutor", _("public prosecutor")
        NGO = "ngo", _("NGO")
        INTERNATIONAL = "international", _("international organisation")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    abbreviation = models.CharField(_("abbreviation"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    objects = NaturalKeyManager("name")
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class Team(models.Model):
    """A team of officials with its managers; the parent team is where escalations go."""

    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="teams", verbose_name=_("organisation")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent team"),
        help_text=_("Overdue work escalates to the managers of this team."),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="managed_teams",
        verbose_name=_("managers"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams", verbose_name=_("members")
    )
    version = version_field()

    objects = NaturalKeyManager("organisation__name", "name")
    # Membership decides who reads and changes what, so who joined or left when is kept too.
    history = HistoricalRecords(m2m_fields=[managers, members])

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name"),
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="team_not_its_own_parent"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.organisation.name, self.name)

    natural_key.dependencies = ["actionlines.organisation"]


class Profile(models.Model):
    """What the tracker keeps about a user beyond Django's account: the preferred language."""

    class Language(models.TextChoices):
        DUTCH = "nl", "Nederlands"
        ENGLISH = "en", "English"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.DUTCH
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return str(self.user)


class Place(models.Model):
    """A country, or a city in a country, where an activity takes place."""

    country = models.CharField(_("country"), max_length=100)
    city = models.CharField(_("city"), max_length=100, blank=True)

    objects = NaturalKeyManager("country", "city")
    history = HistoricalRecords()

    class Meta:
        ordering = ["country", "city"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.UniqueConstraint(fields=["country", "city"], name="place_unique"),
        ]

    def __str__(self):
        return f"{self.city}, {self.country}" if self.city else self.country

    def natural_key(self):
        return (self.country, self.city)


class Plan(models.Model):
    """A *plan van aanpak*: a multi-year plan of action, presented to the Kamer in a letter.

    The letter that presented it is a `commitments.ParliamentaryDocument` pointing here
    (`presented_in_documents`), because documents belong to the commitments side.
    """

    title = models.CharField(_("title"), max_length=300, unique=True)
    ministry = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="plans",
        limit_choices_to={"kind": Organisation.Kind.MINISTRY},
        verbose_name=_("ministry"),
    )
    summary = models.TextField(_("summary"), blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("predecessor plan"),
    )
    commitments_public_by_default = models.BooleanField(
        _("commitments public by default"),
        default=False,
        help_text=_(
            "A new commitment linked to an activity of this plan starts public; the plan and "
            "its activities are then shown in the public register too."
        ),
    )
    version = version_field()

    objects = NaturalKeyManager("title")
    history = HistoricalRecords()

    class Meta:
        ordering = ["-adopted_on", "title"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="plan_period_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.title,)


class ActionLine(models.Model):
    """An *actielijn*: one of the numbered lines of a plan (e.g. 1. Preventie)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="action_lines", verbose_name=_("plan")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    version = version_field()

    objects = NaturalKeyManager("plan__title", "number")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("action line")
        verbose_name_plural = _("action lines")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="actionline_unique_number"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return (self.plan.title, self.number)

    natural_key.dependencies = ["actionlines.plan"]


class Activity(models.Model):
    """An *activiteit* of a plan, usually under one action line.

    Plan-wide activities, such as the *aanjaagteam* that pushes all three lines, have a plan but
    no action line.
    """

    class Kind(models.TextChoices):
        NEW = "new", _("new")
        INTENSIFICATION = "intensification", _("intensification")
        CONTINUED = "continued", _("continued")
        GOVERNANCE = "governance", _("governance")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("activity status", "in progress")
        COMPLETED = "completed", _("completed")
        SUSPENDED = "suspended", _("suspended")
        CANCELLED = "cancelled", _("cancelled")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="activities", verbose_name=_("plan")
    )
    action_line = models.ForeignKey(
        ActionLine,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("action line"),
        help_text=_("Leave empty for an activity that serves the whole plan."),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    lead_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_activities",
        verbose_name=_("lead organisation"),
    )
    partner_organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="partner_activities", verbose_name=_("partners")
    )
    places = models.ManyToManyField(
        Place, blank=True, related_name="activities", verbose_name=_("places")
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_activities",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("team"),
    )
    version = version_field()

    objects = NaturalKeyManager("plan__title", "title")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "action_line__number", "title"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["plan", "title"], name="activity_unique_title"),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="activity_progress_0_100",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="activity_period_ordered",
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.plan.title, self.title)

    natural_key.dependencies = ["actionlines.plan", "actionlines.actionline"]

    def clean(self):
        if self.action_line_id and self.plan_id and self.action_line.plan_id != self.plan_id:
            raise ValidationError({"action_line": _("The action line belongs to another plan.")})


class ActivityUpdate(models.Model):
    """A progress update on an activity: a note, and the status and progress before and after."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="updates", verbose_name=_("activity")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activity_updates",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)
    status_before = models.CharField(max_length=20, choices=Activity.Status.choices)
    status_after = models.CharField(max_length=20, choices=Activity.Status.choices)
    progress_before = models.PositiveSmallIntegerField()
    progress_after = models.PositiveSmallIntegerField()
    link = models.URLField(_("link"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("activity update")
        verbose_name_plural = _("activity updates")
        indexes = [
            # The activity page's timeline: newest updates of one activity.
            models.Index(fields=["activity", "-created_at"], name="activityupdate_timeline"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_before__lte=100) & Q(progress_after__lte=100),
                name="activityupdate_progress_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.activity} @ {self.created_at:%Y-%m-%d}"
