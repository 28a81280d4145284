"""Loading outside data without overwriting anyone's work.

A `SourceLoad` is one run of a loader (a fixture, later a debate report or the Kamer's
register) acting as its system actor. For each record the source offers it compares, field
by field, what the source gave last time (`SourceRecord.values`), what the record holds now,
and what the source gives now:

- the source has nothing new, or the record already says it: nothing is written;
- nobody changed the field since the last load: the source's new value is applied;
- somebody changed the field and the source would change it again: a conflict.

Conflicts are collected; `finish()` then raises `LoadRefused` listing each record, field and
who changed it, and because a load runs in one transaction, nothing of it is kept. Every write
goes through `tracker.audit.record_save` as the loader's actor, so access is asked and the
audit history names the source.
"""

import json
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from tracker.actors import actor_name
from tracker.audit import record_save
from tracker.models import DataLoad, SourceRecord

# Bookkeeping that differs between any two loads and says nothing about the content.
IGNORED_FIELDS = {"version", "created_at", "updated_at"}


@dataclass
class Conflict:
    key: str
    record: str
    fields: list[str]
    reason: str

    def __str__(self):
        fields = f" [{', '.join(self.fields)}]" if self.fields else ""
        return f"{self.record}{fields}: {self.reason}"


class LoadRefused(Exception):
    """The load would overwrite what somebody changed since an earlier load; nothing was kept."""

    def __init__(self, source: str, conflicts: list[Conflict]):
        self.source = source
        self.conflicts = conflicts
        lines = "\n".join(f"  - {conflict}" for conflict in conflicts)
        super().__init__(
            f"{source}: refused, because it would overwrite {len(conflicts)} record(s) that "
            f"somebody changed since it was loaded. Nothing was changed.\n{lines}"
        )


def _compared_fields(model) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.generated and f.name not in IGNORED_FIELDS
    ]


def _m2m_fields(model) -> list[models.ManyToManyField]:
    return [f for f in model._meta.many_to_many if f.remote_field.through._meta.auto_created]


def record_values(instance: models.Model, m2m: dict[str, list] | None = None) -> dict:
    """The record's content as comparable JSON values: plain fields as text, links as ids.

    `m2m` gives the many-to-many ids of an unsaved instance (what a fixture entry says);
    without it they are read from the database.
    """
    values = {f.attname: f.value_to_string(instance) for f in _compared_fields(type(instance))}
    for f in _m2m_fields(type(instance)):
        if m2m is not None:
            if f.name not in m2m:
                continue
            ids = m2m[f.name]
        else:
            ids = getattr(instance, f.name).values_list("pk", flat=True)
        values[f.name] = sorted(str(pk) for pk in ids)
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def last_changed_by(instance: models.Model, *, other_than) -> str:
    """Who changed the record last, apart from the loader itself, as the interface names it."""
    history = getattr(type(instance), "history", None)
    if history is None:
        return "?"
    record = (
        instance.history.exclude(history_user=other_than)
        .select_related("history_user")
        .order_by("-history_date")
        .first()
    )
    if record is None:
        return "?"
    return f"{actor_name(record.history_user)}, {record.history_date:%Y-%m-%d %H:%M}"


@dataclass
class SourceLoad:
    source: str
    actor: object
    checksum: str = ""
    conflicts: list[Conflict] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0}
    )

    def __post_init__(self):
        self.load = DataLoad.objects.create(
            source=self.source, actor=self.actor, checksum=self.checksum
        )

    def previous_load(self) -> DataLoad | None:
        return (
            DataLoad.objects.filter(source=self.source)
            .exclude(pk=self.load.pk)
            .order_by("-loaded_at")
        ).first()

    def apply(self, *, key: str, incoming: models.Model, m2m: dict[str, list]) -> bool:
        """Offer one record as the source gives it; return whether anything was written.

        `incoming` is unsaved; its pk is set when a record with its natural key exists.
        """
        model = type(incoming)
        content_type = ContentType.objects.get_for_model(model)
        memory = SourceRecord.objects.filter(source=self.source, key=key).first()
        offered = record_values(incoming, m2m)
        label = f"{model._meta.verbose_name} «{incoming}»"

        if memory is not None and incoming.pk != memory.object_id:
            return self._moved_on(memory, model, label, key)
        if incoming.pk is None:
            self._create(incoming, m2m)
            self._remember(memory, key, content_type, incoming.pk, offered)
            self.counts["created"] += 1
            return True

        current = model._default_manager.get(pk=incoming.pk)
        now = record_values(current)
        # Without a memory of an earlier load, the record came from elsewhere: take it as the
        # source's only where it says the same, and refuse to overwrite it otherwise.
        last = memory.values if memory is not None else now
        if memory is None and now != offered:
            differing = sorted(name for name in offered if offered[name] != now.get(name))
            self.conflicts.append(
                Conflict(
                    key,
                    label,
                    differing,
                    "exists already with other values and was not loaded from this source "
                    f"(last changed by {last_changed_by(current, other_than=self.actor)})",
                )
            )
            return False
        changed_by_someone = {name for name in offered if now.get(name) != last.get(name)}
        news = {name for name in offered if offered[name] != now.get(name)}
        conflicting = sorted(news & changed_by_someone)
        if conflicting:
            self.conflicts.append(
                Conflict(
                    key,
                    label,
                    conflicting,
                    "changed since the load by "
                    f"{last_changed_by(current, other_than=self.actor)}; kept as it is",
                )
            )
            return False
        if news:
            self._update(current, incoming, m2m, news)
            self.counts["updated"] += 1
        else:
            self.counts["unchanged"] += 1
        self._remember(memory, key, content_type, current.pk, offered)
        return bool(news)

    def _moved_on(self, memory, model, label, key) -> bool:
        target = model._default_manager.filter(pk=memory.object_id).first()
        if target is None:
            reason = "deleted since the load; loading it again would undo that"
        else:
            reason = (
                f"renamed since the load to «{target}» by "
                f"{last_changed_by(target, other_than=self.actor)}; loading it again would "
                "make a second copy"
            )
        self.conflicts.append(Conflict(key, label, [], reason))
        return False

    def _create(self, incoming, m2m) -> None:
        record_save(actor=self.actor, record=incoming, reason=self.source)
        for name, ids in m2m.items():
            getattr(incoming, name).set(ids)

    def _update(self, current, incoming, m2m, news) -> None:
        by_attname = {f.attname: f for f in _compared_fields(type(current))}
        for name in news:
            if name in by_attname:
                setattr(current, name, getattr(incoming, name))
        record_save(actor=self.actor, record=current, expected_version=None, reason=self.source)
        for name in news:
            if name in m2m:
                getattr(current, name).set(m2m[name])

    def _remember(self, memory, key, content_type, object_id, values) -> None:
        if memory is None:
            SourceRecord.objects.create(
                source=self.source,
                key=key,
                content_type=content_type,
                object_id=object_id,
                values=values,
                load=self.load,
            )
        else:
            memory.values, memory.load = values, self.load
            memory.save(update_fields=["values", "load"])

    @transaction.atomic
    def finish(self) -> DataLoad:
        """Record the counts, or refuse the whole load when anything conflicted."""
        if self.conflicts:
            raise LoadRefused(self.source, self.conflicts)
        for name, count in self.counts.items():
            setattr(self.load, name, count)
        self.load.save(update_fields=list(self.counts))
        return self.load
