"""The scaled clock: ``speed`` simulated seconds pass per real second.

Simulated time is what the emulated Azure reports (startTime/endTime, log timestamps, durations of
a build). Durations that a real client must wait out (Retry-After, token and assertion lifetimes)
are converted to real seconds with :meth:`ScaledClock.real`.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone


class ScaledClock:
    def __init__(self, speed: float = 1.0, start: datetime | None = None):
        if speed <= 0:
            raise ValueError("speed must be > 0")
        self._lock = threading.Lock()
        self.speed = float(speed)
        self._real0 = time.monotonic()
        self._sim0 = start or datetime.now(timezone.utc)

    def now(self) -> datetime:
        """Current simulated UTC time."""
        with self._lock:
            return self._sim0 + timedelta(seconds=(time.monotonic() - self._real0) * self.speed)

    def set_speed(self, speed: float) -> None:
        """Change speed without a jump in simulated time."""
        if speed <= 0:
            raise ValueError("speed must be > 0")
        now = self.now()
        with self._lock:
            self._sim0, self._real0, self.speed = now, time.monotonic(), float(speed)

    def real(self, simulated_seconds: float) -> float:
        """Real seconds that ``simulated_seconds`` take on this clock."""
        return simulated_seconds / self.speed

    def sim(self, real_seconds: float) -> float:
        return real_seconds * self.speed


def iso(moment: datetime) -> str:
    """ARM-style UTC timestamp with 7-digit fraction trimmed to microseconds, 'Z' suffix."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


ZERO_TIME = "0001-01-01T00:00:00Z"   # lastRunStatus.endTime while a run is in progress
