"""The monitor loop: poll every watched template until its run ends or the budget is used up.

One loop drives one template (live log, groups per customizer) or a fleet (one GET per template
per poll, summary table). It never waits on the run LRO -- that spans the whole build -- but reads
``GET imageTemplate``, which any later job can do again: resuming is just running ``monitor`` again.
The saved log is the resume point for the tail (ranged reads continue from its size on disk).

A fleet's poll round is concurrent: each template's poll -- its read, and when its run ended the
rest of its log, the diagnosis and the run outputs -- runs in a bounded thread pool, so one
finishing template does not hold up the others' lines. What a template's poll prints is recorded
and printed by the loop's thread in the templates' order, each as soon as it and those before it
are done: the output stays ordered and the same for the same events. Throttling is shared: a 429
holds every ARM request of the session (azure/throttle.py), so it slows the whole round.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from aib_pilot.azure.errors import azure_access
from aib_pilot.azure.templates import RUNNING_STATES, run_state
from aib_pilot.errors import AzureUnavailableError
from aib_pilot.monitoring.retry import PollSchedule, retry_line, transient_retry
from aib_pilot.monitoring.template_watch import FAILED_STATES, TERMINAL_STATES, TemplateWatch


# A fleet's pool: enough to overlap the reads and the 1 s settle of each finished template's log,
# and within requests' default connection pool (10 per client), so no connection is thrown away.
FLEET_WORKERS = 8


# -- the loop ----------------------------------------------------------------------------------------
class Interrupted(Exception):
    pass


class RecordedSink:
    """Stands in for the sink in a pool thread: each call is recorded, then :meth:`replay` prints
    them through the real sink, in the loop's thread (sinks are not thread-safe; order matters)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple, dict]] = []

    def __getattr__(self, name: str) -> Callable[..., None]:
        if name.startswith("_"):
            raise AttributeError(name)

        def record(*args: Any, **kwargs: Any) -> None:
            self.calls.append((name, args, kwargs))
        return record

    def replay(self, sink) -> None:
        calls, self.calls = self.calls, []
        for name, args, kwargs in calls:
            getattr(sink, name)(*args, **kwargs)


ENDED, CHANGED, SAME = "ended", "changed", "same"
# Diagnoses run one at a time: the log search they share (diagnosis/scanner.finder) keeps the state
# of its current search, and a diagnosis is CPU work the GIL would serialise anyway. Reading the
# template and the rest of its log -- the waiting -- stays concurrent.
_DIAGNOSING = threading.Lock()


def poll_once(w: TemplateWatch, retrying) -> str:
    """One poll of one template: read it; when its run ended, the rest of its log, then its result
    (ENDED); else its progress (CHANGED when something moved, else SAME)."""
    w.refresh(retrying.copy())
    if w.provisioning_failed():
        with _DIAGNOSING:
            w.result = w.provisioning_result()
        return ENDED
    w.check_started()
    state, _sub = run_state(w.template)
    if state in TERMINAL_STATES:
        replay = w.last_seen is not None or not w.live.enabled
        if not replay:  # ended before this monitor started: a diagnosis, not a log dump
            w.live.enabled = False
        path = w.drain_log()  # the rest of the log first, then the end state, then the result
        if not replay and path:
            w.sink.info(f"{w.cfg.name}: the run had already ended when this monitor started; its log was "
                        "saved (path below), not replayed here"
                        + ("" if state == "Succeeded" else "; the diagnosis quotes the failing part"))
        w.observe()
        with _DIAGNOSING:
            w.result = w.finish()
        return ENDED
    changed = w.observe()
    if not w.fleet:
        changed |= w.tail()
    return CHANGED if changed else SAME


def poll_round(pool, active: list[TemplateWatch], retrying: dict, recorders: dict, sink) -> list[str]:
    """Poll every active template in the pool; print what each recorded, in order, as soon as it
    and those before it are done; the outcomes in order. The first error (in order) is raised once
    every template's poll finished and its lines were printed."""
    futures = [pool.submit(poll_once, w, retrying[id(w)]) for w in active]
    outcomes: list[str] = []
    first_error: BaseException | None = None
    for w, future in zip(active, futures):
        try:
            outcomes.append(future.result())
        except Exception as exc:  # noqa: BLE001 - raised below, after every line was printed
            outcomes.append(SAME)
            first_error = first_error or exc
        recorders[id(w)].replay(sink)
    if first_error is not None:
        raise first_error
    return outcomes


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
    pool = None
    recorders: dict[int, RecordedSink] = {}
    if len(watches) > 1:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=min(FLEET_WORKERS, len(watches)),
                                                     thread_name_prefix="aib-pilot-poll")
        _open_clients(watches[0].session)  # once, here: the lazily built SDK clients are shared by the pool
        for w in watches:  # each template's lines wait in its recorder until the loop prints them
            w.sink = w.live.sink = recorders.setdefault(id(w), RecordedSink())

    def retrying_for(w: TemplateWatch):
        def on_retry(exc: BaseException, delay: float) -> None:
            w.sink.info(retry_line(exc, delay))
        return transient_retry(base=poll_interval, deadline=control.remaining, on_retry=on_retry)

    retrying = {id(w): retrying_for(w) for w in watches}
    active = list(watches)
    unavailable: str | None = None  # Azure kept failing (429/5xx/no connection) within the budget
    for w in watches:
        w.deadline = control.remaining  # one clock for every retry and the final log read
    throttle = getattr(watches[0].session, "throttle", None) if watches else None
    if throttle is not None:
        throttle.deadline = control.remaining  # a throttled request never waits past the budget
    try:
        while active:
            try:
                if pool:
                    outcomes = poll_round(pool, active, retrying, recorders, sink)
                else:
                    outcomes = [poll_once(active[0], retrying[id(active[0])])]
            except AzureUnavailableError as exc:
                unavailable = exc.one_line()
                break
            changed = CHANGED in outcomes
            ended = [w for w, outcome in zip(active, outcomes) if outcome == ENDED]
            active = [w for w, outcome in zip(active, outcomes) if outcome != ENDED]
            for w in ended if on_end else ():  # after its lines were printed, in the templates' order
                on_end(w)
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
            pool.shutdown(wait=True, cancel_futures=True)  # poll_round waited for each poll it started
            for w in watches:  # from here on the loop's thread is the only one printing
                w.sink = w.live.sink = sink
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


def _open_clients(session) -> None:
    """Build the session's SDK clients before the pool starts (functools.cached_property builds
    one per racing thread on Python 3.12+)."""
    for name in ("imagebuilder", "storage"):
        try:
            getattr(session, name)
        except AttributeError:
            pass


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
