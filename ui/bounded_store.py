"""Results kept by key across sessions, the least recently used dropped beyond a bound."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class BoundedStore:
    """Results by key, the least recently used dropped beyond max_entries; safe across sessions' threads.

    The lock guards the dictionary only, not make(): two sessions asking for the same new result
    both compute it (the same seeded numbers) rather than one waiting a minute behind the other.
    """

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)
        return value

    def peek(self, key: Hashable) -> Any | None:
        """The value kept under key (marked as used), or None; never computes."""
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def __len__(self) -> int:
        return len(self._items)
