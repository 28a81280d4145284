"""Version tokens in the cache: what kept pages and counts are filed under.

A kept value's key holds a token; replacing the token makes every value filed under the old
one unreachable at once, however many there are, and the cache lets them expire. The token is
made by the first reader that finds none; when two find none at once, the one whose `add`
lands wins and the other takes its token, so both file under the same one.

Used by the list's count (`tracker.data_version`), the dashboard's figures
(`commitments.dashboard_cache`) and the public register's pages (`public_register.cache`).
"""

import uuid

from django.core.cache import cache


def _new_token() -> str:
    return uuid.uuid4().hex


def current(key: str) -> str:
    """The token under `key`, made now when there is none."""
    return current_many([key])[key]


def current_many(keys: list[str]) -> dict[str, str]:
    """The tokens under `keys`, in one cache round trip when all exist."""
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            token = _new_token()
            found[key] = token if cache.add(key, token, timeout=None) else cache.get(key, token)
    return found


def replace(*keys: str) -> None:
    """New tokens under `keys`: whatever was filed under the old ones is gone."""
    cache.set_many({key: _new_token() for key in keys}, timeout=None)
