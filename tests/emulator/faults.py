"""Faults switchable per test (``emu.faults``); :meth:`Faults.clear` runs on every ``emu.reset()``.

Request faults match on service ("arm", "login", "oidc", "blob" or None for all), HTTP method and a
regular expression searched in the URL path, and fire ``count`` times (None = until cleared).
Build faults (``delete_staging_midbuild``, ``log_absent``, ``truncate_log``) apply to runs started
while they are set, on top of what the scenario says.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field


@dataclass
class RequestFault:
    kind: str                 # "status" | "reset"
    service: str | None
    method: str | None
    path: re.Pattern | None
    count: int | None
    status: int = 0
    retry_after: float | None = None
    hits: int = 0

    def matches(self, service: str, method: str, path: str) -> bool:
        return ((self.service is None or self.service == service)
                and (self.method is None or self.method.upper() == method)
                and (self.path is None or self.path.search(path) is not None)
                and (self.count is None or self.hits < self.count))


@dataclass
class Faults:
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _request_faults: list[RequestFault] = field(default_factory=list)
    latency: dict = field(default_factory=dict)   # service (or None) -> added seconds per request
    delete_staging_midbuild: bool = False
    log_absent: bool = False
    truncate_log: bool = False
    delete_staging_at_end: bool = False
    deny_staging_read: bool = False      # for templates created while set (403 on staging RG/storage/blobs)
    # resource provider namespaces shown NotRegistered (their resource calls get 409
    # MissingSubscriptionRegistration) until a client POSTs .../providers/<ns>/register
    unregistered_providers: set = field(default_factory=set)
    # hooks set by the Emulator
    _expire_tokens_hook: object = field(default=None, repr=False)
    _lifetime_hook: object = field(default=None, repr=False)

    # -- request faults -------------------------------------------------------------------------
    def _add(self, fault: RequestFault) -> RequestFault:
        with self._lock:
            self._request_faults.append(fault)
        return fault

    @staticmethod
    def _rx(path):
        return re.compile(path, re.IGNORECASE) if isinstance(path, str) else path

    def throttle(self, *, count: int | None = 1, retry_after: float = 1, service: str | None = "arm",
                 method: str | None = None, path: str | None = None) -> RequestFault:
        """Answer 429 with ``Retry-After: retry_after`` (real seconds) and ARM's throttling error."""
        return self._add(RequestFault("status", service, method, self._rx(path), count, 429,
                                      retry_after))

    def server_error(self, status: int = 500, *, count: int | None = 1, service: str | None = "arm",
                     method: str | None = None, path: str | None = None,
                     retry_after: float | None = None) -> RequestFault:
        """Answer ``status`` (500, 503, ...) with an error envelope."""
        return self._add(RequestFault("status", service, method, self._rx(path), count, status,
                                      retry_after))

    def reset_connection(self, *, count: int | None = 1, service: str | None = "arm",
                         method: str | None = None, path: str | None = None) -> RequestFault:
        """Close the TCP connection with RST instead of answering."""
        return self._add(RequestFault("reset", service, method, self._rx(path), count))

    def add_latency(self, seconds: float, *, service: str | None = None) -> None:
        """Delay every request of ``service`` (None: all services) by ``seconds`` real seconds."""
        with self._lock:
            self.latency[service] = seconds

    def take(self, service: str, method: str, path: str) -> RequestFault | None:
        """The first armed fault matching this request (its hit counted), or None."""
        with self._lock:
            for fault in self._request_faults:
                if fault.matches(service, method, path):
                    fault.hits += 1
                    return fault
        return None

    def delay_for(self, service: str) -> float:
        with self._lock:
            return self.latency.get(service, 0.0) + self.latency.get(None, 0.0)

    # -- identity faults -------------------------------------------------------------------------
    def expire_tokens(self) -> None:
        """Every access token and assertion minted so far is refused from now on (as expired)."""
        self._expire_tokens_hook()

    def token_lifetime(self, simulated_seconds: float) -> None:
        """Lifetime of access tokens minted from now on, in simulated seconds (default 3600)."""
        self._lifetime_hook(simulated_seconds)

    def clear(self) -> None:
        with self._lock:
            self._request_faults.clear()
            self.latency.clear()
        self.delete_staging_midbuild = self.log_absent = self.truncate_log = False
        self.delete_staging_at_end = self.deny_staging_read = False
        self.unregistered_providers.clear()
