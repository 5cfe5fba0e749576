"""The monitor loop: poll every watched template until its run ends or the budget is used up.

One loop drives one template (live log, groups per customizer) or a fleet (one GET per template
per poll, summary table). It never waits on the run LRO -- that spans the whole build -- but reads
``GET imageTemplate``, which any later job can do again: resuming is just running ``monitor`` again.
The saved log is the resume point for the tail (ranged reads continue from its size on disk).
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from aib_pilot.azure.errors import azure_access
from aib_pilot.azure.templates import RUNNING_STATES, run_state
from aib_pilot.errors import AzureUnavailableError
from aib_pilot.monitoring.retry import PollSchedule, retry_line, transient_retry
from aib_pilot.monitoring.template_watch import FAILED_STATES, TERMINAL_STATES, TemplateWatch


# -- the loop ----------------------------------------------------------------------------------------
class Interrupted(Exception):
    pass


@dataclass
class LoopControl:
    """Budget and interruption shared by single and fleet monitoring."""

    budget_seconds: float | None
    clock: Callable[[], float] = time.monotonic
    stop: threading.Event = field(default_factory=threading.Event)
    started_at: float = 0.0
    signal_name: str | None = None  # "SIGTERM" / "SIGINT" once a signal asked the loop to stop

    def __post_init__(self) -> None:
        self.started_at = self.clock()

    @property
    def reserve(self) -> float:
        """Time kept back for the final log read and the report."""
        return 0.0 if self.budget_seconds is None else min(60.0, max(0.5, 0.1 * self.budget_seconds))

    def remaining(self) -> float:
        if self.budget_seconds is None:
            return float("inf")
        return self.started_at + self.budget_seconds - self.reserve - self.clock()

    def sleep(self, seconds: float) -> None:
        if self.stop.wait(max(0.0, min(seconds, self.remaining()))):
            raise Interrupted()


def watch(watches: list[TemplateWatch], sink, control: LoopControl, *, poll_interval: float,
          cancel_on_interrupt: bool = False, heartbeat_every: float | None = None,
          on_end: Callable[[TemplateWatch], None] | None = None) -> list[dict]:
    """Poll until every template's run ended or the budget is used up; return the run results.

    ``on_end(watch)`` runs for each template as soon as its outcome is known and its log saved
    (the cleanup policy, commands/cleanup.py), so in a fleet each one is handled on its own."""
    schedule = PollSchedule(start=poll_interval)
    heartbeat_every = heartbeat_every or max(4 * poll_interval, 1.0)
    last_heartbeat = control.clock()
    canceling = False
    interrupted: str | None = None  # the signal that ended monitoring (without canceling the run)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(8, len(watches))) if len(watches) > 1 else None

    def on_retry(exc: BaseException, delay: float) -> None:
        sink.info(retry_line(exc, delay))

    retrying = transient_retry(base=poll_interval, deadline=control.remaining, on_retry=on_retry)
    active = list(watches)
    unavailable: str | None = None  # Azure kept failing (429/5xx/no connection) within the budget
    for w in watches:
        w.deadline = control.remaining  # one clock for every retry and the final log read
    try:
        while active:
            try:
                if pool:
                    list(pool.map(lambda w: w.refresh(retrying.copy()), active))
                else:
                    active[0].refresh(retrying.copy())
            except AzureUnavailableError as exc:
                unavailable = exc.one_line()
                break
            changed = False
            for w in list(active):
                if w.provisioning_failed():
                    w.result = w.provisioning_result()
                    active.remove(w)
                    if on_end:
                        on_end(w)
                    continue
                w.check_started()
                state, _sub = run_state(w.template)
                if state in TERMINAL_STATES:
                    replay = w.last_seen is not None or not w.live.enabled
                    if not replay:  # ended before this monitor started: a diagnosis, not a log dump
                        w.live.enabled = False
                    path = w.drain_log()  # the rest of the log first, then the end state, then the result
                    if not replay and path:
                        sink.info(f"{w.cfg.name}: the run had already ended when this monitor started; its log was "
                                  "saved (path below), not replayed here"
                                  + ("" if state == "Succeeded" else "; the diagnosis quotes the failing part"))
                    w.observe()
                    w.result = w.finish()
                    active.remove(w)
                    if on_end:
                        on_end(w)
                    continue
                changed |= w.observe()
                if not w.fleet:
                    changed |= w.tail()
            if not active:
                break
            now = control.clock()
            if now - last_heartbeat >= heartbeat_every:
                last_heartbeat = now
                for w in active:
                    state, sub = run_state(w.template)
                    elapsed = w.base_result()["elapsed_seconds"]
                    size = w.log.saved_size
                    sink.heartbeat(f"{w.cfg.name}: still {state or 'not started'}{' / ' + sub if sub else ''}"
                                   f"{f' after {_duration(elapsed)}' if elapsed is not None else ''}"
                                   f"{f' ({size} bytes of log saved)' if size else ''}")
            delay = schedule.next(changed=changed)
            if not canceling and control.remaining() <= delay:
                break
            try:
                control.sleep(delay)
            except Interrupted:
                signal_name = control.signal_name or "a stop request"
                if not cancel_on_interrupt or canceling:
                    interrupted = signal_name
                    break
                canceling = True
                control.stop.clear()
                control.budget_seconds = None  # waiting for Canceled is the point now
                for w in active:
                    if run_state(w.template)[0] in RUNNING_STATES:
                        w.canceled_by = f"canceled by aib-pilot on {signal_name} (--cancel-on-interrupt)"
                        sink.warning(f"interrupted by {signal_name}: canceling the run of {w.cfg.name} "
                                     "(--cancel-on-interrupt) and waiting for Canceled")
                        with azure_access(f"canceling {w.cfg.name}"):
                            w.templates.cancel(w.cfg.resource_group, w.cfg.name)
    finally:
        if pool:
            pool.shutdown(wait=False)
    results = []
    for w in watches:
        if w.result is None:
            if not w.fleet:
                try:
                    w.tail()  # the saved log is current when the job ends
                except Exception:  # noqa: BLE001
                    pass
                w.live.close()
            w.result = w.running_result()
            if unavailable:
                w.result["unavailable"] = unavailable
                sink.warning(f"stopped monitoring {w.cfg.name}: {unavailable} The build goes on in Azure. "
                             f"Resume with: {w.result['resume']}")
            if interrupted:
                w.result["interrupted"] = interrupted
                going_on = ("its cancel was requested, not waited for" if w.canceled_by
                            else "the build keeps running in Azure")
                sink.warning(f"interrupted by {interrupted}: stopped monitoring {w.cfg.name}; {going_on}. "
                             f"Resume with: {w.result['resume']}")
        elif w.canceled_by:
            w.result["interrupted"] = control.signal_name or "a stop request"
        results.append(w.result)
    return results


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def exit_code_for(results: list[dict]) -> int:
    """1 when a run failed; else 5 when Azure was unavailable for a template still running; else 0."""
    from aib_pilot.errors import EXIT_AZURE_UNAVAILABLE, EXIT_BUILD_FAILED, EXIT_OK

    if any(r["state"] in FAILED_STATES for r in results):
        return EXIT_BUILD_FAILED
    return EXIT_AZURE_UNAVAILABLE if any(r.get("unavailable") for r in results) else EXIT_OK
