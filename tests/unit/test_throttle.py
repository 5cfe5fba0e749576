"""The session's ARM throttle (azure/throttle.py): one 429 with Retry-After holds every request."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from aib_pilot.azure.throttle import MAX_HOLD, ArmThrottle


class Clock:
    """A fake clock; ``sleep`` moves it and records how long each wait was."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def answer(status: int, retry_after: str | None = None):
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return SimpleNamespace(http_response=SimpleNamespace(status_code=status, headers=headers))


def test_a_throttled_answer_holds_the_next_request_of_any_thread():
    clock = Clock()
    gate = ArmThrottle(clock=clock, sleep=clock.sleep)
    gate.on_request(None)
    assert clock.slept == [], "an open gate does not wait"
    gate.on_response(None, answer(429, "3"))
    clock.now += 1.0  # another thread's request, a second later
    gate.on_request(None)
    assert clock.slept == [pytest.approx(2.0)] and gate.holds == 1
    gate.on_request(None)
    assert len(clock.slept) == 1, "once Retry-After has passed the gate is open"


def test_only_throttling_with_retry_after_holds_the_gate():
    clock = Clock()
    gate = ArmThrottle(clock=clock, sleep=clock.sleep)
    for response in (answer(200, "5"), answer(500, "5"), answer(429), answer(404, "5")):
        gate.on_response(None, response)
    gate.on_request(None)
    assert clock.slept == [] and gate.holds == 0
    gate.on_response(None, answer(503, "2"))  # ServiceUnavailable with Retry-After is throttling too
    gate.on_request(None)
    assert clock.slept == [pytest.approx(2.0)]


def test_a_hold_is_capped_and_never_waits_past_the_budget():
    clock = Clock()
    gate = ArmThrottle(clock=clock, sleep=clock.sleep)
    gate.on_response(None, answer(429, "3600"))
    assert gate.wait_time() == pytest.approx(MAX_HOLD)
    budget_end = clock.now + 5.0  # 5 s of the budget left
    gate.deadline = lambda: budget_end - clock.now
    gate.on_request(None)  # waits until the budget's end, then the request goes (its error ends the job)
    assert clock.slept == [pytest.approx(5.0)]
    gate.on_request(None)
    assert len(clock.slept) == 1, "no wait once the budget is used up"
