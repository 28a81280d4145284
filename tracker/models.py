"""Where outside data came from: loads of shipped data and the values each source last gave.

Data that does not come from a person's form (the shipped 2016 plan, and later the Kamer's
debate reports and register) is loaded by a system actor. Each load is a `DataLoad`; each
record it wrote keeps, in a `SourceRecord`, the values the source gave for it. A later load
compares three things per field: what the source gave last time, what the record holds now,
and what the source gives now. A field nobody touched follows the source; a field a person
changed is never overwritten: the load refuses and says which record, which field and who.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class DataLoad(models.Model):
    """One run of a loader: which source, by which actor, with what result."""

    source = models.CharField(_("source"), max_length=200)
    checksum = models.CharField(_("checksum"), max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        verbose_name = _("data load")
        verbose_name_plural = _("data loads")
        indexes = [
            # "Was this source loaded before, and when?" (load_plan, loaddata).
            models.Index(fields=["source", "-loaded_at"], name="dataload_source_latest"),
        ]

    def __str__(self):
        return f"{self.source} @ {self.loaded_at:%Y-%m-%d %H:%M}"


class SourceRecord(models.Model):
    """The values a source last gave for one record, beside the record itself."""

    source = models.CharField(_("source"), max_length=200)
    # The source's own name for the record: a natural key, a register number.
    key = models.CharField(_("key"), max_length=500)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    values = models.JSONField(_("values as the source gave them"), default=dict)
    load = models.ForeignKey(
        DataLoad, on_delete=models.PROTECT, related_name="records", verbose_name=_("last load")
    )

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [
            # One memory per record and source: two loads at once cannot both create one.
            models.UniqueConstraint(fields=["source", "key"], name="sourcerecord_unique_key"),
        ]
        indexes = [
            # "Which source records point at this record?" (a record renamed since its load).
            models.Index(fields=["content_type", "object_id"], name="sourcerecord_target"),
        ]

    def __str__(self):
        return f"{self.source}: {self.key}"
