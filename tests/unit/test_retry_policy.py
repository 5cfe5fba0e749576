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
