"""The request journal: one record per HTTP request any fake (or the blob proxy) answered.

Tests count calls and bytes with it, e.g. the bytes a monitor downloaded from the log blob::

    emu.journal.bytes(service="blob", method="GET", path_contains="customization.log")
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class JournalEntry:
    service: str          # "arm" | "login" | "oidc" | "blob"
    method: str
    path: str             # URL path without the query string
    query: str            # raw query string
    status: int           # 0 when the connection was reset by a fault
    bytes: int            # response body bytes sent
    request_bytes: int    # request body bytes received
    range: str | None     # Range / x-ms-range header of the request, if any
    at: float             # time.time() when the response was sent


class Journal:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries: list[JournalEntry] = []
        #: ``sink(entry)``, called for every record (``python -m tests.emulator --record DIR``
        #: writes them to a file, for a test that runs the emulator in another process)
        self.sink = None

    def record(self, entry: JournalEntry) -> None:
        with self._lock:
            self._entries.append(entry)
            if self.sink is not None:
                self.sink(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def entries(self, *, service: str | None = None, method: str | None = None,
                path_contains: str | None = None, status: int | None = None) -> list[JournalEntry]:
        """Records matching every given filter (path match is case-insensitive)."""
        with self._lock:
            items = list(self._entries)
        needle = path_contains.lower() if path_contains else None
        return [e for e in items
                if (service is None or e.service == service)
                and (method is None or e.method == method.upper())
                and (needle is None or needle in e.path.lower())
                and (status is None or e.status == status)]

    def count(self, **filters) -> int:
        return len(self.entries(**filters))

    def bytes(self, **filters) -> int:
        """Sum of response body bytes of the matching records."""
        return sum(e.bytes for e in self.entries(**filters))

    def __iter__(self):
        return iter(self.entries())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        """Poll until ``predicate(journal)`` is true; handy for background clients."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.01)
        return predicate(self)
