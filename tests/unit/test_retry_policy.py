"""The monitor's retry policy (monitoring/retry.py): Retry-After first, the budget's clock always."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from azure.core.exceptions import HttpResponseError

from aib_pilot.monitoring.retry import transient_retry


def throttled(retry_after: str | None = "0.2", status: int = 429) -> HttpResponseError:
    exc = HttpResponseError(message=f"({status}) busy")
    exc.status_code = status
    exc.response = SimpleNamespace(status_code=status, headers={"Retry-After": retry_after} if retry_after else {})
    return exc


def flaky(failures: int, exc_factory):
    calls = {"n": 0}

    def call():
        calls["n"] += 1
        if calls["n"] <= failures:
            raise exc_factory()
        return "ok"
    return call, calls


def test_retry_after_is_the_wait():
    waits = []
    call, calls = flaky(2, throttled)
    assert transient_retry(base=5.0, on_retry=lambda exc, delay: waits.append(delay))(call) == "ok"
    assert waits == [0.2, 0.2] and calls["n"] == 3  # not the 5 s backoff base


def test_no_retry_past_the_budget_deadline():
    call, calls = flaky(5, lambda: throttled("30"))
    started = time.monotonic()
    with pytest.raises(HttpResponseError):
        transient_retry(base=1.0, deadline=lambda: 0.0)(call)
    assert calls["n"] == 1 and time.monotonic() - started < 1.0


def test_errors_to_fix_are_not_retried():
    call, calls = flaky(1, lambda: throttled(None, status=403))
    with pytest.raises(HttpResponseError):
        transient_retry(base=0.01)(call)
    assert calls["n"] == 1


def test_a_wait_that_would_end_after_the_budget_is_not_started():
    waits = []
    call, calls = flaky(5, lambda: throttled("30"))
    started = time.monotonic()
    with pytest.raises(HttpResponseError):
        transient_retry(base=1.0, deadline=lambda: 5.0, on_retry=lambda exc, d: waits.append(d))(call)
    assert calls["n"] == 1 and waits == [] and time.monotonic() - started < 1.0


def test_retrying_gives_up_after_eight_attempts():
    """The attempt cap: Azure answering 429 for ever is not retried for ever (without a budget too)."""
    waits = []
    calls = {"n": 0}

    def always_throttled():
        calls["n"] += 1
        if calls["n"] > 20:  # far past the cap: end the test instead of retrying for ever
            raise RuntimeError("still retrying after 20 attempts")
        raise throttled("0")

    with pytest.raises(HttpResponseError):
        transient_retry(base=0.01, on_retry=lambda exc, delay: waits.append(delay))(always_throttled)
    assert calls["n"] == 8 and len(waits) == 7


# -- the budget's clock (monitoring/fleet_loop.LoopControl) -----------------------------------------
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class RecordingStop:
    """A stop event that records how long each sleep asked to wait, and never blocks."""

    def __init__(self, stopped: bool = False) -> None:
        self.waits: list[float] = []
        self.stopped = stopped

    def wait(self, timeout: float) -> bool:
        self.waits.append(timeout)
        return self.stopped


@pytest.mark.parametrize("budget, reserve", [(2.0, 0.5), (100.0, 10.0), (3000.0, 60.0)])
def test_time_is_kept_back_before_the_budget_ends(budget, reserve):
    """A tenth of the budget (at least 0.5 s, at most a minute) is kept for the final log read and
    the report: the loop's clock reaches 0 that much before the budget does."""
    from aib_pilot.monitoring.fleet_loop import LoopControl

    clock = FakeClock()
    control = LoopControl(budget, clock=clock)
    assert control.remaining() == pytest.approx(budget - reserve)
    clock.now += budget - reserve
    assert control.remaining() == pytest.approx(0.0)
    assert LoopControl(None, clock=clock).remaining() == float("inf")


def test_a_sleep_never_lasts_past_the_budget():
    from aib_pilot.monitoring.fleet_loop import Interrupted, LoopControl

    clock = FakeClock()
    stop = RecordingStop()
    control = LoopControl(100.0, clock=clock, stop=stop)
    clock.now += 80.0  # 10 s left before the reserve
    control.sleep(45.0)
    assert stop.waits == [pytest.approx(10.0)]
    clock.now += 20.0  # past it: no wait at all
    control.sleep(45.0)
    assert stop.waits[-1] == 0.0
    unlimited = LoopControl(None, clock=clock, stop=stop)
    unlimited.sleep(45.0)
    assert stop.waits[-1] == 45.0
    with pytest.raises(Interrupted):  # a stop request ends the sleep and says so
        LoopControl(100.0, clock=clock, stop=RecordingStop(stopped=True)).sleep(1.0)
