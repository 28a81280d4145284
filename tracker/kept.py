"""Values kept in this process, a bounded number of them: what a page would otherwise compile
or render again on every request (tracker.prefetch's queries, the site's menu)."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

_MISSING = object()


class KeptInProcess:
    """At most `size` values under their keys, the least recently used let go first; the
    look-ups are locked, for a threaded server whose requests share the process."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], object], *, keep: bool = True):
        """The value under `key`; else `make()`'s, kept unless `keep` is false. `make` runs
        outside the lock: two requests may make the same value at once, and both are right."""
        with self._lock:
            value = self._values.get(key, _MISSING)
            if value is not _MISSING:
                self._values.move_to_end(key)
                return value
        value = make()
        if keep:
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __contains__(self, key) -> bool:
        return key in self._values

    def __getitem__(self, key):
        return self._values[key]

    def __iter__(self):
        return iter(list(self._values))

    def __len__(self) -> int:
        return len(self._values)
