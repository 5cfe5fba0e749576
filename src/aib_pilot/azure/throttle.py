"""One throttle for every ARM request of a session, whichever thread sends it.

Azure Resource Manager throttles per subscription and principal: a 429 answer (or a 503) with
``Retry-After: N`` means *this client* should send nothing for N seconds, not only the request
that got it (docs/sources.md#arm). When the fleet monitor reads many templates at once
from a thread pool, azure-core's retry policy waits out Retry-After only in the thread that got the
answer; the other threads would keep sending, and ARM answers each such request with another 429
and a new Retry-After. :class:`ArmThrottle` is an azure-core pipeline
policy placed after the retry policy (``per_retry_policies``), so it sees every attempt: an answer
with Retry-After holds the gate, and every request of the session waits at the gate until then.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from azure.core.pipeline.policies import SansIOHTTPPolicy

THROTTLE_STATUS = (429, 503)
MAX_HOLD = 60.0  # seconds: a longer Retry-After is capped (the monitor's own retries then decide)


def retry_after(headers) -> float | None:
    """Retry-After in seconds (the delta-seconds form ARM sends), else None."""
    value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


class ArmThrottle(SansIOHTTPPolicy):
    """The session's gate: ``hold(seconds)`` stops every request until then; requests wait in
    ``on_request``. ``deadline`` (seconds left of the time budget) bounds a wait, so a throttled
    fleet still ends its job on time."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        super().__init__()
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._not_before = 0.0
        self.deadline: Callable[[], float] = lambda: float("inf")
        self.holds = 0  # how many answers held the gate (for the report and tests)

    def hold(self, seconds: float) -> None:
        with self._lock:
            self._not_before = max(self._not_before, self._clock() + min(seconds, MAX_HOLD))
            self.holds += 1

    def wait_time(self) -> float:
        """Seconds until the gate opens (0 when open)."""
        with self._lock:
            return max(0.0, self._not_before - self._clock())

    def on_request(self, request) -> None:  # noqa: D401 - azure-core policy hook
        while True:
            wait = min(self.wait_time(), max(0.0, self.deadline()))
            if wait <= 0:
                return
            self._sleep(wait)

    def on_response(self, request, response) -> None:  # noqa: D401 - azure-core policy hook
        http = response.http_response
        if http.status_code in THROTTLE_STATUS:
            seconds = retry_after(http.headers)
            if seconds:
                self.hold(seconds)
