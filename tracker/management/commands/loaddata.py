"""`loaddata`, as Django's, but as a system actor that never overwrites anyone's work.

Django's own `loaddata` saves raw rows: no access check, no audit history, and a second load
of a fixture silently resets every record a person has changed since (and copies a record
that was renamed). This command replaces it for every fixture of the project: each record
goes through `tracker.sources.SourceLoad` as the actor "systeem: gegevenslading", which
applies what is new, keeps what people changed, and refuses, listing why, when the fixture
would overwrite it. A refused load changes nothing.
"""

import hashlib
from pathlib import Path

from django.core.management.base import CommandError
from django.core.management.commands import loaddata
from django.core.serializers.base import DeserializationError

from tracker.actors import system_actor
from tracker.sources import LoadRefused, SourceLoad


def fixture_source(label: str) -> str:
    return f"fixture:{Path(label).name.split('.')[0]}"


class Command(loaddata.Command):
    help = (
        "Loads fixtures as the system actor 'data load': new records are created, records "
        "nobody changed follow the fixture, and a fixture that would overwrite what somebody "
        "changed since it was loaded is refused as a whole, with the records and fields named."
    )

    def loaddata(self, fixture_labels):
        self.actor = system_actor("fixture")
        self.source_loads: list[SourceLoad] = []
        try:
            super().loaddata(fixture_labels)
        except DeserializationError as error:
            conflicts = [c for load in self.source_loads for c in load.conflicts]
            if not conflicts:
                raise
            # A record renamed since the load is also what the fixture's later records refer
            # to by name; those cannot even be read. The conflict found first says why.
            raise CommandError(
                f"{LoadRefused(self.source_load.source, conflicts)}\n  - and the records that "
                f"refer to them by name cannot be read: {error.__cause__ or error}"
            ) from None
        try:
            for source_load in self.source_loads:
                load = source_load.finish()
                if self.verbosity >= 1:
                    self.stdout.write(
                        f"{load.source}: {load.created} created, {load.updated} updated, "
                        f"{load.unchanged} unchanged."
                    )
        except LoadRefused as refused:
            # Raised inside loaddata's transaction: everything this run wrote is undone.
            raise CommandError(str(refused)) from None

    def load_label(self, fixture_label):
        files = [path for path, _dir, _name in self.find_fixtures(fixture_label)]
        digest = hashlib.sha256()
        for path in sorted(files):
            digest.update(Path(path).read_bytes())
        self.source_load = SourceLoad(
            source=fixture_source(fixture_label), actor=self.actor, checksum=digest.hexdigest()
        )
        self.source_loads.append(self.source_load)
        super().load_label(fixture_label)

    def save_obj(self, obj):
        instance = obj.object
        if (
            instance._meta.app_config in self.excluded_apps
            or type(instance) in self.excluded_models
        ):
            return False
        self.models.add(type(instance))
        natural_key = getattr(instance, "natural_key", None)
        key = f"{instance._meta.label}:{list(natural_key()) if natural_key else instance.pk}"
        saved = self.source_load.apply(key=key, incoming=instance, m2m=dict(obj.m2m_data or {}))
        if obj.deferred_fields:
            self.objs_with_deferred_fields.append(obj)
        return saved
