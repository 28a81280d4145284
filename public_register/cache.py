"""The public pages' cache: each rendered page is kept for a short while, per query and language.

Anyone may request the public pages as often as they like, so a rendered page is kept for
PUBLIC_CACHE_SECONDS under a key made of a *version*, the language and the page's (normalised)
query. Any save or delete of what the pages show replaces the version, which makes every kept
page unreachable at once: a published correction shows on the next request, not a minute
later. Old entries then simply expire.

With the default per-process memory cache each web process keeps its own pages and versions;
a save in one process then reaches the others only when their copies expire (at most
PUBLIC_CACHE_SECONDS). With a shared cache (CACHE_URL=redis://…) it reaches all at once.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from tracker import cache_versions

VERSION_KEY = "public-register:version"


def cache_seconds() -> int:
    return settings.PUBLIC_CACHE_SECONDS


def current_version() -> str:
    return cache_versions.current(VERSION_KEY)


def page_key(*, page: str, language: str, query: str) -> str:
    digest = hashlib.sha256(query.encode()).hexdigest()
    return f"public-register:{current_version()}:{page}:{language}:{digest}"


def get_page(key: str) -> str | None:
    return cache.get(key)


def keep_page(key: str, content: str) -> None:
    cache.set(key, content, cache_seconds())


def invalidate() -> None:
    cache_versions.replace(VERSION_KEY)


def _changed(**kwargs) -> None:
    # Now, for the requests of this process that follow; and once more after the commit,
    # because a request that read the old rows before the commit may have stored them since.
    invalidate()
    transaction.on_commit(invalidate)


def watched_models():
    """What the public pages show, and so what invalidates them when it changes."""
    from actionlines.models import ActionLine, Activity, Organisation, Place, Plan
    from commitments.models import Bewindspersoon, Commitment, Debate, ParliamentaryDocument

    models = (
        Commitment,
        Plan,
        ActionLine,
        Activity,
        Bewindspersoon,
        Debate,
        ParliamentaryDocument,
        Organisation,
        Place,
    )
    links = (
        Commitment.activities.through,
        Commitment.fulfilling_documents.through,
        Activity.places.through,
    )
    return models, links


def connect_signals() -> None:
    models, links = watched_models()
    for model in models:
        post_save.connect(_changed, sender=model, dispatch_uid=f"public-cache-save-{model}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"public-cache-delete-{model}")
    for through in links:
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"public-cache-m2m-{through}")
