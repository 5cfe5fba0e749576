"""When to poll again and how to retry a failed Azure call: the monitor's schedule and retry policy.

Polling is adaptive: the interval starts at ``--poll-interval`` (default 15 s), grows by half while
nothing changes up to four times the start (60 s), and snaps back when the sub-state changes or
the log grows; each sleep has +-10 % jitter so a fleet of monitors does not poll in lockstep.
Transient errors (429, 5xx, broken connections) are retried with tenacity, honouring Retry-After,
never past the budget's deadline (monitoring/budget.py): a wait that would end after it is not
started.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Callable

import tenacity

from aib_pilot.azure.errors import is_transient


@dataclass
class PollSchedule:
    """Adaptive poll interval: ``start`` rising x1.5 per quiet poll to ``start * 4``; jittered."""

    start: float = 15.0
    growth: float = 1.5
    ceiling_factor: float = 4.0
    jitter: float = 0.1
    rng: random.Random = field(default_factory=random.Random)
    current: float = 0.0

    def __post_init__(self) -> None:
        self.current = self.start

    @property
    def ceiling(self) -> float:
        return self.start * self.ceiling_factor

    def next(self, *, changed: bool) -> float:
        """The sleep before the next poll; ``changed`` = something happened in the last poll."""
        self.current = self.start if changed else min(self.ceiling, self.current * self.growth)
        return self.current * (1 + self.rng.uniform(-self.jitter, self.jitter))


def retry_after_seconds(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None) or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def transient_retry(*, base: float, deadline: Callable[[], float] | None = None, attempts: int = 8,
                    on_retry: Callable[[BaseException, float], None] | None = None) -> tenacity.Retrying:
    """Tenacity policy for Azure calls: transient errors only, Retry-After first, else backoff."""
    backoff = tenacity.wait_random_exponential(multiplier=max(base, 0.1), max=60)

    def wait(state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        delay = retry_after_seconds(exc) if exc else None
        return backoff(state) if delay is None else delay

    def before_sleep(state: tenacity.RetryCallState) -> None:  # said only for a wait that happens
        exc = state.outcome.exception() if state.outcome else None
        if on_retry and exc:
            on_retry(exc, state.upcoming_sleep)

    stop = tenacity.stop_after_attempt(attempts)
    if deadline is not None:
        stop = stop | _StopAtDeadline(deadline)
    return tenacity.Retrying(retry=tenacity.retry_if_exception(is_transient), wait=wait, stop=stop, reraise=True,
                             before_sleep=before_sleep)


def retry_line(exc: BaseException, delay: float) -> str:
    """'Azure answered 503; retrying in 2.0s', or, when no HTTP answer came at all (DNS, refused
    connection, TLS), 'could not reach Azure (ServiceRequestError); retrying in 2.0s'."""
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if status:
        return f"Azure answered {status}; retrying in {delay:.1f}s"
    return f"could not reach Azure ({type(exc).__name__}); retrying in {delay:.1f}s"


class _StopAtDeadline(tenacity.stop.stop_base):
    def __init__(self, deadline: Callable[[], float]):
        self.deadline = deadline

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        """Stop when the budget is used up, or when the coming wait would end after it (tenacity
        computes the wait before asking; with an older tenacity ``upcoming_sleep`` is 0 here)."""
        left = self.deadline()
        return left <= 0 or getattr(retry_state, "upcoming_sleep", 0.0) > left
