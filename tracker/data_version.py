"""One version of what the tracker holds, replaced by every write: for what is costly to count.

The list's "1.234 toezeggingen" is a count over every commitment the reader may see that
matches the filter: on 100,000 commitments the most expensive part of the page, and the same
for every page of the same filter until something changes. The count is kept in the cache
under this version (with the reader's visibility, the filter and the day), so the next page of
the same filter, or the next colleague with the same filter, does not count again.

Any save, delete or change of links of any model replaces the version, except the models
listed in IGNORED (records that no filter reads: sessions, login attempts, a token's last use,
progress notes, the audit history rows that accompany a save that replaces it anyway), and a
save through `tracker.audit.record_save` that changes only fields in UNCOUNTED_FIELDS: a
progress note that keeps the status claims the commitment's version and changes nothing a
filter reads, and on a busy day those notes are most of the writes. Being a denylist, a model
or field added later counts as a change unless someone decides otherwise. The version is
replaced at the write and again after its commit (a request that read the old rows before the
commit may have stored its count under the new version meanwhile). Writes that pass no signal
(`generate_load`'s COPY, `unaudited_update`) replace it themselves.

Across processes this needs a cache they share (the default file cache under var/, or Redis).
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from tracker import cache_versions

KEY = "data-version"

IGNORED = {
    "sessions.session",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "api.apitoken",
    "feeds.calendarfeed",
    "commitments.notification",
    "admin.logentry",
    # No filter reads the notes; a new status is a change of the commitment, which counts.
    "commitments.progressupdate",
}

# Per model, the fields no filter of the list reads (commitments.filters, and the reader's
# visibility): the version of the optimistic lock, the part still open (the text search reads
# the reference and the text only), the moment of the last save.
UNCOUNTED_FIELDS = {
    "commitments.commitment": frozenset({"version", "open_part", "updated_at"}),
}
# The attribute `record_save` puts on a record for its save: the fields it changes.
CHANGED_FIELDS_ATTRIBUTE = "_changed_fields"


def current() -> str:
    return cache_versions.current(KEY)


def replace() -> None:
    cache_versions.replace(KEY)


def replace_now_and_after_commit() -> None:
    replace()
    transaction.on_commit(replace)


def _changed(sender, **kwargs) -> None:
    label = sender._meta.label_lower
    if label in IGNORED or sender.__name__.startswith("Historical"):
        return
    changed = getattr(kwargs.get("instance"), CHANGED_FIELDS_ATTRIBUTE, None)
    if changed is not None and changed <= UNCOUNTED_FIELDS.get(label, frozenset()):
        return
    replace_now_and_after_commit()


def connect_signals() -> None:
    post_save.connect(_changed, dispatch_uid="data-version-save")
    post_delete.connect(_changed, dispatch_uid="data-version-delete")
    m2m_changed.connect(_changed, dispatch_uid="data-version-m2m")
